import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSubset } from './lab-api.js';
import { prepareObjects } from './lab-apply.js';
import { labObjects } from './lab-objects.js';
import { checkLabOptions, labHost, planLab } from './lab-plan.js';

test('a lab plan has the documented addresses, namespaces and files', () => {
  const plan = planLab({ name: 'lab', nodes: 3, router: 'frr' }, '/run/x');
  assert.equal(plan.prefix, 'mlbts-lab');
  assert.deepEqual(plan.hosts.nodes.map((n) => [n.name, n.netns, n.ipv4, n.ipv6, n.mac]), [
    ['node1', 'mlbts-lab-node1', '10.100.0.11', 'fd00:100::11', '02:00:00:00:00:0b'],
    ['node2', 'mlbts-lab-node2', '10.100.0.12', 'fd00:100::12', '02:00:00:00:00:0c'],
    ['node3', 'mlbts-lab-node3', '10.100.0.13', 'fd00:100::13', '02:00:00:00:00:0d'],
  ]);
  assert.deepEqual([plan.hosts.router.ipv4, plan.hosts.router.ipv6, plan.hosts.client.ipv4, plan.hosts.outside.ipv4, plan.hosts.outside.ipv6],
    ['10.100.0.1', 'fd00:100::1', '10.100.0.100', '10.99.0.2', 'fd00:99::2']);
  assert.equal(plan.paths.kubeconfig, '/run/x/lab/kubeconfig');
  assert.deepEqual(plan.serviceRanges, ['10.200.0.0/24', 'fd00:200::/64']);
});

test('lab options are checked with a message naming the problem', () => {
  assert.throws(() => checkLabOptions({ name: 'Lab', nodes: 3, router: 'frr' }), /lab name "Lab"/);
  assert.throws(() => checkLabOptions({ name: 'lab', nodes: 0, router: 'frr' }), /1 to 8 nodes/);
  assert.throws(() => checkLabOptions({ name: 'lab', nodes: 3, router: 'quagga' as never }), /frr, bird, gobgp, none/);
  assert.throws(() => labHost(planLab({ name: 'lab', nodes: 2, router: 'none' }), 'node3'), /no host "node3"/);
});

test('a lab starts with Nodes, speaker and web Pods, and BGPPeers only when it has a router', () => {
  const kinds = (router: 'frr' | 'none') => labObjects(planLab({ name: 'lab', nodes: 2, router }, '/run/x'), '2026-01-01T00:00:00Z')
    .map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  assert.deepEqual(kinds('frr'), [
    'Namespace//metallb-system', 'Node//node1', 'Node//node2',
    'Pod/metallb-system/speaker-node1', 'Pod/metallb-system/speaker-node2', 'Pod/default/web-node1', 'Pod/default/web-node2',
    'BGPPeer/metallb-system/router', 'BGPPeer/metallb-system/router-v6',
  ]);
  assert.ok(!kinds('none').some((k) => k.startsWith('BGPPeer')));
});

test('apply finds an object unchanged when the server only added fields', () => {
  assert.ok(isSubset({ spec: { ports: [{ port: 80 }] } }, { spec: { clusterIP: '10.96.0.1', ports: [{ port: 80, protocol: 'TCP' }] } }));
  assert.ok(!isSubset({ spec: { ports: [{ port: 81 }] } }, { spec: { ports: [{ port: 80, protocol: 'TCP' }] } }));
  assert.ok(!isSubset({ spec: { ports: [{ port: 80 }] } }, { spec: { ports: [{ port: 80 }, { port: 81 }] } }));
});

test('apply defaults namespaces, converts v1beta1 BGPPeers and refuses objects the loader rejects', () => {
  const text = [
    'apiVersion: metallb.io/v1beta1', 'kind: IPAddressPool', 'metadata: {name: p}', 'spec: {addresses: [10.0.0.0/24]}', '---',
    'apiVersion: metallb.io/v1beta1', 'kind: BGPPeer', 'metadata: {name: r}', 'spec: {myASN: 1, peerASN: 2, peerAddress: 10.0.0.1}', '---',
    'apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec: {type: LoadBalancer}', '---',
    'apiVersion: v1', 'kind: Namespace', 'metadata: {name: team}', '---',
    'apiVersion: metallb.io/v1beta1', 'kind: L2Advertisement', 'metadata: {name: bad}', 'spec: {ipAddressPools: 7}',
  ].join('\n');
  const { objects, errors } = prepareObjects([{ name: 'f.yaml', text }]);
  assert.deepEqual(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? '-'}/${o.metadata?.name ?? ''}`), [
    'metallb.io/v1beta1 IPAddressPool metallb-system/p',
    'metallb.io/v1beta2 BGPPeer metallb-system/r',
    'v1 Service default/web',
    'v1 Namespace -/team',
  ]);
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /^f\.yaml#5: L2Advertisement\/bad: spec\.ipAddressPools: /);
});
