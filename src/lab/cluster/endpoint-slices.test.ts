import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredSlices, sliceContent, type PodInput, type ServiceInput } from './endpoint-slices.js';
import { proxyRulesFor } from './proxy-rules.js';

const pod = (node: string, ready = true, labels: Record<string, string> = { app: 'web' }, namespace = 'default'): PodInput => ({
  metadata: { name: `web-${node}`, namespace, labels, uid: `uid-${node}` },
  spec: { nodeName: node },
  status: {
    podIPs: [{ ip: `10.100.0.1${node.slice(-1)}` }, { ip: `fd00:100::1${node.slice(-1)}` }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
});

const service = (extra: Partial<NonNullable<ServiceInput['spec']>> = {}, ingress: string[] = []): ServiceInput => ({
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
  spec: { type: 'LoadBalancer', selector: { app: 'web' }, ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...extra },
  status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
});

test('a Service gets one slice per IP family listing the Pods its selector matches, on their nodes', () => {
  const slices = desiredSlices([service({ ipFamilies: ['IPv4', 'IPv6'] })], [pod('node1'), pod('node2'), pod('node3', true, { app: 'other' })]);
  assert.deepEqual(slices.map((s) => [s.metadata.name, s.addressType, s.endpoints.map((e) => `${e.nodeName}=${e.addresses.join()}`)]), [
    ['web-lab-v4', 'IPv4', ['node1=10.100.0.11', 'node2=10.100.0.12']],
    ['web-lab-v6', 'IPv6', ['node1=fd00:100::11', 'node2=fd00:100::12']],
  ]);
  assert.equal(slices[0]?.metadata.labels['kubernetes.io/service-name'], 'web');
  assert.deepEqual(slices[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.equal(slices[0]?.metadata.ownerReferences?.[0]?.uid, 'svc-uid');
});

test('a Pod that is not ready is listed as not ready and not serving', () => {
  const [slice] = desiredSlices([service()], [pod('node1', false)]);
  assert.deepEqual(slice?.endpoints[0]?.conditions, { ready: false, serving: false, terminating: false });
});

test('Services without a selector and Pods of other namespaces get no endpoints from the lab', () => {
  assert.deepEqual(desiredSlices([service({ selector: null })], [pod('node1')]), []);
  const [slice] = desiredSlices([service()], [pod('node1', true, { app: 'web' }, 'other')]);
  assert.deepEqual(slice?.endpoints, []);
});

test('slice content ignores metadata the server adds but sees an endpoint change', () => {
  const [a] = desiredSlices([service()], [pod('node1')]);
  const [b] = desiredSlices([service()], [pod('node1', false)]);
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(sliceContent({ ...a, metadata: { ...a.metadata, labels: a.metadata.labels } }), sliceContent(a));
  assert.notEqual(sliceContent(a), sliceContent(b));
});

test('kube-proxy sends a Cluster Service to every serving endpoint of the address family', () => {
  const svc = service({ ipFamilies: ['IPv4', 'IPv6'] }, ['10.200.0.10', 'fd00:200::10']);
  const slices = desiredSlices([svc], [pod('node1'), pod('node2'), pod('node3', false)]);
  const rules = proxyRulesFor('node1', [svc], slices);
  assert.deepEqual(rules, [
    { ip: '10.200.0.10', port: 80, protocol: 'tcp', backends: [{ ip: '10.100.0.11', port: 8080 }, { ip: '10.100.0.12', port: 8080 }] },
    { ip: 'fd00:200::10', port: 80, protocol: 'tcp', backends: [{ ip: 'fd00:100::11', port: 8080 }, { ip: 'fd00:100::12', port: 8080 }] },
  ]);
});

test('kube-proxy sends a Local Service only to endpoints on its own node, and drops it where there are none', () => {
  const svc = service({ externalTrafficPolicy: 'Local' }, ['10.200.0.10']);
  const slices = desiredSlices([svc], [pod('node1'), pod('node2')]);
  assert.deepEqual(proxyRulesFor('node2', [svc], slices)[0]?.backends, [{ ip: '10.100.0.12', port: 8080 }]);
  assert.deepEqual(proxyRulesFor('node3', [svc], slices)[0]?.backends, []);
});

test('kube-proxy ignores Services that are not load balancers or have no ingress yet', () => {
  const pending = service({}, []);
  const clusterIp = service({ type: 'ClusterIP' }, ['10.200.0.10']);
  const slices = desiredSlices([pending, clusterIp], [pod('node1')]);
  assert.deepEqual(proxyRulesFor('node1', [pending, clusterIp], slices), []);
});
