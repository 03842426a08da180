import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import type { Cidr } from '../../lib/ip.js';
import { MemoryNetwork, settle } from '../../../test/support/bgp-memory-net.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger.js';
import { BgpSession } from './session.js';
import { BgpMetrics } from './metrics.js';
import type { Advertisement } from './advertisement.js';
import type { BgpPeerSpec } from './peer-spec.js';

const nodeIp = '10.100.0.11';
const routerIp = '10.100.0.1';

function v4(i: number): Cidr {
  return { family: 'IPv4', base: BigInt(0x0ac80000 + i), prefixLength: 32 };
}
function ads(n: number, extra: Partial<Advertisement> = {}, from = 0): Advertisement[] {
  return Array.from({ length: n }, (_, i) => ({ prefix: v4(from + i), communities: [], largeCommunities: [], ...extra }));
}

interface Pair { clock: FakeClock; net: MemoryNetwork; node: BgpSession; router: BgpSession; registry: Registry; metrics: BgpMetrics }

function pair(options: { gr?: boolean; nodeSpec?: Partial<BgpPeerSpec>; routerSpec?: Partial<BgpPeerSpec>; restarting?: boolean } = {}): Pair {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const registry = new Registry();
  const metrics = new BgpMetrics(registry);
  const n = net.host(nodeIp);
  const r = net.host(routerIp);
  const gr = options.gr === true ? { enableGracefulRestart: true } : {};
  const node = new BgpSession({
    peer: { name: 'router', peerAddress: routerIp, myAsn: 64512, peerAsn: 64500, holdTimeSec: 9, connectTimeSec: 2, ...gr, ...options.nodeSpec },
    defaultRouterId: 0x0a64000b, dialer: n.dialer, acceptor: n.acceptor, clock, logger: silentLogger(), metrics,
    ...(options.restarting === true ? { restarting: true } : {}),
  });
  const router = new BgpSession({
    peer: { name: 'node1', peerAddress: nodeIp, myAsn: 64500, peerAsn: 64512, holdTimeSec: 9, passive: true, ...gr, ...options.routerSpec },
    defaultRouterId: 0x0a640001, dialer: r.dialer, acceptor: r.acceptor, clock, logger: silentLogger(),
  });
  return { clock, net, node, router, registry, metrics };
}

async function up(p: Pair): Promise<void> {
  p.router.start();
  p.node.start();
  await settle();
  assert.equal(p.node.status().state, 'Established');
  assert.equal(p.router.status().state, 'Established');
}

async function metric(p: Pair, name: string): Promise<number> {
  const m = await p.registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels['peer'] === `${routerIp}:179`)?.value ?? NaN;
}

test('a session comes up and 1,000 prefixes arrive in a handful of UPDATEs', async () => {
  const p = pair();
  p.node.setAdvertisements(ads(1000));
  await up(p);
  await settle();
  assert.equal(p.router.status().received.IPv4, 1000);
  assert.equal(p.node.status().announced, 1000);
  assert.equal(await metric(p, 'metallb_bgp_session_up'), 1);
  assert.equal(await metric(p, 'metallb_bgp_announced_prefixes_total'), 1000);
  assert.equal(await metric(p, 'metallb_bgp_pending_prefixes_total'), 0);
  assert.ok((await metric(p, 'metallb_bgp_updates_total')) <= 3, 'one UPDATE per ~800 /32 plus End-of-RIB');
});

test('setAdvertisements sends only the difference and nothing the peer already has', async () => {
  const p = pair();
  p.node.setAdvertisements(ads(100));
  await up(p);
  await settle();
  const before = await metric(p, 'metallb_bgp_updates_total');
  p.node.setAdvertisements(ads(100));
  await settle();
  assert.equal(await metric(p, 'metallb_bgp_updates_total'), before, 'the same set sends nothing');
  p.node.setAdvertisements([...ads(50), ...ads(10, {}, 1000)]);
  await settle();
  assert.equal(p.router.status().received.IPv4, 60);
  assert.equal(await metric(p, 'metallb_bgp_updates_total'), before + 2, 'one withdrawal UPDATE and one announcement UPDATE');
  p.node.setAdvertisements(ads(50, { communities: [0xfde80001] }));
  await settle();
  assert.equal(p.router.status().received.IPv4, 50);
});

test('a prefix set before the session is up stays pending, then goes out on Established', async () => {
  const p = pair();
  p.router.start();
  p.node.setAdvertisements(ads(5));
  await settle();
  assert.equal(await metric(p, 'metallb_bgp_pending_prefixes_total'), 5);
  p.node.start();
  await settle();
  assert.equal(p.router.status().received.IPv4, 5);
});

test('after the connection drops, the session reconnects and re-sends everything', async () => {
  const p = pair();
  p.node.setAdvertisements(ads(20));
  await up(p);
  p.net.cutAll();
  await settle();
  assert.notEqual(p.node.status().state, 'Established');
  assert.equal(p.router.status().received.IPv4, 0, 'without GR the router drops the routes');
  p.clock.advance(1000);
  await settle();
  assert.equal(p.node.status().state, 'Established');
  assert.equal(p.router.status().received.IPv4, 20);
});

test('the hold timer ends a session whose peer went silent', async () => {
  const p = pair();
  await up(p);
  p.net.blackhole = true;
  p.clock.advance(8000);
  await settle();
  assert.equal(p.node.status().state, 'Established', 'not before the 9 s hold time');
  p.clock.advance(1000);
  await settle();
  assert.equal(p.node.status().state, 'Idle');
});

test('graceful restart: the helper keeps the restarting speaker\'s routes stale until its End-of-RIB', async () => {
  const p = pair({ gr: true });
  p.node.setAdvertisements(ads(30));
  await up(p);
  await settle();
  p.node.close({ graceful: true });
  await settle();
  assert.deepEqual([p.router.status().received.IPv4, p.router.status().received.stale], [30, 30]);
  const n2 = p.net.host(nodeIp);
  const node2 = new BgpSession({
    peer: { name: 'router', peerAddress: routerIp, myAsn: 64512, peerAsn: 64500, holdTimeSec: 9, enableGracefulRestart: true },
    defaultRouterId: 0x0a64000b, dialer: n2.dialer, acceptor: n2.acceptor, clock: p.clock, logger: silentLogger(), restarting: true,
  });
  p.clock.advance(1000);
  node2.start();
  await settle();
  assert.equal(node2.status().state, 'Established');
  assert.equal(p.router.status().received.stale, 30, 'still stale: no End-of-RIB before the speaker knows its routes');
  assert.equal(node2.status().endOfRibSent, false);
  node2.setAdvertisements(ads(20));
  await settle();
  assert.deepEqual([p.router.status().received.IPv4, p.router.status().received.stale], [20, 0]);
});

test('without graceful restart a stop sends Cease and the peer drops the routes', async () => {
  const p = pair();
  p.node.setAdvertisements(ads(3));
  await up(p);
  await settle();
  p.node.close({ graceful: true });
  await settle();
  assert.equal(p.router.status().received.IPv4, 0);
});

test('the stale routes go when the restart time passes without the peer', async () => {
  const p = pair({ gr: true });
  p.node.setAdvertisements(ads(4));
  await up(p);
  await settle();
  p.node.close({ graceful: true });
  await settle();
  assert.equal(p.router.status().received.stale, 4);
  p.clock.advance(120_000);
  assert.equal(p.router.status().received.IPv4, 0);
});

test('two active sides resolve their collision to a single session', async () => {
  const p = pair({ routerSpec: { passive: false, connectTimeSec: 2 } });
  p.router.start();
  p.node.start();
  await settle();
  p.clock.advance(3000);
  await settle();
  assert.equal(p.node.status().state, 'Established');
  assert.equal(p.router.status().state, 'Established');
});

test('a wrong password never gives a session', async () => {
  const p = pair({ nodeSpec: { password: 'right' }, routerSpec: { password: 'wrong' } });
  p.router.start();
  p.node.start();
  await settle();
  p.clock.advance(10_000);
  await settle();
  assert.notEqual(p.node.status().state, 'Established');
});

test('iBGP sends LOCAL_PREF and an empty AS path; large communities arrive', async () => {
  const p = pair({ nodeSpec: { peerAsn: 64512 }, routerSpec: { myAsn: 64512 } });
  p.node.setAdvertisements(ads(2, { localPref: 150, largeCommunities: [{ globalAdmin: 64512, localData1: 1, localData2: 2 }] }));
  await up(p);
  await settle();
  assert.equal(p.router.status().received.IPv4, 2);
  assert.equal(p.router.status().negotiated?.ebgp, false);
});

test('a 4-octet AS goes as AS_TRANS in OPEN and the peer sees the real AS', async () => {
  const p = pair({ nodeSpec: { myAsn: 4200000001 }, routerSpec: { peerAsn: 4200000001 } });
  p.node.setAdvertisements(ads(1));
  await up(p);
  assert.equal(p.router.status().negotiated?.peerAsn, 4200000001);
  await settle();
  assert.equal(p.router.status().received.IPv4, 1);
});


test('bfdDown ends an Established session at once, without waiting for the hold timer, and it comes back', async () => {
  const p = pair();
  p.node.setAdvertisements(ads(5));
  await up(p);
  p.net.blackhole = true;
  p.node.bfdDown('controlDetectionTimeExpired');
  await settle();
  assert.notEqual(p.node.status().state, 'Established', 'down at once, 9 s before the hold timer would fire');
  assert.equal(await metric(p, 'metallb_bgp_session_up'), 0);
  p.net.blackhole = false;
  p.net.cutAll(); // the memory network's blackhole loses bytes for good: drop what was opened meanwhile
  for (let i = 0; i < 15; i++) {
    p.clock.advance(1000);
    await settle();
  }
  assert.equal(p.node.status().state, 'Established');
  assert.equal(p.router.status().received.IPv4, 5);
});

test('bfdDown tells the peer why: a Cease NOTIFICATION with subcode 10, BFD Down (RFC 9384)', async () => {
  const logs: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, cb) { logs.push(chunk.toString()); cb(); } });
  const p = pair();
  const r = p.net.host(routerIp);
  const router = new BgpSession({
    peer: { name: 'node1', peerAddress: nodeIp, myAsn: 64500, peerAsn: 64512, holdTimeSec: 9, passive: true },
    defaultRouterId: 0x0a640001, dialer: r.dialer, acceptor: r.acceptor, clock: p.clock, logger: createLogger({ destination }),
  });
  await up({ ...p, router });
  p.node.bfdDown('controlDetectionTimeExpired');
  await settle();
  assert.ok(logs.some((l) => l.includes('"reason":"notificationReceived"') && l.includes('"detail":"6/10"')), logs.join(''));
});
