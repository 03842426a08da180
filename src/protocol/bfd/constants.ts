/**
 * BFD wire constants (RFC 5880 §4.1, RFC 5881 §4). Tables are append only.
 */

/** Session states in wire order (§4.1 "Sta"): the index is the 2-bit code. */
export const bfdStates = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export type BfdState = (typeof bfdStates)[number];

/** Diagnostic codes (§4.1 "Diag"). */
export const bfdDiag = {
  none: 0,
  controlDetectionTimeExpired: 1,
  echoFunctionFailed: 2,
  neighborSignaledSessionDown: 3,
  forwardingPlaneReset: 4,
  pathDown: 5,
  concatenatedPathDown: 6,
  administrativelyDown: 7,
  reverseConcatenatedPathDown: 8,
} as const;

const diagNames = Object.fromEntries(Object.entries(bfdDiag).map(([k, v]) => [v, k])) as Record<number, string>;

/** `controlDetectionTimeExpired`, or `diag-9` for codes this table does not name. */
export function diagName(code: number): string {
  return diagNames[code] ?? `diag-${code}`;
}

export const bfdVersion = 1;
/** Length of a Control packet without the Authentication Section. */
export const bfdControlLengthBytes = 24;
/** RFC 5881 §4: single-hop control packets go to this UDP port; the source port is in 49152-65535. */
export const bfdControlPort = 3784;
export const bfdEchoPort = 3785;
export const bfdSourcePortMin = 49152;
export const bfdSourcePortMax = 65535;
/** RFC 5881 §5: single-hop packets are sent with TTL/hop limit 255 and received only with 255 (GTSM). */
export const bfdTtl = 255;
/** §6.8.3: while the session is not Up, the Desired Min TX Interval is at least one second. */
export const bfdSlowTxUs = 1_000_000;
