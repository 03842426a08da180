/**
 * ICMPv6 messages (RFC 4443 §2.1) with the checksum over the IPv6 pseudo-header (§2.3, RFC 8200 §8.1).
 *
 *   +--------+--------+-----------------+
 *   |  Type  |  Code  |    Checksum     |
 *   +--------+--------+-----------------+
 *   |          Message Body             |
 *
 * Decoding verifies the checksum: a mismatch is a WireError (the kernel would have dropped the packet; a
 * packet socket sees it first).
 */
import type { IpAddress } from '../../lib/ip.js';
import { internetChecksum } from '../wire/checksum.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { WireError } from '../wire/wire-error.js';
import { nextHeader, pseudoHeader } from './ipv6.js';

export const icmpv6Type = {
  routerSolicitation: 133,
  routerAdvertisement: 134,
  neighborSolicitation: 135,
  neighborAdvertisement: 136,
  redirect: 137,
} as const;

export interface Icmpv6Message {
  readonly type: number;
  readonly code: number;
  /** Everything after the checksum. */
  readonly body: Uint8Array;
}

export function icmpv6Checksum(source: IpAddress, destination: IpAddress, message: Uint8Array): number {
  return internetChecksum(pseudoHeader(source, destination, message.length, nextHeader.icmpv6), message);
}

export function decodeIcmpv6(source: IpAddress, destination: IpAddress, bytes: Uint8Array): Icmpv6Message {
  const r = new Reader(bytes);
  const type = r.u8('ICMPv6 type');
  const code = r.u8('ICMPv6 code');
  r.u16('ICMPv6 checksum');
  const body = r.rest();
  if (icmpv6Checksum(source, destination, bytes) !== 0) throw new WireError('ICMPv6 checksum mismatch', 2);
  return { type, code, body };
}

export function encodeIcmpv6(source: IpAddress, destination: IpAddress, message: Icmpv6Message): Uint8Array {
  const w = new Writer(4 + message.body.length);
  w.u8(message.type).u8(message.code);
  const at = w.reserve(2);
  w.bytes(message.body);
  w.patchU16(at, icmpv6Checksum(source, destination, w.view()));
  return w.finish();
}
