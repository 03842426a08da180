/**
 * UPDATE (RFC 4271 §4.3), End-of-RIB (RFC 4724 §2).
 *
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes Length (2 octets)                |
 *   |   Withdrawn Routes (variable)                       |
 *   |   Total Path Attribute Length (2 octets)            |
 *   |   Path Attributes (variable)                        |
 *   |   Network Layer Reachability Information (variable) |
 *   +-----------------------------------------------------+
 */
import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { Writer as BodyWriter } from '../wire/writer.js';
import type { Cidr, IpFamily } from '../../lib/ip.js';
import { BgpError, type UpdateProblem } from './bgp-error.js';
import { Afi, ErrorCode, Safi, UpdateSubcode } from './constants.js';
import type { CodecContext, PathAttributes } from './attributes.js';
import { decodeAttributes, encodeAttributes, type AttributeLayout } from './attribute-codec.js';
import { decodePrefixes, MalformedPrefix, writePrefixes } from './prefix.js';
import { familyOf } from './mp-nlri.js';

export interface Update {
  readonly type: 'update';
  /** IPv4 unicast prefixes withdrawn in the Withdrawn Routes field. */
  readonly withdrawn: readonly Cidr[];
  readonly attributes: PathAttributes;
  /** IPv4 unicast prefixes in the NLRI field. */
  readonly nlri: readonly Cidr[];
  /** Attribute order and flags as received; lets a decoded UPDATE re-encode to identical bytes. */
  readonly layout?: readonly AttributeLayout[];
}

export interface DecodedUpdate {
  readonly update: Update;
  /** RFC 7606 problems that did not reset the session. */
  readonly problems: readonly UpdateProblem[];
}

function malformedList(message: string): BgpError {
  return new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, message);
}

function ipv4Prefixes(r: Reader, field: string): Cidr[] {
  try {
    return decodePrefixes(r, 'IPv4');
  } catch (err) {
    // RFC 7606 §5.3: an unparseable legacy NLRI or withdrawn field resets the session (Invalid Network Field).
    if (err instanceof MalformedPrefix) throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.InvalidNetworkField, `${field}: ${err.message}`);
    throw err;
  }
}

/** Decodes an UPDATE body. Throws BgpError for session-reset errors; other problems are returned. */
export function decodeUpdate(body: Uint8Array, ctx: CodecContext): DecodedUpdate {
  const r = new Reader(body);
  const withdrawnLength = r.u16();
  // RFC 4271 §6.3: Withdrawn Routes Length + Total Attribute Length + 23 > message length -> Malformed Attribute List.
  if (withdrawnLength + 2 > r.remaining) throw malformedList(`withdrawn routes length ${withdrawnLength}`);
  const withdrawn = ipv4Prefixes(r.sub(withdrawnLength), 'withdrawn routes');
  const attributesLength = r.u16();
  if (attributesLength > r.remaining) throw malformedList(`total path attribute length ${attributesLength}`);
  const { attributes, layout, problems } = decodeAttributes(r.bytes(attributesLength), ctx);
  const nlri = ipv4Prefixes(r.sub(r.remaining), 'nlri');
  return { update: { type: 'update', withdrawn, attributes, nlri, layout }, problems };
}

export function encodeUpdateBody(w: Writer, u: Update, ctx: CodecContext): void {
  const withdrawn = new BodyWriter(64);
  writePrefixes(withdrawn, u.withdrawn);
  w.u16(withdrawn.length).bytes(withdrawn.view());
  const attrs = new BodyWriter(128);
  encodeAttributes(attrs, u.attributes, ctx, u.layout);
  w.u16(attrs.length).bytes(attrs.view());
  writePrefixes(w, u.nlri);
}

/** RFC 4724 §2: the End-of-RIB marker of a family. IPv4 unicast is the empty UPDATE. */
export function endOfRib(family: IpFamily): Update {
  if (family === 'IPv4') return { type: 'update', withdrawn: [], attributes: {}, nlri: [] };
  return { type: 'update', withdrawn: [], attributes: { mpUnreach: { afi: Afi.Ipv6, safi: Safi.Unicast, withdrawn: [] } }, nlri: [] };
}

/** The family whose End-of-RIB this UPDATE is, or undefined. */
export function endOfRibFamily(u: Update): IpFamily | undefined {
  if (u.withdrawn.length > 0 || u.nlri.length > 0) return undefined;
  const keys = Object.keys(u.attributes).filter((k) => (u.attributes as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 0) return 'IPv4';
  const un = u.attributes.mpUnreach;
  if (keys.length === 1 && un !== undefined && un.withdrawn.length === 0) return familyOf(un.afi, un.safi);
  return undefined;
}
