/**
 * Packs many prefixes into as few UPDATEs as fit in 4096 bytes (RFC 4271 §4.3; MP_REACH/MP_UNREACH of RFC 4760
 * for IPv6). The shared attributes are encoded once per group and the prefixes are written straight into each
 * message buffer, with no allocation per prefix: this is the sending fast path (100,000 prefixes), while
 * `encodeMessage` is for single messages and tests.
 */
import { ipToBytes, type Cidr, type IpAddress, type IpFamily } from '../../lib/ip.js';
import { Afi, AttrFlag, AttrType, MessageType, Safi, headerBytes, maxMessageBytes } from './constants.js';

/** UPDATE fixed part after the header: withdrawn length (2) + total attribute length (2). */
const updateFixedBytes = 4;
/** MP attribute header with extended length: flags, type, length(2). */
const mpHeaderBytes = 4;

function header(buf: Uint8Array, length: number): void {
  buf.fill(0xff, 0, 16);
  buf[16] = length >> 8;
  buf[17] = length & 0xff;
  buf[18] = MessageType.Update;
}

function put16(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >> 8;
  buf[at + 1] = v & 0xff;
}

/** The encoded size of one NLRI prefix: length byte plus the significant bytes. */
function nlriBytes(p: Cidr): number {
  return 1 + ((p.prefixLength + 7) >> 3);
}

/** Splits `prefixes` into runs whose encoded size stays within `maxBytes`. */
function* runs(prefixes: readonly Cidr[], maxBytes: number): Generator<{ start: number; end: number; bytes: number }> {
  let start = 0;
  while (start < prefixes.length) {
    let bytes = 0;
    let end = start;
    while (end < prefixes.length && bytes + nlriBytes(prefixes[end] as Cidr) <= maxBytes) bytes += nlriBytes(prefixes[end++] as Cidr);
    if (end === start) throw new RangeError('a prefix does not fit in an UPDATE');
    yield { start, end, bytes };
    start = end;
  }
}

const mask32 = 0xffffffffn;

/** Writes prefixes[start..end) as NLRI at `at`; returns the end offset. */
function writeNlri(buf: Uint8Array, at: number, prefixes: readonly Cidr[], start: number, end: number): number {
  let p = at;
  for (let i = start; i < end; i++) {
    const c = prefixes[i] as Cidr;
    const n = (c.prefixLength + 7) >> 3;
    buf[p++] = c.prefixLength;
    if (c.family === 'IPv4') {
      const v = Number(c.base);
      for (let b = 0; b < n; b++) buf[p++] = (v >>> (24 - 8 * b)) & 0xff;
    } else {
      const words = [Number((c.base >> 96n) & mask32), Number((c.base >> 64n) & mask32), Number((c.base >> 32n) & mask32), Number(c.base & mask32)];
      for (let b = 0; b < n; b++) buf[p++] = ((words[b >> 2] as number) >>> (24 - 8 * (b & 3))) & 0xff;
    }
  }
  return p;
}

export interface NextHops {
  readonly nextHop: IpAddress;
  /** IPv6 only (RFC 2545): sent after the global next hop. */
  readonly linkLocalNextHop?: IpAddress;
}

/**
 * UPDATEs announcing `prefixes` of `family` with the same attributes. `attributes` is the encoded attribute list
 * without MP_REACH_NLRI (it includes NEXT_HOP for IPv4); for IPv6 the MP_REACH_NLRI is added per message.
 */
export function packAnnouncements(family: IpFamily, attributes: Uint8Array, prefixes: readonly Cidr[], hops?: NextHops): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (family === 'IPv4') {
    const room = maxMessageBytes - headerBytes - updateFixedBytes - attributes.length;
    for (const run of runs(prefixes, room)) {
      const length = headerBytes + updateFixedBytes + attributes.length + run.bytes;
      const buf = new Uint8Array(length);
      header(buf, length);
      put16(buf, 21, attributes.length);
      buf.set(attributes, 23);
      writeNlri(buf, 23 + attributes.length, prefixes, run.start, run.end);
      out.push(buf);
    }
    return out;
  }
  if (hops === undefined) throw new RangeError('IPv6 announcements need a next hop');
  const global = ipToBytes(hops.nextHop);
  const linkLocal = hops.linkLocalNextHop === undefined ? new Uint8Array(0) : ipToBytes(hops.linkLocalNextHop);
  const mpFixed = 3 + 1 + global.length + linkLocal.length + 1;
  const room = maxMessageBytes - headerBytes - updateFixedBytes - attributes.length - mpHeaderBytes - mpFixed;
  for (const run of runs(prefixes, room)) {
    const mpLength = mpFixed + run.bytes;
    const attrsLength = mpHeaderBytes + mpLength + attributes.length;
    const length = headerBytes + updateFixedBytes + attrsLength;
    const buf = new Uint8Array(length);
    header(buf, length);
    put16(buf, 21, attrsLength);
    // RFC 7606 §5.1: MP_REACH_NLRI first.
    let p = 23;
    buf[p++] = AttrFlag.Optional | AttrFlag.ExtendedLength;
    buf[p++] = AttrType.MpReachNlri;
    put16(buf, p, mpLength); p += 2;
    put16(buf, p, Afi.Ipv6); p += 2;
    buf[p++] = Safi.Unicast;
    buf[p++] = global.length + linkLocal.length;
    buf.set(global, p); p += global.length;
    buf.set(linkLocal, p); p += linkLocal.length;
    buf[p++] = 0;
    p = writeNlri(buf, p, prefixes, run.start, run.end);
    buf.set(attributes, p);
    out.push(buf);
  }
  return out;
}

/** UPDATEs withdrawing `prefixes` (Withdrawn Routes for IPv4, MP_UNREACH_NLRI for IPv6). */
export function packWithdrawals(family: IpFamily, prefixes: readonly Cidr[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const mpFixed = family === 'IPv4' ? 0 : mpHeaderBytes + 3;
  const room = maxMessageBytes - headerBytes - updateFixedBytes - mpFixed;
  for (const run of runs(prefixes, room)) {
    const length = headerBytes + updateFixedBytes + mpFixed + run.bytes;
    const buf = new Uint8Array(length);
    header(buf, length);
    if (family === 'IPv4') {
      put16(buf, 19, run.bytes);
      writeNlri(buf, 21, prefixes, run.start, run.end);
      put16(buf, 21 + run.bytes, 0);
    } else {
      put16(buf, 19, 0);
      put16(buf, 21, mpFixed + run.bytes);
      let p = 23;
      buf[p++] = AttrFlag.Optional | AttrFlag.ExtendedLength;
      buf[p++] = AttrType.MpUnreachNlri;
      put16(buf, p, 3 + run.bytes); p += 2;
      put16(buf, p, Afi.Ipv6); p += 2;
      buf[p++] = Safi.Unicast;
      writeNlri(buf, p, prefixes, run.start, run.end);
    }
    out.push(buf);
  }
  return out;
}
