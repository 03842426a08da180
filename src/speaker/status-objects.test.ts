import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bgpStatusBody, layer2StatusBody, planStatusObjects, statusObjectLabels, type StatusObject } from './status-objects.js';

const svc = { namespace: 'default', name: 'web' };
const labels = statusObjectLabels('node1', svc);
const obj = (name: string, status: StatusObject['status'] | undefined): StatusObject => ({ metadata: { name, resourceVersion: '1', labels }, ...(status === undefined ? {} : { status }) });

test('layer 2: the body names the node and Service, and interfaces only when restricted', () => {
  assert.deepEqual(layer2StatusBody('node1', svc, { ips: ['10.0.0.1'], interfaces: 'all' }), { node: 'node1', serviceName: 'web', serviceNamespace: 'default' });
  assert.deepEqual(layer2StatusBody('node1', svc, { ips: ['10.0.0.1'], interfaces: ['eth0', 'eth1'] })?.interfaces, [{ name: 'eth0' }, { name: 'eth1' }]);
  assert.equal(layer2StatusBody('node1', svc, undefined), undefined);
});

test('BGP: the body lists the peers; no peer means no object', () => {
  assert.deepEqual(bgpStatusBody('node1', svc, { ips: ['10.0.0.1'], peers: ['a', 'b'] })?.peers, ['a', 'b']);
  assert.equal(bgpStatusBody('node1', svc, { ips: ['10.0.0.1'], peers: [] }), undefined);
});

test('the plan creates, rewrites a different status, keeps a matching one, and deletes extras and unwanted ones', () => {
  const want = layer2StatusBody('node1', svc, { ips: ['10.0.0.1'], interfaces: ['eth0'] })!;
  assert.deepEqual(planStatusObjects(want, [], labels), [{ type: 'create', labels, status: want }]);
  assert.deepEqual(planStatusObjects(want, [obj('l2-a', want)], labels), []);
  const stale = obj('l2-a', { node: 'node1', serviceName: 'web', serviceNamespace: 'default' });
  assert.deepEqual(planStatusObjects(want, [stale], labels), [{ type: 'updateStatus', object: stale, status: want }]);
  assert.deepEqual(planStatusObjects(want, [obj('l2-b', want), obj('l2-a', want)], labels), [{ type: 'delete', name: 'l2-b' }]);
  assert.deepEqual(planStatusObjects(undefined, [obj('l2-a', want), obj('l2-b', {})], labels), [{ type: 'delete', name: 'l2-a' }, { type: 'delete', name: 'l2-b' }]);
  assert.deepEqual(planStatusObjects(undefined, [], labels), []);
});

test('an object just created (no status yet) gets its status written', () => {
  const want = bgpStatusBody('node1', svc, { ips: ['10.0.0.1'], peers: ['r1'] })!;
  const fresh = obj('bgp-x', undefined);
  assert.deepEqual(planStatusObjects(want, [fresh], labels), [{ type: 'updateStatus', object: fresh, status: want }]);
});
