/**
 * ARP for IPv4 over Ethernet (RFC 826; operations from RFC 5227 usage: probes and announcements are requests).
 *
 *   0        2        4    5    6        8
 *   +--------+--------+----+----+--------+
 *   | hrd=1  |pro=0800|hln6|pln4|   op   |
 *   +--------+--------+----+----+--------+---------------------+
 *   | sha (6)                  | spa (4)  | tha (6)   | tpa (4) |
 *   +--------------------------+----------+-----------+---------+
 *
 * Only Ethernet/IPv4 (hrd 1, pro 0x0800, hln 6, pln 4) is decoded; anything else is a WireError. Bytes after
 * the 28-byte packet are Ethernet padding and ignored.
 */
import { ipFromBytes, ipToBytes, type IpAddress } from '../../lib/ip.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { WireError } from '../wire/wire-error.js';
import { macFromBytes, macToBytes, type MacAddress } from '../ethernet/mac.js';

export const arpHardwareType = { ethernet: 1 } as const;
export const arpOperation = { request: 1, reply: 2 } as const;
export const arpPacketBytes = 28;

const ipv4ProtocolType = 0x0800;

export interface ArpPacket {
  readonly operation: number;
  readonly senderHardwareAddress: MacAddress;
  readonly senderProtocolAddress: IpAddress;
  readonly targetHardwareAddress: MacAddress;
  readonly targetProtocolAddress: IpAddress;
}

export function decodeArp(payload: Uint8Array): ArpPacket {
  const r = new Reader(payload);
  const hardwareType = r.u16('ARP hardware type');
  const protocolType = r.u16('ARP protocol type');
  const hardwareLength = r.u8('ARP hardware length');
  const protocolLength = r.u8('ARP protocol length');
  if (hardwareType !== arpHardwareType.ethernet || hardwareLength !== 6) {
    throw new WireError(`ARP hardware type ${hardwareType} length ${hardwareLength}, only Ethernet (1, 6) is supported`, 0);
  }
  if (protocolType !== ipv4ProtocolType || protocolLength !== 4) {
    throw new WireError(`ARP protocol type 0x${protocolType.toString(16)} length ${protocolLength}, only IPv4 is supported`, 2);
  }
  const operation = r.u16('ARP operation');
  const senderHardwareAddress = macFromBytes(r.bytes(6, 'ARP sender MAC'));
  const senderProtocolAddress = ipFromBytes(r.bytes(4, 'ARP sender IP'));
  const targetHardwareAddress = macFromBytes(r.bytes(6, 'ARP target MAC'));
  const targetProtocolAddress = ipFromBytes(r.bytes(4, 'ARP target IP'));
  return { operation, senderHardwareAddress, senderProtocolAddress, targetHardwareAddress, targetProtocolAddress };
}

export function encodeArp(packet: ArpPacket): Uint8Array {
  if (packet.senderProtocolAddress.family !== 'IPv4' || packet.targetProtocolAddress.family !== 'IPv4') {
    throw new RangeError('ARP carries IPv4 addresses only');
  }
  return new Writer(arpPacketBytes)
    .u16(arpHardwareType.ethernet).u16(ipv4ProtocolType).u8(6).u8(4)
    .u16(packet.operation)
    .bytes(macToBytes(packet.senderHardwareAddress)).bytes(ipToBytes(packet.senderProtocolAddress))
    .bytes(macToBytes(packet.targetHardwareAddress)).bytes(ipToBytes(packet.targetProtocolAddress))
    .finish();
}
