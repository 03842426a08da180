/**
 * Capabilities (RFC 5492) carried in OPEN: multiprotocol (RFC 4760 §8), route refresh (RFC 2918 §2),
 * graceful restart (RFC 4724 §3, with RFC 8538's N bit), 4-octet AS (RFC 6793 §3). Unknown capabilities are kept
 * as received (RFC 5492 §3: a speaker ignores capabilities it does not understand).
 *
 *   Capability: Code(1) Length(1) Value(Length)
 *   Graceful Restart value: Flags(4 bits) RestartTime(12 bits), then per family AFI(2) SAFI(1) Flags(1)
 */
import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { BgpError } from './bgp-error.js';
import { CapabilityCode, ErrorCode, OpenSubcode } from './constants.js';

export interface GracefulRestartFamily {
  readonly afi: number;
  readonly safi: number;
  /** F bit: forwarding state was preserved for this family across the restart. */
  readonly forwardingState: boolean;
}

export type Capability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'routeRefresh' }
  | {
    readonly kind: 'gracefulRestart';
    /** R bit (RFC 4724 §3): the sender has restarted; the receiver must not wait for its EoR before sending its own. */
    readonly restartState: boolean;
    /** N bit (RFC 8538): graceful restart also applies to NOTIFICATION and hold timer expiry. */
    readonly notification: boolean;
    readonly restartTimeSec: number;
    readonly families: readonly GracefulRestartFamily[];
  }
  | { readonly kind: 'fourOctetAs'; readonly asn: number }
  | { readonly kind: 'unknown'; readonly code: number; readonly value: Uint8Array };

function malformed(message: string): BgpError {
  // RFC 4271 §4.5: no subcode fits a malformed capability, so the subcode is 0 (unspecific).
  return new BgpError(ErrorCode.OpenMessage, OpenSubcode.Unspecific, message);
}

function decodeOne(code: number, value: Uint8Array): Capability {
  const r = new Reader(value);
  switch (code) {
    case CapabilityCode.Multiprotocol: {
      if (value.length !== 4) throw malformed(`multiprotocol capability of length ${value.length}`);
      const afi = r.u16();
      r.u8(); // reserved
      return { kind: 'multiprotocol', afi, safi: r.u8() };
    }
    case CapabilityCode.RouteRefresh:
      if (value.length !== 0) throw malformed(`route refresh capability of length ${value.length}`);
      return { kind: 'routeRefresh' };
    case CapabilityCode.FourOctetAs:
      if (value.length !== 4) throw malformed(`4-octet AS capability of length ${value.length}`);
      return { kind: 'fourOctetAs', asn: r.u32() };
    case CapabilityCode.GracefulRestart: {
      if (value.length < 2 || (value.length - 2) % 4 !== 0) throw malformed(`graceful restart capability of length ${value.length}`);
      const word = r.u16();
      const families: GracefulRestartFamily[] = [];
      while (r.remaining > 0) families.push({ afi: r.u16(), safi: r.u8(), forwardingState: (r.u8() & 0x80) !== 0 });
      return {
        kind: 'gracefulRestart', restartState: (word & 0x8000) !== 0, notification: (word & 0x4000) !== 0,
        restartTimeSec: word & 0x0fff, families,
      };
    }
    default:
      return { kind: 'unknown', code, value: value.slice() };
  }
}

/** Decodes the value of one Capabilities optional parameter (which may hold several capabilities). */
export function decodeCapabilities(value: Uint8Array): Capability[] {
  const r = new Reader(value);
  const out: Capability[] = [];
  while (r.remaining > 0) {
    if (r.remaining < 2) throw malformed('capability header truncated');
    const code = r.u8();
    const length = r.u8();
    if (length > r.remaining) throw malformed(`capability ${code} of length ${length} overruns the parameter`);
    out.push(decodeOne(code, r.bytes(length)));
  }
  return out;
}

export function encodeCapability(w: Writer, c: Capability): void {
  switch (c.kind) {
    case 'multiprotocol':
      w.u8(CapabilityCode.Multiprotocol).u8(4).u16(c.afi).u8(0).u8(c.safi);
      return;
    case 'routeRefresh':
      w.u8(CapabilityCode.RouteRefresh).u8(0);
      return;
    case 'fourOctetAs':
      w.u8(CapabilityCode.FourOctetAs).u8(4).u32(c.asn);
      return;
    case 'gracefulRestart': {
      w.u8(CapabilityCode.GracefulRestart).u8(2 + 4 * c.families.length);
      w.u16((c.restartState ? 0x8000 : 0) | (c.notification ? 0x4000 : 0) | (c.restartTimeSec & 0x0fff));
      for (const f of c.families) w.u16(f.afi).u8(f.safi).u8(f.forwardingState ? 0x80 : 0);
      return;
    }
    case 'unknown':
      w.u8(c.code).u8(c.value.length).bytes(c.value);
      return;
  }
}
