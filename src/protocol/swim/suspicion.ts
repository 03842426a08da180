/**
 * Lifeguard's dynamic suspicion timeout (Dadgar, Phillips, Currey, "Lifeguard: Local Health Awareness for More
 * Accurate Failure Detection", 2018, section IV-B): a suspicion starts at the maximum timeout and falls towards
 * the minimum, logarithmically, as independent members confirm it, so a lone (possibly unhealthy) accuser
 * waits long and a suspicion many agree on completes fast. The formula is memberlist's
 * `remainingSuspicionTime`; the record is plain data owned by the member table.
 */
import type { SuspicionTimeouts } from './config.js';

export interface Suspicion {
  readonly startMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Confirmations wanted to reach the minimum. */
  readonly k: number;
  /** Members that have accused (the first accuser included), so nobody is counted twice. */
  readonly accusers: Set<string>;
  /** Independent confirmations counted so far (accusers after the first). */
  confirmations: number;
  /** When the suspect is declared dead unless it refutes. */
  deadlineMs: number;
}

/**
 * The time left before a suspicion expires, given `n` of `k` confirmations and `elapsedMs` since it started.
 * May be negative (expire now).
 */
export function remainingSuspicionMs(n: number, k: number, elapsedMs: number, minMs: number, maxMs: number): number {
  if (k < 1) return minMs - elapsedMs;
  const fraction = Math.log(n + 1) / Math.log(k + 1);
  const timeoutMs = Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
  return timeoutMs - elapsedMs;
}

export function startSuspicion(accuser: string, nowMs: number, t: SuspicionTimeouts): Suspicion {
  return {
    startMs: nowMs,
    minMs: t.minMs,
    maxMs: t.maxMs,
    k: t.k,
    accusers: new Set([accuser]),
    confirmations: 0,
    deadlineMs: nowMs + remainingSuspicionMs(0, t.k, 0, t.minMs, t.maxMs),
  };
}

/**
 * Counts an accusation from `accuser`; returns true when it was new information (a first accusation from this
 * member while confirmations can still shorten the timeout), which is also when it is worth re-gossiping.
 */
export function confirmSuspicion(s: Suspicion, accuser: string, nowMs: number): boolean {
  if (s.confirmations >= s.k || s.accusers.has(accuser)) return false;
  s.accusers.add(accuser);
  s.confirmations++;
  s.deadlineMs = nowMs + remainingSuspicionMs(s.confirmations, s.k, nowMs - s.startMs, s.minMs, s.maxMs);
  return true;
}
