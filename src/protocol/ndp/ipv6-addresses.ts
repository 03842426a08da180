/**
 * IPv6 addresses Neighbor Discovery needs: solicited-node multicast (RFC 4291 §2.7.1), all-nodes, the
 * Ethernet mapping of multicast (RFC 2464 §7) and the EUI-64 link-local address of a MAC (RFC 4291 App. A).
 */
import type { IpAddress } from '../../lib/ip.js';
import { macToBytes, type MacAddress } from '../ethernet/mac.js';

const solicitedNodePrefix = 0xff0200000000000000000001ff000000n;

/** The solicited-node multicast address of `ip` (RFC 4291 §2.7.1): ff02::1:ff00:0/104 + the low 24 bits. */
export function solicitedNodeAddress(ip: IpAddress): IpAddress {
  return { family: 'IPv6', value: solicitedNodePrefix | (ip.value & 0xffffffn) };
}

export function isSolicitedNodeMulticast(ip: IpAddress): boolean {
  return ip.family === 'IPv6' && (ip.value & ~0xffffffn) === solicitedNodePrefix;
}

export function isMulticast(ip: IpAddress): boolean {
  return ip.family === 'IPv6' && ip.value >> 120n === 0xffn;
}

export const allNodesAddress: IpAddress = { family: 'IPv6', value: 0xff020000000000000000000000000001n };

/** The Ethernet destination of an IPv6 multicast packet (RFC 2464 §7): 33:33 + the low 32 bits. */
export function multicastMac(ip: IpAddress): MacAddress {
  const low = ip.value & 0xffffffffn;
  const bytes = [0x33, 0x33, Number((low >> 24n) & 0xffn), Number((low >> 16n) & 0xffn), Number((low >> 8n) & 0xffn), Number(low & 0xffn)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** fe80::/64 with the modified EUI-64 of `mac` (U/L bit flipped, ff:fe in the middle), as Linux forms it. */
export function linkLocalFromMac(mac: MacAddress): IpAddress {
  const b = macToBytes(mac);
  const eui = [(b[0] as number) ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]] as number[];
  let iid = 0n;
  for (const x of eui) iid = (iid << 8n) | BigInt(x);
  return { family: 'IPv6', value: (0xfe80n << 112n) | iid };
}

export function isLinkLocalUnicast(ip: IpAddress): boolean {
  return ip.family === 'IPv6' && ip.value >> 118n === 0xfe80n >> 6n;
}
