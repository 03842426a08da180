// The black-box acceptance cases of metallb-behaviour.md §4.5 (1-16), run through the offline controller:
// Services in, Service status, annotations and events out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from '../config/types.js';
import { parseIp, rangeToCidrs } from '../lib/ip.js';
import { OfflineController } from './offline-controller.js';
import type { ServiceEvent } from './service-event.js';
import { config, pool } from '../../test/support/ipam.js';
import { ingressOf, poolAnnotationOf, service } from '../../test/support/services.js';

const info = (reason: string, message: string): ServiceEvent => ({ type: 'Normal', reason, message });
const warn = (reason: string, message: string): ServiceEvent => ({ type: 'Warning', reason, message });

function started(...pools: Pool[]): OfflineController {
  const c = new OfflineController();
  c.setConfig(config(...pools));
  return c;
}

test('1. a /31 serves two Services, the third waits, and gets the first address when it is deleted', () => {
  const c = started(pool('default', ['1.2.3.0/31']));
  for (const name of ['a', 'b', 'c']) c.upsert(service(name));
  assert.deepEqual([ingressOf(c.service('default/a')), ingressOf(c.service('default/b')), ingressOf(c.service('default/c'))], [['1.2.3.0'], ['1.2.3.1'], []]);
  assert.deepEqual(c.events('default/c'), [warn('AllocationFailed', 'Failed to allocate IP for "default/c": no available IPs')]);
  c.delete('default/a');
  assert.deepEqual(ingressOf(c.service('default/c')), ['1.2.3.0']);
  assert.deepEqual(c.events('default/c').at(-1), info('IPAllocated', 'Assigned IP ["1.2.3.0"]'));
  assert.deepEqual(c.events('default/b'), [info('IPAllocated', 'Assigned IP ["1.2.3.1"]')]);
});

test('2. a range pool 192.168.1.240-192.168.1.250 is three CIDRs and hands out .240 first, eleven in all', () => {
  const cidrs = rangeToCidrs(parseIp('192.168.1.240')!, parseIp('192.168.1.250')!);
  assert.equal(cidrs.length, 3);
  const c = started({ ...pool('range', []), cidrs });
  for (let i = 0; i < 12; i++) c.upsert(service(`s${String(i).padStart(2, '0')}`));
  assert.deepEqual(ingressOf(c.service('default/s00')), ['192.168.1.240']);
  assert.deepEqual(ingressOf(c.service('default/s10')), ['192.168.1.250']);
  assert.deepEqual(ingressOf(c.service('default/s11')), []);
});

test('3. an avoidBuggyIPs pool never hands out .0 or .255, and refuses them when asked', () => {
  const c = started(pool('buggy', ['1.2.4.0/24'], { avoidBuggyIPs: true }));
  c.upsert(service('first'));
  assert.deepEqual(ingressOf(c.service('default/first')), ['1.2.4.1']);
  for (const [name, ip] of [['zero', '1.2.4.0'], ['top', '1.2.4.255']] as const) {
    c.upsert(service(name, { loadBalancerIP: ip }));
    assert.deepEqual(ingressOf(c.service(`default/${name}`)), []);
    assert.deepEqual(c.events(`default/${name}`), [warn('AllocationFailed', `Failed to allocate IP for "default/${name}": ["${ip}"] is not allowed in config`)]);
  }
});

test('4. an autoAssign false pool serves the address-pool annotation and explicit IPs only', () => {
  const c = started(pool('manual', ['10.0.0.0/30'], { autoAssign: false }));
  c.upsert(service('auto'));
  c.upsert(service('by-pool', { annotations: { 'metallb.io/address-pool': 'manual' } }));
  c.upsert(service('by-ip', { loadBalancerIP: '10.0.0.3' }));
  assert.deepEqual(ingressOf(c.service('default/auto')), []);
  assert.deepEqual(c.events('default/auto'), [warn('AllocationFailed', 'Failed to allocate IP for "default/auto": no available IPs')]);
  assert.deepEqual(ingressOf(c.service('default/by-pool')), ['10.0.0.0']);
  assert.deepEqual(ingressOf(c.service('default/by-ip')), ['10.0.0.3']);
});

test('5. TCP/53 and UDP/53 share one address under one key; a port clash or another key cannot join', () => {
  const c = started(pool('default', ['1.2.3.0/24']));
  const shared = { 'metallb.io/allow-shared-ip': 'dns', 'metallb.io/loadBalancerIPs': '1.2.3.10' };
  c.upsert(service('dns-tcp', { annotations: shared, ports: ['tcp/53'] }));
  c.upsert(service('dns-udp', { annotations: shared, ports: ['udp/53'] }));
  assert.deepEqual([ingressOf(c.service('default/dns-tcp')), ingressOf(c.service('default/dns-udp'))], [['1.2.3.10'], ['1.2.3.10']]);
  c.clearEvents();
  c.upsert({ ...c.service('default/dns-udp')!, spec: { ...c.service('default/dns-udp')!.spec, ports: [{ protocol: 'TCP', port: 53 }] } });
  assert.deepEqual(ingressOf(c.service('default/dns-udp')), []);
  const failed = warn('AllocationFailed', 'Failed to allocate IP for "default/dns-udp": port TCP/53 is already in use on "1.2.3.10"');
  // Losing its allocation changed its allocation key: MetalLB reprocesses everything, and it fails once more.
  assert.deepEqual(c.events('default/dns-udp'), [
    info('ClearAssignment', 'current IP for "default/dns-udp" not allowed by config, will attempt for new IP assignment: port TCP/53 is already in use on "1.2.3.10"'),
    failed, failed,
  ]);
  c.upsert(service('other-key', { annotations: { 'metallb.io/allow-shared-ip': 'web', 'metallb.io/loadBalancerIPs': '1.2.3.10' }, ports: ['tcp/80'] }));
  assert.deepEqual(c.events('default/other-key'), [
    warn('AllocationFailed', `Failed to allocate IP for "default/other-key": can't change sharing key for "default/other-key", address also in use by default/dns-tcp`),
  ]);
});

test('6. externalTrafficPolicy Local Services share only with identical selectors, and never with Cluster ones', () => {
  const c = started(pool('default', ['1.2.3.0/24']));
  const local = (name: string, app: string, port: string, etp: 'Local' | 'Cluster' = 'Local') => service(name, {
    annotations: { 'metallb.io/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '1.2.3.7' },
    externalTrafficPolicy: etp, selector: { app, tier: 'front' }, ports: [port],
  });
  c.upsert(local('a', 'x', 'tcp/80'));
  c.upsert(local('b', 'x', 'tcp/443'));
  c.upsert(local('c', 'y', 'tcp/8080'));
  c.upsert(local('d', 'x', 'tcp/8443', 'Cluster'));
  assert.deepEqual(['a', 'b', 'c', 'd'].map((n) => ingressOf(c.service(`default/${n}`))), [['1.2.3.7'], ['1.2.3.7'], [], []]);
  assert.equal(c.events('default/c')[0]?.reason, 'AllocationFailed');
});

test('7. spec.loadBalancerIP with the loadBalancerIPs annotation gets nothing and a warning', () => {
  const c = started(pool('default', ['1.2.3.0/24']));
  c.upsert(service('both', { loadBalancerIP: '1.2.3.1', annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.2' } }));
  assert.deepEqual(ingressOf(c.service('default/both')), []);
  assert.deepEqual(c.events('default/both'), [warn('AllocationFailed', 'Failed to allocate IP for "default/both": service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP')]);
});

test('8. a requested IP from another pool than the address-pool annotation names is refused', () => {
  const c = started(pool('a', ['1.2.3.0/24']), pool('b', ['4.5.6.0/24']));
  c.upsert(service('x', { loadBalancerIP: '1.2.3.5', annotations: { 'metallb.io/address-pool': 'b' } }));
  assert.deepEqual(ingressOf(c.service('default/x')), []);
  assert.deepEqual(c.events('default/x'), [warn('AllocationFailed', 'Failed to allocate IP for "default/x": requested loadBalancer IP(s) ["1.2.3.5"] is not compatible with requested address pool b')]);
});

test('9. an IPv6-only Service takes only IPv6 from a dual pool; RequireDualStack takes IPv4 then IPv6', () => {
  const c = started(pool('dual', ['10.0.0.0/24', 'fd00:1::/120']));
  c.upsert(service('v6', { clusterIPs: ['fd00::10'] }));
  c.upsert(service('both', { clusterIPs: ['fd00::11', '10.96.0.11'], ipFamilies: ['IPv6', 'IPv4'], policy: 'RequireDualStack' }));
  assert.deepEqual(ingressOf(c.service('default/v6')), ['fd00:1::']);
  assert.deepEqual(ingressOf(c.service('default/both')), ['10.0.0.0', 'fd00:1::1']);
});

test('10. PreferDualStack with ipFamilies [IPv6, IPv4] and single-family pools takes the IPv6 pool', () => {
  const c = started(pool('a-v4', ['10.0.0.0/24']), pool('b-v6', ['fd00:1::/120']));
  c.upsert(service('pref', { clusterIPs: ['fd00::10', '10.96.0.10'], ipFamilies: ['IPv6', 'IPv4'], policy: 'PreferDualStack' }));
  assert.deepEqual(ingressOf(c.service('default/pref')), ['fd00:1::']);
  assert.equal(poolAnnotationOf(c.service('default/pref')), 'b-v6');
});

test('11. a namespace-restricted pool skips other namespaces; priorities 1 < 20 < unset', () => {
  const c = started(
    pool('only-a', ['10.1.0.0/32'], { namespaces: ['a'] }),
    pool('p20', ['10.20.0.0/32'], { namespaces: ['ns'], priority: 20 }),
    pool('p1', ['10.0.1.0/32'], { namespaces: ['ns'], priority: 1 }),
    pool('unset', ['10.99.0.0/32'], { namespaces: ['ns'] }),
  );
  c.upsert(service('b/svc'));
  assert.deepEqual(ingressOf(c.service('b/svc')), []);
  for (const n of ['s1', 's2', 's3']) c.upsert(service(`ns/${n}`));
  assert.deepEqual(['s1', 's2', 's3'].map((n) => poolAnnotationOf(c.service(`ns/${n}`))), ['p1', 'p20', 'unset']);
});

test('12. deleting the pool a Service uses moves it to another pool', () => {
  const c = started(pool('default', ['1.2.3.0/24', '1000::1/127']));
  c.upsert(service('test'));
  assert.deepEqual(ingressOf(c.service('default/test')), ['1.2.3.0']);
  c.setConfig(config(pool('default', ['1.2.3.0/24', '1000::1/127']), pool('second', ['4.5.6.0/24'])));
  assert.deepEqual(ingressOf(c.service('default/test')), ['1.2.3.0']);
  c.clearEvents();
  c.setConfig(config(pool('second', ['4.5.6.0/24'])));
  assert.deepEqual(ingressOf(c.service('default/test')), ['4.5.6.0']);
  assert.equal(poolAnnotationOf(c.service('default/test')), 'second');
  assert.deepEqual(c.events('default/test'), [
    info('ClearAssignment', 'current IP for "default/test" not allowed by config, will attempt for new IP assignment: ["1.2.3.0"] is not allowed in config'),
    info('IPAllocated', 'Assigned IP ["4.5.6.0"]'),
  ]);
});

test('13. deleting every pool takes every address away', () => {
  const c = started(pool('default', ['1.2.3.0/24']));
  c.upsert(service('a'));
  c.upsert(service('b'));
  c.setConfig(config());
  assert.deepEqual([ingressOf(c.service('default/a')), ingressOf(c.service('default/b'))], [[], []]);
  assert.equal(poolAnnotationOf(c.service('default/a')), undefined);
});

test('14. a restart with more Services than addresses keeps every existing assignment', () => {
  const c = new OfflineController();
  c.load([
    service('aaa-pending', { created: '2020-01-01T00:00:00Z' }),
    service('zzz-holder', { ingress: ['1.2.3.1'], created: '2024-01-01T00:00:00Z' }),
    service('mmm-holder', { ingress: ['1.2.3.0'], created: '2024-01-02T00:00:00Z' }),
    service('bbb-pending', { created: '2019-01-01T00:00:00Z' }),
  ]);
  c.setConfig(config(pool('default', ['1.2.3.0/31'])));
  assert.deepEqual(ingressOf(c.service('default/zzz-holder')), ['1.2.3.1']);
  assert.deepEqual(ingressOf(c.service('default/mmm-holder')), ['1.2.3.0']);
  assert.deepEqual([ingressOf(c.service('default/aaa-pending')), ingressOf(c.service('default/bbb-pending'))], [[], []]);
  assert.equal(c.events('default/aaa-pending')[0]?.reason, 'AllocationFailed');
});

test('15. a deprecated annotation works, warns, and the pool annotation names the pool', () => {
  const c = started(pool('default', ['1.2.3.0/24']), pool('special', ['5.5.5.0/24']));
  c.upsert(service('old', { annotations: { 'metallb.universe.tf/address-pool': 'special', 'metallb.universe.tf/allow-shared-ip': 'k' } }));
  assert.deepEqual(ingressOf(c.service('default/old')), ['5.5.5.0']);
  assert.equal(poolAnnotationOf(c.service('default/old')), 'special');
  assert.deepEqual(c.events('default/old'), [
    info('IPAllocated', 'Assigned IP ["5.5.5.0"]'),
    warn('deprecatedAnnotation', 'Service uses deprecated annotation metallb.universe.tf/address-pool'),
    warn('deprecatedAnnotation', 'Service uses deprecated annotation metallb.universe.tf/allow-shared-ip'),
  ]);
});

test('16. a Service with a loadBalancerClass is ignored by default, and served by a controller of that class', () => {
  const c = started(pool('default', ['1.2.3.0/24']));
  c.upsert(service('classy', { loadBalancerClass: 'other.io/lb' }));
  assert.deepEqual(ingressOf(c.service('default/classy')), []);
  assert.deepEqual(c.events('default/classy'), []);
  const own = new OfflineController({ loadBalancerClass: 'other.io/lb' });
  own.setConfig(config(pool('default', ['1.2.3.0/24'])));
  own.upsert(service('classy', { loadBalancerClass: 'other.io/lb' }));
  own.upsert(service('plain'));
  assert.deepEqual([ingressOf(own.service('default/classy')), ingressOf(own.service('default/plain'))], [['1.2.3.0'], []]);
});
