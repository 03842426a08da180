/**
 * IP address arithmetic for IPv4 and IPv6 on bigint. Parsing follows Go's net.ParseIP (what MetalLB accepts):
 * dotted quads without leading zeros, RFC 4291 IPv6 text with an optional embedded IPv4 tail, no zones;
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is IPv4. Formatting is Go's `IP.String()`: dotted quad, or RFC 5952.
 */
export type IpFamily = 'IPv4' | 'IPv6';

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The network address (host bits zero). */
  readonly base: bigint;
  readonly prefixLength: number;
}

export function familyBits(family: IpFamily): 32 | 128 {
  return family === 'IPv4' ? 32 : 128;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0 || text.includes('%')) return undefined;
  let head = text;
  let v4Tail: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    v4Tail = parseIpv4(text.slice(lastColon + 1));
    if (v4Tail === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0] as string);
  const right = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (left === undefined || right === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== 8) return undefined;
    groups = left;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (v4Tail !== undefined) value = (value & ~0xffffffffn) | v4Tail;
  return value;
}

/** Parses an IP address as Go's net.ParseIP does; undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    if (value === undefined) return undefined;
    if (value >> 32n === 0xffffn) return { family: 'IPv4', value: value & 0xffffffffn };
    return { family: 'IPv6', value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 'IPv4', value };
}

export function ipv4(value: bigint): IpAddress {
  return { family: 'IPv4', value };
}

export function ipv6(value: bigint): IpAddress {
  return { family: 'IPv6', value };
}

/** Go's `IP.String()`: dotted quad for IPv4, RFC 5952 for IPv6. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 'IPv4') {
    const v = Number(ip.value);
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Canonicalises an IP string; undefined when it is not an IP. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

export function ipToBytes(ip: IpAddress): Uint8Array {
  const n = familyBits(ip.family) / 8;
  const out = new Uint8Array(n);
  let v = ip.value;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function ipFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length !== 4 && bytes.length !== 16) throw new RangeError(`ip of ${bytes.length} bytes`);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return { family: bytes.length === 4 ? 'IPv4' : 'IPv6', value: v };
}

export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family === 'IPv4' ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

function hostMask(family: IpFamily, prefixLength: number): bigint {
  return (1n << BigInt(familyBits(family) - prefixLength)) - 1n;
}

/** The CIDR of `prefixLength` containing `ip` (host bits cleared). */
export function maskIp(ip: IpAddress, prefixLength: number): Cidr {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > familyBits(ip.family)) {
    throw new RangeError(`prefix length ${prefixLength} for ${ip.family}`);
  }
  return { family: ip.family, base: ip.value & ~hostMask(ip.family, prefixLength), prefixLength };
}

/**
 * Parses `addr/len` as Go's net.ParseCIDR, then masks host bits (MetalLB silently masks `198.51.100.10/24`).
 * A bare IP is not a CIDR.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (ip === undefined || !/^[0-9]{1,3}$/.test(lenText)) return undefined;
  let len = Number(lenText);
  // Go: an IPv4-mapped IPv6 prefix written with an IPv6 length keeps that length relative to 128 bits.
  if (ip.family === 'IPv4' && text.slice(0, slash).includes(':')) len -= 96;
  if (len < 0 || len > familyBits(ip.family)) return undefined;
  return maskIp(ip, len);
}

export function formatCidr(c: Cidr): string {
  return `${formatIp({ family: c.family, value: c.base })}/${c.prefixLength}`;
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(familyBits(c.family) - c.prefixLength);
}

export function cidrFirst(c: Cidr): IpAddress {
  return { family: c.family, value: c.base };
}

export function cidrLast(c: Cidr): IpAddress {
  return { family: c.family, value: c.base + cidrSize(c) - 1n };
}

export function cidrContains(c: Cidr, ip: IpAddress): boolean {
  return ip.family === c.family && (ip.value & ~hostMask(c.family, c.prefixLength)) === c.base;
}

/** True when the two CIDRs share an address (one contains the other, since CIDRs nest). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  const mask = ~hostMask(a.family, shorter);
  return (a.base & mask) === (b.base & mask);
}

/** The minimal list of CIDRs covering `start..end` inclusive (same family, start <= end). */
export function rangeToCidrs(start: IpAddress, end: IpAddress): Cidr[] {
  if (start.family !== end.family || start.value > end.value) throw new RangeError('invalid range');
  const bits = familyBits(start.family);
  const out: Cidr[] = [];
  let cur = start.value;
  while (cur <= end.value) {
    // The largest aligned block starting at `cur` that does not pass `end`.
    let hostBits = 0;
    while (hostBits < bits) {
      const size = 1n << BigInt(hostBits + 1);
      if ((cur & (size - 1n)) !== 0n || cur + size - 1n > end.value) break;
      hostBits++;
    }
    out.push({ family: start.family, base: cur, prefixLength: bits - hostBits });
    cur += 1n << BigInt(hostBits);
  }
  return out;
}

/** IPv4 addresses ending in .0 or .255, which some clients mishandle (MetalLB `avoidBuggyIPs`). */
export function isBuggyIp(ip: IpAddress): boolean {
  if (ip.family !== 'IPv4') return false;
  const last = ip.value & 0xffn;
  return last === 0n || last === 255n;
}
