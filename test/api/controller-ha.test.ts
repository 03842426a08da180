/**
 * Restarts and high availability: a restarted controller keeps every existing assignment even with more
 * Services than addresses; of two controllers only the Lease holder writes; when the holder is killed
 * (SIGKILL of a real `metallb-ts controller` process) the other takes over within the lease duration and
 * rewrites nothing that was right.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { ControllerEnv, metallbNamespace, settled } from '../support/controller-env.js';
import { eventually } from '../support/test-api.js';

let env: ControllerEnv;

beforeEach(async () => { env = await ControllerEnv.create(); });
afterEach(async () => {
  assert.deepEqual(env.violations, []);
  await env.close();
});

const leaseMs = 2000;

async function leaseHolder(): Promise<string | undefined> {
  const coordination = env.kc.makeApiClient(k8s.CoordinationV1Api);
  try {
    return (await coordination.readNamespacedLease({ name: 'metallb-controller', namespace: metallbNamespace })).spec?.holderIdentity;
  } catch {
    return undefined;
  }
}

function statusWritesTo(user: string, names: ReadonlySet<string>): number {
  return env.api.requests().filter((r) => r.user === user && r.resource === 'services' && r.subresource === 'status'
    && r.verb === 'update' && names.has(r.name ?? '')).length;
}

test('a restart with more Services than addresses keeps every existing assignment', async () => {
  await env.pool('four', { addresses: ['192.0.2.0/30'] });
  const first = await env.controller('first');
  await settled(first);
  const held = ['m-1', 'm-2', 'm-3', 'm-4'];
  for (const name of held) await env.service(name);
  const before = new Map<string, string[]>();
  for (const name of held) {
    await eventually(`${name} to get an address`, async () => (await env.ips(name)).length === 1);
    before.set(name, await env.ips(name));
  }
  await first.stop();
  // Pending Services whose names sort first, created while no controller runs.
  for (const name of ['a-1', 'a-2', 'a-3']) await env.service(name);
  const second = await env.controller('second');
  await settled(second);
  for (const name of held) assert.deepEqual(await env.ips(name), before.get(name), name);
  for (const name of ['a-1', 'a-2', 'a-3']) {
    assert.deepEqual(await env.ips(name), []);
    await env.waitEvent(name, /Warning AllocationFailed .*no available IPs/);
  }
  assert.equal(statusWritesTo('second', new Set(held)), 0, 'nothing that was right was rewritten');
});

test('of two controllers only the lease holder writes', async () => {
  await env.pool('p', { addresses: ['192.0.2.0/28'] });
  const election = { leaderElection: { leaseName: 'metallb-controller', leaseDurationMs: leaseMs } };
  const a = await env.controller('replica-a', election);
  const b = await env.controller('replica-b', election);
  await eventually('a leader', () => a.isLeader() || b.isLeader());
  const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
  const followerName = leader === a ? 'replica-b' : 'replica-a';
  await settled(leader);
  for (let i = 0; i < 5; i++) await env.service(`s-${i}`);
  for (let i = 0; i < 5; i++) await env.waitIps(`s-${i}`, [`192.0.2.${i}`]);
  await settled(leader);
  assert.equal(follower.isLeader(), false);
  assert.equal(env.writesBy(followerName), 0);
  assert.equal(env.api.requests().filter((r) => r.user === followerName && r.resource === 'events' && r.verb !== 'watch').length, 0);
});

test('when the leader is killed the other replica takes over within the lease duration and rewrites nothing that was right', async (t) => {
  await env.pool('p', { addresses: ['192.0.2.0/28'] });
  const child = env.spawnController('replica-a', ['--lease-duration', String(leaseMs / 1000)]);
  await eventually('replica-a to lead', async () => (await leaseHolder()) === 'replica-a', 15_000);
  const names = new Set<string>();
  for (let i = 0; i < 5; i++) {
    await env.service(`s-${i}`);
    names.add(`s-${i}`);
  }
  for (let i = 0; i < 5; i++) await env.waitIps(`s-${i}`, [`192.0.2.${i}`]);
  const b = await env.controller('replica-b', { leaderElection: { leaseName: 'metallb-controller', leaseDurationMs: leaseMs } });
  await eventually('replica-b to sync', () => b.ready());
  assert.equal(b.isLeader(), false);
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await eventually('replica-b to lead', () => b.isLeader(), 10_000, 10);
  const takeoverMs = Date.now() - killedAt;
  t.diagnostic(`takeover ${takeoverMs} ms after SIGKILL (lease ${leaseMs} ms)`);
  // The follower takes over one lease duration after the holder's last renewal, which came before the kill; the
  // margin is for a loaded machine (timers and the test's own polling run late).
  assert.ok(takeoverMs <= leaseMs + 1500, `took over after ${takeoverMs} ms`);
  await settled(b);
  assert.equal(statusWritesTo('replica-b', names), 0, 'nothing that was right was rewritten');
  await env.service('after');
  await env.waitIps('after', ['192.0.2.5']);
  for (let i = 0; i < 5; i++) assert.deepEqual(await env.ips(`s-${i}`), [`192.0.2.${i}`]);
});
