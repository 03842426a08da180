/**
 * Allocator and convergence benchmarks: prints figures, asserts nothing. Run `node dist/bench/ipam.js`
 * (after `npx tsc -p .`). Each figure is a fresh allocator; heap figures are after a forced GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import os from 'node:os';
import type { V1Service } from '@kubernetes/client-node';
import { Allocator } from '../src/ipam/allocator.js';
import type { AllocationSubject } from '../src/ipam/allocation-subject.js';
import type { Config, Pool } from '../src/config/types.js';
import { ControllerState } from '../src/controller/controller-state.js';
import { parseCidr, type Cidr } from '../src/lib/ip.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (c === undefined) throw new Error(text);
  return c;
}

function pool(name: string, cidrs: string[], avoidBuggyIPs = false): Pool {
  return { name, labels: {}, cidrs: cidrs.map(cidr), autoAssign: true, avoidBuggyIPs };
}

/** A Config holding only pools. */
function configOf(pools: readonly Pool[]): Config {
  return {
    pools: new Map(pools.map((p) => [p.name, p])),
    advertisements: new Map(pools.map((p) => [p.name, { l2: [], bgp: [] }])),
    l2Advertisements: new Map(), bgpAdvertisements: new Map(), peers: new Map(), bfdProfiles: new Map(), communities: new Map(),
  };
}

function subject(i: number, family: 'IPv4' | 'IPv6' = 'IPv4'): AllocationSubject {
  return {
    key: `ns${i % 50}/svc-${i}`, namespace: `ns${i % 50}`, labels: {}, family, ipFamilyPolicy: 'SingleStack',
    primaryFamily: 'IPv4', ports: [{ protocol: 'TCP', port: 80 }], sharingKey: '', backendKey: '',
  };
}

function svc(i: number, ingress?: string, pool?: string): V1Service {
  return {
    metadata: { namespace: `ns${i % 50}`, name: `svc-${i}`, ...(pool !== undefined && { annotations: { 'metallb.io/ip-allocated-from-pool': pool } }) },
    spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.1'], ports: [{ protocol: 'TCP', port: 80 }] },
    status: ingress === undefined ? {} : { loadBalancer: { ingress: [{ ip: ingress }] } },
  };
}

interface Run { readonly ms: number; readonly cpuMs: number; readonly heapMb: number }

/** Wall and CPU time of `fn` (CPU time of this process: on a shared, loaded machine it is the steadier figure). */
function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function allocateN(pools: Pool[], n: number, family: 'IPv4' | 'IPv6' = 'IPv4'): Run & { allocator: Allocator } {
  const subjects = Array.from({ length: n }, (_, i) => subject(i, family));
  const before = heapMb();
  const allocator = new Allocator();
  allocator.setPools(pools);
  const { ms, cpuMs } = timed(() => {
    for (const s of subjects) {
      const r = allocator.allocate(s);
      if (!r.ok) throw new Error(`allocation ${s.key} failed: ${r.failure.message}`);
    }
  });
  return { ms, cpuMs, heapMb: heapMb() - before, allocator };
}

function convergeN(pools: Pool[], n: number): Run & { state: ControllerState; services: V1Service[] } {
  const services = Array.from({ length: n }, (_, i) => svc(i));
  const ips: (string | undefined)[] = new Array<string | undefined>(n);
  const before = heapMb();
  const state = new ControllerState();
  state.setConfig(configOf(pools));
  state.completeInitialLoad();
  const { ms, cpuMs } = timed(() => services.forEach((s, i) => {
    const u = state.reconcile(`${s.metadata?.namespace}/${s.metadata?.name}`, s);
    if (u.outcome !== 'success') throw new Error(`${u.key}: ${u.events.map((e) => e.message).join('; ')}`);
    ips[i] = u.ingress[0]?.ip;
  }));
  // The heap figure counts the controller's memory (allocator and the written addresses), not the input objects.
  const heap = heapMb() - before;
  const written = services.map((_, i) => svc(i, ips[i], pools[0]?.name));
  return { ms, cpuMs, heapMb: heap, state, services: written };
}

const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const perOp = (ms: number, n: number): string => `${((ms * 1000) / n).toFixed(1)} µs/op`;
const line = (label: string, r: { ms: number; cpuMs: number; heapMb?: number }, n: number): void => {
  const mem = r.heapMb === undefined ? '' : `  heap +${r.heapMb.toFixed(1)} MB (${Math.round((r.heapMb * 1e6) / n)} B/Service)`;
  process.stdout.write(`${label.padEnd(60)} ${fmtMs(r.ms).padStart(9)} (cpu ${fmtMs(r.cpuMs).padStart(9)})  ${perOp(r.ms, n).padStart(12)}${mem}\n`);
};

process.stdout.write(`metallb-ts ipam bench: node ${process.version}, ${os.cpus().length} vCPU (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);

// Warm up the JIT so the first figure is not mostly compilation.
allocateN([pool('warm', ['10.0.0.0/16'])], 20_000);

process.stdout.write('goals: 10,000 Services from a /16 < 250 ms; 100,000 from a /12 < 5 s\n');
const r16 = allocateN([pool('p', ['10.0.0.0/16'])], 10_000);
line('allocator: 10,000 Services from a /16', r16, 10_000);
const r12 = allocateN([pool('p', ['10.0.0.0/12'])], 100_000);
line('allocator: 100,000 Services from a /12', r12, 100_000);
const c16 = convergeN([pool('p', ['10.0.0.0/16'])], 10_000);
line('converge (v1 Service in, status out): 10,000 from a /16', c16, 10_000);
const c12 = convergeN([pool('p', ['10.0.0.0/12'])], 100_000);
line('converge (v1 Service in, status out): 100,000 from a /12', c12, 100_000);

process.stdout.write('\ncurve (allocator, one /12 pool)\n');
for (const n of [1_000, 10_000, 100_000]) {
  const r = allocateN([pool('p', ['10.0.0.0/12'])], n);
  line(`  ${n.toLocaleString('en-US')} Services`, r, n);
}

process.stdout.write('\nother shapes\n');
const v6 = allocateN([pool('v6', ['2001:db8::/64'])], 100_000, 'IPv6');
line('  100,000 IPv6 Services from a /64', v6, 100_000);
const buggy = allocateN([pool('b', ['10.0.0.0/12'], true)], 100_000);
line('  100,000 from a /12 with avoidBuggyIPs', buggy, 100_000);
const many = allocateN(Array.from({ length: 100 }, (_, i) => pool(`p${String(i).padStart(3, '0')}`, [`10.${i}.0.0/22`])), 100_000);
line('  100,000 from 100 pools of a /22, filling them in order', many, 100_000);

// Churn: release every 7th Service, then allocate as many new ones (they fill the holes, lowest first).
{
  const { allocator } = r12;
  const released: number[] = [];
  for (let i = 0; i < 100_000; i += 7) { allocator.unassign(subject(i).key); released.push(i); }
  const churn = timed(() => { for (const i of released) allocator.allocate(subject(i + 1_000_000)); });
  line(`  churn: ${released.length.toLocaleString('en-US')} released across a /12, re-allocated`, churn, released.length);
  const reload = timed(() => allocator.setPools([pool('p', ['10.0.0.0/12']), pool('q', ['10.16.0.0/16'])]));
  line('  config reload with 100,000 allocations (SetPools)', reload, 100_000);
}

// Restart: a new controller rebuilds its memory from 100,000 Services that hold addresses.
{
  const state = new ControllerState();
  state.setConfig(configOf([pool('p', ['10.0.0.0/12'])]));
  const restart = timed(() => state.reprocessAll(c12.services));
  if (restart.value.retry || restart.value.updates.some((u) => u.changed)) throw new Error('restart changed assignments');
  line('  restart: start-up reprocess of 100,000 Services with addresses', restart, 100_000);
}
