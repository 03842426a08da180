/**
 * Protocol errors. A `BgpError` always resets the session: the driver sends a NOTIFICATION with its
 * code/subcode/data and closes (RFC 4271 §6). UPDATE problems that RFC 7606 allows to survive are not thrown but
 * collected as `UpdateProblem`s with an `ErrorAction`; the strongest one decides what happens.
 */

/** RFC 7606 §2 approaches, weakest first (GoBGP's ordered ErrorHandling; BIRD's DISCARD/WITHDRAW). */
export const errorActions = ['attributeDiscard', 'treatAsWithdraw', 'afiSafiDisable', 'sessionReset'] as const;
export type ErrorAction = (typeof errorActions)[number];

export function actionRank(action: ErrorAction): number {
  return errorActions.indexOf(action);
}

/** The stronger of two actions (undefined = no problem). */
export function strongerAction(a: ErrorAction | undefined, b: ErrorAction | undefined): ErrorAction | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return actionRank(a) >= actionRank(b) ? a : b;
}

export interface BgpErrorOptions {
  /** The NOTIFICATION data field: the offending bytes, as RFC 4271 §6 prescribes per subcode. */
  readonly data?: Uint8Array;
}

export class BgpError extends Error {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;

  constructor(code: number, subcode: number, message: string, options: BgpErrorOptions = {}) {
    super(message);
    this.name = 'BgpError';
    this.code = code;
    this.subcode = subcode;
    this.data = options.data ?? new Uint8Array(0);
  }
}

/** One UPDATE problem that RFC 7606 lets the session survive (or not, when `action` is sessionReset). */
export interface UpdateProblem {
  readonly action: ErrorAction;
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /** The attribute type code concerned, when there is one. */
  readonly attributeType?: number;
  /** For afiSafiDisable: the family to disable. */
  readonly afi?: number;
  readonly safi?: number;
  readonly message: string;
}

/** The strongest problem (first one on a tie), or undefined. */
export function strongestProblem(problems: readonly UpdateProblem[]): UpdateProblem | undefined {
  let best: UpdateProblem | undefined;
  for (const p of problems) if (best === undefined || actionRank(p.action) > actionRank(best.action)) best = p;
  return best;
}

export function problemToError(p: UpdateProblem): BgpError {
  return new BgpError(p.code, p.subcode, p.message, { data: p.data });
}
