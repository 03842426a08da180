/**
 * `metallb-ts plan` end to end: YAML in (pools, Namespaces, Services with their status), the plan out as JSON
 * or a table; an invalid configuration prints validate's lines and exits 1. One run of the built binary.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan } from './plan.js';
import type { PlanOptions } from '../controller/plan-report.js';

const dir = mkdtempSync(join(tmpdir(), 'metallb-ts-plan-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const mainJs = new URL('./main.js', import.meta.url).pathname;
const fixture = new URL('../../../test/fixtures/metallb-docs/ipaddresspool-allocation.yaml', import.meta.url);

let n = 0;
function file(text: string): string {
  const path = join(dir, `f${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

function run(files: string[], options: PlanOptions = {}): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runPlan(files, options, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), readStdin: () => '' });
  return { code, out, err };
}

const services = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: namespace-c, labels: {app: bar}, creationTimestamp: "2024-05-01T10:00:00Z"}
spec: {type: LoadBalancer, clusterIPs: [10.96.0.10], ports: [{port: 80, protocol: TCP}]}
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: default, annotations: {metallb.io/ip-allocated-from-pool: cheap}}
spec: {type: LoadBalancer, clusterIPs: [10.96.0.11], ports: [{port: 443}]}
status: {loadBalancer: {ingress: [{ip: 192.168.10.7}]}}
---
apiVersion: v1
kind: Service
metadata: {name: pricey, namespace: default, annotations: {metallb.io/address-pool: expensive}}
spec: {type: LoadBalancer, clusterIPs: [10.96.0.12], ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: plain}
spec: {type: LoadBalancer, clusterIPs: [10.96.0.13], ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: internal, namespace: default}
spec: {type: ClusterIP, clusterIPs: [10.96.0.14], ports: [{port: 80}]}
`;

test('plan reads MetalLB objects, Namespaces and Services and prints each Service with its address as JSON', () => {
  const r = run([fixture.pathname, file(services)], { output: 'json' });
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.equal(r.out.length, 1);
  const out = JSON.parse(r.out[0]!) as { services: { namespace: string; name: string; ips: string[]; pool: string | null; change: string }[]; pools: unknown[] };
  assert.deepEqual(out.services.map((s) => [`${s.namespace}/${s.name}`, s.ips.join(','), s.pool, s.change]), [
    ['default/plain', '192.168.10.0', 'cheap', 'new'],
    ['default/pricey', '42.176.25.64', 'expensive', 'new'],
    ['default/shop', '192.168.10.7', 'cheap', 'kept'],
    // namespace-c is in the pinned pool through its label (namespaceSelectors), and web matches app=bar.
    ['namespace-c/web', '192.168.20.1', 'ippool-ns-service-alloc-sample', 'new'],
  ]);
  assert.deepEqual(out.pools, [
    { name: 'cheap', assignedIPv4: 2, availableIPv4: 254, assignedIPv6: 0, availableIPv6: 0 },
    { name: 'expensive', assignedIPv4: 1, availableIPv4: 4, assignedIPv6: 0, availableIPv6: 0 },
    { name: 'ippool-ns-service-alloc-sample', assignedIPv4: 1, availableIPv4: 253, assignedIPv6: 0, availableIPv6: 0 },
  ]);
});

test('plan -o table prints a line per Service and the pools', () => {
  const r = run([fixture.pathname, file(services)], { output: 'table' });
  assert.equal(r.code, 0);
  assert.equal(r.out[0], 'NAMESPACE    NAME    CHANGE  POOL                            IPS');
  assert.ok(r.out.includes('default      shop    kept    cheap                           192.168.10.7'), r.out.join('\n'));
  assert.equal(r.out.at(-1), '4 services: 1 kept, 3 new, 0 changed, 0 removed; 0 without an address');
});

test('an invalid configuration prints the validate errors and exits 1', () => {
  const bad = file('apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: metallb-system}\nspec: {addresses: [10.0.0.0/24, 10.0.0.128/25]}\n');
  const r = run([bad, file(services)]);
  assert.equal(r.code, 1);
  assert.ok(r.out.length > 0);
  for (const line of r.out) assert.match(line, new RegExp(`^${dir}/f\\d+\\.yaml: IPAddressPool/p: `));
});

test('a Service without a name is an input error', () => {
  const r = run([fixture.pathname, file('apiVersion: v1\nkind: Service\nmetadata: {namespace: x}\nspec: {type: LoadBalancer}\n')]);
  assert.equal(r.code, 1);
  assert.match(r.out[0]!, /: Service\/\(unnamed\): metadata\.name: required field is missing$/);
});

test('an unreadable input exits 2', () => {
  const r = run([join(dir, 'missing.yaml')]);
  assert.deepEqual([r.code, r.out.length, r.err.length], [2, 0, 1]);
});

test('the built binary plans from files', () => {
  const r = spawnSync(process.execPath, [mainJs, 'plan', '-f', fixture.pathname, '-f', file(services), '-o', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { services: unknown[] }).services.length, 4);
  const wrong = spawnSync(process.execPath, [mainJs, 'plan', '-f', fixture.pathname, '-o', 'yaml'], { encoding: 'utf8' });
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /--output must be json or table/);
});

test('config and allocator agree: a priority-only serviceAllocation pins its pool for every Service', () => {
  const yaml = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: a-plain, namespace: metallb-system}
spec: {addresses: [10.0.0.0/24]}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: b-preferred, namespace: metallb-system}
spec: {addresses: [10.1.0.0/24], serviceAllocation: {priority: 5}}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: c-nobody, namespace: metallb-system}
spec: {addresses: [10.2.0.0/24], serviceAllocation: {namespaceSelectors: [{matchLabels: {none: none}}]}}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: anywhere}
spec: {type: LoadBalancer, clusterIPs: [10.96.0.10], ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: t, namespace: anywhere, annotations: {metallb.io/address-pool: c-nobody}}
spec: {type: LoadBalancer, clusterIPs: [10.96.0.11], ports: [{port: 80}]}
`;
  const r = run([file(yaml)], { output: 'json' });
  assert.equal(r.code, 0, r.out.join('\n'));
  const out = JSON.parse(r.out[0]!) as { services: { name: string; pool: string | null }[] };
  // c-nobody: its namespace selectors match nothing, so it pins nobody and is no fallback; by name it serves.
  assert.deepEqual(out.services.map((s) => [s.name, s.pool]), [['s', 'b-preferred'], ['t', 'c-nobody']]);
});
