/**
 * The controller end to end over HTTP: MetalLB's "IP Assignment" e2e families and the controller test
 * families (metallb-behaviour.md §4.5, §9.2), observed as a user would: Service status, the pool
 * annotation, and events. Every test has its own API server and controller.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { ControllerRuntime } from '../../src/k8s/controller-runtime.js';
import { ControllerEnv, settled } from '../support/controller-env.js';

let env: ControllerEnv;
let ctl: ControllerRuntime;

beforeEach(async () => {
  env = await ControllerEnv.create();
});
afterEach(async () => {
  assert.deepEqual(env.violations, [], 'no address was ever shown on two Services');
  await env.close();
});

async function startController(): Promise<void> {
  ctl = await env.controller();
  await settled(ctl);
}

test('Services get the lowest free addresses; the third waits with AllocationFailed; a deletion recycles its address', async () => {
  await env.pool('small', { addresses: ['192.0.2.0/31'] });
  await startController();
  await env.service('a');
  await env.waitIps('a', ['192.0.2.0']);
  await env.service('b');
  await env.waitIps('b', ['192.0.2.1']);
  await env.service('c');
  await env.waitEvent('c', /^Warning AllocationFailed Failed to allocate IP for "default\/c": no available IPs$/);
  assert.deepEqual(await env.ips('c'), []);
  assert.equal(await env.poolAnnotation('a'), 'small');
  assert.deepEqual(await env.eventsOf('a'), ['Normal IPAllocated Assigned IP ["192.0.2.0"]']);
  await env.deleteService('a');
  await env.waitIps('c', ['192.0.2.0']);
});

test('a Service that stops being a LoadBalancer loses its address and annotation, and a waiting one takes it', async () => {
  await env.pool('one', { addresses: ['192.0.2.10/32'] });
  await startController();
  await env.service('lb');
  await env.waitIps('lb', ['192.0.2.10']);
  await env.service('waiting');
  await env.waitEvent('waiting', /AllocationFailed/);
  await env.patchService('lb', { spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });
  await env.waitIps('lb', []);
  assert.equal(await env.poolAnnotation('lb'), undefined);
  await env.waitIps('waiting', ['192.0.2.10']);
});

test('a range pool hands out its first address; avoidBuggyIPs skips .0 and refuses it when asked for', async () => {
  await env.pool('range', { addresses: ['192.168.1.240-192.168.1.250'] });
  await env.pool('buggy', { addresses: ['1.2.4.0/24'], avoidBuggyIPs: true, autoAssign: false });
  await startController();
  await env.service('first');
  await env.waitIps('first', ['192.168.1.240']);
  await env.service('from-buggy', { annotations: { 'metallb.io/address-pool': 'buggy' } });
  await env.waitIps('from-buggy', ['1.2.4.1']);
  await env.service('wants-dot-zero', { spec: { type: 'LoadBalancer', loadBalancerIP: '1.2.4.0', ports: [{ port: 80 }] } });
  await env.waitEvent('wants-dot-zero', /Warning AllocationFailed .*1\.2\.4\.0/);
});

test('an autoAssign:false pool serves only Services that ask for it or for one of its addresses', async () => {
  await env.pool('manual', { addresses: ['198.51.100.0/30'], autoAssign: false });
  await startController();
  await env.service('auto');
  await env.waitEvent('auto', /AllocationFailed/);
  await env.service('by-pool', { annotations: { 'metallb.io/address-pool': 'manual' } });
  await env.waitIps('by-pool', ['198.51.100.0']);
  await env.service('by-ip', { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.3' } });
  await env.waitIps('by-ip', ['198.51.100.3']);
});

test('requested addresses: spec.loadBalancerIP, the annotation, both (refused), and a pool mismatch (refused)', async () => {
  await env.pool('a', { addresses: ['192.0.2.0/28'] });
  await env.pool('b', { addresses: ['198.51.100.0/28'] });
  await startController();
  await env.service('spec-ip', { spec: { type: 'LoadBalancer', loadBalancerIP: '192.0.2.5', ports: [{ port: 80 }] } });
  await env.service('annotated', { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.7' } });
  await env.service('both', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.6' }, spec: { type: 'LoadBalancer', loadBalancerIP: '192.0.2.6', ports: [{ port: 80 }] } });
  await env.service('mismatch', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.7', 'metallb.io/address-pool': 'b' } });
  await env.waitIps('spec-ip', ['192.0.2.5']);
  await env.waitIps('annotated', ['198.51.100.7']);
  await env.waitEvent('both', /Warning AllocationFailed .*can not have both/);
  await env.waitEvent('mismatch', /Warning AllocationFailed .*not compatible with requested address pool b/);
  assert.deepEqual(await env.ips('both'), []);
});

test('changing the address-pool annotation moves the Service to the other pool', async () => {
  await env.pool('a', { addresses: ['192.0.2.0/30'] });
  await env.pool('b', { addresses: ['198.51.100.0/30'] });
  await startController();
  await env.service('mover', { annotations: { 'metallb.io/address-pool': 'a' } });
  await env.waitIps('mover', ['192.0.2.0']);
  await env.patchService('mover', { metadata: { annotations: { 'metallb.io/address-pool': 'b' } } });
  await env.waitIps('mover', ['198.51.100.0']);
  assert.equal(await env.poolAnnotation('mover'), 'b');
});

test('Services sharing a key get one address on disjoint ports; a port clash takes it away', async () => {
  await env.pool('shared', { addresses: ['192.0.2.20/32', '192.0.2.21/32'] });
  await startController();
  const share = { 'metallb.io/allow-shared-ip': 'dns', 'metallb.io/loadBalancerIPs': '192.0.2.20' };
  await env.service('dns-tcp', { annotations: share, spec: { type: 'LoadBalancer', ports: [{ port: 53, protocol: 'TCP' }] } });
  await env.service('dns-udp', { annotations: share, spec: { type: 'LoadBalancer', ports: [{ port: 53, protocol: 'UDP' }] } });
  await env.waitIps('dns-tcp', ['192.0.2.20']);
  await env.waitIps('dns-udp', ['192.0.2.20']);
  await env.patchService('dns-udp', { spec: { ports: [{ port: 53, protocol: 'TCP' }] } });
  await env.waitEvent('dns-udp', /Normal ClearAssignment/);
  await env.waitEvent('dns-udp', /Warning AllocationFailed/);
  assert.deepEqual(await env.ips('dns-udp'), []);
  await env.service('other-key', { annotations: { 'metallb.io/allow-shared-ip': 'other', 'metallb.io/loadBalancerIPs': '192.0.2.20' } });
  await env.waitEvent('other-key', /Warning AllocationFailed/);
});

test('externalTrafficPolicy Local Services share only with an identical selector', async () => {
  await env.pool('p', { addresses: ['192.0.2.30/32'] });
  await startController();
  const ann = { 'metallb.io/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '192.0.2.30' };
  const local = (port: number, app: string): { annotations: Record<string, string>; spec: object } =>
    ({ annotations: ann, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app }, ports: [{ port }] } });
  await env.service('l1', local(80, 'web') as never);
  await env.service('l2', local(81, 'web') as never);
  await env.service('l3', local(82, 'db') as never);
  await env.waitIps('l1', ['192.0.2.30']);
  await env.waitIps('l2', ['192.0.2.30']);
  await env.waitEvent('l3', /Warning AllocationFailed/);
});

test('dual stack: RequireDualStack gets IPv4 then IPv6, an IPv6-only Service only IPv6, PreferDualStack [IPv6, IPv4] from single-stack pools gets IPv6', async () => {
  await env.pool('dual', { addresses: ['192.0.2.0/30', '2001:db8::/126'] });
  await startController();
  await env.service('require', { spec: { type: 'LoadBalancer', ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] } });
  await env.waitIps('require', ['192.0.2.0', '2001:db8::']);
  await env.service('v6', { spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ports: [{ port: 80 }] } });
  await env.waitIps('v6', ['2001:db8::1']);
  await env.deletePool('dual');
  await env.pool('only-v4', { addresses: ['198.51.100.0/30'] });
  await env.pool('only-v6', { addresses: ['2001:db8:1::/126'] });
  await env.service('prefer', { spec: { type: 'LoadBalancer', ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6', 'IPv4'], ports: [{ port: 80 }] } });
  await env.waitIps('prefer', ['2001:db8:1::']);
});

test('PreferDualStack gets the additional family when its pool becomes dual-stack', async () => {
  await env.pool('grows', { addresses: ['192.0.2.0/30'] });
  await startController();
  await env.service('prefer', { spec: { type: 'LoadBalancer', ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 80 }] } });
  await env.waitIps('prefer', ['192.0.2.0']);
  await env.patchPool('grows', { addresses: ['192.0.2.0/30', '2001:db8::/126'] });
  await env.waitIps('prefer', ['192.0.2.0', '2001:db8::']);
  await env.waitEvent('prefer', /Normal IPAllocated Assigned additional IP "2001:db8::"/);
});

test('pools pinned to namespaces, namespace labels and service labels, tried by priority', async () => {
  await env.namespace('team-a');
  await env.namespace('labelled', { team: 'b' });
  await env.pool('for-a', { addresses: ['10.1.0.0/30'], serviceAllocation: { namespaces: ['team-a'], priority: 20 } });
  await env.pool('for-a-first', { addresses: ['10.2.0.0/30'], serviceAllocation: { namespaces: ['team-a'], priority: 1 } });
  await env.pool('for-b', { addresses: ['10.3.0.0/30'], serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'b' } }] } });
  await env.pool('for-web', { addresses: ['10.4.0.0/30'], serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'web' } }] } });
  await env.pool('general', { addresses: ['10.9.0.0/30'] });
  await startController();
  await env.service('in-a', { namespace: 'team-a' });
  await env.service('in-b', { namespace: 'labelled' });
  await env.service('web', { labels: { app: 'web' } });
  await env.service('plain');
  await env.waitIps('in-a', ['10.2.0.0'], 'team-a');
  await env.waitIps('in-b', ['10.3.0.0'], 'labelled');
  await env.waitIps('web', ['10.4.0.0']);
  await env.waitIps('plain', ['10.9.0.0']);
});

test('a namespace labelled later is picked up through the Namespace watch', async () => {
  await env.namespace('late');
  await env.pool('for-late', { addresses: ['10.5.0.0/30'], serviceAllocation: { namespaceSelectors: [{ matchLabels: { tier: 'gold' } }] } });
  await env.pool('general', { addresses: ['10.9.0.0/30'] });
  await startController();
  await env.service('before', { namespace: 'late' });
  await env.waitIps('before', ['10.9.0.0'], 'late');
  await env.core.patchNamespace({ name: 'late', body: { metadata: { labels: { tier: 'gold' } } } }, (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'));
  await env.service('after', { namespace: 'late' });
  await env.waitIps('after', ['10.5.0.0'], 'late');
});

test('deleting the pool a Service uses moves it to another pool; deleting every pool takes every address', async () => {
  await env.pool('default', { addresses: ['1.2.3.0/30'] });
  await env.pool('second', { addresses: ['4.5.6.0/30'] });
  await startController();
  await env.service('svc', { annotations: {} });
  await env.waitIps('svc', ['1.2.3.0']);
  await env.deletePool('default');
  await env.waitIps('svc', ['4.5.6.0']);
  assert.equal(await env.poolAnnotation('svc'), 'second');
  await env.deletePool('second');
  await env.waitIps('svc', []);
});

test('a legacy annotation draws a deprecatedAnnotation warning; the pool annotation is written with the address', async () => {
  await env.pool('legacy', { addresses: ['192.0.2.40/30'] });
  await startController();
  await env.service('old', { annotations: { 'metallb.universe.tf/address-pool': 'legacy' } });
  await env.waitIps('old', ['192.0.2.40']);
  await env.waitEvent('old', /^Warning deprecatedAnnotation Service uses deprecated annotation metallb.universe.tf\/address-pool$/);
  assert.equal(await env.poolAnnotation('old'), 'legacy');
});

test('a Service with a loadBalancerClass is left alone, unless a controller runs with that --lb-class', async () => {
  await env.pool('p', { addresses: ['192.0.2.48/30'] });
  await startController();
  await env.service('classed', { spec: { type: 'LoadBalancer', loadBalancerClass: 'other.io/lb', ports: [{ port: 80 }] } });
  await env.service('plain');
  await env.waitIps('plain', ['192.0.2.48']);
  await settled(ctl);
  assert.deepEqual(await env.ips('classed'), []);
  assert.deepEqual(await env.eventsOf('classed'), []);
  // Another installation, in its own namespace with its own pool, handles that class (as with MetalLB, two
  // installations must not share addresses: neither sees the other's Services).
  await env.namespace('other-system');
  await env.pool('other', { addresses: ['198.51.100.0/30'] }, {}, 'other-system');
  const other = await env.controller('controller-other', { namespace: 'other-system', loadBalancerClass: 'other.io/lb' });
  await settled(other);
  await env.waitIps('classed', ['198.51.100.0']);
  assert.deepEqual(await env.ips('plain'), ['192.0.2.48'], 'a Service of another class keeps what it has');
});

test('a failing Service produces one event with a series count, not a flood', async () => {
  await env.pool('tiny', { addresses: ['192.0.2.60/32'] });
  await startController();
  await env.service('holder');
  await env.waitIps('holder', ['192.0.2.60']);
  await env.service('starved');
  await env.waitEvent('starved', /AllocationFailed/);
  for (let i = 0; i < 20; i++) await env.patchService('starved', { metadata: { labels: { touch: String(i) } } });
  await settled(ctl);
  const list = (await env.events.listNamespacedEvent({ namespace: 'default' })).items.filter((e) => e.regarding?.name === 'starved');
  assert.equal(list.length, 1);
});
