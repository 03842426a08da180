import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arpOperation, decodeArp, encodeArp, type ArpPacket } from './arp.js';
import { decodeEthernet } from '../ethernet/ethernet.js';
import { macFromBytes } from '../ethernet/mac.js';
import { WireError } from '../wire/wire-error.js';
import { parseIp } from '../../lib/ip.js';
import { kernelArpReply, kernelArpRequest } from '../golden-frames.test-data.js';

const ip = (s: string) => parseIp(s)!;

test('the kernel\'s ARP request and reply decode to who-has and is-at, and re-encode byte for byte', () => {
  const request = decodeArp(decodeEthernet(kernelArpRequest).payload);
  assert.deepEqual(request, {
    operation: arpOperation.request,
    senderHardwareAddress: '02:00:00:00:00:64',
    senderProtocolAddress: ip('10.100.0.100'),
    targetHardwareAddress: '00:00:00:00:00:00',
    targetProtocolAddress: ip('10.100.0.11'),
  });
  const reply = decodeArp(decodeEthernet(kernelArpReply).payload);
  assert.equal(reply.operation, arpOperation.reply);
  assert.equal(reply.senderHardwareAddress, '02:00:00:00:00:0b');
  assert.deepEqual(encodeArp(request), kernelArpRequest.subarray(14));
  assert.deepEqual(encodeArp(reply), kernelArpReply.subarray(14));
});

test('Ethernet padding after the 28 ARP bytes is ignored', () => {
  const padded = new Uint8Array(46);
  padded.set(kernelArpRequest.subarray(14));
  assert.deepEqual(decodeArp(padded), decodeArp(kernelArpRequest.subarray(14)));
});

const arbArp: fc.Arbitrary<ArpPacket> = fc.record({
  operation: fc.integer({ min: 0, max: 0xffff }),
  senderHardwareAddress: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b)),
  senderProtocolAddress: fc.bigInt({ min: 0n, max: 0xffffffffn }).map((value) => ({ family: 'IPv4' as const, value })),
  targetHardwareAddress: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b)),
  targetProtocolAddress: fc.bigInt({ min: 0n, max: 0xffffffffn }).map((value) => ({ family: 'IPv4' as const, value })),
}).map((r) => ({ ...r })); // fast-check records have a null prototype

test('decode(encode(x)) = x for every Ethernet/IPv4 ARP packet', () => {
  fc.assert(fc.property(arbArp, (packet) => assert.deepEqual(decodeArp(encodeArp(packet)), packet)));
});

test('arbitrary bytes decode or raise WireError, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
    try { decodeArp(bytes); } catch (e) { assert.ok(e instanceof WireError, String(e)); }
  }), { numRuns: 2000 });
  // Corrupting any single byte of a valid packet never raises anything else either.
  fc.assert(fc.property(fc.integer({ min: 0, max: 27 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
    const bytes = Uint8Array.from(kernelArpRequest.subarray(14));
    bytes[at] = value;
    try { decodeArp(bytes); } catch (e) { assert.ok(e instanceof WireError, String(e)); }
  }));
});

test('non-Ethernet or non-IPv4 ARP is refused', () => {
  const bytes = Uint8Array.from(kernelArpRequest.subarray(14));
  bytes[1] = 6; // IEEE 802 networks
  assert.throws(() => decodeArp(bytes), /only Ethernet/);
  const v6 = Uint8Array.from(kernelArpRequest.subarray(14));
  v6[2] = 0x86;
  assert.throws(() => decodeArp(v6), /only IPv4/);
});
