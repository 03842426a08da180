import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { bfd, configOf, peer, pool } from '../../../test/support/config-objects.js';
import { MemoryNetwork, settle } from '../../../test/support/bgp-memory-net.js';
import { FakeClock } from '../../lib/clock.js';
import { MetallbError } from '../../lib/errors.js';
import { parseCidr } from '../../lib/ip.js';
import { createLogger, silentLogger } from '../../lib/logger.js';
import { Registry } from 'prom-client';
import type { ServicePrefix } from './advertisements.js';
import { BgpSessions } from './bgp-sessions.js';
import { BfdSessions } from './bfd-sessions.js';
import type { BfdTransportFactory } from './bfd-transport.js';
import { BgpMetrics } from './metrics.js';
import { BfdMetrics } from './bfd-metrics.js';
import type { BgpAcceptor, BgpDialer, DialOptions } from './transport.js';

function prefix(text: string, peers: string[] = []): ServicePrefix {
  return { prefix: parseCidr(text)!, localPref: 0, communities: [], largeCommunities: [], peers };
}

function setup(): { sessions: BgpSessions; logs: string[] } {
  const logs: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, cb) { logs.push(chunk.toString()); cb(); } });
  const { dialer } = new MemoryNetwork().host('10.0.0.11');
  const sessions = new BgpSessions({
    dialer, clock: new FakeClock(), logger: createLogger({ destination }), nodeAddresses: () => ({ IPv4: '10.0.0.11' }), fallbackRouterId: 1,
  });
  return { sessions, logs };
}

const peersOf = (...objects: Record<string, unknown>[]) => [...configOf([pool('p', ['10.0.0.0/24']), ...objects]).peers.values()];

test('each prefix goes to the peers its advertisement names, and only to sessions that carry its family', () => {
  const { sessions } = setup();
  sessions.setPeers(peersOf(peer('r4', { peerAddress: '10.0.0.1' }), peer('r6', { peerAddress: 'fd00::1' }), peer('dual', { peerAddress: '10.0.0.2', dualStackAddressFamily: true })));
  assert.deepEqual(sessions.peerNames(), ['dual', 'r4', 'r6']);
  sessions.setService('a', [prefix('10.200.0.1/32'), prefix('fd00:200::1/128')]);
  sessions.setService('b', [prefix('fd00:200::2/128')]);
  sessions.setService('c', [prefix('10.200.0.3/32', ['r6'])]);
  sessions.setService('d', [prefix('10.200.0.4/32', ['r4', 'gone'])]);
  sessions.sync();
  assert.deepEqual(sessions.peersFor('a'), ['dual', 'r4', 'r6']);
  assert.deepEqual(sessions.peersFor('b'), ['dual', 'r6']);
  assert.deepEqual(sessions.peersFor('c'), [], 'an IPv4 prefix meant only for an IPv6 session goes nowhere');
  assert.deepEqual(sessions.peersFor('d'), ['r4']);
  const pending = new Map([...sessions.status()].map(([n, s]) => [n, s.pending]));
  assert.deepEqual(Object.fromEntries(pending), { dual: 3, r4: 2, r6: 2 });
  sessions.setService('a', undefined);
  sessions.sync();
  assert.deepEqual(sessions.peersFor('a'), []);
  sessions.close();
});

test('a peer whose configuration changes gets a new session; an unchanged one keeps its session; removed peers are closed', () => {
  const { sessions, logs } = setup();
  sessions.setPeers(peersOf(peer('r1', { peerAddress: '10.0.0.1' }), peer('r2', { peerAddress: '10.0.0.2' })));
  sessions.setPeers(peersOf(peer('r1', { peerAddress: '10.0.0.1', holdTime: '9s' }), peer('r2', { peerAddress: '10.0.0.2' })));
  const closed = () => logs.filter((l) => l.includes('closed BGP session')).map((l) => JSON.parse(l) as { peer: string; reason: string });
  assert.deepEqual(closed().map((c) => `${c.peer} ${c.reason}`), ['r1 changed']);
  sessions.setPeers(peersOf(peer('r1', { peerAddress: '10.0.0.1', holdTime: '9s' })));
  assert.deepEqual(closed().map((c) => `${c.peer} ${c.reason}`), ['r1 changed', 'r2 removed']);
  assert.deepEqual(sessions.peerNames(), ['r1']);
  sessions.close();
});

test('an unnumbered peer is refused with a reason and the others still run', () => {
  const { sessions, logs } = setup();
  sessions.setPeers(peersOf(peer('r1', { peerAddress: '10.0.0.1' }), peer('u', { peerAddress: undefined, interface: 'eth0' })));
  assert.deepEqual(sessions.peerNames(), ['r1']);
  assert.ok(logs.some((l) => l.includes('BGP peer not supported') && l.includes('unnumbered')));
  sessions.close();
});

test('a peer with a bfdProfile gets a BFD session with the profile\'s timers; echo mode is reported as not implemented', () => {
  const logs: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, cb) { logs.push(chunk.toString()); cb(); } });
  const logger = createLogger({ destination });
  const sent: string[] = [];
  const transports: BfdTransportFactory = { open: () => ({ send: (_b, to) => { sent.push(to); }, close: () => undefined }) };
  const clock = new FakeClock();
  const bfdSessions = new BfdSessions({ transports, clock, logger });
  const { dialer } = new MemoryNetwork().host('10.0.0.11');
  const sessions = new BgpSessions({ dialer, clock, logger, nodeAddresses: () => ({ IPv4: '10.0.0.11' }), fallbackRouterId: 1, bfd: bfdSessions });
  const config = configOf([pool('p', ['10.0.0.0/24']), bfd('fast', { receiveInterval: 100, transmitInterval: 100, echoMode: true }),
    peer('r1', { peerAddress: '10.0.0.1', bfdProfile: 'fast' }), peer('r2', { peerAddress: '10.0.0.2' })]);
  sessions.setPeers([...config.peers.values()], config.bfdProfiles);
  clock.advance(1000);
  assert.deepEqual([...new Set(sent)], ['10.0.0.1'], 'BFD only to the peer with a profile');
  assert.ok(logs.some((l) => l.includes('echo mode, which is not implemented')));
  assert.ok(!logs.some((l) => l.includes('ignored until BFD lands')));
  sessions.close();
  const count = sent.length;
  clock.advance(5000);
  assert.equal(sent.length, count, 'closing the BGP session closes its BFD session');
});

function recordingNet(): { dialer: BgpDialer; acceptor: BgpAcceptor; dials: DialOptions[]; registered: string[] } {
  const dials: DialOptions[] = [];
  const registered: string[] = [];
  const dialer: BgpDialer = { dial: (o, h) => { dials.push(o); queueMicrotask(() => h.onFailed('ECONNREFUSED')); return { cancel: () => undefined }; } };
  const acceptor: BgpAcceptor = {
    register: (peer, o) => { registered.push(`${o.vrf ?? ''}%${peer}`); return { unregister: () => undefined }; },
  };
  return { dialer, acceptor, dials, registered };
}

test('the same peer address in two VRFs gives two sessions, each dialling and accepting in its own VRF with its own metric series', async () => {
  const { dialer, acceptor, dials, registered } = recordingNet();
  const registry = new Registry();
  const sessions = new BgpSessions({
    dialer, acceptor, clock: new FakeClock(), logger: silentLogger(), metrics: new BgpMetrics(registry),
    nodeAddresses: () => ({ IPv4: '10.0.0.11' }), fallbackRouterId: 1, vrfExists: () => true,
  });
  sessions.setPeers(peersOf(peer('red', { peerAddress: '10.0.0.1', vrf: 'red' }), peer('blue', { peerAddress: '10.0.0.1', vrf: 'blue' }),
    peer('plain', { peerAddress: '10.0.0.1' })));
  assert.deepEqual(sessions.peerNames(), ['blue', 'plain', 'red']);
  assert.deepEqual(registered.sort(), ['%10.0.0.1', 'blue%10.0.0.1', 'red%10.0.0.1']);
  await settle();
  assert.deepEqual(dials.map((d) => `${d.vrf ?? ''}>${d.peerAddress}`).sort(), ['>10.0.0.1', 'blue>10.0.0.1', 'red>10.0.0.1']);
  const series = (await registry.getSingleMetric('metallb_bgp_session_up')!.get()).values.map((v) => JSON.stringify(v.labels)).sort();
  assert.deepEqual(series, ['{"peer":"10.0.0.1:179","vrf":"blue"}', '{"peer":"10.0.0.1:179","vrf":"red"}', '{"peer":"10.0.0.1:179"}'],
    'default-VRF sessions keep MetalLB native\'s label set');
  sessions.close();
});

test('a peer whose VRF device is missing is not opened, says so once, and opens with the current advertisements when the device appears', () => {
  const logs: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, cb) { logs.push(chunk.toString()); cb(); } });
  const clock = new FakeClock();
  const devices = new Set<string>();
  const { dialer, acceptor } = recordingNet();
  const sessions = new BgpSessions({
    dialer, acceptor, clock, logger: createLogger({ destination }), nodeAddresses: () => ({ IPv4: '10.0.0.11' }), fallbackRouterId: 1,
    vrfExists: (vrf) => devices.has(vrf), vrfRetryMs: 1000,
  });
  const peers = peersOf(peer('r', { peerAddress: '10.0.0.1', vrf: 'red' }), peer('plain', { peerAddress: '10.0.0.2' }));
  sessions.setPeers(peers);
  sessions.setService('a', [prefix('10.200.0.1/32')]);
  sessions.sync();
  sessions.setPeers(peers);
  assert.deepEqual(sessions.peerNames(), ['plain']);
  assert.deepEqual(sessions.waitingForVrf(), ['r']);
  assert.equal(logs.filter((l) => l.includes('VRF device \\"red\\" does not exist on this node')).length, 1, 'logged once, not on every setPeers');
  clock.advance(3000);
  assert.deepEqual(sessions.peerNames(), ['plain'], 'still waiting');
  devices.add('red');
  clock.advance(1000);
  assert.deepEqual(sessions.peerNames(), ['plain', 'r']);
  assert.deepEqual(sessions.waitingForVrf(), []);
  assert.equal(sessions.status().get('r')?.pending, 1, 'the new session got the Service prefix without another sync from the caller');
  assert.deepEqual(sessions.peersFor('a'), ['plain', 'r']);
  sessions.setPeers(peersOf(peer('r2', { peerAddress: '10.0.0.3', vrf: 'blue' })));
  assert.deepEqual(sessions.waitingForVrf(), ['r2']);
  sessions.close();
  assert.equal(clock.pendingCount(), 0, 'closing stops the look for missing VRF devices');
});

test('BFD for the same address in a VRF and in the default VRF: two sessions, each on its own VRF\'s endpoint, with their own metric series', async () => {
  const sent: string[] = [];
  const transports: BfdTransportFactory = {
    open: (family, _d, _e, vrf) => ({ send: (_b, to) => { sent.push(`${vrf ?? ''}%${to} ${family}`); }, close: () => undefined }),
  };
  const clock = new FakeClock();
  const registry = new Registry();
  const { dialer, acceptor } = recordingNet();
  const logger = silentLogger();
  const sessions = new BgpSessions({
    dialer, acceptor, clock, logger, nodeAddresses: () => ({ IPv4: '10.0.0.11' }), fallbackRouterId: 1,
    bfd: new BfdSessions({ transports, clock, logger, metrics: new BfdMetrics(registry) }),
  });
  const config = configOf([pool('p', ['10.0.0.0/24']), bfd('fast', { receiveInterval: 100, transmitInterval: 100 }),
    peer('r-red', { peerAddress: '10.0.0.1', bfdProfile: 'fast', vrf: 'red' }), peer('r', { peerAddress: '10.0.0.1', bfdProfile: 'fast' })]);
  sessions.setPeers([...config.peers.values()], config.bfdProfiles);
  clock.advance(1000);
  assert.deepEqual(sessions.peerNames(), ['r', 'r-red']);
  assert.deepEqual([...new Set(sent)].sort(), ['%10.0.0.1 IPv4', 'red%10.0.0.1 IPv4']);
  const series = (await registry.getSingleMetric('metallb_bfd_session_up')!.get()).values.map((v) => JSON.stringify(v.labels)).sort();
  assert.deepEqual(series, ['{"peer":"10.0.0.1","vrf":"red"}', '{"peer":"10.0.0.1"}']);
  sessions.close();
});

test('a VRF device that vanishes between the check and the listener (ENODEV) puts the peer back to wait, and it opens later', () => {
  const clock = new FakeClock();
  const { dialer } = recordingNet();
  let failures = 1;
  const acceptor: BgpAcceptor = {
    register: () => {
      if (failures-- > 0) throw new MetallbError('ENODEV', 'setting SO_BINDTODEVICE on fd 20: ENODEV');
      return { unregister: () => undefined };
    },
  };
  const sessions = new BgpSessions({
    dialer, acceptor, clock, logger: silentLogger(), nodeAddresses: () => ({ IPv4: '10.0.0.11' }), fallbackRouterId: 1, vrfExists: () => true, vrfRetryMs: 1000,
  });
  sessions.setPeers(peersOf(peer('r', { peerAddress: '10.0.0.1', vrf: 'red' })));
  assert.deepEqual(sessions.peerNames(), []);
  assert.deepEqual(sessions.waitingForVrf(), ['r']);
  clock.advance(1000);
  assert.deepEqual(sessions.peerNames(), ['r']);
  sessions.close();
});
