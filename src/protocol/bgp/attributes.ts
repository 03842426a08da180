/**
 * The path attribute table (RFC 4271 §4.3, §5; RFC 1997, 4456, 4760, 6793, 8092): for each known type, its
 * expected flags, its codec and what RFC 7606 §7 says to do when it is malformed. BIRD's `bgp_attr_table`
 * is the model. Decoders throw `AttributeError` (or WireError/MalformedAsPath/MalformedMpAttribute); the
 * loop in attribute-codec.ts turns that into an UpdateProblem with the entry's action.
 */
import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { ipFromBytes, ipToBytes, type IpAddress } from '../../lib/ip.js';
import type { ErrorAction } from './bgp-error.js';
import { AttrFlag, AttrType, Origin, UpdateSubcode, type OriginCode } from './constants.js';
import { decodeAsPath, encodeAsPath, type AsPath } from './as-path.js';
import type { LargeCommunity } from './community.js';
import { decodeMpReach, decodeMpUnreach, encodeMpReach, encodeMpUnreach, type MpReach, type MpUnreach } from './mp-nlri.js';

export interface Aggregator {
  readonly asn: number;
  readonly address: IpAddress;
}

/** An attribute we do not implement, kept as received (optional ones only; RFC 4271 §5). */
export interface UnknownAttribute {
  readonly flags: number;
  readonly type: number;
  readonly value: Uint8Array;
}

/** The decoded path attributes of one UPDATE. Absent = not present in the message. */
export interface PathAttributes {
  readonly origin?: OriginCode;
  readonly asPath?: AsPath;
  readonly nextHop?: IpAddress;
  readonly multiExitDisc?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: true;
  readonly aggregator?: Aggregator;
  readonly communities?: readonly number[];
  readonly originatorId?: number;
  readonly clusterList?: readonly number[];
  readonly mpReach?: MpReach;
  readonly mpUnreach?: MpUnreach;
  readonly as4Path?: AsPath;
  readonly as4Aggregator?: Aggregator;
  readonly largeCommunities?: readonly LargeCommunity[];
  readonly unknown?: readonly UnknownAttribute[];
}

export type MutablePathAttributes = { -readonly [K in keyof PathAttributes]: PathAttributes[K] };
type KnownKey = Exclude<keyof PathAttributes, 'unknown'>;

/** What was negotiated that changes the encoding (RFC 6793: the width of ASNs in AS_PATH and AGGREGATOR). */
export interface CodecContext {
  readonly as4: boolean;
}

/** A malformed attribute value, with the RFC 4271 §6.3 subcode to report. */
export class AttributeError extends Error {
  readonly subcode: number;

  constructor(subcode: number, message: string) {
    super(message);
    this.name = 'AttributeError';
    this.subcode = subcode;
  }
}

export interface AttributeSpec {
  readonly name: string;
  readonly type: number;
  readonly key: KnownKey;
  /** The Optional and Transitive bits the attribute must carry. */
  readonly flags: number;
  /** RFC 7606 §7: what a malformed instance leads to. */
  readonly onError: ErrorAction;
  /** The subcode for a malformed value (length errors use Attribute Length Error). */
  readonly subcode: number;
  decodeInto(into: MutablePathAttributes, value: Uint8Array, ctx: CodecContext): void;
  /** Writes the value (without the attribute header); only called when the key is present. */
  encodeFrom(w: Writer, attrs: PathAttributes, ctx: CodecContext): void;
}

const wellKnown = AttrFlag.Transitive;
const optional = AttrFlag.Optional;
const optionalTransitive = AttrFlag.Optional | AttrFlag.Transitive;

function lengthIs(value: Uint8Array, n: number, name: string): void {
  if (value.length !== n) throw new AttributeError(UpdateSubcode.AttributeLengthError, `${name} of length ${value.length}`);
}

function multipleOf(value: Uint8Array, n: number, name: string): void {
  if (value.length === 0 || value.length % n !== 0) {
    throw new AttributeError(UpdateSubcode.AttributeLengthError, `${name} of length ${value.length}`);
  }
}

function u32List(value: Uint8Array): number[] {
  const r = new Reader(value);
  const out: number[] = [];
  while (r.remaining > 0) out.push(r.u32());
  return out;
}

function decodeAggregator(value: Uint8Array, asnBytes: 2 | 4, name: string): Aggregator {
  lengthIs(value, asnBytes + 4, name);
  const r = new Reader(value);
  const asn = asnBytes === 4 ? r.u32() : r.u16();
  return { asn, address: ipFromBytes(r.bytes(4).slice()) };
}

function encodeAggregator(w: Writer, a: Aggregator, asnBytes: 2 | 4): void {
  if (asnBytes === 4) w.u32(a.asn);
  else w.u16(a.asn > 0xffff ? 23456 : a.asn);
  w.bytes(ipToBytes(a.address));
}

function u32Attribute(type: number, key: 'multiExitDisc' | 'localPref' | 'originatorId', name: string, flags: number): AttributeSpec {
  return {
    name, type, key, flags, onError: 'treatAsWithdraw', subcode: UpdateSubcode.AttributeLengthError,
    decodeInto(into, value) { lengthIs(value, 4, name); into[key] = new Reader(value).u32(); },
    encodeFrom(w, attrs) { w.u32(attrs[key] as number); },
  };
}

const specs: readonly AttributeSpec[] = [
  {
    // RFC 7606 §7.1: length other than 1 or an undefined value -> treat-as-withdraw.
    name: 'ORIGIN', type: AttrType.Origin, key: 'origin', flags: wellKnown, onError: 'treatAsWithdraw',
    subcode: UpdateSubcode.InvalidOriginAttribute,
    decodeInto(into, value) {
      lengthIs(value, 1, 'ORIGIN');
      const v = value[0] as number;
      if (v > Origin.Incomplete) throw new AttributeError(UpdateSubcode.InvalidOriginAttribute, `ORIGIN value ${v}`);
      into.origin = v as OriginCode;
    },
    encodeFrom(w, attrs) { w.u8(attrs.origin as number); },
  },
  {
    // RFC 7606 §7.2: a malformed AS_PATH -> treat-as-withdraw.
    name: 'AS_PATH', type: AttrType.AsPath, key: 'asPath', flags: wellKnown, onError: 'treatAsWithdraw',
    subcode: UpdateSubcode.MalformedAsPath,
    decodeInto(into, value, ctx) { into.asPath = decodeAsPath(value, ctx.as4 ? 4 : 2); },
    encodeFrom(w, attrs, ctx) { encodeAsPath(w, attrs.asPath as AsPath, ctx.as4 ? 4 : 2); },
  },
  {
    // RFC 7606 §7.3: length other than 4 -> treat-as-withdraw.
    name: 'NEXT_HOP', type: AttrType.NextHop, key: 'nextHop', flags: wellKnown, onError: 'treatAsWithdraw',
    subcode: UpdateSubcode.AttributeLengthError,
    decodeInto(into, value) { lengthIs(value, 4, 'NEXT_HOP'); into.nextHop = ipFromBytes(value.slice()); },
    encodeFrom(w, attrs) { w.bytes(ipToBytes(attrs.nextHop as IpAddress)); },
  },
  // RFC 7606 §7.4, §7.5, §7.9: length other than 4 -> treat-as-withdraw.
  u32Attribute(AttrType.MultiExitDisc, 'multiExitDisc', 'MULTI_EXIT_DISC', optional),
  u32Attribute(AttrType.LocalPref, 'localPref', 'LOCAL_PREF', wellKnown),
  {
    // RFC 7606 §7.6: length other than 0 -> attribute discard.
    name: 'ATOMIC_AGGREGATE', type: AttrType.AtomicAggregate, key: 'atomicAggregate', flags: wellKnown,
    onError: 'attributeDiscard', subcode: UpdateSubcode.AttributeLengthError,
    decodeInto(into, value) { lengthIs(value, 0, 'ATOMIC_AGGREGATE'); into.atomicAggregate = true; },
    encodeFrom() { /* no value */ },
  },
  {
    // RFC 7606 §7.7: length other than 6 (8 with 4-octet ASNs) -> attribute discard.
    name: 'AGGREGATOR', type: AttrType.Aggregator, key: 'aggregator', flags: optionalTransitive,
    onError: 'attributeDiscard', subcode: UpdateSubcode.AttributeLengthError,
    decodeInto(into, value, ctx) { into.aggregator = decodeAggregator(value, ctx.as4 ? 4 : 2, 'AGGREGATOR'); },
    encodeFrom(w, attrs, ctx) { encodeAggregator(w, attrs.aggregator as Aggregator, ctx.as4 ? 4 : 2); },
  },
  {
    // RFC 7606 §7.8: length not a non-zero multiple of 4 -> treat-as-withdraw.
    name: 'COMMUNITIES', type: AttrType.Communities, key: 'communities', flags: optionalTransitive,
    onError: 'treatAsWithdraw', subcode: UpdateSubcode.AttributeLengthError,
    decodeInto(into, value) { multipleOf(value, 4, 'COMMUNITIES'); into.communities = u32List(value); },
    encodeFrom(w, attrs) { for (const c of attrs.communities ?? []) w.u32(c); },
  },
  u32Attribute(AttrType.OriginatorId, 'originatorId', 'ORIGINATOR_ID', optional),
  {
    // RFC 7606 §7.10: length not a non-zero multiple of 4 -> treat-as-withdraw.
    name: 'CLUSTER_LIST', type: AttrType.ClusterList, key: 'clusterList', flags: optional,
    onError: 'treatAsWithdraw', subcode: UpdateSubcode.AttributeLengthError,
    decodeInto(into, value) { multipleOf(value, 4, 'CLUSTER_LIST'); into.clusterList = u32List(value); },
    encodeFrom(w, attrs) { for (const c of attrs.clusterList ?? []) w.u32(c); },
  },
  {
    // RFC 7606 §7.11 and RFC 4760 §7: a malformed MP attribute disables its AFI/SAFI.
    name: 'MP_REACH_NLRI', type: AttrType.MpReachNlri, key: 'mpReach', flags: optional,
    onError: 'afiSafiDisable', subcode: UpdateSubcode.OptionalAttributeError,
    decodeInto(into, value) { into.mpReach = decodeMpReach(value); },
    encodeFrom(w, attrs) { encodeMpReach(w, attrs.mpReach as MpReach); },
  },
  {
    name: 'MP_UNREACH_NLRI', type: AttrType.MpUnreachNlri, key: 'mpUnreach', flags: optional,
    onError: 'afiSafiDisable', subcode: UpdateSubcode.OptionalAttributeError,
    decodeInto(into, value) { into.mpUnreach = decodeMpUnreach(value); },
    encodeFrom(w, attrs) { encodeMpUnreach(w, attrs.mpUnreach as MpUnreach); },
  },
  {
    // RFC 6793 §6: a malformed AS4_PATH is discarded.
    name: 'AS4_PATH', type: AttrType.As4Path, key: 'as4Path', flags: optionalTransitive,
    onError: 'attributeDiscard', subcode: UpdateSubcode.OptionalAttributeError,
    decodeInto(into, value) { into.as4Path = decodeAsPath(value, 4); },
    encodeFrom(w, attrs) { encodeAsPath(w, attrs.as4Path as AsPath, 4); },
  },
  {
    name: 'AS4_AGGREGATOR', type: AttrType.As4Aggregator, key: 'as4Aggregator', flags: optionalTransitive,
    onError: 'attributeDiscard', subcode: UpdateSubcode.OptionalAttributeError,
    decodeInto(into, value) { into.as4Aggregator = decodeAggregator(value, 4, 'AS4_AGGREGATOR'); },
    encodeFrom(w, attrs) { encodeAggregator(w, attrs.as4Aggregator as Aggregator, 4); },
  },
  {
    // RFC 8092 §6: length not a non-zero multiple of 12 -> treat-as-withdraw.
    name: 'LARGE_COMMUNITY', type: AttrType.LargeCommunity, key: 'largeCommunities', flags: optionalTransitive,
    onError: 'treatAsWithdraw', subcode: UpdateSubcode.AttributeLengthError,
    decodeInto(into, value) {
      multipleOf(value, 12, 'LARGE_COMMUNITY');
      const r = new Reader(value);
      const out: LargeCommunity[] = [];
      while (r.remaining > 0) out.push({ globalAdmin: r.u32(), localData1: r.u32(), localData2: r.u32() });
      into.largeCommunities = out;
    },
    encodeFrom(w, attrs) {
      for (const c of attrs.largeCommunities ?? []) w.u32(c.globalAdmin).u32(c.localData1).u32(c.localData2);
    },
  },
];

/** Known attributes by type code. */
export const attributeSpecs: ReadonlyMap<number, AttributeSpec> = new Map(specs.map((s) => [s.type, s]));
/** Known attributes by model key. */
export const attributeSpecsByKey: ReadonlyMap<KnownKey, AttributeSpec> = new Map(specs.map((s) => [s.key, s]));
