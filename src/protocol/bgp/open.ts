/**
 * OPEN (RFC 4271 §4.2) with capability optional parameters (RFC 5492) and, for decoding, RFC 9072 extended
 * optional parameter lengths.
 *
 *   Version(1) My Autonomous System(2) Hold Time(2) BGP Identifier(4) Opt Parm Len(1) Optional Parameters
 *   Optional Parameter: Parm. Type(1) Parm. Length(1) Parameter Value
 *   RFC 9072: Opt Parm Len = 255, then Non-Ext OP Type = 255, Extended Opt. Parm. Length(2), parameters with 2-byte lengths
 */
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { BgpError } from './bgp-error.js';
import { ErrorCode, OpenSubcode, OptionalParameterType } from './constants.js';
import { decodeCapabilities, encodeCapability, type Capability } from './capabilities.js';

export interface Open {
  readonly type: 'open';
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real AS needs 4 octets). */
  readonly myAsn: number;
  readonly holdTimeSec: number;
  readonly bgpIdentifier: number;
  /** One entry per Capabilities optional parameter, in wire order (FRR sends one capability per parameter). */
  readonly capabilityGroups: readonly (readonly Capability[])[];
  /** RFC 9072 encoding was used (or must be used). */
  readonly extendedParameters?: true;
}

export const bgpVersion = 4;

/** All capabilities of an OPEN, flattened. */
export function capabilitiesOf(open: Open): Capability[] {
  return open.capabilityGroups.flat();
}

function openError(subcode: number, message: string, data?: Uint8Array): BgpError {
  return new BgpError(ErrorCode.OpenMessage, subcode, message, data === undefined ? {} : { data });
}

function decodeParameters(r: Reader, extended: boolean): (readonly Capability[])[] {
  const groups: Capability[][] = [];
  while (r.remaining > 0) {
    if (r.remaining < (extended ? 3 : 2)) throw openError(OpenSubcode.Unspecific, 'optional parameter header truncated');
    const type = r.u8();
    const length = extended ? r.u16() : r.u8();
    if (length > r.remaining) throw openError(OpenSubcode.Unspecific, `optional parameter of length ${length} overruns the field`);
    const value = r.bytes(length);
    // RFC 4271 §6.2: an optional parameter we do not recognize -> Unsupported Optional Parameter.
    if (type !== OptionalParameterType.Capabilities) throw openError(OpenSubcode.UnsupportedOptionalParameter, `optional parameter type ${type}`);
    groups.push(decodeCapabilities(value));
  }
  return groups;
}

/** Decodes an OPEN body (after the header). Checks syntax only; `validateOpen` checks it against the session. */
export function decodeOpen(body: Uint8Array): Open {
  const r = new Reader(body);
  const version = r.u8();
  // RFC 4271 §6.2: data is the largest locally supported version, as 2 octets.
  if (version !== bgpVersion) throw openError(OpenSubcode.UnsupportedVersionNumber, `version ${version}`, Uint8Array.of(0, bgpVersion));
  const myAsn = r.u16();
  const holdTimeSec = r.u16();
  // RFC 4271 §4.2: the hold time MUST be zero or at least three seconds.
  if (holdTimeSec === 1 || holdTimeSec === 2) throw openError(OpenSubcode.UnacceptableHoldTime, `hold time ${holdTimeSec}`);
  const bgpIdentifier = r.u32();
  // RFC 6286 §2.2: the BGP Identifier is a non-zero 32-bit value.
  if (bgpIdentifier === 0) throw openError(OpenSubcode.BadBgpIdentifier, 'bgp identifier 0');
  const paramsLength = r.u8();
  let extended = false;
  let params: Reader;
  if (paramsLength !== 0 && r.remaining > 0 && body[r.offset] === OptionalParameterType.ExtendedLength) {
    // RFC 9072 §2: Non-Ext OP Type 255 announces 2-byte lengths.
    r.u8();
    if (r.remaining < 2) throw openError(OpenSubcode.Unspecific, 'extended optional parameters length truncated');
    const extLength = r.u16();
    if (extLength !== r.remaining) throw openError(OpenSubcode.Unspecific, `extended optional parameters length ${extLength}`);
    params = r.sub(extLength);
    extended = true;
  } else {
    if (paramsLength !== r.remaining) throw openError(OpenSubcode.Unspecific, `optional parameters length ${paramsLength} with ${r.remaining} bytes`);
    params = r.sub(paramsLength);
  }
  const capabilityGroups = decodeParameters(params, extended);
  r.end('OPEN');
  const open: Open = { type: 'open', version, myAsn, holdTimeSec, bgpIdentifier, capabilityGroups };
  return extended ? { ...open, extendedParameters: true } : open;
}

export function encodeOpenBody(w: Writer, open: Open): void {
  w.u8(open.version).u16(open.myAsn).u16(open.holdTimeSec).u32(open.bgpIdentifier);
  const params = new Writer(128);
  const lengths: number[] = [];
  const groupBytes = open.capabilityGroups.map((g) => {
    const v = new Writer(64);
    for (const c of g) encodeCapability(v, c);
    lengths.push(v.length);
    return v.view();
  });
  const extended = open.extendedParameters === true || lengths.some((n) => n > 255) || lengths.reduce((a, n) => a + n + 2, 0) > 255;
  for (const g of groupBytes) {
    params.u8(OptionalParameterType.Capabilities);
    if (extended) params.u16(g.length);
    else params.u8(g.length);
    params.bytes(g);
  }
  if (extended) {
    w.u8(255).u8(OptionalParameterType.ExtendedLength).u16(params.length);
  } else {
    w.u8(params.length);
  }
  w.bytes(params.view());
}
