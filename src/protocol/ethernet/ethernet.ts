/**
 * Ethernet II frames (IEEE 802.3 with an EtherType; RFC 894 for IP over Ethernet).
 *
 *   0                   6                  12      14
 *   +-------------------+-------------------+-------+----------------------------+
 *   | destination (6)   | source (6)        | type  | payload (46..1500, padded) |
 *   +-------------------+-------------------+-------+----------------------------+
 *
 * No FCS (the NIC adds and strips it) and no 802.1Q tag (the kernel moves it out of band before a packet
 * socket sees the frame). Payloads under 46 bytes are zero-padded on encode, so decoded payloads may carry
 * trailing padding: inner codecs take their own length from their headers.
 */
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { WireError } from '../wire/wire-error.js';
import { macFromBytes, macToBytes, type MacAddress } from './mac.js';

export const etherType = {
  ipv4: 0x0800,
  arp: 0x0806,
  vlan: 0x8100,
  ipv6: 0x86dd,
} as const;

export const ethernetHeaderBytes = 14;
export const minimumPayloadBytes = 46;

export interface EthernetFrame {
  readonly destination: MacAddress;
  readonly source: MacAddress;
  readonly etherType: number;
  /** A view into the decoded buffer: copy it to keep it. */
  readonly payload: Uint8Array;
}

export function decodeEthernet(frame: Uint8Array): EthernetFrame {
  const r = new Reader(frame);
  const destination = macFromBytes(r.bytes(6, 'destination MAC'));
  const source = macFromBytes(r.bytes(6, 'source MAC'));
  const type = r.u16('ethertype');
  if (type < 0x0600) throw new WireError(`802.3 length field ${type} instead of an ethertype`, 12);
  return { destination, source, etherType: type, payload: r.rest() };
}

export function encodeEthernet(frame: EthernetFrame): Uint8Array {
  const w = new Writer(ethernetHeaderBytes + Math.max(frame.payload.length, minimumPayloadBytes));
  w.bytes(macToBytes(frame.destination)).bytes(macToBytes(frame.source)).u16(frame.etherType).bytes(frame.payload);
  if (frame.payload.length < minimumPayloadBytes) w.zeros(minimumPayloadBytes - frame.payload.length);
  return w.finish();
}
