// Properties of the allocator over random pools, Services and edit sequences: it answers exactly as MetalLB's
// walk-from-the-first-address algorithm (test/support/naive-allocator.ts), no address is held by two Services
// unless the sharing rules allow it, and every address lies in its pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pool } from '../config/types.js';
import { cidrContains, formatIp, isBuggyIp, type IpAddress } from '../lib/ip.js';
import { Allocator } from './allocator.js';
import type { AllocationSubject, IpFamilyPolicy, ServiceFamily } from './allocation-subject.js';
import type { AllocationResult } from './allocation-failure.js';
import { NaiveAllocator } from '../../test/support/naive-allocator.js';
import { cidr, pool, ports } from '../../test/support/ipam.js';

// Disjoint CIDRs to deal into pools: small ones, ones that end on .255 or start on .0, and a /23.
const cidrPool = ['10.0.0.0/29', '10.0.0.248/29', '10.0.1.0/30', '10.0.2.0/23', '10.0.4.255/32', '10.0.5.0/32',
  '1000::/126', '1000::1:0/125', '1000::2:0/127'];

const poolsArb: fc.Arbitrary<Pool[]> = fc.tuple(
  fc.array(fc.integer({ min: -1, max: 2 }), { minLength: cidrPool.length, maxLength: cidrPool.length }),
  fc.array(fc.record({ autoAssign: fc.boolean(), avoidBuggyIPs: fc.boolean(), restrict: fc.constantFrom('none', 'ns', 'label', 'prio'), priority: fc.integer({ min: 0, max: 3 }) }), { minLength: 3, maxLength: 3 }),
).map(([owners, opts]) => opts.flatMap((o, i) => {
  const cidrs = cidrPool.filter((_, j) => owners[j] === i);
  if (cidrs.length === 0) return [];
  const restriction = o.restrict === 'ns' ? { namespaces: ['a'], priority: o.priority }
    : o.restrict === 'label' ? { serviceSelectors: [{ matchLabels: { team: 'x' } }], priority: o.priority }
      : o.restrict === 'prio' ? { priority: o.priority } : {};
  return [pool(`p${i}`, cidrs, { autoAssign: o.autoAssign, avoidBuggyIPs: o.avoidBuggyIPs, ...restriction })];
}));

const subjectArb: fc.Arbitrary<AllocationSubject> = fc.record({
  n: fc.integer({ min: 0, max: 9 }), ns: fc.constantFrom('a', 'b'), label: fc.boolean(),
  family: fc.constantFrom<ServiceFamily>('IPv4', 'IPv6', 'dual'),
  policy: fc.constantFrom<IpFamilyPolicy>('SingleStack', 'PreferDualStack', 'RequireDualStack'),
  primary: fc.constantFrom('IPv4', 'IPv6' as const), port: fc.constantFrom('tcp/80', 'tcp/443', 'udp/80'),
  sharing: fc.constantFrom('', 'k1', 'k1', 'k2'), backend: fc.constantFrom('', 'app=x'),
}).map((r) => ({
  key: `${r.ns}/s${r.n}`, namespace: r.ns, labels: r.label ? { team: 'x' } : {}, family: r.family,
  ipFamilyPolicy: r.family === 'dual' ? r.policy : 'SingleStack', primaryFamily: r.primary,
  ports: ports(r.port), sharingKey: r.sharing, backendKey: r.backend,
}));

// Mostly addresses of the candidate CIDRs (a few past their end), so that explicit requests often land in a pool.
const addressArb: fc.Arbitrary<IpAddress> = fc.tuple(fc.constantFrom(...cidrPool), fc.integer({ min: 0, max: 9 })).map(([c, n]) => {
  const network = cidr(c);
  return { family: network.family, value: network.base + BigInt(n) };
});

type Op =
  | { op: 'allocate'; s: AllocationSubject }
  | { op: 'fromPool'; s: AllocationSubject; pool: string }
  | { op: 'assign'; s: AllocationSubject; ips: IpAddress[] }
  | { op: 'unassign'; s: AllocationSubject }
  | { op: 'setPools'; pools: Pool[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: subjectArb.map((s) => ({ op: 'allocate' as const, s })), weight: 5 },
  { arbitrary: fc.tuple(subjectArb, fc.constantFrom('p0', 'p1', 'p2', 'p9')).map(([s, p]) => ({ op: 'fromPool' as const, s, pool: p })), weight: 2 },
  { arbitrary: fc.tuple(subjectArb, fc.array(addressArb, { minLength: 1, maxLength: 2 })).map(([s, ips]) => ({ op: 'assign' as const, s, ips })), weight: 2 },
  { arbitrary: subjectArb.map((s) => ({ op: 'unassign' as const, s })), weight: 2 },
  { arbitrary: poolsArb.map((pools) => ({ op: 'setPools' as const, pools })), weight: 1 },
);

function outcome(r: AllocationResult<readonly IpAddress[]> | undefined): string {
  if (r === undefined) return '';
  return r.ok ? r.value.map(formatIp).join(',') : `${r.failure.code}: ${r.failure.message}`;
}

function apply(a: Allocator | NaiveAllocator, op: Op): string {
  switch (op.op) {
    case 'allocate': a.unassign(op.s.key); return outcome(a.allocate(op.s));
    case 'fromPool': a.unassign(op.s.key); return outcome(a.allocateFromPool(op.s, op.pool));
    case 'assign': return outcome(a.assign(op.s, op.ips));
    case 'unassign': a.unassign(op.s.key); return '';
    case 'setPools': a.setPools(op.pools); return '';
  }
}

function checkInvariants(a: Allocator, subjects: Map<string, AllocationSubject>): void {
  const holders = new Map<string, string[]>();
  for (const [key] of subjects) {
    const alloc = a.allocation(key);
    if (alloc === undefined) continue;
    const p = a.pool(alloc.pool);
    assert.ok(p !== undefined, `${key} holds addresses of an unknown pool`);
    for (const ip of alloc.ips) {
      assert.ok(p.cidrs.some((c) => cidrContains(c, ip)) && !(p.avoidBuggyIPs && isBuggyIp(ip)), `${formatIp(ip)} of ${key} is outside ${p.name}`);
      holders.set(formatIp(ip), [...(holders.get(formatIp(ip)) ?? []), key]);
    }
  }
  for (const [address, keys] of holders) {
    if (keys.length < 2) continue;
    const allocs = keys.map((k) => a.allocation(k)!);
    const first = allocs[0]!.key;
    assert.ok(first.sharing !== '' && allocs.every((x) => x.key.sharing === first.sharing && x.key.backend === first.backend), `${address} shared without a common key`);
    const used = allocs.flatMap((x) => x.ports.map((p) => `${p.protocol}/${p.port}`));
    assert.equal(new Set(used).size, used.length, `${address} shared with clashing ports`);
  }
}

test('the allocator gives exactly the answers of the MetalLB walk, and keeps its invariants', () => {
  fc.assert(fc.property(poolsArb, fc.array(opArb, { maxLength: 60 }), (pools, ops) => {
    const real = new Allocator();
    const naive = new NaiveAllocator();
    real.setPools(pools);
    naive.setPools(pools);
    const subjects = new Map<string, AllocationSubject>();
    for (const op of ops) {
      if (op.op !== 'setPools') subjects.set(op.s.key, op.s);
      const got = apply(real, op);
      const want = apply(naive, op);
      // The reference leaves the messages of these three checks empty; their codes must still agree.
      const wantCode = want.split(':')[0] as string;
      if (['poolIncompatible', 'tooManyAddresses', 'sameFamily'].includes(wantCode)) assert.equal(got.split(':')[0], wantCode);
      else assert.equal(got, want, `${op.op} ${'s' in op ? op.s.key : ''}`);
      checkInvariants(real, subjects);
    }
    for (const [key] of subjects) {
      assert.deepEqual(real.ipsOf(key).map(formatIp), (naive.allocs.get(key)?.ips ?? []).map(formatIp), key);
      assert.equal(real.poolOf(key), naive.allocs.get(key)?.pool);
    }
  }), { numRuns: 300 });
});

test('an IPv6 /64 pool allocates from its start and its last address can be requested', () => {
  const a = new Allocator();
  a.setPools([pool('big', ['2001:db8::/64'])]);
  const s = (n: number): AllocationSubject => ({ key: `ns/s${n}`, namespace: 'ns', labels: {}, family: 'IPv6', ipFamilyPolicy: 'SingleStack', primaryFamily: 'IPv4', ports: [], sharingKey: '', backendKey: '' });
  for (let i = 0; i < 100; i++) assert.ok(a.allocate(s(i)).ok);
  assert.deepEqual(a.ipsOf('ns/s99').map(formatIp), ['2001:db8::63']);
  const last = { family: 'IPv6' as const, value: cidr('2001:db8::/64').base + (1n << 64n) - 1n };
  assert.ok(a.assign(s(1000), [last]).ok);
  assert.equal(a.counters('big')!.assignedIPv6, 101n);
});
