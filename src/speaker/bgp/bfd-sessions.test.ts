import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import type { IpFamily } from '../../lib/ip.js';
import { decodeControlPacket, encodeControlPacket } from '../../protocol/bfd/control-packet.js';
import { BfdMetrics } from './bfd-metrics.js';
import { BfdSessions, type BfdPeerProfile } from './bfd-sessions.js';
import type { BfdDatagram, BfdTransport, BfdTransportFactory } from './bfd-transport.js';

/** Hosts on one in-memory link; `up = false` drops everything; delivery is a timer of 1 ms on the fake clock. */
class MemoryLink {
  up = true;
  ttl = 255;
  readonly hosts = new Map<string, (d: BfdDatagram) => void>();
  readonly sent: { from: string; to: string; bytes: Uint8Array }[] = [];
  readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  factory(ip: string): BfdTransportFactory {
    return {
      open: (_family: IpFamily, onDatagram: (d: BfdDatagram) => void): BfdTransport => {
        this.hosts.set(ip, onDatagram);
        return {
          send: (bytes, to) => {
            this.sent.push({ from: ip, to, bytes });
            if (!this.up) return;
            const ttl = this.ttl;
            this.clock.setTimer(1, () => this.hosts.get(to)?.({ bytes, fromIp: ip, fromPort: 49152, ttl }));
          },
          close: () => { this.hosts.delete(ip); },
        };
      },
    };
  }
}

const profile: BfdPeerProfile = { name: 'fast', receiveIntervalMs: 100, transmitIntervalMs: 100, detectMultiplier: 3, passiveMode: false };

function pair(bProfile: BfdPeerProfile = profile) {
  const clock = new FakeClock();
  const link = new MemoryLink(clock);
  const registry = new Registry();
  let seed = 1;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const a = new BfdSessions({ transports: link.factory('10.0.0.1'), clock, logger: silentLogger(), metrics: new BfdMetrics(registry), random });
  const b = new BfdSessions({ transports: link.factory('10.0.0.2'), clock, logger: silentLogger(), random });
  const downs: string[] = [];
  const ups: number[] = [];
  const ha = a.add('10.0.0.2', profile, { onDown: (r) => downs.push(`a:${r}@${clock.nowMs()}`), onUp: () => ups.push(clock.nowMs()) });
  const hb = b.add('10.0.0.1', bProfile, { onDown: (r) => downs.push(`b:${r}`) });
  return { clock, link, registry, a, b, ha, hb, downs, ups };
}

async function metric(registry: Registry, name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels['peer'] === '10.0.0.2')?.value ?? NaN;
}

test('two speakers come Up within a few slow 1 s packets, then send every 75-100 ms', async () => {
  const p = pair();
  p.clock.advance(3000);
  assert.equal(p.ha.state(), 'Up');
  assert.equal(p.hb.state(), 'Up');
  const before = p.link.sent.filter((s) => s.from === '10.0.0.1').length;
  p.clock.advance(1000);
  const perSecond = p.link.sent.filter((s) => s.from === '10.0.0.1').length - before;
  assert.ok(perSecond >= 10 && perSecond <= 14, `${perSecond} packets in 1 s`);
  assert.equal(await metric(p.registry, 'metallb_bfd_session_up'), 1);
  assert.equal(await metric(p.registry, 'metallb_bfd_session_up_events'), 1);
  assert.ok(await metric(p.registry, 'metallb_bfd_control_packet_input') > 10);
  assert.ok(await metric(p.registry, 'metallb_bfd_control_packet_output') > 10);
  assert.equal(await metric(p.registry, 'metallb_bfd_echo_packet_output'), 0);
});

test('a dead link is detected within the 300 ms detection time and reported once; restored, the session comes back', async () => {
  const p = pair();
  p.clock.advance(3000);
  p.link.up = false;
  const cutAt = p.clock.nowMs();
  p.clock.advance(400);
  assert.equal(p.ha.state(), 'Down');
  assert.equal(p.downs.length, 2);
  const at = Number(p.downs.find((d) => d.startsWith('a:'))!.split('@')[1]);
  assert.ok(at - cutAt <= 301, `detected after ${at - cutAt} ms`);
  assert.ok(p.downs.every((d) => d.includes('controlDetectionTimeExpired')));
  assert.equal(await metric(p.registry, 'metallb_bfd_session_down_events'), 1);
  p.link.up = true;
  p.clock.advance(3000);
  assert.equal(p.ha.state(), 'Up');
  assert.equal(p.ups.length, 2);
});

test('closing one side sends AdminDown: the other goes Down at once with neighborSignaledSessionDown', () => {
  const p = pair();
  p.clock.advance(3000);
  p.hb.close();
  p.clock.advance(5);
  assert.equal(p.ha.state(), 'Down');
  assert.deepEqual(p.downs.map((d) => d.split('@')[0]), ['a:neighborSignaledSessionDown']);
});

test('packets that arrive with a TTL other than 255 are dropped (GTSM), so the session never comes Up', () => {
  const p = pair();
  p.link.ttl = 254;
  p.clock.advance(5000);
  assert.equal(p.ha.state(), 'Down');
  assert.ok((p.a.drops.get('bad-ttl') ?? 0) >= 4);
});

test('an unknown discriminator or an unexpected source is dropped by reason', () => {
  const p = pair();
  const deliver = p.link.hosts.get('10.0.0.1')!;
  const packet = decodeControlPacket(p.link.sent[0]?.bytes ?? encodeControlPacket({
    diag: 0, state: 'Down', poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
    myDiscriminator: 5, yourDiscriminator: 0, desiredMinTxUs: 1, requiredMinRxUs: 1, requiredMinEchoRxUs: 0,
  }));
  assert.ok(packet.ok);
  deliver({ bytes: encodeControlPacket({ ...packet.packet, state: 'Up', yourDiscriminator: 12345 }), fromIp: '10.0.0.2', fromPort: 50000, ttl: 255 });
  deliver({ bytes: encodeControlPacket({ ...packet.packet, yourDiscriminator: 0 }), fromIp: '10.0.0.9', fromPort: 50000, ttl: 255 });
  deliver({ bytes: Uint8Array.of(1, 2, 3), fromIp: '10.0.0.2', fromPort: 50000, ttl: 255 });
  assert.deepEqual(Object.fromEntries(p.a.drops), { 'unknown-your-discriminator': 1, 'no-session': 1, truncated: 1 });
});

test('a passive peer stays silent until the active one speaks, and the pair still comes Up', () => {
  const p = pair({ ...profile, passiveMode: true });
  assert.equal(p.link.sent.filter((s) => s.from === '10.0.0.2').length, 0);
  p.clock.advance(4000);
  assert.equal(p.hb.state(), 'Up');
});

test('a second session to the same peer address is refused', () => {
  const p = pair();
  assert.throws(() => p.a.add('10.0.0.2', profile, { onDown: () => undefined }), /already exists/);
});

test('a datagram only reaches sessions of the VRF whose endpoint received it', () => {
  const clock = new FakeClock();
  const endpoints = new Map<string, (d: BfdDatagram) => void>();
  const sent: { vrf: string; bytes: Uint8Array }[] = [];
  const transports: BfdTransportFactory = {
    open: (_family, onDatagram, _onError, vrf) => {
      endpoints.set(vrf ?? '', onDatagram);
      return { send: (bytes) => { sent.push({ vrf: vrf ?? '', bytes }); }, close: () => undefined };
    },
  };
  const s = new BfdSessions({ transports, clock, logger: silentLogger() });
  const red = s.add('10.0.0.2', profile, { onDown: () => undefined }, 'red');
  s.add('10.0.0.3', profile, { onDown: () => undefined });
  assert.deepEqual([...endpoints.keys()].sort(), ['', 'red']);
  clock.advance(1000);
  const fromRed = sent.find((x) => x.vrf === 'red');
  const ours = decodeControlPacket(fromRed!.bytes);
  assert.ok(ours.ok);
  const peerDown = { ...ours.packet, myDiscriminator: 777, yourDiscriminator: 0 };
  const deliver = (vrf: string, yourDiscriminator: number) =>
    endpoints.get(vrf)!({ bytes: encodeControlPacket({ ...peerDown, yourDiscriminator }), fromIp: '10.0.0.2', fromPort: 50000, ttl: 255 });
  deliver('', 0);
  deliver('', ours.packet.myDiscriminator);
  assert.deepEqual(Object.fromEntries(s.drops), { 'no-session': 1, 'unknown-your-discriminator': 1 }, 'the default VRF has no session to 10.0.0.2');
  assert.equal(red.state(), 'Down');
  deliver('red', 0);
  assert.equal(red.state(), 'Init', 'the same packet on red\'s endpoint reaches the red session');
  s.close();
});
