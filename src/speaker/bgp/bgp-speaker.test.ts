import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { MemoryNetwork, settle } from '../../../test/support/bgp-memory-net.js';
import { BgpSession } from './session.js';
import { BgpSpeaker, defaultRouterId } from './bgp-speaker.js';
import type { Advertisement } from './advertisement.js';
import type { BgpPeerSpec } from './peer-spec.js';

const ad = (i: number): Advertisement => ({ prefix: { family: 'IPv4', base: BigInt(0x0ac80000 + i), prefixLength: 32 }, communities: [], largeCommunities: [] });

function routers(net: MemoryNetwork, clock: FakeClock, addresses: string[]): Map<string, BgpSession> {
  return new Map(addresses.map((a) => {
    const h = net.host(a);
    const s = new BgpSession({ peer: { name: 'node', peerAddress: '10.100.0.11', myAsn: 64500, peerAsn: 64512, passive: true }, defaultRouterId: 1, dialer: h.dialer, acceptor: h.acceptor, clock, logger: silentLogger() });
    s.start();
    return [a, s];
  }));
}

const spec = (name: string, peerAddress: string, extra: Partial<BgpPeerSpec> = {}): BgpPeerSpec =>
  ({ name, peerAddress, myAsn: 64512, peerAsn: 64500, ...extra });

test('a session per peer, each with the advertisements of its name; a removed peer is closed', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const r = routers(net, clock, ['10.0.0.1', '10.0.0.2']);
  const h = net.host('10.100.0.11');
  const speaker = new BgpSpeaker({ nodeName: 'node1', defaultRouterId: defaultRouterId('10.100.0.11', 'node1'), dialer: h.dialer, acceptor: h.acceptor, clock, logger: silentLogger() });
  speaker.setAdvertisements(new Map([['a', [ad(1), ad(2)]], ['b', [ad(3)]]]));
  speaker.setPeers([spec('a', '10.0.0.1'), spec('b', '10.0.0.2')]);
  await settle();
  assert.equal(r.get('10.0.0.1')!.status().received.IPv4, 2);
  assert.equal(r.get('10.0.0.2')!.status().received.IPv4, 1);
  speaker.setPeers([spec('a', '10.0.0.1')]);
  await settle();
  assert.deepEqual([...speaker.status().keys()], ['a']);
  assert.notEqual(r.get('10.0.0.2')!.status().state, 'Established');
});

test('a changed peer is recreated, an unchanged one keeps its session', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const r = routers(net, clock, ['10.0.0.1', '10.0.0.2']);
  const h = net.host('10.100.0.11');
  const speaker = new BgpSpeaker({ nodeName: 'node1', defaultRouterId: 7, dialer: h.dialer, acceptor: h.acceptor, clock, logger: silentLogger() });
  speaker.setAdvertisements(new Map([['a', [ad(1)]], ['b', [ad(1)]]]));
  speaker.setPeers([spec('a', '10.0.0.1'), spec('b', '10.0.0.2')]);
  await settle();
  let downs = 0;
  r.get('10.0.0.1')!.onChange((s) => { if (s.state !== 'Established') downs++; });
  speaker.setPeers([spec('a', '10.0.0.1'), spec('b', '10.0.0.2', { holdTimeSec: 30 })]);
  await settle();
  assert.equal(downs, 0, 'peer a was left alone');
  clock.advance(1000);
  await settle();
  assert.equal(r.get('10.0.0.2')!.status().state, 'Established', 'peer b came back with its new settings');
  assert.equal(r.get('10.0.0.2')!.status().negotiated?.holdTimeSec, 30);
});

test('the default router ID is the node IPv4, else the little-endian CRC32 of the node name', () => {
  assert.equal(defaultRouterId('10.100.0.11', 'node1'), 0x0a64000b);
  const id = defaultRouterId(undefined, 'node1');
  assert.ok(id > 0 && id === defaultRouterId('fd00::1', 'node1'));
  assert.notEqual(id, defaultRouterId(undefined, 'node2'));
});
