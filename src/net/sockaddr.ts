/**
 * Socket address structs as the kernel lays them out (x86-64/arm64, little-endian host): `sockaddr_in`,
 * `sockaddr_in6`, `sockaddr_ll`. Families are host order; ports and protocols network order.
 */
import { MetallbError } from '../lib/errors.js';
import { formatIp, ipFromBytes, ipToBytes, parseIp, type IpAddress } from '../lib/ip.js';
import { AF } from './constants.js';

export interface SocketAddress {
  readonly ip: IpAddress;
  readonly port: number;
  /** IPv6 scope (interface index) for link-local addresses; 0 otherwise. */
  readonly scopeId?: number;
}

/** Parses an address string (no zone) or throws `EINVAL`. */
export function requireIp(text: string): IpAddress {
  const ip = parseIp(text);
  if (ip === undefined) throw new MetallbError('EINVAL', `"${text}" is not an IP address`);
  return ip;
}

/** `sockaddr_in` (16 bytes) or `sockaddr_in6` (28 bytes). */
export function encodeSockaddr(addr: SocketAddress): Buffer {
  if (addr.ip.family === 'IPv4') {
    const buf = Buffer.alloc(16);
    buf.writeUInt16LE(AF.inet, 0);
    buf.writeUInt16BE(addr.port, 2);
    buf.set(ipToBytes(addr.ip), 4);
    return buf;
  }
  const buf = Buffer.alloc(28);
  buf.writeUInt16LE(AF.inet6, 0);
  buf.writeUInt16BE(addr.port, 2);
  buf.set(ipToBytes(addr.ip), 8);
  buf.writeUInt32LE(addr.scopeId ?? 0, 24);
  return buf;
}

/** Decodes a `sockaddr_in`/`sockaddr_in6` (from getsockname/getpeername). */
export function decodeSockaddr(buf: Buffer): SocketAddress {
  const family = buf.length >= 2 ? buf.readUInt16LE(0) : -1;
  if (family === AF.inet && buf.length >= 8) {
    return { ip: ipFromBytes(buf.subarray(4, 8)), port: buf.readUInt16BE(2) };
  }
  if (family === AF.inet6 && buf.length >= 28) {
    return { ip: ipFromBytes(buf.subarray(8, 24)), port: buf.readUInt16BE(2), scopeId: buf.readUInt32LE(24) };
  }
  throw new MetallbError('EAFNOSUPPORT', `socket address of family ${family} and ${buf.length} bytes`);
}

export function formatSocketAddress(addr: SocketAddress): string {
  return addr.ip.family === 'IPv6' ? `[${formatIp(addr.ip)}]:${addr.port}` : `${formatIp(addr.ip)}:${addr.port}`;
}

/** `sockaddr_ll` (20 bytes) for binding a packet socket to an interface and ethertype. */
export function encodeSockaddrLl(ifindex: number, ethertype: number): Buffer {
  const buf = Buffer.alloc(20);
  buf.writeUInt16LE(AF.packet, 0);
  buf.writeUInt16BE(ethertype, 2);
  buf.writeInt32LE(ifindex, 4);
  return buf;
}

/** The hardware address in a `sockaddr_ll` (from getsockname on a bound packet socket). */
export function decodeSockaddrLlAddress(buf: Buffer): Uint8Array {
  if (buf.length < 12 || buf.readUInt16LE(0) !== AF.packet) {
    throw new MetallbError('EAFNOSUPPORT', `not a sockaddr_ll (${buf.length} bytes)`);
  }
  const halen = buf.readUInt8(11);
  return Uint8Array.from(buf.subarray(12, 12 + Math.min(halen, 8)));
}
