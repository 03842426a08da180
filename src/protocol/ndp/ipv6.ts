/**
 * The IPv6 fixed header (RFC 8200 §3).
 *
 *   +-------+---------------+---------------------------------------+
 *   |Version| Traffic Class |              Flow Label               |
 *   +-------+---------------+-------+---------------+---------------+
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   +-------------------------------+---------------+---------------+
 *   |                   Source Address (16)                         |
 *   |                 Destination Address (16)                      |
 *   +---------------------------------------------------------------+
 *
 * Extension headers are not walked: the payload is whatever `nextHeader` names. Bytes after `payloadLength`
 * (Ethernet padding) are ignored.
 */
import { ipFromBytes, ipToBytes, type IpAddress } from '../../lib/ip.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { WireError } from '../wire/wire-error.js';

export const ipv6HeaderBytes = 40;
export const nextHeader = { hopByHop: 0, tcp: 6, udp: 17, icmpv6: 58, noNext: 59 } as const;

export interface Ipv6Packet {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: IpAddress;
  readonly destination: IpAddress;
  /** A view into the decoded buffer, exactly `payloadLength` bytes. */
  readonly payload: Uint8Array;
}

export function decodeIpv6(bytes: Uint8Array): Ipv6Packet {
  const r = new Reader(bytes);
  const first = r.u32('IPv6 version/class/flow');
  const version = first >>> 28;
  if (version !== 6) throw new WireError(`IP version ${version} in an IPv6 packet`, 0);
  const payloadLength = r.u16('IPv6 payload length');
  const next = r.u8('IPv6 next header');
  const hopLimit = r.u8('IPv6 hop limit');
  const source = ipFromBytes(r.bytes(16, 'IPv6 source'));
  const destination = ipFromBytes(r.bytes(16, 'IPv6 destination'));
  const payload = r.bytes(payloadLength, 'IPv6 payload');
  return { trafficClass: (first >>> 20) & 0xff, flowLabel: first & 0xfffff, nextHeader: next, hopLimit, source, destination, payload };
}

export function encodeIpv6(packet: Ipv6Packet): Uint8Array {
  if (packet.source.family !== 'IPv6' || packet.destination.family !== 'IPv6') throw new RangeError('IPv6 packet with an IPv4 address');
  return new Writer(ipv6HeaderBytes + packet.payload.length)
    .u32(((6 << 28) | (packet.trafficClass << 20) | packet.flowLabel) >>> 0)
    .u16(packet.payload.length).u8(packet.nextHeader).u8(packet.hopLimit)
    .bytes(ipToBytes(packet.source)).bytes(ipToBytes(packet.destination))
    .bytes(packet.payload)
    .finish();
}

/** The upper-layer pseudo-header of RFC 8200 §8.1 for checksums. */
export function pseudoHeader(source: IpAddress, destination: IpAddress, upperLayerLength: number, next: number): Uint8Array {
  return new Writer(40)
    .bytes(ipToBytes(source)).bytes(ipToBytes(destination))
    .u32(upperLayerLength).zeros(3).u8(next)
    .finish();
}
