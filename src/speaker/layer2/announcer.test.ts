import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { MemoryLayer2Io } from '../../net/memory-layer2-io.js';
import { decodeArp } from '../../protocol/arp/arp.js';
import { decodeEthernet } from '../../protocol/ethernet/ethernet.js';
import { decodeNdpPacket } from '../../protocol/ndp/ndp-frame.js';
import { Announcer } from './announcer.js';
import type { InterfaceInfo } from './interfaces.js';
import { arpRequestFrame, ip, neighborSolicitationFrame } from './test-frames.test-data.js';

const iface = (name: string, index: number, extra: Partial<InterfaceInfo> = {}): InterfaceInfo => ({
  name, index, mac: `02:00:00:00:0${index}:0b`, up: true, broadcast: true, noArp: false, enslaved: false,
  ipv6LinkLocal: ip(`fe80::ff:fe00:${index}0b`), ...extra,
});

async function setup(interfaces = [iface('eth0', 2), iface('eth1', 3), iface('veth9', 4), iface('bond0s', 5, { enslaved: true })]) {
  const clock = new FakeClock();
  const io = new MemoryLayer2Io(interfaces);
  const registry = new Registry();
  const announcer = new Announcer({ io, clock, logger: silentLogger(), registry });
  await announcer.start();
  const value = async (name: string, labels: Record<string, string>): Promise<number> => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const match = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
    return match?.value ?? 0;
  };
  return { clock, io, announcer, registry, value };
}

test('responders run on eligible interfaces only; the exclusion list hides veth, enslaved ports get none', async () => {
  const { announcer, io } = await setup();
  assert.deepEqual([...io.arpConns.keys()].sort(), ['eth0', 'eth1']);
  assert.deepEqual([...io.ndpConns.keys()].sort(), ['eth0', 'eth1']);
  assert.deepEqual(announcer.localInterfaces(), ['eth0', 'eth1', 'bond0s']);
  assert.equal(announcer.hasInterface(['eth7']), false);
  assert.equal(announcer.hasInterface(['eth7', 'eth1']), true);
  announcer.close();
});

test('an announced IPv4 is answered on the allowed interfaces only, and counted with MetalLB\'s names', async () => {
  const { announcer, io, value } = await setup();
  announcer.setBalancer('default/web', [ip('10.200.0.10')], ['eth1']);
  const client0 = io.segment('eth0').attach({ ifname: 'c0', mac: Uint8Array.of(2, 0, 0, 0, 0, 0x64) });
  const client1 = io.segment('eth1').attach({ ifname: 'c1', mac: Uint8Array.of(2, 0, 0, 0, 0, 0x64) });
  const got1: Uint8Array[] = [];
  client1.start((f) => got1.push(f));
  client0.start(() => assert.fail('nothing is sent on eth0 for an eth1-only IP'));
  client1.send(arpRequestFrame('10.200.0.10'));
  client0.send(arpRequestFrame('10.200.0.10'));
  client1.send(arpRequestFrame('10.200.0.99'));
  assert.equal(got1.length, 1);
  assert.equal(decodeArp(decodeEthernet(got1[0]!).payload).senderHardwareAddress, '02:00:00:00:03:0b');
  assert.equal(await value('metallb_layer2_requests_received', { ip: '10.200.0.10' }), 1);
  assert.equal(await value('metallb_layer2_responses_sent', { ip: '10.200.0.10' }), 1);
  assert.equal(await value('metallb_layer2_frames_dropped', { protocol: 'arp', reason: 'interfaceNotMatched' }), 1);
  assert.equal(await value('metallb_layer2_frames_dropped', { protocol: 'arp', reason: 'notAnnounced' }), 1);
  announcer.close();
});

test('a takeover sends gratuitous ARP (request + reply) at once and in 1.1 s rounds for 5 s', async () => {
  const { announcer, io, clock, value } = await setup();
  const before = io.segment('eth0').frames.length;
  announcer.setBalancer('default/web', [ip('10.200.0.10')], 'all');
  const immediate = io.segment('eth0').frames.slice(before).map((f) => decodeArp(decodeEthernet(f).payload).operation);
  assert.deepEqual(immediate, [1, 2]);
  clock.advance(10_000);
  assert.equal(await value('metallb_layer2_gratuitous_sent', { ip: '10.200.0.10' }), 2 * 5 * 2, '2 frames x 5 rounds x 2 interfaces');
  assert.deepEqual(announcer.burstingIps(), []);
  announcer.close();
});

test('IPv6: solicited-node groups are joined while held, solicitations answered, one unsolicited NA per round', async () => {
  const { announcer, io, clock, value } = await setup();
  announcer.setBalancer('ns/a', [ip('fd00:200::10')], 'all');
  announcer.setBalancer('ns/b', [ip('fd00:200::10'), ip('fd00:300::10')], 'all');
  assert.deepEqual([...io.groups.get('eth0')!.joined], ['ff02::1:ff00:10']);
  assert.deepEqual(announcer.ndpResponder('eth0')!.joinedGroups(), ['ff02::1:ff00:10']);
  const client = io.segment('eth0').attach({ ifname: 'c', mac: Uint8Array.of(2, 0, 0, 0, 0, 0x64) });
  const got: Uint8Array[] = [];
  client.start((f) => got.push(f));
  client.send(neighborSolicitationFrame('fd00:200::10'));
  assert.equal(got.length, 1);
  assert.equal(decodeNdpPacket(decodeEthernet(got[0]!).payload)?.message.type, 136);
  clock.advance(10_000);
  assert.equal(await value('metallb_layer2_gratuitous_sent', { ip: 'fd00:300::10' }), 5 * 2);
  announcer.deleteBalancer('ns/a');
  assert.deepEqual([...io.groups.get('eth0')!.joined], ['ff02::1:ff00:10']);
  announcer.deleteBalancer('ns/b');
  assert.deepEqual([...io.groups.get('eth0')!.joined], []);
  const before = got.length;
  client.send(neighborSolicitationFrame('fd00:200::10'));
  assert.equal(got.length, before, 'no answer once withdrawn');
  announcer.close();
});

test('withdrawing stops the burst and the answers at once, with no goodbye packet', async () => {
  const { announcer, io, clock } = await setup();
  announcer.setBalancer('default/web', [ip('10.200.0.10')], 'all');
  const afterTakeover = io.segment('eth0').frames.length;
  announcer.deleteBalancer('default/web');
  clock.advance(10_000);
  assert.equal(io.segment('eth0').frames.length, afterTakeover);
  announcer.close();
});

test('the interface scan follows interfaces that come, go and change, and new NDP responders join held groups', async () => {
  const { announcer, io, clock } = await setup([iface('eth0', 2)]);
  announcer.setBalancer('ns/a', [ip('fd00:200::10')], 'all');
  io.interfaces = [iface('eth0', 2), iface('eth1', 3)];
  clock.advance(10_000);
  await announcer.scan();
  assert.ok(announcer.ndpResponder('eth1'));
  assert.deepEqual([...io.groups.get('eth1')!.joined], ['ff02::1:ff00:10']);
  const oldEth0 = io.arpConns.get('eth0')!;
  io.interfaces = [iface('eth0', 7)];
  await announcer.scan();
  assert.equal(oldEth0.isClosed, true, 'a changed ifindex means a new responder');
  assert.notEqual(io.arpConns.get('eth0'), oldEth0);
  assert.equal(announcer.arpResponder('eth1'), undefined);
  assert.equal(io.groups.get('eth1')!.closed, true);
  io.interfaces = [iface('eth0', 7, { up: false })];
  await announcer.scan();
  assert.equal(announcer.arpResponder('eth0'), undefined);
  assert.deepEqual(announcer.localInterfaces(), ['eth0']);
  announcer.close();
  assert.equal(clock.pendingCount(), 0, 'close cancels the scan timer and bursts');
});

test('a responder that cannot be opened is logged and retried on the next scan', async () => {
  const clock = new FakeClock();
  const io = new MemoryLayer2Io([iface('eth0', 2)]);
  io.failOpen.add('eth0');
  const announcer = new Announcer({ io, clock, logger: silentLogger(), registry: new Registry(), scanIntervalMs: 1000 });
  await announcer.start();
  assert.equal(announcer.arpResponder('eth0'), undefined);
  io.failOpen.clear();
  clock.advance(1000);
  await announcer.scan();
  assert.ok(announcer.arpResponder('eth0'));
  announcer.close();
});

test('random frames through the in-memory conn never crash a responder and are all counted', async () => {
  const { announcer, io, registry } = await setup([iface('eth0', 2)]);
  announcer.setBalancer('ns/a', [ip('10.200.0.10'), ip('fd00:200::10')], 'all');
  const injector = io.segment('eth0');
  const seeds = [arpRequestFrame('10.200.0.10'), neighborSolicitationFrame('fd00:200::10')];
  let delivered = 0;
  const frame = fc.oneof(
    fc.uint8Array({ maxLength: 120 }).map((b) => { const f = Uint8Array.from(b); if (f.length >= 14) { f[12] = 0x08; f[13] = 0x06; } return f; }),
    fc.uint8Array({ maxLength: 120 }).map((b) => { const f = Uint8Array.from(b); if (f.length >= 14) { f[12] = 0x86; f[13] = 0xdd; } return f; }),
    fc.tuple(fc.constantFrom(...seeds), fc.integer({ min: 0, max: 85 }), fc.integer({ min: 0, max: 255 }))
      .map(([seed, at, value]) => { const f = Uint8Array.from(seed); if (at < f.length) f[at] = value; return f; }),
    fc.tuple(fc.constantFrom(...seeds), fc.integer({ min: 0, max: 85 })).map(([seed, cut]) => seed.slice(0, cut)),
  );
  fc.assert(fc.property(frame, (f) => {
    const ethertype = f.length >= 14 ? ((f[12]! << 8) | f[13]!) : -1;
    // Short frames reach both conns; full ones only the conn of their ethertype.
    delivered += ethertype === -1 ? 2 : ethertype === 0x0806 || ethertype === 0x86dd ? 1 : 0;
    injector.inject(f);
  }), { numRuns: 3000 });
  const metrics = await registry.getMetricsAsJSON();
  const sum = (name: string) => (metrics.find((m) => m.name === name)?.values ?? []).reduce((s, v) => s + v.value, 0);
  assert.equal(sum('metallb_layer2_requests_received') + sum('metallb_layer2_frames_dropped'), delivered);
  assert.ok(sum('metallb_layer2_frames_dropped') > 0);
  announcer.close();
});
