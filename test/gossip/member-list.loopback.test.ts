/**
 * Several member lists in one process on real UDP and TCP sockets over loopback: joining, failure detection,
 * graceful leave, encryption with a wrong key and a key rotation, the live-set stream and metrics.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { waitFor } from '../../src/lab/netns/wait.js';
import { openGossipTransport } from '../../src/net/gossip-transport.js';
import type { SwimConfig } from '../../src/protocol/swim/config.js';
import { defaultSwimConfig } from '../../src/protocol/swim/config.js';
import { MemberList } from '../../src/speaker/members/member-list.js';

const open: MemberList[] = [];
after(async () => {
  await Promise.all(open.map((m) => m.close()));
});

interface Started {
  readonly list: MemberList;
  readonly registry: Registry;
}

async function member(name: string, secret: string | undefined, config: SwimConfig = defaultSwimConfig()): Promise<Started> {
  const transport = await openGossipTransport({ ip: '127.0.0.1', port: 0 });
  const registry = new Registry();
  const list = new MemberList({ name, transport, config, registry, rejoinIntervalMs: 500, ...(secret === undefined ? {} : { secret }) });
  open.push(list);
  list.start();
  return { list, registry };
}

const addressOf = (m: Started): { ip: string; port: number } => ({ ip: '127.0.0.1', port: m.list.memberInfo().find((i) => i.name === m.list.name)!.address.port });

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

const sameMembers = (lists: readonly Started[], names: readonly string[]): boolean =>
  lists.every((m) => m.list.members.join(',') === [...names].sort().join(','));

describe('member lists on loopback sockets', () => {
  test('three members join through one seed, publish their live set, and see a crash', async () => {
    const secret = 'c2VjcmV0LWtleS1vbmUtMTIz';
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => member(n, secret)));
    const seen: string[] = [];
    a!.list.onChange((m) => seen.push(m.join(',')));
    assert.equal(await b!.list.join([addressOf(a!)]), 1);
    assert.equal(await c!.list.join([addressOf(a!)]), 1);
    await waitFor(() => sameMembers([a!, b!, c!], ['a', 'b', 'c']), { what: 'three members', timeoutMs: 5000 });
    assert.ok(seen.includes('a,b,c'), 'the live set was published');
    assert.equal(await metric(a!.registry, 'metallb_gossip_members', { state: 'alive' }), 3);

    // A crash: c stops answering without a word.
    await c!.list.close();
    const crashAt = performance.now();
    await waitFor(() => sameMembers([a!, b!], ['a', 'b']), { what: 'c declared dead', timeoutMs: 5000 });
    const detectedMs = performance.now() - crashAt;
    assert.ok(a!.list.memberInfo().find((m) => m.name === 'c')?.state === 'dead');
    assert.ok(detectedMs < 3000, `detected after ${detectedMs} ms`);
  });

  test('a graceful leave is known before any probe could have noticed', async () => {
    // Probes every 10 s: only the leave message itself can tell the others within a second.
    const slow = { ...defaultSwimConfig(), probeIntervalMs: 10_000, probeTimeoutMs: 1000, pushPullIntervalMs: 60_000 };
    const [a, b] = await Promise.all(['la', 'lb'].map((n) => member(n, 'leave-secret', slow)));
    await b!.list.join([addressOf(a!)]);
    await waitFor(() => sameMembers([a!, b!], ['la', 'lb']), { what: 'two members' });
    const iterator = a!.list.changes();
    assert.deepEqual((await iterator.next()).value, ['la', 'lb']);
    const start = performance.now();
    await b!.list.leave(500);
    const next = await iterator.next();
    const tookMs = performance.now() - start;
    assert.deepEqual(next.value, ['la']);
    assert.equal(a!.list.memberInfo().find((m) => m.name === 'lb')?.state, 'left');
    assert.ok(tookMs < 1000, `took ${tookMs} ms`);
    await iterator.return(undefined);
  });

  test('a member with the wrong key is never let in, and its packets are counted as authFailed', async () => {
    const a = await member('ka', 'right-key');
    const intruder = await member('kx', 'wrong-key');
    assert.equal(await intruder.list.join([addressOf(a)]), 0);
    await waitFor(async () => (await metric(a.registry, 'metallb_gossip_dropped_total', { reason: 'authFailed' })) > 0, { what: 'an authFailed drop' });
    assert.deepEqual(a.list.members, ['ka']);
    assert.deepEqual(intruder.list.members, ['kx']);
  });

  test('a key rotation keeps everyone talking: old and new keys are both accepted meanwhile', async () => {
    const [a, b] = await Promise.all(['ra', 'rb'].map((n) => member(n, 'key-one')));
    await b!.list.join([addressOf(a!)]);
    await waitFor(() => sameMembers([a!, b!], ['ra', 'rb']), { what: 'two members' });
    // a sees the new secret first; b still only has the old one.
    a!.list.setSecret('key-two');
    const c = await member('rc', 'key-two');
    await c.list.join([addressOf(a!)]);
    await waitFor(() => sameMembers([a!, c], ['ra', 'rb', 'rc']), { what: 'c joined through a during the rotation' });
    b!.list.setSecret('key-two');
    await waitFor(() => sameMembers([a!, b!, c], ['ra', 'rb', 'rc']), { what: 'all three after the rotation', timeoutMs: 5000 });
    // Nobody was ever declared dead along the way.
    for (const m of [a!, b!, c]) assert.equal(await metric(m.registry, 'metallb_gossip_member_transitions_total', { to: 'dead' }), 0);
  });
});
