/**
 * The path attribute list of an UPDATE (RFC 4271 §4.3): `flags(1) type(1) length(1 or 2) value`, with RFC 7606
 * revised error handling: problems are collected with their action instead of thrown; only session-reset problems
 * throw (as BgpError). Checks cite RFC 7606 §3 and §4.
 */
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { WireError } from '../wire/wire-error.js';
import { BgpError, type ErrorAction, type UpdateProblem } from './bgp-error.js';
import { AttrFlag, AttrType, ErrorCode, UpdateSubcode } from './constants.js';
import { MalformedAsPath } from './as-path.js';
import { MalformedMpAttribute } from './mp-nlri.js';
import {
  AttributeError, attributeSpecs, type AttributeSpec, type CodecContext, type MutablePathAttributes, type PathAttributes,
  type UnknownAttribute,
} from './attributes.js';

/** How one attribute appeared on the wire, so a decoded UPDATE re-encodes to the same bytes. */
export interface AttributeLayout {
  readonly type: number;
  readonly flags: number;
}

export interface DecodedAttributes {
  readonly attributes: PathAttributes;
  readonly layout: readonly AttributeLayout[];
  readonly problems: readonly UpdateProblem[];
}

function problem(action: ErrorAction, subcode: number, message: string, data: Uint8Array, extra: Partial<UpdateProblem> = {}): UpdateProblem {
  return { action, code: ErrorCode.UpdateMessage, subcode, data: data.slice(), message, ...extra };
}

/** RFC 4271 §4.3: well-known and optional non-transitive attributes must have Partial clear. */
function flagsConflict(spec: AttributeSpec, flags: number): boolean {
  const kind = flags & (AttrFlag.Optional | AttrFlag.Transitive);
  if (kind !== spec.flags) return true;
  return (flags & AttrFlag.Partial) !== 0 && spec.flags !== (AttrFlag.Optional | AttrFlag.Transitive);
}

function decodeKnown(spec: AttributeSpec, flags: number, value: Uint8Array, raw: Uint8Array, into: MutablePathAttributes,
  ctx: CodecContext): UpdateProblem | undefined {
  // RFC 7606 §3 (c): conflicting Optional/Transitive bits make the attribute malformed, handled as the attribute says.
  if (flagsConflict(spec, flags)) {
    return problem(spec.onError, UpdateSubcode.AttributeFlagsError, `${spec.name} with flags 0x${flags.toString(16)}`, raw,
      { attributeType: spec.type });
  }
  try {
    spec.decodeInto(into, value, ctx);
    return undefined;
  } catch (err) {
    if (err instanceof MalformedMpAttribute) {
      const family = err.afi === undefined || err.safi === undefined ? {} : { afi: err.afi, safi: err.safi };
      // RFC 4760 §7: when not even the AFI/SAFI can be read, the session is reset.
      const action: ErrorAction = err.afi === undefined ? 'sessionReset' : 'afiSafiDisable';
      return problem(action, UpdateSubcode.OptionalAttributeError, `${spec.name}: ${err.message}`, raw, { attributeType: spec.type, ...family });
    }
    if (err instanceof AttributeError || err instanceof MalformedAsPath || err instanceof WireError) {
      const subcode = err instanceof AttributeError ? err.subcode : spec.subcode;
      return problem(spec.onError, subcode, `${spec.name}: ${err.message}`, raw, { attributeType: spec.type });
    }
    throw err;
  }
}

/** Decodes a Path Attributes field. Throws BgpError only for session-reset problems. */
export function decodeAttributes(field: Uint8Array, ctx: CodecContext): DecodedAttributes {
  const r = new Reader(field);
  const into: MutablePathAttributes = {};
  const unknown: UnknownAttribute[] = [];
  const layout: AttributeLayout[] = [];
  const problems: UpdateProblem[] = [];
  const seen = new Set<number>();
  while (r.remaining > 0) {
    const start = field.length - r.remaining;
    const flags = field[start] as number;
    const headerLength = flags & AttrFlag.ExtendedLength ? 4 : 3;
    // RFC 7606 §4: too few bytes for an attribute header, or a length past the field: treat-as-withdraw and rely
    // on the Total Attribute Length to find the NLRI.
    if (r.remaining < headerLength) {
      problems.push(problem('treatAsWithdraw', UpdateSubcode.AttributeLengthError, 'attribute header truncated', field.subarray(start)));
      break;
    }
    r.u8();
    const type = r.u8();
    const length = headerLength === 4 ? r.u16() : r.u8();
    if (length > r.remaining) {
      problems.push(problem('treatAsWithdraw', UpdateSubcode.AttributeLengthError, `attribute ${type} of length ${length} overruns the list`,
        field.subarray(start), { attributeType: type }));
      break;
    }
    const value = r.bytes(length);
    const raw = field.subarray(start, start + headerLength + length);
    if (seen.has(type)) {
      // RFC 7606 §3 (g): a repeated MP_REACH/MP_UNREACH resets the session; other repeats are discarded.
      if (type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) {
        throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, `attribute ${type} repeated`);
      }
      problems.push(problem('attributeDiscard', UpdateSubcode.MalformedAttributeList, `attribute ${type} repeated`, raw, { attributeType: type }));
      continue;
    }
    seen.add(type);
    const spec = attributeSpecs.get(type);
    if (spec === undefined) {
      // RFC 4271 §6.3: an unrecognized well-known attribute resets the session; data is the attribute.
      if ((flags & AttrFlag.Optional) === 0) {
        throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.UnrecognizedWellKnownAttribute, `unrecognized well-known attribute ${type}`,
          { data: raw.slice() });
      }
      unknown.push({ flags: flags & ~AttrFlag.ExtendedLength, type, value: value.slice() });
      layout.push({ type, flags });
      continue;
    }
    const p = decodeKnown(spec, flags, value, raw, into, ctx);
    if (p === undefined) layout.push({ type, flags });
    else if (p.action === 'sessionReset') throw new BgpError(p.code, p.subcode, p.message, { data: p.data });
    else problems.push(p);
  }
  if (unknown.length > 0) into.unknown = unknown;
  return { attributes: into, layout, problems };
}

function writeAttribute(w: Writer, flags: number, type: number, value: Uint8Array, forceExtended: boolean): void {
  const extended = forceExtended || value.length > 255;
  const f = extended ? flags | AttrFlag.ExtendedLength : flags & ~AttrFlag.ExtendedLength;
  w.u8(f).u8(type);
  if (extended) w.u16(value.length);
  else w.u8(value.length);
  w.bytes(value);
}

function encodeValue(spec: AttributeSpec, attrs: PathAttributes, ctx: CodecContext): Uint8Array {
  const v = new Writer(64);
  spec.encodeFrom(v, attrs, ctx);
  return v.view();
}

/** RFC 7606 §5.1: MP_REACH/MP_UNREACH first, then ascending type code (RFC 4271 §5 suggests ascending order). */
function canonicalOrder(attrs: PathAttributes): AttributeLayout[] {
  const out: AttributeLayout[] = [];
  for (const type of [AttrType.MpReachNlri, AttrType.MpUnreachNlri]) {
    const spec = attributeSpecs.get(type) as AttributeSpec;
    if (attrs[spec.key] !== undefined) out.push({ type, flags: spec.flags });
  }
  const rest: AttributeLayout[] = [];
  for (const spec of attributeSpecs.values()) {
    if (spec.type === AttrType.MpReachNlri || spec.type === AttrType.MpUnreachNlri) continue;
    if (attrs[spec.key] !== undefined) rest.push({ type: spec.type, flags: spec.flags });
  }
  for (const u of attrs.unknown ?? []) rest.push({ type: u.type, flags: u.flags });
  rest.sort((a, b) => a.type - b.type);
  return [...out, ...rest];
}

/**
 * Encodes the attributes. With a `layout` (from decoding) the order and flags are reproduced, so a decoded
 * message re-encodes byte for byte; without one the order is canonical.
 */
export function encodeAttributes(w: Writer, attrs: PathAttributes, ctx: CodecContext, layout?: readonly AttributeLayout[]): void {
  const unknownByType = new Map((attrs.unknown ?? []).map((u) => [u.type, u]));
  const order = canonicalOrder(attrs);
  if (layout !== undefined) {
    // The layout first; anything it does not mention follows in canonical order.
    const mentioned = new Set(layout.map((e) => e.type));
    order.splice(0, order.length, ...layout, ...order.filter((e) => !mentioned.has(e.type)));
  }
  for (const entry of order) {
    const spec = attributeSpecs.get(entry.type);
    if (spec !== undefined) {
      if (attrs[spec.key] === undefined) continue;
      const keep = entry.flags & (AttrFlag.Partial | AttrFlag.Optional | AttrFlag.Transitive);
      writeAttribute(w, keep, spec.type, encodeValue(spec, attrs, ctx), (entry.flags & AttrFlag.ExtendedLength) !== 0);
    } else {
      const u = unknownByType.get(entry.type);
      if (u !== undefined) writeAttribute(w, u.flags, u.type, u.value, (entry.flags & AttrFlag.ExtendedLength) !== 0);
    }
  }
}
