import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  canonicalIp, cidrContains, cidrsOverlap, formatCidr, formatIp, ipFromBytes, ipToBytes, isBuggyIp, maskIp,
  parseCidr, parseIp, rangeToCidrs, type IpAddress,
} from './ip.js';

test('parseIp accepts what Go net.ParseIP accepts and formats as Go IP.String()', () => {
  const cases: [string, string | undefined][] = [
    ['192.168.1.1', '192.168.1.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['01.2.3.4', undefined],
    ['256.1.1.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4/32', undefined],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::1%eth0', undefined],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['', undefined],
  ];
  for (const [input, want] of cases) assert.equal(canonicalIp(input), want, input);
});

test('parseCidr masks host bits and rejects bare IPs and bad lengths', () => {
  const cases: [string, string | undefined][] = [
    ['198.51.100.10/24', '198.51.100.0/24'],
    ['10.0.0.1/32', '10.0.0.1/32'],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0', undefined],
    ['10.0.0.0/', undefined],
    ['10.0.0.0/-1', undefined],
    ['fc00:f853:ccd:e799::/124', 'fc00:f853:ccd:e799::/124'],
    ['2001:db8::1/64', '2001:db8::/64'],
    ['2001:db8::/129', undefined],
  ];
  for (const [input, want] of cases) {
    const c = parseCidr(input);
    assert.equal(c === undefined ? undefined : formatCidr(c), want, input);
  }
});

test('rangeToCidrs gives the minimal covering list', () => {
  const ip = (s: string): IpAddress => parseIp(s) as IpAddress;
  const fmt = (a: string, b: string): string[] => rangeToCidrs(ip(a), ip(b)).map(formatCidr);
  assert.deepEqual(fmt('192.168.1.240', '192.168.1.250'), ['192.168.1.240/29', '192.168.1.248/31', '192.168.1.250/32']);
  assert.deepEqual(fmt('10.0.0.0', '10.0.0.255'), ['10.0.0.0/24']);
  assert.deepEqual(fmt('10.0.0.5', '10.0.0.5'), ['10.0.0.5/32']);
  assert.deepEqual(fmt('0.0.0.0', '255.255.255.255'), ['0.0.0.0/0']);
  assert.deepEqual(fmt('fc00::1', 'fc00::4'), ['fc00::1/128', 'fc00::2/127', 'fc00::4/128']);
});

test('rangeToCidrs covers exactly the range, for any range', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 5000 }), (start, len) => {
    const end = Math.min(0xffffffff, start + len);
    const cidrs = rangeToCidrs({ family: 'IPv4', value: BigInt(start) }, { family: 'IPv4', value: BigInt(end) });
    let next = BigInt(start);
    for (const c of cidrs) {
      assert.equal(c.base, next);
      next = c.base + (1n << BigInt(32 - c.prefixLength));
    }
    assert.equal(next, BigInt(end) + 1n);
  }));
});

test('formatIp and parseIp round-trip any address', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
    if (v >> 32n === 0xffffn) return; // IPv4-mapped addresses read back as IPv4, as in Go
    const ip: IpAddress = { family: 'IPv6', value: v };
    assert.deepEqual(parseIp(formatIp(ip)), ip);
    assert.deepEqual(ipFromBytes(ipToBytes(ip)), ip);
  }));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), (v) => {
    const ip: IpAddress = { family: 'IPv4', value: v };
    assert.deepEqual(parseIp(formatIp(ip)), ip);
    assert.deepEqual(ipFromBytes(ipToBytes(ip)), ip);
  }));
});

test('containment, overlap, masking and buggy IPs', () => {
  const c24 = parseCidr('10.1.2.0/24')!;
  const c25 = parseCidr('10.1.2.128/25')!;
  const other = parseCidr('10.1.3.0/24')!;
  assert.ok(cidrContains(c24, parseIp('10.1.2.200')!));
  assert.ok(!cidrContains(c24, parseIp('10.1.3.1')!));
  assert.ok(!cidrContains(c24, parseIp('::1')!));
  assert.ok(cidrsOverlap(c24, c25) && cidrsOverlap(c25, c24));
  assert.ok(!cidrsOverlap(c24, other));
  assert.equal(formatCidr(maskIp(parseIp('10.1.2.77')!, 24)), '10.1.2.0/24');
  assert.ok(isBuggyIp(parseIp('1.2.4.0')!) && isBuggyIp(parseIp('1.2.4.255')!));
  assert.ok(!isBuggyIp(parseIp('1.2.4.1')!) && !isBuggyIp(parseIp('::ff')!));
});
