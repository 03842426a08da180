/**
 * Lease leader election over real HTTP. The rules run against a FakeClock (no sleeping for lease
 * expiry); the loop runs on the real clock with short leases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { LeaderElector, leaseTimingsFor } from '../../src/k8s/leader-elector.js';
import { FakeClock, systemClock, type Clock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { eventually, startTestApi, uniqueName, type TestApi } from '../support/test-api.js';

let api: TestApi;
let ns: string;

before(async () => {
  api = await startTestApi();
  ns = uniqueName('lease');
  await api.kubeConfig().makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
});
after(() => api.close());

interface Contender { elector: LeaderElector; log: string[] }

function contender(identity: string, leaseName: string, clock: Clock, leaseDurationMs = 15_000, log: string[] = []): Contender {
  const coordination = api.kubeConfig(identity).makeApiClient(k8s.CoordinationV1Api);
  const elector = new LeaderElector({
    coordination, namespace: ns, leaseName, identity, clock, logger: silentLogger(), ...leaseTimingsFor(leaseDurationMs),
    onStartedLeading: () => log.push(`${identity} started`), onStoppedLeading: () => log.push(`${identity} stopped`),
  });
  return { elector, log };
}

async function readLease(name: string): Promise<k8s.V1Lease> {
  return api.kubeConfig().makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name, namespace: ns });
}

test('the first contender creates the lease; the other follows while it is renewed', async () => {
  const clock = new FakeClock();
  const a = contender('a', 'rules-1', clock);
  const b = contender('b', 'rules-1', clock);
  assert.equal(await a.elector.tryAcquireOrRenew(), true);
  const first = await readLease('rules-1');
  for (let i = 0; i < 10; i++) {
    clock.advance(2000);
    assert.equal(await b.elector.tryAcquireOrRenew(), false);
    assert.equal(await a.elector.tryAcquireOrRenew(), true);
  }
  const later = await readLease('rules-1');
  assert.equal(later.spec?.holderIdentity, 'a');
  assert.equal(later.spec?.leaseTransitions, 0);
  assert.equal(String(later.spec?.acquireTime), String(first.spec?.acquireTime), 'renewal keeps acquireTime');
});

test('when the holder stops renewing, a follower takes over one lease duration after it last saw a change', async () => {
  const clock = new FakeClock();
  const a = contender('a', 'rules-2', clock);
  const b = contender('b', 'rules-2', clock);
  await a.elector.tryAcquireOrRenew();
  assert.equal(await b.elector.tryAcquireOrRenew(), false);
  clock.advance(14_999);
  assert.equal(await b.elector.tryAcquireOrRenew(), false);
  clock.advance(1);
  assert.equal(await b.elector.tryAcquireOrRenew(), true);
  const lease = await readLease('rules-2');
  assert.equal(lease.spec?.holderIdentity, 'b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  assert.equal(await a.elector.tryAcquireOrRenew(), false, 'the old holder now follows');
});

test('of two contenders racing for a missing lease exactly one wins', async () => {
  const clock = new FakeClock();
  const results = await Promise.all(['x', 'y', 'z'].map((id) => contender(id, 'race', clock).elector.tryAcquireOrRenew()));
  assert.equal(results.filter(Boolean).length, 1);
});

test('a stopping leader releases the lease and the follower takes over within a retry period', async () => {
  const log: string[] = [];
  const a = contender('a', 'loop-release', systemClock, 3000, log);
  const b = contender('b', 'loop-release', systemClock, 3000, log);
  a.elector.start();
  await eventually('a to lead', () => a.elector.isLeader());
  b.elector.start();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(b.elector.isLeader(), false);
  const stoppedAt = Date.now();
  await a.elector.stop();
  await eventually('b to lead', () => b.elector.isLeader(), 5000, 10);
  assert.ok(Date.now() - stoppedAt < 1500, `took ${Date.now() - stoppedAt} ms`);
  await b.elector.stop();
  assert.deepEqual(log, ['a started', 'a stopped', 'b started', 'b stopped']);
});

test('a leader that cannot renew steps down before the follower takes over, and the follower takes over within the lease duration', async (t) => {
  if (api.server === undefined) return t.skip('needs fault hooks');
  const log: string[] = [];
  const times: Record<string, number> = {};
  const a = contender('a', 'loop-partition', systemClock, 3000, log);
  const b = contender('b', 'loop-partition', systemClock, 3000, log);
  a.elector.start();
  await eventually('a to lead', () => a.elector.isLeader());
  b.elector.start();
  await new Promise((r) => setTimeout(r, 300));
  const cut = api.server.faults.inject({ user: 'a', resource: 'leases', code: 500 });
  const cutAt = Date.now();
  await eventually('a to step down', () => !a.elector.isLeader(), 5000, 10);
  times['aStopped'] = Date.now() - cutAt;
  await eventually('b to lead', () => b.elector.isLeader(), 6000, 10);
  times['bStarted'] = Date.now() - cutAt;
  cut.remove();
  await a.elector.stop();
  await b.elector.stop();
  assert.ok(times['aStopped']! < times['bStarted']!, JSON.stringify(times));
  assert.ok(times['bStarted']! <= 3000 + 400, `takeover took ${times['bStarted']} ms after the last renewal`);
});
