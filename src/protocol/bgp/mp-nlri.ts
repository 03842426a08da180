/**
 * MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4) for IPv4 and IPv6 unicast; IPv6 next hops are a global
 * address optionally followed by a link-local one (RFC 2545 §3).
 *
 *   MP_REACH_NLRI:   AFI(2) SAFI(1) NextHopLen(1) NextHop(var) Reserved(1) NLRI(var)
 *   MP_UNREACH_NLRI: AFI(2) SAFI(1) WithdrawnRoutes(var)
 */
import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { ipFromBytes, ipToBytes, type Cidr, type IpAddress, type IpFamily } from '../../lib/ip.js';
import { Afi, Safi } from './constants.js';
import { decodePrefixes, writePrefixes } from './prefix.js';

export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  readonly nextHop: IpAddress;
  /** RFC 2545: the link-local next hop that follows the global one (IPv6 only). */
  readonly linkLocalNextHop?: IpAddress;
  readonly nlri: readonly Cidr[];
}

export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Cidr[];
}

/** An MP attribute that cannot be used; `afi`/`safi` are set when they could be read (RFC 7606 §7.11). */
export class MalformedMpAttribute extends Error {
  readonly afi: number | undefined;
  readonly safi: number | undefined;

  constructor(message: string, afi?: number, safi?: number) {
    super(message);
    this.name = 'MalformedMpAttribute';
    this.afi = afi;
    this.safi = safi;
  }
}

/** The address family of a supported AFI/SAFI, or undefined. */
export function familyOf(afi: number, safi: number): IpFamily | undefined {
  if (safi !== Safi.Unicast) return undefined;
  return afi === Afi.Ipv4 ? 'IPv4' : afi === Afi.Ipv6 ? 'IPv6' : undefined;
}

export function afiOf(family: IpFamily): number {
  return family === 'IPv4' ? Afi.Ipv4 : Afi.Ipv6;
}

function readFamily(r: Reader): { afi: number; safi: number; family: IpFamily } {
  if (r.remaining < 3) throw new MalformedMpAttribute('too short for AFI and SAFI');
  const afi = r.u16();
  const safi = r.u8();
  const family = familyOf(afi, safi);
  if (family === undefined) throw new MalformedMpAttribute(`unsupported AFI ${afi} SAFI ${safi}`, afi, safi);
  return { afi, safi, family };
}

function wrapPrefixes(r: Reader, family: IpFamily, afi: number, safi: number): Cidr[] {
  try {
    return decodePrefixes(r, family);
  } catch (err) {
    throw new MalformedMpAttribute(`nlri: ${(err as Error).message}`, afi, safi);
  }
}

export function decodeMpReach(value: Uint8Array): MpReach {
  const r = new Reader(value);
  const { afi, safi, family } = readFamily(r);
  if (r.remaining < 1) throw new MalformedMpAttribute('no next hop length', afi, safi);
  const nextHopLength = r.u8();
  const valid = family === 'IPv4' ? nextHopLength === 4 : nextHopLength === 16 || nextHopLength === 32;
  // RFC 7606 §7.11: a next hop length inconsistent with the AFI/SAFI makes the attribute malformed.
  if (!valid || r.remaining < nextHopLength + 1) throw new MalformedMpAttribute(`next hop length ${nextHopLength}`, afi, safi);
  const nextHop = ipFromBytes(r.bytes(family === 'IPv4' ? 4 : 16).slice());
  const linkLocalNextHop = nextHopLength === 32 ? ipFromBytes(r.bytes(16).slice()) : undefined;
  r.u8(); // RFC 4760 §3: reserved, ignored on receipt.
  const nlri = wrapPrefixes(r, family, afi, safi);
  return linkLocalNextHop === undefined ? { afi, safi, nextHop, nlri } : { afi, safi, nextHop, linkLocalNextHop, nlri };
}

export function decodeMpUnreach(value: Uint8Array): MpUnreach {
  const r = new Reader(value);
  const { afi, safi, family } = readFamily(r);
  return { afi, safi, withdrawn: wrapPrefixes(r, family, afi, safi) };
}

export function encodeMpReach(w: Writer, v: MpReach): void {
  w.u16(v.afi).u8(v.safi);
  const global = ipToBytes(v.nextHop);
  const linkLocal = v.linkLocalNextHop === undefined ? undefined : ipToBytes(v.linkLocalNextHop);
  w.u8(global.length + (linkLocal?.length ?? 0)).bytes(global);
  if (linkLocal !== undefined) w.bytes(linkLocal);
  w.u8(0);
  writePrefixes(w, v.nlri);
}

export function encodeMpUnreach(w: Writer, v: MpUnreach): void {
  w.u16(v.afi).u8(v.safi);
  writePrefixes(w, v.withdrawn);
}
