/**
 * Packs many prefixes into as few UPDATEs as fit in 4096 bytes (RFC 4271 §4.3; MP_REACH/MP_UNREACH of RFC 4760
 * for IPv6). Prefixes arrive pre-encoded (`encodePrefix`) so a large advertisement set is encoded once, and the
 * shared attributes are encoded once per group. This is the sending fast path; `encodeMessage` is for single
 * messages and tests.
 */
import { ipToBytes, type IpAddress, type IpFamily } from '../../lib/ip.js';
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

/** Splits `prefixes` into runs whose encoded size stays within `maxBytes`. */
function* runs(prefixes: readonly Uint8Array[], maxBytes: number): Generator<{ items: readonly Uint8Array[]; bytes: number }> {
  let start = 0;
  while (start < prefixes.length) {
    let bytes = 0;
    let end = start;
    while (end < prefixes.length && bytes + (prefixes[end] as Uint8Array).length <= maxBytes) bytes += (prefixes[end++] as Uint8Array).length;
    if (end === start) throw new RangeError('a prefix does not fit in an UPDATE');
    yield { items: prefixes.slice(start, end), bytes };
    start = end;
  }
}

function copyAll(buf: Uint8Array, at: number, items: readonly Uint8Array[]): number {
  let p = at;
  for (const it of items) { buf.set(it, p); p += it.length; }
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
export function packAnnouncements(family: IpFamily, attributes: Uint8Array, prefixes: readonly Uint8Array[], hops?: NextHops): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (family === 'IPv4') {
    const room = maxMessageBytes - headerBytes - updateFixedBytes - attributes.length;
    for (const run of runs(prefixes, room)) {
      const length = headerBytes + updateFixedBytes + attributes.length + run.bytes;
      const buf = new Uint8Array(length);
      header(buf, length);
      put16(buf, 21, attributes.length);
      buf.set(attributes, 23);
      copyAll(buf, 23 + attributes.length, run.items);
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
    p = copyAll(buf, p, run.items);
    buf.set(attributes, p);
    out.push(buf);
  }
  return out;
}

/** UPDATEs withdrawing `prefixes` (Withdrawn Routes for IPv4, MP_UNREACH_NLRI for IPv6). */
export function packWithdrawals(family: IpFamily, prefixes: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const mpFixed = family === 'IPv4' ? 0 : mpHeaderBytes + 3;
  const room = maxMessageBytes - headerBytes - updateFixedBytes - mpFixed;
  for (const run of runs(prefixes, room)) {
    const length = headerBytes + updateFixedBytes + mpFixed + run.bytes;
    const buf = new Uint8Array(length);
    header(buf, length);
    if (family === 'IPv4') {
      put16(buf, 19, run.bytes);
      copyAll(buf, 21, run.items);
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
      copyAll(buf, p, run.items);
    }
    out.push(buf);
  }
  return out;
}
