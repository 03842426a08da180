import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIp, type IpAddress } from '../../lib/ip.js';
import { decodeEthernet } from '../ethernet/ethernet.js';
import { macFromBytes } from '../ethernet/mac.js';
import { WireError } from '../wire/wire-error.js';
import { decodeNdpPacket, encodeNdpPacket } from './ndp-frame.js';
import { decodeNdp, encodeNdp, solicitationProblem, type NdpMessage } from './ndp.js';
import { decodeIcmpv6, encodeIcmpv6, icmpv6Type } from './icmpv6.js';
import { decodeIpv6, encodeIpv6, type Ipv6Packet } from './ipv6.js';
import { findLinkLayerAddress, ndpOptionType, sourceLinkLayerOption, targetLinkLayerOption, type NdpOption } from './ndp-options.js';
import { allNodesAddress, isLinkLocalUnicast, linkLocalFromMac, multicastMac, solicitedNodeAddress } from './ipv6-addresses.js';
import {
  kernelDadProbe, kernelNeighborAdvertisement, kernelNeighborSolicitation, kernelRouterSolicitation,
} from '../golden-frames.test-data.js';

const ip = (s: string) => parseIp(s)!;
const payload = (frame: Uint8Array) => decodeEthernet(frame).payload;

test('the kernel\'s NS decodes with its target and source link-layer option, and passes validation', () => {
  const packet = decodeNdpPacket(payload(kernelNeighborSolicitation))!;
  assert.equal(packet.ip.hopLimit, 255);
  assert.deepEqual(packet.ip.source, ip('fd00:100::100'));
  assert.deepEqual(packet.ip.destination, solicitedNodeAddress(ip('fd00:100::11')));
  assert.deepEqual(packet.message, {
    type: icmpv6Type.neighborSolicitation,
    targetAddress: ip('fd00:100::11'),
    options: [sourceLinkLayerOption('02:00:00:00:00:64')],
  });
  assert.equal(solicitationProblem(packet.ip, packet.icmp, packet.message as never), undefined);
});

test('the kernel\'s NA decodes as solicited and override with the target link-layer option', () => {
  const packet = decodeNdpPacket(payload(kernelNeighborAdvertisement))!;
  assert.deepEqual(packet.message, {
    type: icmpv6Type.neighborAdvertisement,
    router: false,
    solicited: true,
    override: true,
    targetAddress: ip('fd00:100::11'),
    options: [targetLinkLayerOption('02:00:00:00:00:0b')],
  });
});

test('re-encoding the kernel\'s NS and NA reproduces them byte for byte, checksums included', () => {
  for (const frame of [kernelNeighborSolicitation, kernelNeighborAdvertisement]) {
    const packet = decodeNdpPacket(payload(frame))!;
    const bytes = encodeNdpPacket({ source: packet.ip.source, destination: packet.ip.destination, message: packet.message });
    assert.deepEqual(bytes, payload(frame));
  }
});

test('a DAD probe comes from :: with a nonce and no source link-layer option', () => {
  const packet = decodeNdpPacket(payload(kernelDadProbe))!;
  assert.equal(packet.ip.source.value, 0n);
  assert.equal(findLinkLayerAddress(packet.message.options, ndpOptionType.sourceLinkLayerAddress), undefined);
  assert.equal(packet.message.options[0]?.type, ndpOptionType.nonce);
  assert.equal(solicitationProblem(packet.ip, packet.icmp, packet.message as never), undefined);
});

test('ICMPv6 that is not NS or NA decodes to undefined', () => {
  assert.equal(decodeNdpPacket(payload(kernelRouterSolicitation)), undefined);
});

test('a flipped bit anywhere in the ICMPv6 part fails the checksum', () => {
  const bytes = Uint8Array.from(payload(kernelNeighborSolicitation));
  bytes[40 + 20] = (bytes[40 + 20] as number) ^ 0x01;
  assert.throws(() => decodeNdpPacket(bytes), /checksum mismatch/);
});

test('RFC 4861 §7.1.1: hop limit, code, multicast targets and malformed DAD are problems', () => {
  const good = decodeNdpPacket(payload(kernelNeighborSolicitation))!;
  const ns = good.message as never;
  assert.equal(solicitationProblem({ ...good.ip, hopLimit: 64 }, good.icmp, ns), 'hopLimit');
  assert.equal(solicitationProblem(good.ip, { ...good.icmp, code: 1 }, ns), 'code');
  assert.equal(solicitationProblem(good.ip, good.icmp, { ...good.message, targetAddress: allNodesAddress } as never), 'multicastTarget');
  const dad = { ...good.ip, source: ip('::') };
  assert.equal(solicitationProblem(dad, good.icmp, ns), 'dadWithSourceLinkLayer');
  assert.equal(solicitationProblem({ ...dad, destination: allNodesAddress }, good.icmp, { ...good.message, options: [] } as never),
    'dadNotToSolicitedNode');
});

test('addresses: solicited-node group, its MAC, and the EUI-64 link-local of a MAC', () => {
  assert.deepEqual(solicitedNodeAddress(ip('fd00:200::10')), ip('ff02::1:ff00:10'));
  assert.deepEqual(solicitedNodeAddress(ip('2001:db8::abcd:1234')), ip('ff02::1:ffcd:1234'));
  assert.equal(multicastMac(ip('ff02::1:ff00:10')), '33:33:ff:00:00:10');
  assert.equal(multicastMac(allNodesAddress), '33:33:00:00:00:01');
  assert.deepEqual(linkLocalFromMac('02:00:00:00:00:0b'), ip('fe80::ff:fe00:b'));
  assert.equal(isLinkLocalUnicast(ip('fe80::ff:fe00:b')), true);
  assert.equal(isLinkLocalUnicast(ip('fd00::1')), false);
});

/** fast-check records have a null prototype; the codecs return plain objects. */
const plain = <T extends object>(r: T): T => ({ ...r });
const arbV6: fc.Arbitrary<IpAddress> = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value) => ({ family: 'IPv6' as const, value }));
const arbMac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b));
const arbOption: fc.Arbitrary<NdpOption> = fc.oneof(
  fc.record({ kind: fc.constant('linkLayerAddress' as const), type: fc.constantFrom(1 as const, 2 as const), address: arbMac }).map(plain),
  fc.record({
    kind: fc.constant('raw' as const),
    type: fc.integer({ min: 3, max: 255 }),
    data: fc.integer({ min: 1, max: 4 }).chain((units) => fc.uint8Array({ minLength: units * 8 - 2, maxLength: units * 8 - 2 })),
  }).map(plain),
);
const arbNdp: fc.Arbitrary<NdpMessage> = fc.oneof(
  fc.record({ type: fc.constant(icmpv6Type.neighborSolicitation), targetAddress: arbV6, options: fc.array(arbOption, { maxLength: 3 }) }).map(plain),
  fc.record({
    type: fc.constant(icmpv6Type.neighborAdvertisement),
    router: fc.boolean(), solicited: fc.boolean(), override: fc.boolean(),
    targetAddress: arbV6, options: fc.array(arbOption, { maxLength: 3 }),
  }).map(plain),
);

test('decode(encode(x)) = x for NS/NA messages and whole packets', () => {
  fc.assert(fc.property(arbNdp, arbV6, arbV6, fc.integer({ min: 0, max: 255 }), (message, source, destination, hopLimit) => {
    assert.deepEqual(decodeNdp(encodeNdp(message)), message);
    const back = decodeNdpPacket(encodeNdpPacket({ source, destination, message, hopLimit }))!;
    assert.deepEqual(back.message, message);
    assert.equal(back.ip.hopLimit, hopLimit);
  }));
});

const arbIpv6Packet: fc.Arbitrary<Ipv6Packet> = fc.record({
  trafficClass: fc.integer({ min: 0, max: 255 }),
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  nextHeader: fc.integer({ min: 0, max: 255 }),
  hopLimit: fc.integer({ min: 0, max: 255 }),
  source: arbV6,
  destination: arbV6,
  payload: fc.uint8Array({ maxLength: 64 }),
}).map(plain);

test('decode(encode(x)) = x for IPv6 headers and ICMPv6 messages', () => {
  fc.assert(fc.property(arbIpv6Packet, (packet) => assert.deepEqual(decodeIpv6(encodeIpv6(packet)), packet)));
  fc.assert(fc.property(arbV6, arbV6, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }),
    (s, d, type, code, body) => assert.deepEqual(decodeIcmpv6(s, d, encodeIcmpv6(s, d, { type, code, body })), { type, code, body })));
});

test('arbitrary bytes, and single-byte corruptions of real packets, raise only WireError', () => {
  const check = (bytes: Uint8Array) => {
    try { decodeNdpPacket(bytes); } catch (e) { assert.ok(e instanceof WireError, String(e)); }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), check), { numRuns: 3000 });
  const base = payload(kernelNeighborSolicitation);
  fc.assert(fc.property(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
    const bytes = Uint8Array.from(base);
    bytes[at] = value;
    check(bytes);
  }), { numRuns: 2000 });
  // An IPv6 header claiming ICMPv6 with a valid checksum but a zero-length option.
  const zeroLength = encodeIcmpv6(ip('fe80::1'), ip('ff02::1'), { type: 135, code: 0, body: Uint8Array.of(0, 0, 0, 0, ...new Uint8Array(16), 1, 0, 0, 0, 0, 0, 0, 0) });
  assert.throws(() => decodeNdp(decodeIcmpv6(ip('fe80::1'), ip('ff02::1'), zeroLength)), /length 0/);
});
