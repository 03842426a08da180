import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bfd, bgpAd, check, community, configOf, l2, namespace, node, peer, pool, secret } from '../../test/support/config-objects.js';
import { formatCidr } from '../lib/ip.js';
import { formatCommunity } from './community.js';
import { build } from './build.js';

test('pools come out in name order with ranges expanded to CIDRs and host bits masked', () => {
  const config = configOf([
    pool('b', ['198.51.100.10/24']),
    pool('a', ['192.168.9.1-192.168.9.5', 'fc00:f853:0ccd:e799::/124'], { autoAssign: false, avoidBuggyIPs: true }),
  ]);
  assert.deepEqual([...config.pools.keys()], ['a', 'b']);
  const a = config.pools.get('a')!;
  assert.deepEqual(a.cidrs.map(formatCidr), ['192.168.9.1/32', '192.168.9.2/31', '192.168.9.4/31', 'fc00:f853:ccd:e799::/124']);
  assert.equal(a.autoAssign, false);
  assert.equal(a.avoidBuggyIPs, true);
  assert.equal(a.serviceAllocation, undefined);
  assert.deepEqual(config.pools.get('b')!.cidrs.map(formatCidr), ['198.51.100.0/24']);
  assert.equal(config.pools.get('b')!.autoAssign, true);
});

test('serviceAllocation resolves namespaceSelectors and keeps MetalLB\'s implicit match-all', () => {
  const config = configOf([
    namespace('team-a', { team: 'a' }), namespace('team-b', { team: 'b' }),
    pool('sel', ['10.0.0.0/24'], { serviceAllocation: { priority: 5, namespaces: ['x'], namespaceSelectors: [{ matchLabels: { team: 'a' } }] } }),
    pool('prio', ['10.0.1.0/24'], { serviceAllocation: { priority: 1 } }),
    pool('svc', ['10.0.2.0/24'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'web' } }] } }),
  ]);
  const sel = config.pools.get('sel')!.serviceAllocation!;
  assert.equal(sel.priority, 5);
  assert.deepEqual([...sel.namespaces].sort(), ['team-a', 'x']);
  assert.deepEqual(sel.serviceSelectors, []);
  assert.deepEqual(config.pools.get('prio')!.serviceAllocation!.serviceSelectors, [{}]);
  assert.deepEqual(config.pools.get('svc')!.serviceAllocation!.serviceSelectors, [{ matchLabels: { app: 'web' } }]);
  assert.equal(config.pools.get('svc')!.serviceAllocation!.namespaces.size, 0);
});

test('advertisements without pools apply to every pool; by name and by label they apply once per pool', () => {
  const config = configOf([
    pool('a', ['10.0.0.0/24'], {}, { tier: 'gold' }), pool('b', ['10.0.1.0/24']),
    l2('all'), l2('named', { ipAddressPools: ['a'], ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }], interfaces: ['eth0'] }),
    bgpAd('gold', { ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }] }),
    bgpAd('none', { ipAddressPoolSelectors: [{ matchLabels: { tier: 'platinum' } }] }),
  ]);
  assert.deepEqual(config.advertisements.get('a')!.l2.map((x) => x.name), ['all', 'named']);
  assert.deepEqual(config.advertisements.get('b')!.l2.map((x) => x.name), ['all']);
  assert.deepEqual(config.advertisements.get('a')!.bgp.map((x) => x.name), ['gold']);
  assert.deepEqual(config.advertisements.get('b')!.bgp, []);
  assert.deepEqual(config.l2Advertisements.get('named')!.interfaces, ['eth0']);
});

test('identical L2 advertisements are attached once; advertisements with preferences never merge', () => {
  const config = configOf([
    pool('a', ['10.0.0.0/24']),
    l2('one', { interfaces: ['eth0', 'eth1'] }), l2('two', { interfaces: ['eth1', 'eth0'] }),
    l2('p1', { preferredNodeSelectors: [{ weight: 10, preference: {} }] }), l2('p2', { preferredNodeSelectors: [{ weight: 10, preference: {} }] }),
  ]);
  assert.deepEqual(config.advertisements.get('a')!.l2.map((x) => x.name), ['one', 'p1', 'p2']);
  assert.equal(config.l2Advertisements.size, 4);
});

test('node selectors stay selectors so the speaker decides per node without a rebuild', () => {
  const config = configOf([pool('a', ['10.0.0.0/24']), l2('x', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'NodeA' } }] })]);
  assert.deepEqual(config.l2Advertisements.get('x')!.nodeSelectors, [{ matchLabels: { 'kubernetes.io/hostname': 'NodeA' } }]);
});

test('BGP advertisement communities resolve aliases, drop duplicates and sort as MetalLB does', () => {
  const config = configOf([
    pool('a', ['198.51.100.0/24']),
    community('c', [['NO_ADVERTISE', '65535:65282'], ['big', 'large:1:2:3']]),
    bgpAd('x', { communities: ['big', '65535:65282', 'NO_ADVERTISE', '1:1', 'large:0:5:5'], localPref: 100, aggregationLength: 32 }),
  ]);
  const ad = config.bgpAdvertisements.get('x')!;
  assert.deepEqual(ad.communities.map(formatCommunity), ['large:0:5:5', 'large:1:2:3', '1:1', '65535:65282']);
  assert.equal(ad.localPref, 100);
  assert.equal(ad.aggregationLengthV6, 128);
  assert.equal(formatCommunity(config.communities.get('NO_ADVERTISE')!), '65535:65282');
});

test('peer timers: one given derives the other, as MetalLB does', () => {
  const config = configOf([
    peer('hold', { holdTime: '90s' }),
    peer('ka', { peerAddress: '10.0.0.2', keepaliveTime: '10s' }),
    peer('both', { peerAddress: '10.0.0.3', holdTime: '9s', keepaliveTime: '3s' }),
    peer('none', { peerAddress: '10.0.0.4' }),
    peer('odd', { peerAddress: '10.0.0.5', holdTime: '10s' }),
  ]);
  assert.deepEqual(config.peers.get('hold')!.timers, { holdTimeSec: 90, keepaliveTimeSec: 30 });
  assert.deepEqual(config.peers.get('ka')!.timers, { holdTimeSec: 30, keepaliveTimeSec: 10 });
  assert.deepEqual(config.peers.get('both')!.timers, { holdTimeSec: 9, keepaliveTimeSec: 3 });
  assert.equal(config.peers.get('none')!.timers, undefined);
  assert.deepEqual(config.peers.get('odd')!.timers, { holdTimeSec: 10, keepaliveTimeSec: 3 });
});

test('a peer carries its session parameters, the password from its Secret and its BFD profile with defaults', () => {
  const config = configOf([
    bfd('fast', { receiveInterval: 50, echoMode: false }),
    secret('bgp-pass', 'kubernetes.io/basic-auth', { password: 's3cret' }),
    peer('p', {
      peerAddress: 'fc00::1', sourceAddress: 'fc00::2', dualStackAddressFamily: true, bfdProfile: 'fast',
      passwordSecret: { name: 'bgp-pass' }, connectTime: '10s', routerID: '10.0.0.9', enableGracefulRestart: true,
      vrf: 'red', localASN: 65410,
    }),
    peer('u', { peerAddress: undefined, interface: 'eth1', dynamicASN: 'internal', peerASN: undefined, vrf: 'blue', routerID: '10.0.0.9' }),
  ]);
  const p = config.peers.get('p')!;
  assert.equal(p.password, 's3cret');
  assert.deepEqual(p.passwordSecret, { name: 'bgp-pass' });
  assert.deepEqual(p.target, { kind: 'address', address: { family: 'IPv6', value: 0xfc000000000000000000000000000001n } });
  assert.equal(p.port, 179);
  assert.equal(p.connectTimeSec, 10);
  assert.equal(p.localASN, 65410);
  assert.equal(p.vrf, 'red');
  assert.equal(p.enableGracefulRestart, true);
  assert.deepEqual(p.remoteASN, { kind: 'fixed', asn: 64501 });
  assert.deepEqual(config.peers.get('u')!.remoteASN, { kind: 'dynamic', mode: 'internal' });
  assert.deepEqual(config.peers.get('u')!.target, { kind: 'interface', interface: 'eth1' });
  assert.deepEqual(config.bfdProfiles.get('fast'), {
    name: 'fast', receiveIntervalMs: 50, transmitIntervalMs: 300, detectMultiplier: 3, echoIntervalMs: 50,
    echoMode: false, passiveMode: false, minimumTtl: 254,
  });
});

test('build never throws and its verdict does not depend on the order of the objects', () => {
  const objects = [
    pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.128/25']), pool('c', ['fc00::/120']),
    bgpAd('x', { localPref: 1 }), bgpAd('y', { localPref: 2 }), l2('z'), peer('p'), peer('q', { peerAddress: '10.0.0.2', routerID: '1.1.1.1' }),
    node('n1'), community('k', [['a', '1:1'], ['a', '1:2']]),
  ];
  const codesOf = (objs: unknown[]) => {
    const { problems } = check(objs);
    return problems.map((p) => `${'name' in p ? p.name : ''}:${p.code}:${p.path}`).sort();
  };
  const baseline = codesOf(objects);
  assert.ok(baseline.length >= 4);
  fc.assert(fc.property(fc.shuffledSubarray(objects, { minLength: objects.length }), (shuffled) => {
    assert.deepEqual(codesOf(shuffled), baseline);
  }), { numRuns: 50 });
});

test('an empty input is a valid, empty configuration', () => {
  const r = build({});
  assert.ok(r.config);
  assert.equal(r.config.pools.size, 0);
  assert.deepEqual(r.warnings, []);
});
