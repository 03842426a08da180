import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { explain } from './explain.js';
import { explanationText } from './explain-text.js';
import type { ClusterSnapshot, StatusObjectWire } from './snapshot.js';

const ns = 'metallb-system';
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: ns, ...extra });

const pool = (name: string, addresses: string[], spec: Record<string, unknown> = {}) =>
  ({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta(name), spec: { addresses, ...spec } });
const l2ad = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: meta(name), spec });
const bgpad = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta(name), spec });
const peer = (name: string, address: string, spec: Record<string, unknown> = {}) =>
  ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: meta(name), spec: { myASN: 64512, peerASN: 64500, peerAddress: address, ...spec } });
const node = (name: string, labels: Record<string, string> = {}) =>
  ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, status: { addresses: [{ type: 'InternalIP', address: '10.100.0.1' }] } });
const speakerPod = (nodeName: string, ready = true) =>
  ({ metadata: { name: `speaker-${nodeName}`, namespace: ns }, spec: { nodeName }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });

interface SvcOptions {
  readonly ingress?: string[];
  readonly annotations?: Record<string, string>;
  readonly spec?: Record<string, unknown>;
  readonly namespace?: string;
  readonly created?: string;
}

const svc = (name: string, o: SvcOptions = {}): V1Service => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: o.namespace ?? 'default', annotations: o.annotations ?? {}, creationTimestamp: (o.created ?? '2026-01-01T00:00:00Z') as unknown as Date },
  spec: { type: 'LoadBalancer', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ports: [{ port: 80, protocol: 'TCP' }], ...o.spec },
  status: { loadBalancer: { ingress: (o.ingress ?? []).map((ip) => ({ ip })) } },
});

const slice = (service: string, nodes: string[], ready = true) => ({
  metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  endpoints: nodes.map((n) => ({ addresses: ['10.244.0.1'], nodeName: n, conditions: { ready } })),
});

const l2Status = (service: string, nodeName: string): StatusObjectWire =>
  ({ metadata: { name: `l2-${nodeName}` }, status: { node: nodeName, serviceName: service, serviceNamespace: 'default' } });

function snapshot(over: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    namespace: ns, loadBalancerClass: '',
    services: [svc('web', { ingress: ['10.0.0.1'], annotations: { 'metallb.io/ip-allocated-from-pool': 'default' } })],
    namespaces: [{ metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } } }],
    nodes: [node('node-a'), node('node-b'), node('node-c')],
    pools: [pool('default', ['10.0.0.1-10.0.0.9'])],
    l2Advertisements: [l2ad('l2')],
    bgpAdvertisements: [], peers: [], bfdProfiles: [], communities: [], secrets: [],
    endpointSlices: [slice('web', ['node-a', 'node-b', 'node-c'])],
    speakerPods: [speakerPod('node-a'), speakerPod('node-b'), speakerPod('node-c')],
    l2Statuses: [l2Status('web', 'node-b')], bgpStatuses: [], configurationStates: [], events: [],
    ...over,
  };
}

describe('explain: the address', () => {
  const cases: { name: string; snap: ClusterSnapshot; key?: string; state: string; reason: string; message?: RegExp; pools?: Record<string, string> }[] = [
    { name: 'a Service with its address from an automatic pool', snap: snapshot(), state: 'allocated', reason: 'allocated', message: /first automatic pool/ },
    { name: 'a Service that does not exist', snap: snapshot(), key: 'default/nope', state: 'notFound', reason: 'notFound' },
    { name: 'a ClusterIP Service', snap: snapshot({ services: [svc('web', { spec: { type: 'ClusterIP' } })] }), state: 'notHandled', reason: 'notLoadBalancer' },
    {
      name: 'a Service of another load balancer class',
      snap: snapshot({ services: [svc('web', { spec: { loadBalancerClass: 'other.io/lb' } })] }),
      state: 'notHandled', reason: 'otherLoadBalancerClass', message: /"other\.io\/lb"/,
    },
    { name: 'no pool at all', snap: snapshot({ services: [svc('web')], pools: [], l2Advertisements: [] }), state: 'pending', reason: 'noPools' },
    {
      name: 'an invalid configuration (overlapping pools)',
      snap: snapshot({ services: [svc('web')], pools: [pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.128/25'])] }),
      state: 'pending', reason: 'configInvalid', message: /last valid configuration/,
    },
    {
      name: 'the only pool does not assign automatically',
      snap: snapshot({ services: [svc('web')], pools: [pool('manual', ['10.0.0.0/24'], { autoAssign: false })] }),
      state: 'pending', reason: 'noPoolMatches', pools: { manual: 'autoAssignDisabled' },
    },
    {
      name: 'the pool is reserved for another namespace',
      snap: snapshot({ services: [svc('web')], pools: [pool('team', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['team-a'] } })] }),
      state: 'pending', reason: 'noPoolMatches', pools: { team: 'namespaceNotAllowed' }, message: /no IPAddressPool may give it/,
    },
    {
      name: 'the pool selects Services by label and this one lacks it',
      snap: snapshot({ services: [svc('web')], pools: [pool('sel', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'edge' } }] } })] }),
      state: 'pending', reason: 'noPoolMatches', pools: { sel: 'serviceSelectorMismatch' },
    },
    {
      name: 'the pool is full',
      snap: snapshot({
        services: [svc('old', { ingress: ['10.0.0.1'], created: '2025-01-01T00:00:00Z' }), svc('web')],
        pools: [pool('tiny', ['10.0.0.1/32'])],
      }),
      state: 'pending', reason: 'poolsExhausted', pools: { tiny: 'exhausted' }, message: /every pool that accepts it is full: tiny/,
    },
    {
      name: 'an IPv4 Service and only an IPv6 pool',
      snap: snapshot({ services: [svc('web')], pools: [pool('six', ['fd00::/120'])] }),
      state: 'pending', reason: 'noPoolForFamily', pools: { six: 'noAddressOfFamily' },
    },
    {
      name: 'the requested address is in no pool',
      snap: snapshot({ services: [svc('web', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.7' } })] }),
      state: 'pending', reason: 'requestedIpNotInPool', message: /192\.0\.2\.7, which no IPAddressPool holds/,
    },
    {
      name: 'the requested address is held by a Service it cannot share with',
      snap: snapshot({
        services: [
          svc('old', { ingress: ['10.0.0.5'], created: '2025-01-01T00:00:00Z' }),
          svc('web', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.5' } }),
        ],
      }),
      state: 'pending', reason: 'sharingConflict', message: /held by default\/old/,
    },
    {
      name: 'the Service asks for a pool that does not exist',
      snap: snapshot({ services: [svc('web', { annotations: { 'metallb.io/address-pool': 'gold' } })] }),
      state: 'pending', reason: 'unknownPool', message: /"gold"/,
    },
    {
      name: 'the controller has not written the address it would give',
      snap: snapshot({ services: [svc('web')] }),
      state: 'pending', reason: 'notYetAssigned', message: /would assign 10\.0\.0\.1 from pool default/,
    },
    {
      name: 'an address the configuration no longer allows',
      snap: snapshot({ services: [svc('web', { ingress: ['10.9.9.9'] })] }),
      state: 'allocated', reason: 'wouldChange', message: /instead of 10\.9\.9\.9/,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.state}, ${c.reason}`, () => {
      const e = explain(c.snap, c.key ?? 'default/web');
      assert.equal(e.allocation.state, c.state, e.allocation.message);
      assert.equal(e.allocation.reason, c.reason, e.allocation.message);
      if (c.message !== undefined) assert.match(e.allocation.message, c.message);
      for (const [name, reason] of Object.entries(c.pools ?? {})) {
        assert.equal(e.allocation.pools.find((p) => p.name === name)?.reason, reason, JSON.stringify(e.allocation.pools));
      }
      assert.ok(e.summary.length > 0 && e.summary[0]?.includes(c.key ?? 'default/web'));
      assert.ok(explanationText(e).length > 0);
    });
  }
  test('a pending Service\'s events come from the controller\'s own convergence', () => {
    const e = explain(snapshot({ services: [svc('web', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.7' } })] }), 'default/web');
    assert.deepEqual(e.allocation.dryRun?.events.map((x) => x.reason), ['AllocationFailed']);
    assert.match(e.allocation.dryRun?.events[0]?.message ?? '', /Failed to allocate IP for "default\/web"/);
  });
});

describe('explain: layer 2', () => {
  test('the elected node is the one MetalLB\'s hash puts first, and the status agrees', () => {
    const e = explain(snapshot(), 'default/web');
    assert.equal(e.layer2.state, 'announced');
    // metallb-behaviour.md §5.1 golden vector: IP 10.0.0.1, nodes a/b/c -> node-b, node-a, node-c.
    assert.deepEqual(e.layer2.candidates.map((c) => c.node), ['node-b', 'node-a', 'node-c']);
    assert.equal(e.layer2.elected, 'node-b');
    assert.equal(e.layer2.candidates[0]?.hash, '2acae885');
    assert.match(e.layer2.message, /lowest sha256\("node-b#10\.0\.0\.1"\) = 2acae885/);
    assert.deepEqual(e.layer2.advertisements, ['l2']);
    assert.equal(e.layer2.interfaces, 'all');
  });
  test('a node without a ready speaker is excluded and the next one announces', () => {
    const e = explain(snapshot({ speakerPods: [speakerPod('node-a'), speakerPod('node-b', false), speakerPod('node-c')] }), 'default/web');
    assert.equal(e.layer2.elected, 'node-a');
    assert.deepEqual(e.layer2.excluded.map((x) => [x.node, x.reason]), [['node-b', 'noSpeaker']]);
    assert.match(e.layer2.message, /but ServiceL2Status says node-b/);
  });
  test('externalTrafficPolicy Local keeps only nodes with a serving endpoint', () => {
    const services = [svc('web', { ingress: ['10.0.0.1'], spec: { externalTrafficPolicy: 'Local' } })];
    const e = explain(snapshot({ services, endpointSlices: [slice('web', ['node-c'])], l2Statuses: [l2Status('web', 'node-c')] }), 'default/web');
    assert.equal(e.layer2.elected, 'node-c');
    assert.deepEqual(e.layer2.excluded.map((x) => [x.node, x.reason]).sort(), [['node-a', 'noServingEndpoint'], ['node-b', 'noServingEndpoint']]);
  });
  test('no serving endpoint: no node announces', () => {
    const e = explain(snapshot({ endpointSlices: [slice('web', ['node-a'], false)], l2Statuses: [] }), 'default/web');
    assert.equal(e.layer2.state, 'notAnnounced');
    assert.equal(e.layer2.reason, 'noServingEndpoint');
  });
  test('node selectors and preferences decide, with the score shown', () => {
    const snap = snapshot({
      nodes: [node('node-a', { zone: 'x' }), node('node-b', { zone: 'y' }), node('node-c', { zone: 'y', edge: 'true' })],
      l2Advertisements: [l2ad('l2', { nodeSelectors: [{ matchLabels: { zone: 'y' } }], preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { edge: 'true' } } }] })],
      l2Statuses: [l2Status('web', 'node-c')],
    });
    const e = explain(snap, 'default/web');
    assert.equal(e.layer2.elected, 'node-c');
    assert.match(e.layer2.message, /highest preference score \(50\)/);
    assert.deepEqual(e.layer2.excluded.map((x) => [x.node, x.reason]), [['node-a', 'noAdvertisement']]);
  });
  test('a pool without L2Advertisement is not announced over layer 2, and the summary says so', () => {
    const e = explain(snapshot({ l2Advertisements: [], l2Statuses: [] }), 'default/web');
    assert.equal(e.layer2.reason, 'noL2Advertisement');
    assert.ok(e.summary.some((l) => l.includes('no L2Advertisement selects pool default')));
  });
});

describe('explain: BGP', () => {
  const bgpSnap = (over: Partial<ClusterSnapshot> = {}) => snapshot({
    nodes: [node('node-a', { rack: '1' }), node('node-b', { rack: '2' }), node('node-c', { rack: '2' })],
    peers: [peer('tor1', '10.100.0.1', { nodeSelectors: [{ matchLabels: { rack: '1' } }] }), peer('tor2', '10.100.0.2', { nodeSelectors: [{ matchLabels: { rack: '2' } }] })],
    bgpAdvertisements: [bgpad('bgp', { communities: ['65535:65282'], localPref: 100, peers: ['tor2'] })],
    bgpStatuses: [{ metadata: { name: 'b' }, status: { node: 'node-b', serviceName: 'web', serviceNamespace: 'default', peers: ['tor2'] } }],
    ...over,
  });
  test('each node advertises to the peers it has a session with that the advertisement names', () => {
    const e = explain(bgpSnap(), 'default/web');
    assert.equal(e.bgp.state, 'announced');
    const byNode = Object.fromEntries(e.bgp.nodes.map((n) => [n.node, n]));
    assert.equal(byNode['node-a']?.reason, 'noPeers');
    assert.deepEqual(byNode['node-a']?.sessions, ['tor1']);
    assert.deepEqual(byNode['node-b']?.prefixes, [{ prefix: '10.0.0.1/32', localPref: 100, communities: ['65535:65282'], peers: ['tor2'] }]);
    assert.equal(byNode['node-c']?.announces, true);
    assert.match(e.bgp.message, /node-b, node-c advertise it to tor2/);
    assert.deepEqual(e.bgp.announcedBy, [{ node: 'node-b', peers: ['tor2'] }]);
  });
  test('an advertisement limited to some nodes leaves the others notOwner', () => {
    const e = explain(bgpSnap({ bgpAdvertisements: [bgpad('bgp', { nodeSelectors: [{ matchLabels: { rack: '1' } }] })] }), 'default/web');
    const byNode = Object.fromEntries(e.bgp.nodes.map((n) => [n.node, n.reason]));
    assert.deepEqual(byNode, { 'node-a': 'advertised', 'node-b': 'notOwner', 'node-c': 'notOwner' });
  });
  test('externalTrafficPolicy Local: only nodes with a local endpoint advertise', () => {
    const services = [svc('web', { ingress: ['10.0.0.1'], spec: { externalTrafficPolicy: 'Local' } })];
    const e = explain(bgpSnap({ services, bgpAdvertisements: [bgpad('bgp')], endpointSlices: [slice('web', ['node-b'])] }), 'default/web');
    const byNode = Object.fromEntries(e.bgp.nodes.map((n) => [n.node, n.reason]));
    assert.deepEqual(byNode, { 'node-a': 'noLocalEndpoints', 'node-b': 'advertised', 'node-c': 'noLocalEndpoints' });
  });
  test('a speaker that rejects its own configuration is named', () => {
    const peers = [peer('tor1', '10.100.0.1', { nodeSelectors: [{ matchLabels: { rack: '1' } }], passwordSecret: { name: 'missing' } })];
    const e = explain(bgpSnap({ peers, bgpAdvertisements: [bgpad('bgp')] }), 'default/web');
    const a = e.bgp.nodes.find((n) => n.node === 'node-a');
    assert.equal(a?.reason, 'configInvalid');
    assert.match(a?.message ?? '', /missing/);
  });
  test('no BGPAdvertisement: not advertised over BGP', () => {
    const e = explain(snapshot(), 'default/web');
    assert.equal(e.bgp.reason, 'noBGPAdvertisement');
  });
});

test('ConfigurationState Invalid is reported in the summary', () => {
  const e = explain(snapshot({
    configurationStates: [
      { metadata: { name: 'controller' }, status: { result: 'Valid' } },
      { metadata: { name: 'speaker-node-a', labels: { 'metallb.io/node-name': 'node-a' } }, status: { result: 'Invalid', errorSummary: 'BGPPeer/x: bad' } },
    ],
  }), 'default/web');
  assert.deepEqual(e.configuration.map((c) => [c.component, c.result]), [['controller', 'Valid'], ['node-a', 'Invalid']]);
  assert.ok(e.summary.some((l) => l.includes('node-a reports it Invalid') && l.includes('BGPPeer/x: bad')));
});

test('the README example: a Service no pool may serve, with each pool\'s reason in the summary', () => {
  const e = explain(snapshot({
    services: [svc('api', { spec: { ports: [{ port: 443, protocol: 'TCP' }] } })],
    namespaces: [{ metadata: { name: 'default' } }, { metadata: { name: 'team-a' } }],
    pools: [pool('reserved', ['10.200.0.0/28'], { serviceAllocation: { namespaces: ['team-a'] } }), pool('manual', ['10.200.1.0/24'], { autoAssign: false })],
  }), 'default/api');
  assert.deepEqual(e.summary, [
    'default/api is pending (no address): no IPAddressPool may give it an address automatically',
    '  pool manual: autoAssign is false: only a Service asking for it (address-pool annotation or requested IP) gets its addresses',
    '  pool reserved: serviceAllocation admits namespaces team-a, not default',
  ]);
});
