import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bgpAd, community, configOf, peer, pool } from '../../../test/support/config-objects.js';
import { formatCidr, parseIp } from '../../lib/ip.js';
import { formatLargeCommunity } from '../../protocol/bgp/community.js';
import {
  advertisementsPerPeer, bgpDecision, peersForNode, poolOfIps, type BgpEndpoint, type BgpNode, type BgpService, type ServicePrefix,
} from './advertisements.js';
import { peerSpecFromConfig } from './config-peer.js';

const node1: BgpNode = { name: 'node1', labels: { 'kubernetes.io/hostname': 'node1', rack: 'a' }, networkUnavailable: false };
const here: BgpEndpoint = { nodeName: 'node1', addresses: ['10.244.1.5'], conditions: { ready: true } };
const elsewhere: BgpEndpoint = { nodeName: 'node2', addresses: ['10.244.2.5'], conditions: { ready: true } };
const svc = (ips: string[], extra: Partial<BgpService> = {}): BgpService =>
  ({ labels: { app: 'web' }, externalTrafficPolicy: 'Cluster', ips: ips.map((t) => parseIp(t)!), pool: 'p', ...extra });

const base = [pool('p', ['198.51.100.0/24', 'fd00:200::/120']), peer('r1'), peer('r2', { peerAddress: '10.0.0.2' })];
const text = (p: ServicePrefix) => `${formatCidr(p.prefix)} lp=${p.localPref} c=${p.communities.map((c) => `${c >>> 16}:${c & 0xffff}`).join(',')} l=${p.largeCommunities.map(formatLargeCommunity).join(',')} peers=${p.peers.join(',')}`;

test('MetalLB\'s aggregation example: each IP as a /32 with local-pref and no-advertise, plus the shared /24', () => {
  const config = configOf([pool('p', ['198.51.100.0/24']), peer('r1'),
    bgpAd('a', { aggregationLength: 32, localPref: 100, communities: ['65535:65282'] }),
    bgpAd('b', { aggregationLength: 24 })]);
  const d = bgpDecision(config, node1, svc(['198.51.100.10']), [here]);
  assert.ok(d.announce);
  assert.deepEqual(d.prefixes.map(text), [
    '198.51.100.10/32 lp=100 c=65535:65282 l= peers=',
    '198.51.100.0/24 lp=0 c= l= peers=',
  ]);
});

const withdrawCases: { name: string; objects: unknown[]; node?: Partial<BgpNode>; service?: Partial<BgpService>; endpoints?: BgpEndpoint[]; reason: string }[] = [
  { name: 'a pool with no advertisement for this node is notOwner', objects: [bgpAd('a', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] })], reason: 'notOwner' },
  { name: 'ads whose serviceSelectors miss the Service give noMatchingAdvertisement', objects: [bgpAd('a', { serviceSelectors: [{ matchLabels: { app: 'db' } }] })], reason: 'noMatchingAdvertisement' },
  { name: 'a NetworkUnavailable node withdraws', objects: [bgpAd('a')], node: { networkUnavailable: true }, reason: 'nodeNetworkUnavailable' },
  { name: 'the exclude label withdraws', objects: [bgpAd('a')], node: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }, reason: 'nodeLabeledExcludeBalancers' },
  { name: 'ETP Local without a local endpoint withdraws', objects: [bgpAd('a')], service: { externalTrafficPolicy: 'Local' }, endpoints: [elsewhere], reason: 'noLocalEndpoints' },
  { name: 'no serving endpoint anywhere withdraws', objects: [bgpAd('a')], endpoints: [{ ...here, conditions: { ready: false } }], reason: 'noEndpoints' },
  { name: 'an endpoint without addresses does not count for BGP', objects: [bgpAd('a')], endpoints: [{ ...here, addresses: [] }], reason: 'noEndpoints' },
  {
    name: 'two service-selected ads with different localPref for the same prefix conflict',
    objects: [bgpAd('a', { localPref: 100, serviceSelectors: [{ matchLabels: { app: 'web' } }] }), bgpAd('b', { localPref: 200, serviceSelectors: [{ matchLabels: { app: 'web' } }] })],
    reason: 'conflictingAdvertisements',
  },
];
for (const c of withdrawCases) {
  test(c.name, () => {
    const config = configOf([...base, ...c.objects]);
    const d = bgpDecision(config, { ...node1, ...c.node }, svc(['198.51.100.10'], c.service), c.endpoints ?? [here]);
    assert.deepEqual(d, { announce: false, reason: c.reason });
  });
}

test('ETP Cluster announces from a node without endpoints; ETP Local from a node with one', () => {
  const config = configOf([...base, bgpAd('a')]);
  assert.ok(bgpDecision(config, node1, svc(['198.51.100.10']), [elsewhere]).announce);
  assert.ok(bgpDecision(config, node1, svc(['198.51.100.10'], { externalTrafficPolicy: 'Local' }), [here, elsewhere]).announce);
});

test('the exclude label is ignored with --ignore-exclude-lb', () => {
  const config = configOf([...base, bgpAd('a')]);
  const excluded = { ...node1, labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } };
  assert.ok(bgpDecision(config, excluded, svc(['198.51.100.10']), [here], { ignoreExcludeLabel: true }).announce);
});

test('dual-stack IPs use aggregationLengthV6 for IPv6; Community aliases and large communities resolve', () => {
  const config = configOf([...base, community('c', [['edge', '65000:7'], ['big', 'large:64512:1:2']]),
    bgpAd('a', { aggregationLengthV6: 120, communities: ['edge', 'big', '65000:1'], peers: ['r2'] })]);
  const d = bgpDecision(config, node1, svc(['198.51.100.10', 'fd00:200::10']), [here]);
  assert.ok(d.announce);
  assert.deepEqual(d.prefixes.map(text), [
    '198.51.100.10/32 lp=0 c=65000:1,65000:7 l=64512:1:2 peers=r2',
    'fd00:200::/120 lp=0 c=65000:1,65000:7 l=64512:1:2 peers=r2',
  ]);
});

test('per peer: the peers filter applies, identical prefixes merge their communities and keep the highest LOCAL_PREF', () => {
  const prefixes: ServicePrefix[] = [
    { prefix: { family: 'IPv4', base: 0xc6336400n, prefixLength: 24 }, localPref: 100, communities: [1], largeCommunities: [], peers: [] },
    { prefix: { family: 'IPv4', base: 0xc6336400n, prefixLength: 24 }, localPref: 200, communities: [2], largeCommunities: [], peers: [] },
    { prefix: { family: 'IPv4', base: 0xc633640an, prefixLength: 32 }, localPref: 0, communities: [], largeCommunities: [], peers: ['r2'] },
  ];
  const per = advertisementsPerPeer(prefixes, ['r1', 'r2']);
  assert.deepEqual(per.get('r1')!.map((a) => [formatCidr(a.prefix), a.localPref, a.communities]), [['198.51.100.0/24', 200, [1, 2]]]);
  assert.deepEqual(per.get('r2')!.map((a) => formatCidr(a.prefix)), ['198.51.100.0/24', '198.51.100.10/32']);
  assert.equal(per.get('r2')![1]!.localPref, undefined, 'LOCAL_PREF 0 means not set');
});

test('peers run on the nodes their nodeSelectors pick; the pool of IPs is found', () => {
  const config = configOf([pool('p', ['198.51.100.0/24']), peer('all'), peer('rack-b', { peerAddress: '10.0.0.9', nodeSelectors: [{ matchLabels: { rack: 'b' } }] })]);
  assert.deepEqual(peersForNode(config, node1).map((p) => p.name), ['all']);
  assert.equal(poolOfIps(config, [parseIp('198.51.100.7')!]), 'p');
  assert.equal(poolOfIps(config, [parseIp('203.0.113.7')!]), undefined);
});

test('a config BGPPeer becomes a session spec; unnumbered peering is refused with a reason', () => {
  const config = configOf([pool('p', ['198.51.100.0/24']), peer('r', { holdTime: '9s', password: 'pw', enableGracefulRestart: true, dynamicASN: 'external', peerASN: undefined }),
    peer('u', { peerAddress: undefined, interface: 'eth1' })]);
  const r = peerSpecFromConfig(config.peers.get('r')!);
  assert.ok('spec' in r);
  assert.deepEqual([r.spec.peerAddress, r.spec.peerPort, r.spec.holdTimeSec, r.spec.keepaliveTimeSec, r.spec.dynamicAsn, r.spec.password, r.spec.enableGracefulRestart],
    ['10.0.0.1', 179, 9, 3, 'external', 'pw', true]);
  assert.ok('unsupported' in peerSpecFromConfig(config.peers.get('u')!));
});
