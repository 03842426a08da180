// `plan`: the start-up the controller would run, its JSON and table output, and that planning its own output
// changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plan, plannedServices } from './plan.js';
import { planToJson, planToTable } from './plan-output.js';
import { config, pool } from '../../test/support/ipam.js';
import { poolsArb, serviceArb } from '../../test/support/ipam-arbitraries.js';
import { service } from '../../test/support/services.js';

test('the JSON output has the documented shape', () => {
  const p = plan({ config: config(pool('default', ['192.168.10.0/24'])), services: [service('web')] });
  assert.equal(planToJson(p), JSON.stringify({
    services: [{ namespace: 'default', name: 'web', ips: ['192.168.10.0'], pool: 'default', change: 'new',
      events: [{ type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.168.10.0"]' }] }],
    pools: [{ name: 'default', assignedIPv4: 1, availableIPv4: 255, assignedIPv6: 0, availableIPv6: 0 }],
  }));
});

test('a Service without an address has no IPs, a null pool and a warning that says why', () => {
  const p = plan({ config: config(pool('tiny', ['10.0.0.0/32'])), services: [service('a'), service('b')] });
  assert.deepEqual(p.services[1], {
    namespace: 'default', name: 'b', ips: [], pool: null, change: 'kept',
    events: [{ type: 'Warning', reason: 'AllocationFailed', message: 'Failed to allocate IP for "default/b": no available IPs' }],
  });
});

test('a pool edit is previewed as kept, new, changed and removed against the current ingress', () => {
  const services = [
    service('keeps', { ingress: ['10.0.0.1'], annotations: { 'metallb.io/ip-allocated-from-pool': 'a' } }),
    service('moves', { ingress: ['10.0.1.5'], annotations: { 'metallb.io/ip-allocated-from-pool': 'b' } }),
    service('loses', { ingress: ['10.0.1.6'], annotations: { 'metallb.io/address-pool': 'b', 'metallb.io/ip-allocated-from-pool': 'b' } }),
    service('arrives'),
    service('np', { type: 'NodePort' }),
    service('other-class', { loadBalancerClass: 'x.io/lb' }),
  ];
  // Pool b is being deleted.
  const p = plan({ config: config(pool('a', ['10.0.0.0/24'])), services });
  assert.deepEqual(p.services.map((s) => [s.name, s.change, s.ips.join(','), s.pool]), [
    ['arrives', 'new', '10.0.0.2', 'a'],
    ['keeps', 'kept', '10.0.0.1', 'a'],
    ['loses', 'removed', '', null],
    ['moves', 'changed', '10.0.0.0', 'a'],
  ]);
  assert.deepEqual(p.services.find((s) => s.name === 'loses')?.events.map((e) => e.reason), ['ClearAssignment', 'AllocationFailed']);
  assert.equal(p.settled, true);
});

test('Services holding addresses keep them even when older pending Services come first by name', () => {
  const p = plan({
    config: config(pool('p', ['10.0.0.0/31'])),
    services: [service('a-old', { created: '2001-01-01T00:00:00Z' }), service('z-holder', { ingress: ['10.0.0.0'] }), service('y-holder', { ingress: ['10.0.0.1'] })],
  });
  assert.deepEqual(p.services.map((s) => [s.name, s.ips.join(',')]), [['a-old', ''], ['y-holder', '10.0.0.1'], ['z-holder', '10.0.0.0']]);
});

test('pool counts are exact integers in JSON, MaxInt64 included', () => {
  const p = plan({ config: config(pool('big', ['2001:db8::/64'])), services: [service('v6', { clusterIPs: ['fd00::1'] })] });
  assert.match(planToJson(p), /"pools":\[\{"name":"big","assignedIPv4":0,"availableIPv4":0,"assignedIPv6":1,"availableIPv6":9223372036854775806\}\]/);
});

test('the table shows every Service, why one has no address, and the pools', () => {
  const p = plan({ config: config(pool('tiny', ['10.0.0.0/32'])), services: [service('a'), service('b')] });
  assert.equal(planToTable(p), [
    'NAMESPACE  NAME  CHANGE  POOL  IPS',
    'default    a     new     tiny  10.0.0.0',
    'default    b     kept    -     <none>',
    '    Warning AllocationFailed: Failed to allocate IP for "default/b": no available IPs',
    '',
    'POOL  ASSIGNED IPV4  AVAILABLE IPV4  ASSIGNED IPV6  AVAILABLE IPV6',
    'tiny  1              0               0              0',
    '',
    '2 services: 1 kept, 1 new, 0 changed, 0 removed; 1 without an address',
    '',
  ].join('\n'));
});

test('plan on its own output changes nothing', () => {
  fc.assert(fc.property(poolsArb, fc.array(serviceArb, { maxLength: 16 }), (pools, services) => {
    const cfg = config(...pools);
    const once = plannedServices({ config: cfg, services });
    const again = plan({ config: cfg, services: once });
    for (const s of again.services) assert.equal(s.change, 'kept', `${s.namespace}/${s.name}: ${s.change}`);
    assert.deepEqual(plannedServices({ config: cfg, services: once }), once);
  }), { numRuns: 200 });
});
