// Configuration reload (MetalLB's TestConfigReload family) and pool counters (TestPoolCount, TestPoolMetrics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Allocator } from './allocator.js';
import type { Pool } from '../config/types.js';
import { maxInt64, poolCapacity } from './pool-counters.js';
import { PoolIndex } from './pool-index.js';
import { ips, pool, ports, subject } from '../../test/support/ipam.js';

const reloadCases: { desc: string; pools: Pool[]; s1: string | undefined; s2: string | undefined }[] = [
  { desc: 'the same config changes nothing', pools: [pool('test', ['1.2.3.0/30', '1000::/126'])], s1: 'test', s2: 'test' },
  { desc: 'an expanded pool keeps both', pools: [pool('test', ['1.2.3.0/24', '1000::/120'])], s1: 'test', s2: 'test' },
  { desc: 'a shrunk pool that still holds both keeps both', pools: [pool('test', ['1.2.3.0/31', '1000::/127'])], s1: 'test', s2: 'test' },
  { desc: 'shrinking past an IPv4 address drops its allocation', pools: [pool('test', ['1.2.3.2/31', '1000::/126'])], s1: undefined, s2: 'test' },
  { desc: 'shrinking past an IPv6 address drops its allocation', pools: [pool('test', ['1.2.3.0/30', '1000::2/127'])], s1: 'test', s2: undefined },
  { desc: 'a renamed pool carries its allocations', pools: [pool('test2', ['1.2.3.0/30', '1000::/126'])], s1: 'test2', s2: 'test2' },
  { desc: 'a split pool maps each allocation to its new pool', pools: [pool('test', ['1.2.3.0/31', '1000::2/127']), pool('test2', ['1.2.3.2/31', '1000::/127'])], s1: 'test', s2: 'test2' },
  { desc: 'turning on avoidBuggyIPs evicts the .0 holder', pools: [pool('test2', ['1.2.3.0/31', '1000::/127'], { avoidBuggyIPs: true })], s1: undefined, s2: 'test2' },
];

for (const c of reloadCases) {
  test(`config reload: ${c.desc}`, () => {
    const a = new Allocator();
    a.setPools([pool('test', ['1.2.3.0/30', '1000::/126']), pool('unused', ['1.2.4.0/30', '1001::/126'])]);
    assert.ok(a.assign(subject('s1'), ips('1.2.3.0')).ok);
    assert.ok(a.assign(subject('s2', { family: 'IPv6' }), ips('1000::')).ok);
    a.setPools(c.pools);
    assert.equal(a.poolOf('s1'), c.s1);
    assert.equal(a.poolOf('s2'), c.s2);
  });
}

test('an evicted address is free again after a reload', () => {
  const a = new Allocator();
  a.setPools([pool('p', ['1.2.3.0/30'])]);
  assert.ok(a.assign(subject('s1'), ips('1.2.3.1')).ok);
  a.setPools([pool('p', ['1.2.3.2/31']), pool('q', ['1.2.3.0/31'])]);
  assert.equal(a.poolOf('s1'), 'q');
  a.setPools([pool('p', ['1.2.3.0/30'], { avoidBuggyIPs: true })]);
  assert.equal(a.poolOf('s1'), 'p');
  a.setPools([pool('p', ['1.2.3.2/31'])]);
  assert.equal(a.poolOf('s1'), undefined);
  a.setPools([pool('p', ['1.2.3.0/30'])]);
  const r = a.allocate(subject('s2'));
  assert.ok(r.ok);
  assert.equal(a.usersOf(ips('1.2.3.1')[0]!).length, 0);
});

const countCases: { desc: string; pool: Pool; total: bigint; v4: bigint; v6: bigint }[] = [
  { desc: 'a /24 counts 256', pool: pool('p', ['1.2.3.0/24']), total: 256n, v4: 256n, v6: 0n },
  { desc: 'a /24 and a /25 count 384', pool: pool('p', ['1.2.3.0/24', '2.3.4.128/25']), total: 384n, v4: 384n, v6: 0n },
  { desc: 'avoidBuggyIPs removes .0 and .255', pool: pool('p', ['1.2.3.0/24', '2.3.4.128/25'], { avoidBuggyIPs: true }), total: 381n, v4: 381n, v6: 0n },
  { desc: 'a /64 IPv6 CIDR counts MaxInt64', pool: pool('p', ['1.2.3.0/24', '2.3.4.128/25', '1000::/64'], { avoidBuggyIPs: true }), total: maxInt64, v4: 381n, v6: maxInt64 },
  { desc: 'a huge CIDR listed first saturates instead of overflowing', pool: pool('p', ['1000::/64', '1.2.3.0/24']), total: maxInt64, v4: 256n, v6: maxInt64 },
  { desc: 'small IPv4 and IPv6 CIDRs with avoidBuggyIPs', pool: pool('p', ['1.2.3.0/31', '1000::/127'], { avoidBuggyIPs: true }), total: 3n, v4: 1n, v6: 2n },
  { desc: 'a /66 IPv6 CIDR (62 host bits) counts MaxInt64', pool: pool('p', ['1000::/66']), total: maxInt64, v4: 0n, v6: maxInt64 },
  { desc: 'a /67 IPv6 CIDR counts exactly', pool: pool('p', ['1000::/67']), total: 1n << 61n, v4: 0n, v6: 1n << 61n },
];

for (const c of countCases) {
  test(`pool capacity: ${c.desc}`, () => {
    const index = new PoolIndex([c.pool]);
    assert.deepEqual(poolCapacity(index.spaces('p')), { total: c.total, IPv4: c.v4, IPv6: c.v6 });
  });
}

test('pool counters and metrics count a shared address once and follow assign and unassign', () => {
  const a = new Allocator();
  a.setPools([pool('test', ['1.2.3.4/30', '1000::4/126'])]);
  const counters = (): [bigint, bigint, bigint, bigint] => {
    const c = a.counters('test')!;
    return [c.availableIPv4, c.availableIPv6, c.assignedIPv4, c.assignedIPv6];
  };
  assert.deepEqual(counters(), [4n, 4n, 0n, 0n]);
  assert.equal(a.metrics()[0]!.addressesTotal, 8);
  const steps: [string, () => void, number][] = [
    ['assign s1', () => a.assign(subject('s1'), ips('1.2.3.4')), 1],
    ['assign s2', () => a.assign(subject('s2'), ips('1.2.3.5')), 2],
    ['unassign s1', () => a.unassign('s1'), 1],
    ['unassign s2', () => a.unassign('s2'), 0],
    ['assign s1 shared', () => a.assign(subject('s1', { sharingKey: 'key', ports: ports('tcp/80') }), ips('1.2.3.4')), 1],
    ['assign s2 shared', () => a.assign(subject('s2', { sharingKey: 'key', ports: ports('tcp/443') }), ips('1.2.3.4')), 1],
    ['assign s3 shared', () => a.assign(subject('s3', { sharingKey: 'key', ports: ports('tcp/23') }), ips('1.2.3.4')), 1],
    ['unassign s1 shared', () => a.unassign('s1'), 1],
    ['unassign s2 shared', () => a.unassign('s2'), 1],
    ['unassign s3 shared', () => a.unassign('s3'), 0],
  ];
  for (const [desc, step, inUse] of steps) {
    step();
    assert.deepEqual(counters(), [BigInt(4 - inUse), 4n, BigInt(inUse), 0n], desc);
    const m = a.metrics()[0]!;
    assert.deepEqual([m.addressesInUseTotal, m.ipv4AddressesInUseTotal, m.ipv6AddressesInUseTotal], [inUse, inUse, 0], desc);
  }
  a.assign(subject('s1'), ips('1.2.3.4'));
  a.setPools([]);
  assert.equal(a.counters('test'), undefined);
  assert.deepEqual(a.metrics(), []);
});

test('metrics carry every pool with MetalLB gauge values, big IPv6 as a plain number', () => {
  const a = new Allocator();
  a.setPools([pool('v6', ['2001:db8::/64']), pool('v4', ['10.0.0.0/30'])]);
  a.allocate(subject('s1', { family: 'IPv6' }));
  assert.deepEqual(a.metrics(), [
    { pool: 'v4', addressesTotal: 4, ipv4AddressesTotal: 4, ipv6AddressesTotal: 0, addressesInUseTotal: 0, ipv4AddressesInUseTotal: 0, ipv6AddressesInUseTotal: 0 },
    { pool: 'v6', addressesTotal: Number(maxInt64), ipv4AddressesTotal: 0, ipv6AddressesTotal: Number(maxInt64), addressesInUseTotal: 1, ipv4AddressesInUseTotal: 0, ipv6AddressesInUseTotal: 1 },
  ]);
  assert.equal(a.counters('v6')!.availableIPv6, maxInt64 - 1n);
});
