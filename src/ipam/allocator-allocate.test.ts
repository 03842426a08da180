// Automatic allocation (MetalLB's TestPoolAllocation, TestAllocation, TestBuggyIPs, TestAutoAssign families):
// lowest free address first, exhaustion, release and re-grab, sharing to fit one more, per family and dual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Allocator } from './allocator.js';
import type { AllocationSubject } from './allocation-subject.js';
import { ips, pool, ports, subject, texts } from '../../test/support/ipam.js';
import { runSteps, type Step } from '../../test/support/scenario.js';

function allocatorWith(...pools: Parameters<Allocator['setPools']>[0][]): Allocator {
  const a = new Allocator();
  a.setPools(pools.flat() as never);
  return a;
}

const v4 = (key: string, o: Partial<AllocationSubject> = {}): AllocationSubject => subject(key, o);
const v6 = (key: string, o: Partial<AllocationSubject> = {}): AllocationSubject => subject(key, { family: 'IPv6', ...o });
const dual = (key: string, o: Partial<AllocationSubject> = {}): AllocationSubject =>
  subject(key, { family: 'dual', ipFamilyPolicy: 'RequireDualStack', ...o });

test('allocating from a named pool exhausts it, then re-grabs released addresses, then fits one more by sharing', async (t) => {
  const a = allocatorWith([pool('test', ['1.2.3.4/31', '1.2.3.10/31', '1000::4/127', '1000::10/127']), pool('other', ['5.5.5.0/24'])]);
  const steps: Step<Allocator>[] = [
    { desc: 's1 gets the first address', run: (x) => x.allocateFromPool(v4('s1'), 'test'), want: ['1.2.3.4'] },
    { desc: 's2 gets the second', run: (x) => x.allocateFromPool(v4('s2'), 'test'), want: ['1.2.3.5'] },
    { desc: 's3 moves on to the second CIDR', run: (x) => x.allocateFromPool(v4('s3'), 'test'), want: ['1.2.3.10'] },
    { desc: 's4 gets the last address', run: (x) => x.allocateFromPool(v4('s4'), 'test'), want: ['1.2.3.11'] },
    { desc: 's5 finds no IPv4 left (MetalLB then tries to assign a nil address)', run: (x) => x.allocateFromPool(v4('s5'), 'test'), want: 'notInConfig',
      message: '["<nil>"] is not allowed in config' },
    { desc: 's2 releases and s5 gets its address', run: (x) => { x.unassign('s2'); return x.allocateFromPool(v4('s5'), 'test'); }, want: ['1.2.3.5'] },
    { desc: 's6 with a sharing key still finds nothing', run: (x) => x.allocateFromPool(v4('s6', { sharingKey: 'share', ports: ports('tcp/80') }), 'test'), want: 'notInConfig' },
    { desc: 's3 enables sharing', run: (x) => x.assign(v4('s3', { sharingKey: 'share', ports: ports('tcp/443') }), ips('1.2.3.10')), want: ['1.2.3.10'] },
    { desc: 's6 now shares s3 address', run: (x) => x.allocateFromPool(v4('s6', { sharingKey: 'share', ports: ports('tcp/80') }), 'test'), want: ['1.2.3.10'] },
    { desc: 's7 on the same port cannot share', run: (x) => x.allocateFromPool(v4('s7', { sharingKey: 'share', ports: ports('tcp/80') }), 'test'), want: 'notInConfig' },
    { desc: 'an unknown pool is an error', run: (x) => x.allocateFromPool(v4('s8'), 'nope'), want: 'unknownPool', message: 'unknown pool "nope"' },
    { desc: 'IPv6 Services fill the IPv6 CIDRs the same way', run: (x) => { for (const k of ['v1', 'v2', 'v3']) x.allocateFromPool(v6(k), 'test'); return x.allocateFromPool(v6('v4'), 'test'); }, want: ['1000::11'] },
    { desc: 'a dual-stack Service finds the pool full', run: (x) => x.allocateFromPool(dual('d1'), 'test'), want: 'noAvailableIpsInPool',
      message: 'no available IPs in pool test' },
    { desc: 'with only an IPv4 address free a RequireDualStack Service still fails', run: (x) => { x.unassign('s1'); return x.allocateFromPool(dual('d1'), 'test'); }, want: 'noIpForFamily',
      message: 'no available IPs in pool test for dual IPFamily' },
    { desc: 'an IPv6 release completes the pair, IPv4 first', run: (x) => { x.unassign('v2'); return x.allocateFromPool(dual('d1'), 'test'); }, want: ['1.2.3.4', '1000::5'] },
  ];
  await runSteps(t, a, steps);
});

test('a named pool with only IPv6 left fails an IPv4 Service the way MetalLB does (a nil address)', () => {
  const a = allocatorWith([pool('mixed', ['1.2.3.0/32', '1000::/127'])]);
  a.allocateFromPool(v4('s1'), 'mixed');
  const r = a.allocateFromPool(v4('s2'), 'mixed');
  assert.ok(!r.ok);
  assert.equal(r.failure.message, '["<nil>"] is not allowed in config');
});

test('automatic allocation walks the pools in name order, exhausts them, and re-grabs a released address', async (t) => {
  const a = allocatorWith([pool('test2', ['1.2.3.10/31', '1000::10/127']), pool('test1', ['1.2.3.4/31', '1000::4/127'])]);
  const steps: Step<Allocator>[] = [
    { desc: 's1 gets the lowest address of the first pool by name', run: (x) => x.allocate(v4('s1')), want: ['1.2.3.4'] },
    { desc: 's2', run: (x) => x.allocate(v4('s2')), want: ['1.2.3.5'] },
    { desc: 's3 spills into the next pool', run: (x) => x.allocate(v4('s3')), want: ['1.2.3.10'] },
    { desc: 's4', run: (x) => x.allocate(v4('s4')), want: ['1.2.3.11'] },
    { desc: 's5 finds no address', run: (x) => x.allocate(v4('s5')), want: 'noAvailableIps', message: 'no available IPs' },
    { desc: 's1 asking again keeps its address', run: (x) => x.allocate(v4('s1')), want: ['1.2.3.4'] },
    { desc: 's3 releases and s5 gets its address', run: (x) => { x.unassign('s3'); return x.allocate(v4('s5')); }, want: ['1.2.3.10'] },
    { desc: 'sharing services join the lowest compatible address', run: (x) => {
      x.unassign('s2');
      x.allocate(v4('s2', { sharingKey: 'k', ports: ports('tcp/80') }));
      return x.allocate(v4('s6', { sharingKey: 'k', ports: ports('tcp/443') }));
    }, want: ['1.2.3.5'] },
    { desc: 'IPv6 Services fill both pools', run: (x) => { x.allocate(v6('v1')); x.allocate(v6('v2')); x.allocate(v6('v3')); return x.allocate(v6('v4')); }, want: ['1000::11'] },
    { desc: 'a fifth IPv6 Service finds none', run: (x) => x.allocate(v6('v5')), want: 'noAvailableIps' },
    { desc: 'a dual-stack Service finds no pool with both families free', run: (x) => x.allocate(dual('d1')), want: 'noAvailableIps' },
    { desc: 'freeing one of each family in one pool lets it in', run: (x) => { x.unassign('s5'); x.unassign('v3'); return x.allocate(dual('d1')); }, want: ['1.2.3.10', '1000::10'] },
  ];
  await runSteps(t, a, steps);
});

test('avoidBuggyIPs pools never hand out .0 or .255: six of eight addresses, then none', () => {
  const a = allocatorWith([
    pool('a', ['1.2.3.0/31']), pool('b', ['1.2.3.254/31']),
    pool('c', ['1.2.4.0/31'], { avoidBuggyIPs: true }), pool('d', ['1.2.4.254/31'], { avoidBuggyIPs: true }),
  ]);
  const got: string[] = [];
  for (let i = 0; i < 7; i++) {
    const r = a.allocate(v4(`s${i}`));
    if (r.ok) got.push(...texts(r.value));
  }
  assert.deepEqual(got.sort(), ['1.2.3.0', '1.2.3.1', '1.2.3.254', '1.2.3.255', '1.2.4.1', '1.2.4.254']);
});

test('autoAssign false pools are never used automatically, for any family', () => {
  const a = allocatorWith([pool('manual', ['1.2.3.0/30', '1000::/126'], { autoAssign: false })]);
  for (const s of [v4('s1'), v6('s2'), dual('s3'), dual('s4', { ipFamilyPolicy: 'PreferDualStack' })]) {
    const r = a.allocate(s);
    assert.ok(!r.ok && r.failure.code === 'noAvailableIps', s.key);
  }
  assert.deepEqual(texts(a.allocateFromPool(v4('s5'), 'manual').ok ? a.ipsOf('s5') : []), ['1.2.3.0']);
  assert.ok(a.assign(v6('s6'), [{ family: 'IPv6', value: 0x1000n << 112n | 3n }]).ok);
});

test('an autoAssign false pool is skipped while an automatic one serves', () => {
  const a = allocatorWith([pool('a-manual', ['1.2.3.0/30'], { autoAssign: false }), pool('b-auto', ['4.5.6.0/30'])]);
  const r = a.allocate(v4('s1'));
  assert.ok(r.ok);
  assert.deepEqual(texts(r.value), ['4.5.6.0']);
  assert.equal(a.poolOf('s1'), 'b-auto');
});
