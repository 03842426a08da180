import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatIp, isBuggyIp } from '../lib/ip.js';
import { AddressSpace } from './address-space.js';
import { cidr, ip } from '../../test/support/ipam.js';

function firstFree(space: AddressSpace): string | undefined {
  const v = space.lowestFree();
  return v === undefined ? undefined : formatIp({ family: space.cidr.family, value: v });
}

test('usable sizes follow avoidBuggyIPs: whole /24s lose two addresses, smaller CIDRs only a .0 or .255 end', () => {
  const cases: [string, boolean, bigint][] = [
    ['1.2.3.0/24', false, 256n],
    ['1.2.3.0/24', true, 254n],
    ['1.2.0.0/16', true, 256n * 254n],
    ['2.3.4.128/25', true, 127n],
    ['2.3.4.0/25', true, 127n],
    ['2.3.4.64/26', true, 64n],
    ['1.2.3.0/31', true, 1n],
    ['1.2.3.0/32', true, 0n],
    ['1000::/127', true, 2n],
    ['1000::/64', false, 1n << 64n],
  ];
  for (const [c, avoid, size] of cases) assert.equal(new AddressSpace(cidr(c), 'p', avoid).size, size, `${c} avoid=${avoid}`);
});

test('the first free address of an avoidBuggyIPs /23 is .1 and the next /24 starts at .1', () => {
  const s = new AddressSpace(cidr('10.0.0.0/23'), 'p', true);
  assert.equal(firstFree(s), '10.0.0.1');
  for (let i = 1; i <= 254; i++) s.markUsed(ip(`10.0.0.${i}`).value);
  assert.equal(firstFree(s), '10.0.1.1');
  assert.equal(s.holds(ip('10.0.0.255')), false);
  assert.equal(s.holds(ip('10.0.1.0')), false);
  assert.throws(() => s.markUsed(ip('10.0.1.0').value), /not usable/);
});

test('a full space has no free address', () => {
  const s = new AddressSpace(cidr('1.2.3.4/31'), 'p', false);
  s.markUsed(ip('1.2.3.4').value);
  s.markUsed(ip('1.2.3.5').value);
  assert.equal(s.lowestFree(), undefined);
  s.markFree(ip('1.2.3.4').value);
  assert.equal(firstFree(s), '1.2.3.4');
});

test('an IPv6 /64 holds its last address and costs one run for a thousand consecutive addresses', () => {
  const s = new AddressSpace(cidr('2001:db8::/64'), 'p', false);
  assert.equal(s.holds(ip('2001:db8::ffff:ffff:ffff:ffff')), true);
  for (let i = 0n; i < 1000n; i++) s.markUsed(s.addressOf(i));
  assert.equal(s.runCount, 1);
  assert.equal(firstFree(s), '2001:db8::3e8');
});

test('ordinals and addresses map one to one, in order, and skip exactly the buggy addresses', () => {
  fc.assert(fc.property(
    fc.integer({ min: 16, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), fc.integer({ min: 0, max: 1 << 16 }),
    (prefixLength, base, avoid, probe) => {
      const network = cidr(`${formatIp({ family: 'IPv4', value: BigInt(base >>> 0) })}/${prefixLength}`);
      const s = new AddressSpace(network, 'p', avoid);
      const size = 1n << BigInt(32 - prefixLength);
      const address = network.base + (BigInt(probe) % size);
      const excluded = avoid && isBuggyIp({ family: 'IPv4', value: address });
      const ord = s.ordinalOf(address);
      assert.equal(ord === undefined, excluded);
      if (ord !== undefined) {
        assert.equal(s.addressOf(ord), address);
        assert.ok(ord < s.size);
        if (ord > 0n) assert.ok(s.addressOf(ord - 1n) < address);
      }
    },
  ));
});
