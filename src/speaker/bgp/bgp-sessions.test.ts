import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { bfd, configOf, peer, pool } from '../../../test/support/config-objects.js';
import { MemoryNetwork } from '../../../test/support/bgp-memory-net.js';
import { FakeClock } from '../../lib/clock.js';
import { parseCidr } from '../../lib/ip.js';
import { createLogger } from '../../lib/logger.js';
import type { ServicePrefix } from './advertisements.js';
import { BgpSessions } from './bgp-sessions.js';
import { BfdSessions } from './bfd-sessions.js';
import type { BfdTransportFactory } from './bfd-transport.js';

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
