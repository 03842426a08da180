import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { bgpAd, configOf, l2, node, peer, pool } from '../../test/support/config-objects.js';
import { service } from '../../test/support/services.js';
import { SpeakerSim, endpointOn } from '../../test/support/speaker-sim.js';
import { isAssignment } from './announcement.js';
import { sortL2Candidates } from './layer2/election.js';

const names = ['node1', 'node2', 'node3'];
const vip = '10.200.0.10';
const order = sortL2Candidates(names, vip, new Map());
const l2Config = configOf([pool('p', ['10.200.0.0/24', 'fd00:200::/64']), l2('l2')]);
const sims: SpeakerSim[] = [];
after(() => { for (const s of sims) s.close(); });

function sim(options: ConstructorParameters<typeof SpeakerSim>[1] = {}): SpeakerSim {
  const s = new SpeakerSim(names, options);
  sims.push(s);
  return s;
}

/** A LoadBalancer Service with `ips` and ready endpoints on every node. */
function withService(s: SpeakerSim, ips: string[], o: Parameters<typeof service>[1] = {}, key = 'default/web'): string {
  s.cluster.setService(service(key, { ingress: ips, ...o }));
  s.cluster.setEndpoints(key, names.map((n) => endpointOn(n)));
  return key;
}

test('nothing is announced before the first configuration; then the elected node alone announces', () => {
  const s = sim();
  const key = withService(s, [vip]);
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), []);
  assert.equal(s.setConfig(l2Config).size, 0);
  assert.deepEqual(s.l2Announcers(key), [order[0]]);
  for (const n of order.slice(1)) assert.equal(s.node(n as string).speaker.withdrawReasons(key).layer2, 'notOwner');
});

test('the common checks withdraw with MetalLB\'s reasons', () => {
  const s = sim();
  s.setConfig(l2Config);
  const cases: [Parameters<typeof service>[1], string][] = [
    [{ type: 'ClusterIP', ingress: [vip] }, 'notLoadBalancer'],
    [{ ingress: [] }, 'noIPAllocated'],
    [{ ingress: ['10.200.0.300'] }, 'invalidIP'],
    [{ ingress: ['192.0.2.1'] }, 'ipNotAllowed'],
    [{ ingress: [vip], loadBalancerClass: 'other' }, 'otherLoadBalancerClass'],
  ];
  for (const [o, reason] of cases) {
    const key = withService(s, [], o);
    s.changed(key);
    assert.deepEqual(s.l2Announcers(key), [], reason);
    assert.deepEqual(s.node('node1').speaker.withdrawReasons(key), { layer2: reason, bgp: reason });
  }
});

test('an announced Service whose IP changes is moved, and a deleted one is withdrawn with serviceDeleted', () => {
  const s = sim();
  s.setConfig(l2Config);
  const key = withService(s, [vip]);
  s.changed(key);
  withService(s, ['10.200.0.77']);
  s.changed(key);
  const winner = sortL2Candidates(names, '10.200.0.77', new Map())[0] as string;
  assert.deepEqual(s.l2Announcers(key), [winner]);
  assert.deepEqual(s.node(winner).speaker.layer2Announcement(key)?.ips, ['10.200.0.77']);
  s.cluster.deleteService(key);
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), []);
  const last = s.node(winner).changes.at(-1);
  assert.equal(last?.after, undefined);
  assert.equal(last?.reason, 'serviceDeleted');
});

test('a NetworkUnavailable node, or one labelled exclude-from-external-load-balancers, hands the IP to the next node', () => {
  const s = sim();
  s.setConfig(l2Config);
  const key = withService(s, [vip]);
  s.changed(key);
  const [first, second, third] = order as [string, string, string];
  s.setNodes(names.map((n) => n === first
    ? { metadata: { name: n }, status: { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] } }
    : { metadata: { name: n } }));
  assert.deepEqual(s.l2Announcers(key), [second]);
  s.setNodes(names.map((n) => ({ metadata: { name: n, labels: n === second ? { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {} } })));
  assert.deepEqual(s.l2Announcers(key), [first]);
  s.setNodes(names.map((n) => ({ metadata: { name: n, labels: n === third ? {} : { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } } })));
  assert.deepEqual(s.l2Announcers(key), [third]);
});

test('with --ignore-exclude-lb the exclude label is ignored', () => {
  const s = sim({ ignoreExcludeLabel: true });
  s.setConfig(l2Config);
  const key = withService(s, [vip]);
  s.setNodes(names.map((n) => ({ metadata: { name: n, labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } } })));
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), [order[0]]);
});

test('externalTrafficPolicy Local follows the endpoints; no serving endpoint anywhere withdraws', () => {
  const s = sim();
  s.setConfig(l2Config);
  const key = withService(s, [vip], { externalTrafficPolicy: 'Local' });
  const last = order[2] as string;
  s.cluster.setEndpoints(key, [endpointOn(last)]);
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), [last]);
  s.cluster.setEndpoints(key, [endpointOn(last, false), endpointOn(order[1] as string)]);
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), [order[1]]);
  s.cluster.setEndpoints(key, [endpointOn(last, false)]);
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), []);
});

test('Services sharing an IP are announced by one node, and a node leaving the live set moves both', () => {
  const s = sim();
  s.setConfig(l2Config);
  const shared = { annotations: { 'metallb.io/allow-shared-ip': 'k' } };
  const a = withService(s, [vip], shared, 'default/a');
  const b = withService(s, [vip], { ...shared, ports: ['tcp/443'] }, 'default/b');
  s.changed(a);
  s.changed(b);
  assert.deepEqual(s.l2Announcers(a), [order[0]]);
  assert.deepEqual(s.l2Announcers(b), [order[0]]);
  s.members.set(names.filter((n) => n !== order[0]));
  assert.deepEqual(s.l2Announcers(a), [order[1]]);
  assert.deepEqual(s.l2Announcers(b), [order[1]]);
});

test('interface selectors: the elected node announces on the listed interfaces, or fails with announceFailed when none exists', () => {
  const s = sim();
  s.setConfig(configOf([pool('p', ['10.200.0.0/24']), l2('l2', { interfaces: ['eth9', 'eth0'] })]));
  const key = withService(s, [vip]);
  s.changed(key);
  const winner = s.node(order[0] as string);
  assert.deepEqual(winner.speaker.layer2Announcement(key)?.interfaces, ['eth0', 'eth9']);
  winner.announcer.localInterfaces = ['eth1'];
  s.setConfig(configOf([pool('p', ['10.200.0.0/24']), l2('l2', { interfaces: ['eth9'] })]));
  assert.deepEqual(s.l2Announcers(key), [], 'no other node takes over (MetalLB: no fallback)');
  assert.equal(winner.speaker.withdrawReasons(key).layer2, 'announceFailed');
  assert.equal(winner.failures.length, 1);
  assert.deepEqual(winner.failures[0]?.failure.interfaces, ['eth9']);
  s.changed(key);
  assert.equal(winner.failures.length, 1, 'reported once, not on every handling');
});

test('a shared IP with serviceSelectors on the L2Advertisement is not announced (sharedIPWithServiceSelector)', () => {
  const s = sim();
  s.setConfig(configOf([pool('p', ['10.200.0.0/24']), l2('l2', { serviceSelectors: [{ matchLabels: { app: 'web' } }] })]));
  const key = withService(s, [vip], { labels: { app: 'web' }, annotations: { 'metallb.io/allow-shared-ip': 'k' } });
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), []);
  assert.equal(s.node('node1').speaker.withdrawReasons(key).layer2, 'sharedIPWithServiceSelector');
});

test('a dual-stack Service is announced by one node for both IPs (the first ingress IP is hashed)', () => {
  const s = sim();
  s.setConfig(l2Config);
  const key = withService(s, [vip, 'fd00:200::10']);
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), [order[0]]);
  assert.deepEqual(s.node(order[0] as string).speaker.layer2Announcement(key)?.ips, [vip, 'fd00:200::10']);
});

const bgpConfig = (extra: Record<string, unknown>[] = [], ads = [bgpAd('ad')]) => configOf([
  pool('p', ['10.200.0.0/24', 'fd00:200::/64']), ...ads,
  peer('r1', { peerAddress: '10.0.0.1' }), peer('r2', { peerAddress: '10.0.0.2' }), ...extra,
]);

test('BGP, externalTrafficPolicy Cluster: every node announces, to every peer', () => {
  const s = sim();
  s.setConfig(bgpConfig());
  const key = withService(s, [vip]);
  s.changed(key);
  assert.deepEqual(s.bgpAnnouncers(key), names);
  assert.deepEqual(s.node('node2').speaker.bgpAnnouncement(key), { ips: [vip], peers: ['r1', 'r2'] });
  assert.deepEqual(s.l2Announcers(key), [], 'no L2Advertisement: no layer-2 announcement');
});

test('BGP, externalTrafficPolicy Local: only nodes with a serving endpoint announce; the others say noLocalEndpoints', () => {
  const s = sim();
  s.setConfig(bgpConfig());
  const key = withService(s, [vip], { externalTrafficPolicy: 'Local' });
  s.cluster.setEndpoints(key, [endpointOn('node2')]);
  s.changed(key);
  assert.deepEqual(s.bgpAnnouncers(key), ['node2']);
  assert.equal(s.node('node1').speaker.withdrawReasons(key).bgp, 'noLocalEndpoints');
  s.cluster.setEndpoints(key, [endpointOn('node3')]);
  s.changed(key);
  assert.deepEqual(s.bgpAnnouncers(key), ['node3']);
  s.cluster.setEndpoints(key, []);
  s.changed(key);
  assert.equal(s.node('node3').speaker.withdrawReasons(key).bgp, 'noLocalEndpoints');
});

test('BGP: advertisement peers and node selectors decide who announces to whom', () => {
  const s = sim();
  s.setNodes(names.map((n) => node(n, n === 'node1' ? { rack: 'a' } : {}) as never));
  s.setConfig(bgpConfig([], [bgpAd('ad', { peers: ['r2'], nodeSelectors: [{ matchLabels: { rack: 'a' } }] })]));
  const key = withService(s, [vip]);
  s.changed(key);
  assert.deepEqual(s.bgpAnnouncers(key), ['node1']);
  assert.deepEqual(s.node('node1').speaker.bgpAnnouncement(key)?.peers, ['r2']);
  assert.equal(s.node('node2').speaker.withdrawReasons(key).bgp, 'notOwner');
});

test('BGP: a peer selected for other nodes gets no session here, and NetworkUnavailable or the exclude label withdraw', () => {
  const s = sim();
  s.setNodes(names.map((n) => node(n, n === 'node3' ? { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}) as never));
  s.setConfig(bgpConfig([peer('r3', { peerAddress: '10.0.0.3', nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node2' } }] })]));
  const key = withService(s, [vip]);
  s.changed(key);
  assert.deepEqual(s.node('node1').bgp.peerNames(), ['r1', 'r2']);
  assert.deepEqual(s.node('node2').bgp.peerNames(), ['r1', 'r2', 'r3']);
  assert.deepEqual(s.bgpAnnouncers(key), ['node1', 'node2']);
  assert.equal(s.node('node3').speaker.withdrawReasons(key).bgp, 'nodeLabeledExcludeBalancers');
  s.setNodes(names.map((n) => ({ ...node(n), status: { conditions: n === 'node1' ? [{ type: 'NetworkUnavailable', status: 'True' }] : [] } }) as never));
  assert.deepEqual(s.bgpAnnouncers(key), ['node2', 'node3']);
  assert.equal(s.node('node1').speaker.withdrawReasons(key).bgp, 'nodeNetworkUnavailable');
});

test('a configuration that would orphan an announced IP is refused until the Service no longer holds it', () => {
  const s = sim();
  s.setConfig(l2Config);
  const key = withService(s, [vip]);
  s.changed(key);
  const refused = s.setConfig(configOf([pool('other', ['10.201.0.0/24']), l2('l2')]));
  assert.deepEqual([...refused.keys()], [order[0]]);
  assert.match(refused.get(order[0] as string) ?? '', /default\/web.*10\.200\.0\.10/);
  assert.deepEqual(s.l2Announcers(key), [order[0]], 'the old configuration keeps running');
  s.cluster.setService(service(key, { ingress: [] }));
  s.changed(key);
  assert.equal(s.setConfig(configOf([pool('other', ['10.201.0.0/24']), l2('l2')])).size, 0);
});

test('changes are reported on transitions only: a re-assert after a live-set change is not a new assignment', () => {
  const s = sim();
  s.setConfig(l2Config);
  const key = withService(s, [vip]);
  s.changed(key);
  const owner = s.node(order[0] as string);
  assert.equal(owner.changes.filter(isAssignment).length, 1);
  const setsBefore = owner.announcer.sets.length;
  s.members.set(names.filter((n) => n !== order[2]));
  assert.ok(owner.announcer.sets.length > setsBefore, 'the owner re-asserts (a new gratuitous burst)');
  for (let i = 0; i < 5; i++) s.changed(key);
  assert.equal(owner.changes.filter(isAssignment).length, 1);
});

test('without memberlist every known Node counts as a speaker', () => {
  const s = sim({ members: 'everyNode' });
  s.setConfig(l2Config);
  const key = withService(s, [vip]);
  s.changed(key);
  assert.deepEqual(s.l2Announcers(key), [order[0]]);
  s.setNodes(names.filter((n) => n !== order[0]).map((n) => ({ metadata: { name: n } })));
  assert.deepEqual(s.l2Announcers(key), [order[1]]);
});
