/**
 * Listener checks (our extension, see `SwimConfig.listenerChecks`): when a member stops answering, ask its kernel
 * too, with a TCP connection to its gossip port. The kernel answers for the process whatever the process's own
 * state: it refuses (RST) when the process is gone, and completes the handshake when the process is there but
 * not running (starved of CPU, paused), which UDP silence alone cannot tell apart from death.
 *
 * - `refused`: the member's process is gone; its suspicion ends in `refusedDeathMs` (just long enough for the
 *   suspicion to be gossiped first, so others accept the death at once), not at the suspicion timeout.
 * - `listening`: its process is alive but silent; the death waits, re-checked every probe interval, until the
 *   member refutes or `unresponsiveGraceMs` have passed since the suspicion started.
 * - `unreachable`: nothing answered (a cut link, a dead host): the suspicion runs its normal course.
 */
import type { StepContext } from './context.js';
import { count } from './context.js';
import type { ListenerState, Member } from './state.js';
import { isLive } from './state.js';

/** Asks the driver to check `m`'s listener, unless a check of it is already in flight. */
export function checkListener(ctx: StepContext, m: Member, timeoutMs: number): void {
  const s = ctx.s;
  if (!s.config.listenerChecks || m.name === s.self) return;
  for (const name of s.listenerChecks.values()) if (name === m.name) return;
  const requestId = s.nextRequestId++;
  s.listenerChecks.set(requestId, m.name);
  ctx.actions.push({ type: 'checkListener', requestId, to: m.address, timeoutMs: Math.max(1, Math.round(timeoutMs)) });
}

/** Records a check's answer on its member; returns the member when it is still live. */
export function recordListenerResult(ctx: StepContext, requestId: number, result: ListenerState): Member | undefined {
  const name = ctx.s.listenerChecks.get(requestId);
  if (name === undefined) return undefined;
  ctx.s.listenerChecks.delete(requestId);
  const m = ctx.s.members.get(name);
  if (m === undefined || !isLive(m)) return undefined;
  m.listener = { result, atMs: ctx.nowMs };
  count(ctx, result === 'refused' ? 'listenerRefused' : result === 'listening' ? 'listenerListening' : 'listenerUnreachable');
  return m;
}

/** A refused check: the suspicion (if any) ends shortly. */
export function hastenDeath(ctx: StepContext, m: Member): void {
  if (m.suspicion === undefined) return;
  m.suspicion.deadlineMs = Math.min(m.suspicion.deadlineMs, ctx.nowMs + ctx.s.config.refusedDeathMs);
}

/**
 * At a suspicion's deadline: whether the death waits because the member's kernel still accepted a connection
 * lately (then the deadline moves one probe interval on and the listener is checked again).
 */
export function deathShouldWait(ctx: StepContext, m: Member): boolean {
  const s = ctx.s;
  const suspicion = m.suspicion;
  if (!s.config.listenerChecks || suspicion === undefined) return false;
  const fresh = m.listener !== undefined && m.listener.result === 'listening' && m.listener.atMs >= suspicion.startMs - s.config.probeIntervalMs;
  if (!fresh || ctx.nowMs - suspicion.startMs >= s.config.unresponsiveGraceMs) return false;
  suspicion.deadlineMs = ctx.nowMs + s.config.probeIntervalMs;
  checkListener(ctx, m, s.config.probeIntervalMs);
  count(ctx, 'deathDeferred');
  return true;
}
