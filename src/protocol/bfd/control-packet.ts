/**
 * The BFD Control packet (RFC 5880 §4.1) without authentication: encode, and decode with the reception checks of
 * §6.8.6 that need no session (version, length, detect multiplier, multipoint, discriminators, the A bit).
 * Decoding never throws: a bad packet is a typed drop reason, so a datagram can only be counted and discarded.
 *
 *   0                   1                   2                   3
 *   |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 *   |                       My Discriminator                        |
 *   |                      Your Discriminator                       |
 *   |                    Desired Min TX Interval                    |   (microseconds)
 *   |                   Required Min RX Interval                    |
 *   |                 Required Min Echo RX Interval                 |
 */
import { Writer } from '../wire/writer.js';
import { bfdControlLengthBytes, bfdStates, bfdVersion, type BfdState } from './constants.js';

export interface BfdControlPacket {
  readonly diag: number;
  readonly state: BfdState;
  readonly poll: boolean;
  readonly final: boolean;
  readonly controlPlaneIndependent: boolean;
  readonly demand: boolean;
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly requiredMinEchoRxUs: number;
}

/** Why a received packet was discarded (§6.8.6), stable for metrics and logs. */
export const bfdDropReasons = [
  'truncated', 'bad-version', 'bad-length', 'length-exceeds-payload', 'zero-detect-mult', 'multipoint',
  'zero-my-discriminator', 'zero-your-discriminator', 'auth-not-configured', 'unknown-your-discriminator',
  'bad-ttl', 'no-session',
] as const;
export type BfdDropReason = (typeof bfdDropReasons)[number];

export type BfdDecodeResult =
  | { readonly ok: true; readonly packet: BfdControlPacket }
  | { readonly ok: false; readonly drop: BfdDropReason; readonly detail: string };

const flag = { poll: 0x20, final: 0x10, cpi: 0x08, auth: 0x04, demand: 0x02, multipoint: 0x01 } as const;

export function encodeControlPacket(p: BfdControlPacket): Uint8Array {
  const flags = (p.poll ? flag.poll : 0) | (p.final ? flag.final : 0) | (p.controlPlaneIndependent ? flag.cpi : 0) |
    (p.demand ? flag.demand : 0);
  return new Writer(bfdControlLengthBytes)
    .u8((bfdVersion << 5) | (p.diag & 0x1f))
    .u8((bfdStates.indexOf(p.state) << 6) | flags)
    .u8(p.detectMult)
    .u8(bfdControlLengthBytes)
    .u32(p.myDiscriminator)
    .u32(p.yourDiscriminator)
    .u32(p.desiredMinTxUs)
    .u32(p.requiredMinRxUs)
    .u32(p.requiredMinEchoRxUs)
    .finish();
}

function drop(reason: BfdDropReason, detail: string): BfdDecodeResult {
  return { ok: false, drop: reason, detail };
}

function u32(b: Uint8Array, at: number): number {
  return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
}

/** Decodes one UDP payload. No authentication is ever configured here, so a set A bit is a drop. */
export function decodeControlPacket(bytes: Uint8Array): BfdDecodeResult {
  if (bytes.length < bfdControlLengthBytes) return drop('truncated', `${bytes.length} bytes, need ${bfdControlLengthBytes}`);
  const b0 = bytes[0] as number;
  const b1 = bytes[1] as number;
  const version = b0 >>> 5;
  if (version !== bfdVersion) return drop('bad-version', `version ${version}`);
  const length = bytes[3] as number;
  const auth = (b1 & flag.auth) !== 0;
  if (length < (auth ? bfdControlLengthBytes + 2 : bfdControlLengthBytes)) return drop('bad-length', `length field ${length}`);
  if (length > bytes.length) return drop('length-exceeds-payload', `length field ${length} > payload ${bytes.length}`);
  const detectMult = bytes[2] as number;
  if (detectMult === 0) return drop('zero-detect-mult', 'detect multiplier 0');
  if ((b1 & flag.multipoint) !== 0) return drop('multipoint', 'M bit set');
  const state = bfdStates[b1 >>> 6] as BfdState;
  const myDiscriminator = u32(bytes, 4);
  const yourDiscriminator = u32(bytes, 8);
  if (myDiscriminator === 0) return drop('zero-my-discriminator', 'my discriminator 0');
  if (yourDiscriminator === 0 && state !== 'Down' && state !== 'AdminDown') {
    return drop('zero-your-discriminator', `your discriminator 0 in state ${state}`);
  }
  if (auth) return drop('auth-not-configured', 'A bit set, no authentication configured');
  return {
    ok: true,
    packet: {
      diag: b0 & 0x1f, state,
      poll: (b1 & flag.poll) !== 0, final: (b1 & flag.final) !== 0,
      controlPlaneIndependent: (b1 & flag.cpi) !== 0, demand: (b1 & flag.demand) !== 0,
      detectMult, myDiscriminator, yourDiscriminator,
      desiredMinTxUs: u32(bytes, 12), requiredMinRxUs: u32(bytes, 16), requiredMinEchoRxUs: u32(bytes, 20),
    },
  };
}
