// The handler rules around convergence (MetalLB's TestControllerConfig, TestDeleteRecyclesIP,
// TestControllerReassign, TestControllerDualStackConfig families) and the start-up order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerState } from './controller-state.js';
import { OfflineController } from './offline-controller.js';
import { startupOrder } from './startup-order.js';
import { config, pool } from '../../test/support/ipam.js';
import { ingressOf, service } from '../../test/support/services.js';

test('without a configuration nothing is done; with an empty one a pending Service stays untouched', () => {
  const state = new ControllerState();
  state.completeInitialLoad();
  const svc = service('test');
  assert.equal(state.reconcile('default/test', svc).outcome, 'waitingForConfig');
  state.setConfig(config());
  const empty = state.reconcile('default/test', svc);
  assert.deepEqual([empty.outcome, empty.changed, empty.events], ['error', false, []]);
  assert.equal(state.setConfig(config(pool('default', ['1.2.3.0/24']))), 'reprocessAll');
  const first = state.reconcile('default/test', svc);
  assert.deepEqual([first.outcome, first.changed, first.ingress], ['success', true, [{ ip: '1.2.3.0' }]]);
  state.setConfig(config());
  const withIp = service('test', { ingress: ['1.2.3.0'], annotations: { 'metallb.io/ip-allocated-from-pool': 'default' } });
  const cleared = state.reconcile('default/test', withIp);
  // The address belongs to no pool any more: nothing to hand to a pending Service, so no reprocess.
  assert.deepEqual([cleared.outcome, cleared.changed, cleared.ingress, cleared.allocatedFromPool], ['error', true, [], undefined]);
});

test('single Service events wait for the initial full reprocess', () => {
  const state = new ControllerState();
  state.setConfig(config(pool('default', ['1.2.3.0/24'])));
  assert.equal(state.reconcile('default/a', service('a')).outcome, 'waitingForInitialLoad');
  const { updates, retry } = state.reprocessAll([service('a')]);
  assert.deepEqual([updates.length, retry, state.initialLoadCompleted], [1, false, false]);
  state.completeInitialLoad();
  assert.equal(state.reconcile('default/b', service('b')).outcome, 'success');
});

test('deleting a Service that held an address asks for a reprocess; deleting one that held none does not', () => {
  const state = new ControllerState();
  state.setConfig(config(pool('default', ['1.2.3.0/32'])));
  state.completeInitialLoad();
  state.reconcile('default/a', service('a'));
  assert.equal(state.reconcile('default/b', service('b')).outcome, 'error');
  assert.equal(state.reconcile('default/a', undefined).outcome, 'reprocessAll');
  assert.equal(state.reconcile('default/zzz', undefined).outcome, 'success');
  assert.deepEqual(state.reconcile('default/b', service('b')).ingress, [{ ip: '1.2.3.0' }]);
});

test('a change of sharing key asks for a reprocess', () => {
  const state = new ControllerState();
  state.setConfig(config(pool('default', ['1.2.3.0/24'])));
  state.completeInitialLoad();
  assert.equal(state.reconcile('default/a', service('a')).outcome, 'success');
  const shared = service('a', { ingress: ['1.2.3.0'], annotations: { 'metallb.io/allow-shared-ip': 'k', 'metallb.io/ip-allocated-from-pool': 'default' } });
  assert.equal(state.reconcile('default/a', shared).outcome, 'reprocessAll');
  assert.equal(state.reconcile('default/a', shared).outcome, 'success');
});

test('a Service that gives back an address of a pool asks for a reprocess', () => {
  const state = new ControllerState();
  state.setConfig(config(pool('default', ['1.2.3.0/24'])));
  state.completeInitialLoad();
  state.reconcile('default/a', service('a'));
  const update = state.reconcile('default/a', service('a', { type: 'NodePort', ingress: ['1.2.3.0'], annotations: { 'metallb.io/ip-allocated-from-pool': 'default' } }));
  assert.deepEqual([update.outcome, update.changed, update.ingress], ['reprocessAll', true, []]);
});

test('a Service of another class is ignored, also in a full reprocess', () => {
  const state = new ControllerState();
  state.setConfig(config(pool('default', ['1.2.3.0/24'])));
  state.completeInitialLoad();
  const classy = service('c', { loadBalancerClass: 'x.io/lb' });
  assert.equal(state.reconcile('default/c', classy).outcome, 'ignored');
  assert.deepEqual(state.reprocessAll([classy]).updates, []);
});

test('a PreferDualStack Service gains IPv6 when its pool does, and a new dual pool does not move it', () => {
  const c = new OfflineController();
  c.setConfig(config(pool('default', ['1.2.3.0/24'])));
  c.upsert(service('pref', { clusterIPs: ['10.96.0.1', 'fd00::1'], policy: 'PreferDualStack' }));
  assert.deepEqual(ingressOf(c.service('default/pref')), ['1.2.3.0']);
  c.clearEvents();
  c.setConfig(config(pool('default', ['1.2.3.0/24', '1000::/127']), pool('dual', ['5.5.5.0/24', '2000::/127'])));
  assert.deepEqual(ingressOf(c.service('default/pref')), ['1.2.3.0', '1000::']);
  assert.deepEqual(c.events('default/pref')[0], { type: 'Normal', reason: 'IPAllocated', message: 'Assigned additional IP "1000::"' });
  c.setConfig(config(pool('default', ['1.2.3.0/24']), pool('dual', ['5.5.5.0/24', '2000::/127'])));
  // The pair no longer fits one pool: cleared, then a fresh pair from the dual pool.
  assert.deepEqual(ingressOf(c.service('default/pref')), ['5.5.5.0', '2000::']);
});

test('a RequireDualStack Service gets its pair once a dual pool exists', () => {
  const c = new OfflineController();
  c.setConfig(config());
  c.upsert(service('req', { clusterIPs: ['10.96.0.1', '1000::'], policy: 'RequireDualStack' }));
  assert.deepEqual(ingressOf(c.service('default/req')), []);
  c.setConfig(config(pool('default', ['1.2.3.0/24', '1000::1/127'])));
  assert.deepEqual(ingressOf(c.service('default/req')), ['1.2.3.0', '1000::']);
});

test('start-up order: more ingress entries first, then the oldest, then namespace/name', () => {
  const order = startupOrder([
    service('b/new', { created: '2024-01-02T00:00:00Z' }),
    service('a/none'),
    service('a/old', { created: '2024-01-01T00:00:00Z' }),
    service('z/one', { ingress: ['1.1.1.1'], created: '2025-01-01T00:00:00Z' }),
    service('y/two', { ingress: ['1.1.1.2', '1000::2'] }),
    service('a/one', { ingress: ['1.1.1.3'], created: '2025-01-01T00:00:00Z' }),
  ]).map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`);
  assert.deepEqual(order, ['y/two', 'a/one', 'z/one', 'a/old', 'b/new', 'a/none']);
});

test('pool statuses and allocator metrics follow the Services', () => {
  const c = new OfflineController();
  c.setConfig(config(pool('default', ['1.2.3.0/30', '1000::/126'])));
  c.upsert(service('a'));
  c.upsert(service('b', { clusterIPs: ['fd00::1'] }));
  assert.deepEqual(c.state.poolStatuses(), [{ name: 'default', counters: { assignedIPv4: 1n, availableIPv4: 3n, assignedIPv6: 1n, availableIPv6: 3n } }]);
  assert.equal(c.state.allocatorMetrics()[0]?.addressesInUseTotal, 2);
});
