// Properties of the controller over random configurations, Services and edit sequences: what it writes never
// gives an address to two Services unless the sharing rules allow it, every address lies in the pool the
// Service's annotation names, and a restart with more Services than addresses keeps every assignment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { V1Service } from '@kubernetes/client-node';
import type { Pool } from '../config/types.js';
import { cidrContains, isBuggyIp, parseIp } from '../lib/ip.js';
import { OfflineController } from './offline-controller.js';
import { serviceKey } from './service-facts.js';
import { config } from '../../test/support/ipam.js';
import { poolsArb, serviceArb } from '../../test/support/ipam-arbitraries.js';
import { ingressOf, poolAnnotationOf, service } from '../../test/support/services.js';

type Op = { op: 'upsert'; svc: V1Service } | { op: 'delete'; n: number } | { op: 'config'; pools: Pool[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: serviceArb.map((svc) => ({ op: 'upsert' as const, svc })), weight: 6 },
  { arbitrary: fc.integer({ min: 0, max: 15 }).map((n) => ({ op: 'delete' as const, n })), weight: 2 },
  { arbitrary: poolsArb.map((pools) => ({ op: 'config' as const, pools })), weight: 1 },
);

/** A user edit keeps what the controller wrote (status and its annotation). */
function edited(previous: V1Service | undefined, next: V1Service): V1Service {
  if (previous === undefined) return next;
  const pool = poolAnnotationOf(previous);
  return {
    ...next,
    metadata: { ...next.metadata, annotations: { ...next.metadata?.annotations, ...(pool !== undefined && { 'metallb.io/ip-allocated-from-pool': pool }) } },
    status: previous.status ?? {},
  };
}

function checkWritten(c: OfflineController, pools: readonly Pool[]): void {
  const holders = new Map<string, V1Service[]>();
  for (const svc of c.allServices()) {
    const ips = ingressOf(svc);
    if (ips.length === 0) continue;
    const p = pools.find((x) => x.name === poolAnnotationOf(svc));
    assert.ok(p !== undefined, `${serviceKey(svc)} names no current pool`);
    for (const text of ips) {
      const ip = parseIp(text)!;
      assert.ok(p.cidrs.some((cidr) => cidrContains(cidr, ip)) && !(p.avoidBuggyIPs && isBuggyIp(ip)), `${text} is outside ${p.name}`);
      holders.set(text, [...(holders.get(text) ?? []), svc]);
    }
  }
  for (const [ip, svcs] of holders) {
    if (svcs.length < 2) continue;
    const keys = svcs.map((s) => c.state.allocator.allocation(serviceKey(s))?.key);
    assert.ok(keys.every((k) => k !== undefined && k.sharing !== '' && k.sharing === keys[0]?.sharing && k.backend === keys[0]?.backend), `${ip} shared without a common key`);
    const ports = svcs.flatMap((s) => (s.spec?.ports ?? []).map((p) => `${p.protocol}/${p.port}`));
    assert.equal(new Set(ports).size, ports.length, `${ip} shared with clashing ports`);
  }
}

test('whatever the history, written addresses are in their pool and shared only as the rules allow', () => {
  fc.assert(fc.property(poolsArb, fc.array(opArb, { maxLength: 40 }), (initial, ops) => {
    const c = new OfflineController();
    let pools = initial;
    c.setConfig(config(...pools));
    for (const op of ops) {
      if (op.op === 'upsert') c.upsert(edited(c.service(serviceKey(op.svc)), op.svc));
      else if (op.op === 'delete') c.delete(`${op.n % 2 === 0 ? 'a' : 'b'}/s${op.n >> 1}`);
      else { pools = op.pools; c.setConfig(config(...pools)); }
      checkWritten(c, pools);
    }
  }), { numRuns: 150 });
});

test('a restart with more Services than addresses keeps every existing assignment', () => {
  fc.assert(fc.property(poolsArb, fc.array(serviceArb, { maxLength: 16 }), fc.integer({ min: 1, max: 12 }), (pools, services, extra) => {
    const before = new OfflineController();
    before.setConfig(config(...pools));
    for (const svc of services) before.upsert(edited(before.service(serviceKey(svc)), svc));
    // Older, earlier-named Services that would take the lowest addresses if they were converged first.
    const pending = Array.from({ length: extra }, (_, i) => service(`a/aaa-pending-${i}`, { created: '2000-01-01T00:00:00Z' }));
    const after = new OfflineController();
    after.load([...before.allServices(), ...pending]);
    after.setConfig(config(...pools));
    for (const svc of before.allServices()) {
      const held = ingressOf(svc);
      const now = ingressOf(after.service(serviceKey(svc)));
      assert.deepEqual(now.slice(0, held.length), held, `${serviceKey(svc)} lost ${held.join(',')}`);
    }
    checkWritten(after, pools);
  }), { numRuns: 150 });
});
