/**
 * Lifeguard's local health multiplier (LHM, section IV-A of the Lifeguard paper; memberlist `awareness.go`): a
 * score in 0..max-1 that rises on evidence that *this* node is the slow one and falls on successful probes.
 * Probe intervals and timeouts are multiplied by score+1, so an unhealthy node probes less and waits longer
 * before it accuses anyone.
 *
 * Evidence used here: a failed probe where helpers did not send the nacks they should have (+ missing nacks,
 * or +1 with no helper to ask), having to refute a suspicion about ourselves (+1), and, beyond Lifeguard,
 * our own timers firing late (+1, see `SwimConfig.lateToleranceMs`). A successful probe is -1.
 */

export function applyAwarenessDelta(score: number, delta: number, max: number): number {
  return Math.min(max - 1, Math.max(0, score + delta));
}

export function scaleByAwareness(ms: number, score: number): number {
  return ms * (score + 1);
}
