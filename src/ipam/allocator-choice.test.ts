// Pool choice (metallb-behaviour.md §4.2): pinned pools by priority, the unpinned fallback, and the dual-stack
// policies (MetalLB's pinning, priority and dual-stack families).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Allocator } from './allocator.js';
import type { Pool } from '../config/types.js';
import type { AllocationSubject } from './allocation-subject.js';
import { ip, pool, subject, texts } from '../../test/support/ipam.js';

function allocate(pools: Pool[], s: AllocationSubject): string[] | string {
  const a = new Allocator();
  a.setPools(pools);
  const r = a.allocate(s);
  return r.ok ? [a.poolOf(s.key) as string, ...texts(r.value)] : r.failure.code;
}

const team = [{ matchLabels: { team: 'metallb' } }];
const controllerPools: Pool[] = [
  pool('pool1', ['1.2.3.0/31']),
  pool('pool2', ['3.4.5.6/32'], { autoAssign: false }),
  pool('pool3', ['1000::/127']),
  pool('pool5', ['1.2.3.2/31', '1000::2/127']),
  pool('pool6', ['7.8.9.0/31'], { namespaces: ['test-ns1'], priority: 10 }),
  pool('pool7', ['10.11.12.0/31'], { namespaces: ['test-ns1'], priority: 11 }),
  pool('pool8', ['13.14.15.0/31'], { serviceSelectors: team, priority: 9 }),
  pool('pool9', ['16.17.18.0/31'], { namespaces: ['test-ns2'] }),
  pool('pool10', ['19.20.21.0/31'], { serviceSelectors: team, priority: 8 }),
  pool('pool11', ['22.23.24.0/31'], { namespaces: ['test-ns1'], serviceSelectors: team, priority: 8 }),
  pool('pool12', ['25.26.27.0/31'], { namespaces: ['test-ns1'], serviceSelectors: team, priority: 5 }),
];

const choiceCases: { desc: string; s: AllocationSubject; want: string[] | string }[] = [
  { desc: 'a plain Service gets the first unpinned pool by name', s: subject('default/a'), want: ['pool1', '1.2.3.0'] },
  { desc: 'a namespace-pinned Service gets its lowest priority number first', s: subject('test-ns1/a'), want: ['pool6', '7.8.9.0'] },
  { desc: 'a pinned pool without priority is still tried before unpinned pools', s: subject('test-ns2/a'), want: ['pool9', '16.17.18.0'] },
  { desc: 'a label-pinned Service gets the best selector pool', s: subject('default/a', { labels: { team: 'metallb' } }), want: ['pool10', '19.20.21.0'] },
  { desc: 'namespace and label together reach the pool that needs both', s: subject('test-ns1/a', { labels: { team: 'metallb' } }), want: ['pool12', '25.26.27.0'] },
  { desc: 'an IPv6 Service skips IPv4-only pools', s: subject('default/a', { family: 'IPv6' }), want: ['pool3', '1000::'] },
  { desc: 'a dual-stack Service takes the first pool with both families', s: subject('default/a', { family: 'dual', ipFamilyPolicy: 'RequireDualStack' }), want: ['pool5', '1.2.3.2', '1000::2'] },
];

for (const c of choiceCases) {
  test(`pool choice: ${c.desc}`, () => assert.deepEqual(allocate(controllerPools, c.s), c.want));
}

test('priorities order pinned pools 1 < 20 < unset, ties broken by name', () => {
  const pools = [
    pool('a-unset', ['10.0.0.0/32'], { namespaces: ['ns'] }),
    pool('b-20', ['10.0.1.0/32'], { namespaces: ['ns'], priority: 20 }),
    pool('c-1', ['10.0.2.0/32'], { namespaces: ['ns'], priority: 1 }),
    pool('d-20', ['10.0.3.0/32'], { namespaces: ['ns'], priority: 20 }),
    pool('e-free', ['10.0.4.0/32']),
  ];
  const a = new Allocator();
  a.setPools(pools);
  const order = ['s1', 's2', 's3', 's4', 's5'].map((k) => {
    const r = a.allocate(subject(`ns/${k}`));
    return r.ok ? a.poolOf(`ns/${k}`) : r.failure.code;
  });
  assert.deepEqual(order, ['c-1', 'b-20', 'd-20', 'a-unset', 'e-free']);
});

test('a pool with serviceAllocation is never the fallback for Services it does not pin', () => {
  const pools = [pool('only-ns', ['10.0.0.0/30'], { namespaces: ['a'] })];
  assert.equal(allocate(pools, subject('b/svc')), 'noAvailableIps');
  assert.deepEqual(allocate(pools, subject('a/svc')), ['only-ns', '10.0.0.0']);
});

test('a priority-only serviceAllocation pins every Service ahead of the unpinned pools', () => {
  const pools = [pool('a-free', ['10.0.0.0/30']), pool('b-prio', ['10.1.0.0/30'], { priority: 3 })];
  assert.deepEqual(allocate(pools, subject('any/svc')), ['b-prio', '10.1.0.0']);
});

test('a pool whose namespace selectors matched nothing is used only by explicit request, from any namespace', () => {
  // config resolves namespaceSelectors to an empty set and adds no selector: not pinned, not a fallback.
  const p: Pool = { ...pool('p', ['10.0.0.0/30']), serviceAllocation: { priority: 0, namespaces: new Set(), serviceSelectors: [] } };
  const a = new Allocator();
  a.setPools([p]);
  assert.equal(a.allocate(subject('x/svc')).ok, false);
  assert.ok(a.assign(subject('y/svc'), [ip('10.0.0.2')]).ok);
  assert.ok(a.allocateFromPool(subject('z/svc'), 'p').ok);
});

test('pinned pools that are full fall back to the unpinned ones', () => {
  const pools = [pool('pinned', ['10.0.0.0/32'], { namespaces: ['ns'], priority: 1 }), pool('z-free', ['10.9.0.0/30'])];
  const a = new Allocator();
  a.setPools(pools);
  a.allocate(subject('ns/s1'));
  const r = a.allocate(subject('ns/s2'));
  assert.ok(r.ok);
  assert.deepEqual([a.poolOf('ns/s1'), a.poolOf('ns/s2')], ['pinned', 'z-free']);
});

const prefer = (o: Partial<AllocationSubject> = {}): AllocationSubject =>
  subject('default/a', { family: 'dual', ipFamilyPolicy: 'PreferDualStack', ...o });

const dualCases: { desc: string; pools: Pool[]; s: AllocationSubject; want: string[] | string }[] = [
  { desc: 'PreferDualStack takes both families from a dual pool', pools: [pool('d', ['1.2.3.0/31', '1000::/127'])], s: prefer(), want: ['d', '1.2.3.0', '1000::'] },
  { desc: 'PreferDualStack falls back to the IPv4 pool first', pools: [pool('v6', ['1000::/127']), pool('v4', ['1.2.3.0/31'])], s: prefer(), want: ['v4', '1.2.3.0'] },
  { desc: 'PreferDualStack with ipFamilies [IPv6, IPv4] falls back to the IPv6 pool', pools: [pool('v4', ['1.2.3.0/31']), pool('v6', ['1000::/127'])], s: prefer({ primaryFamily: 'IPv6' }), want: ['v6', '1000::'] },
  { desc: 'PreferDualStack with only an IPv6 pool takes IPv6', pools: [pool('v6', ['1000::/127'])], s: prefer(), want: ['v6', '1000::'] },
  { desc: 'PreferDualStack prefers a dual pool even after single-family pools', pools: [pool('a-v4', ['1.2.3.0/31']), pool('b-dual', ['4.4.4.0/31', '1000::/127'])], s: prefer(), want: ['b-dual', '4.4.4.0', '1000::'] },
  { desc: 'RequireDualStack fails with single-family pools only', pools: [pool('v4', ['1.2.3.0/31']), pool('v6', ['1000::/127'])], s: prefer({ ipFamilyPolicy: 'RequireDualStack' }), want: 'noAvailableIps' },
  { desc: 'an IPv4 Service takes only IPv4 from a dual pool', pools: [pool('d', ['1.2.3.0/31', '1000::/127'])], s: subject('default/a'), want: ['d', '1.2.3.0'] },
  { desc: 'an IPv6 Service takes only IPv6 from a dual pool', pools: [pool('d', ['1.2.3.0/31', '1000::/127'])], s: subject('default/a', { family: 'IPv6' }), want: ['d', '1000::'] },
];

for (const c of dualCases) {
  test(`dual-stack: ${c.desc}`, () => assert.deepEqual(allocate(c.pools, c.s), c.want));
}

test('a PreferDualStack Service holding one address gets the other family from the same pool', () => {
  const a = new Allocator();
  a.setPools([pool('v4only', ['1.2.3.0/31']), pool('d', ['4.4.4.0/31', '1000::/127'])]);
  const s = prefer();
  assert.ok(a.assign(s, [ip('4.4.4.1')]).ok);
  const extra = a.allocateAdditionalFamily(s, ip('4.4.4.1'), 'd');
  assert.ok(extra.ok);
  assert.deepEqual(texts(a.ipsOf(s.key)), ['4.4.4.1', '1000::']);
  const other = subject('default/b', { family: 'dual', ipFamilyPolicy: 'PreferDualStack' });
  assert.ok(a.assign(other, [ip('1.2.3.0')]).ok);
  const r = a.allocateAdditionalFamily(other, ip('1.2.3.0'), 'v4only');
  assert.ok(!r.ok);
  assert.equal(r.failure.message, '["1.2.3.0" "<nil>"] is not allowed in config');
  assert.deepEqual(texts(a.ipsOf(other.key)), ['1.2.3.0']);
});
