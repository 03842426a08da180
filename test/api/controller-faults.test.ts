/**
 * A churn of 1,000 Services (created, re-typed, given requested addresses, deleted) while the API server
 * misbehaves towards the controller: its watches dropped (cleanly and by connection reset), the history
 * compacted so re-watches get 410 and it must relist, 409 and 500 on its status writes, 500 on its lists
 * and watches. Every committed state of every Service is checked as it happens: no address is ever shown
 * on two Services. Once the faults stop, the controller converges: every address in use is unique and in
 * the pool, and a Service is left without one only when it asked for an address another one holds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import type { ControllerRuntime } from '../../src/k8s/controller-runtime.js';
import { ControllerEnv, settled } from '../support/controller-env.js';
import { eventually } from '../support/test-api.js';

let env: ControllerEnv;
let ctl: ControllerRuntime;

before(async () => { env = await ControllerEnv.create(); });
after(() => env.close());

/** mulberry32, so a failing churn can be replayed from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const total = 1000;
const poolSize = 1024;

function startFaults(random: () => number): () => void {
  const faults = env.api.faults;
  const user = 'controller';
  faults.seed(7);
  faults.inject({ user, verb: 'update', resource: 'services', subresource: 'status', code: 409, probability: 0.1 });
  faults.inject({ user, verb: 'update', resource: 'services', subresource: 'status', code: 500, probability: 0.05 });
  faults.inject({ user, verb: 'list', code: 500, probability: 0.2 });
  faults.inject({ user, verb: 'watch', code: 500, probability: 0.1 });
  faults.delay({ user, verb: 'update', delayMs: 5, probability: 0.2 });
  let round = 0;
  let compactTimer: NodeJS.Timeout | undefined;
  const timer = setInterval(() => {
    round++;
    if (round % 3 === 0) {
      // Keep the re-watch out for a moment while the churn goes on, then forget the history: the informer
      // comes back with a resourceVersion older than the history and must relist (410).
      faults.inject({ user, verb: 'watch', resource: 'services', code: 500, times: 1 });
      compactTimer = setTimeout(() => faults.compact(), 100);
    }
    faults.dropWatches({ user, abrupt: random() < 0.5 });
  }, 700);
  return () => {
    clearInterval(timer);
    clearTimeout(compactTimer);
    faults.clear();
  };
}

/**
 * What is wrong with the final state: an address twice, outside the pool, without the pool annotation; a
 * Service without an address while the pool has free ones (unless it asked for an address in use).
 */
function convergenceProblems(services: readonly V1Service[]): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const svc of services) {
    for (const { ip = '' } of svc.status?.loadBalancer?.ingress ?? []) {
      if (!/^10\.200\.[0-3]\.\d+$/.test(ip)) problems.push(`${svc.metadata?.name}: ${ip} is outside the pool`);
      if (used.has(ip)) problems.push(`${ip} twice`);
      used.add(ip);
    }
  }
  const free = poolSize - used.size;
  for (const svc of services) {
    const name = svc.metadata?.name ?? '';
    const has = (svc.status?.loadBalancer?.ingress?.length ?? 0) > 0;
    if (has && svc.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'] !== 'churn') problems.push(`${name}: no pool annotation`);
    if (has || free === 0) continue;
    const requested = svc.metadata?.annotations?.['metallb.io/loadBalancerIPs'];
    if (requested === undefined) problems.push(`${name}: no address while ${free} are free`);
    else if (!used.has(requested)) problems.push(`${name}: asked for free ${requested} and has none`);
  }
  return problems;
}

async function churn(random: () => number): Promise<Set<string>> {
  const live = new Set<string>();
  const work: Promise<unknown>[] = [];
  const run = async (i: number): Promise<void> => {
    const name = `churn-${i}`;
    await env.service(name);
    live.add(name);
    const r = random();
    if (r < 0.25) {
      await env.deleteService(name);
      live.delete(name);
    } else if (r < 0.35) {
      await env.patchService(name, { spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });
      await env.patchService(name, { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
    } else if (r < 0.4) {
      await env.patchService(name, { metadata: { annotations: { 'metallb.io/loadBalancerIPs': `10.200.${Math.floor(random() * 2)}.${Math.floor(random() * 256)}` } } });
    }
  };
  for (let i = 0; i < total; i++) {
    work.push(run(i));
    if (work.length >= 16) await Promise.all(work.splice(0));
  }
  await Promise.all(work);
  return live;
}

test('a churn of 1,000 Services under API faults never shows an address on two Services, and converges', { timeout: 240_000 }, async (t) => {
  await env.pool('churn', { addresses: ['10.200.0.0/22'] });
  ctl = await env.controller('controller');
  await settled(ctl);
  const random = seeded(42);
  const stopFaults = startFaults(random);
  const startedAt = Date.now();
  const live = await churn(random);
  stopFaults();
  t.diagnostic(`churn done in ${Date.now() - startedAt} ms`);
  let last: string[] = [];
  await eventually('convergence', async () => {
    last = convergenceProblems((await env.core.listNamespacedService({ namespace: 'default' })).items);
    return last.length === 0;
  }, 120_000, 500).catch((err: unknown) => { throw new Error(`${(err as Error).message}: ${last.slice(0, 5).join('; ')}`); });
  await settled(ctl);
  assert.deepEqual(convergenceProblems((await env.core.listNamespacedService({ namespace: 'default' })).items), []);
  t.diagnostic(`converged ${Date.now() - startedAt} ms after the churn started; ${live.size} Services remain`);
  assert.deepEqual(env.violations, [], 'no address was ever shown on two Services');
  const faultsHit = env.api.requests().filter((r) => r.user === 'controller' && r.code >= 409).length;
  t.diagnostic(`${faultsHit} requests of the controller failed on purpose; the Service informer listed ${ctl.services.listCount} times`);
  assert.ok(ctl.services.listCount > 1, 'compactions made the informer relist');
  assert.ok(faultsHit > 30, `only ${faultsHit} faults hit`);
});
