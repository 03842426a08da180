/**
 * SWIM membership with the Lifeguard extensions, sans-IO.
 *
 * Design: `step(state, event)` updates one node's state in place and returns the actions for the driver
 * (datagrams and stream exchanges to send, the one wake-up timer it needs, membership changes, counters). It
 * never reads a clock or opens a socket: time arrives with every event. The driver (speaker/members/) owns the
 * sockets, the envelope (AES-256-GCM) and the timer.
 *
 * Implemented:
 * - SWIM (Das, Gupta, Motivala, DSN 2002): randomised round-robin probing with indirect probes (3.1, 4.3),
 *   suspicion with incarnation numbers and refutation (4.2), infection-style dissemination piggybacked on
 *   protocol packets with a retransmit limit (4.1).
 * - Lifeguard (Dadgar, Phillips, Currey, 2018): local health awareness scaling probe periods and timeouts
 *   (awareness.ts), nacks from helpers, dynamic suspicion timeouts shortened by independent confirmations
 *   (suspicion.ts), the buddy system (a suspect hears of the suspicion in every probe it gets).
 * - memberlist's practice: push-pull anti-entropy over a stream (anti-entropy.ts), gossip to the recently dead,
 *   graceful leave as a death notice from the member itself, cluster-size scaling of timeouts (config.ts).
 *
 * Deliberate deviations (each explained where it is made): our own wire format (messages.ts, envelope.ts); a
 * second UDP ping instead of a TCP fallback ping (probe.ts); accusers re-send a suspicion to the suspect every
 * gossip round and a refuted member re-sends its alive to accusers who missed it (member-table.ts); timers
 * that fire late defer their verdicts one event-loop turn and count against local health (`lateToleranceMs`);
 * the push-pull responder merges before replying (anti-entropy.ts); periodic reconnects to dead members.
 */
import type { StepContext } from './context.js';
import { bodyBudgetBytes, count, sendMessages } from './context.js';
import { handleStreamRequest, handleStreamResponse, pushPullWithRandomPeer, reconnectWithRandomDead, startPushPull } from './anti-entropy.js';
import { pushPullIntervalMs, retransmitLimit } from './config.js';
import { handleAlive, handleDead, handleSuspect, leave, nextReapMs, reap } from './member-table.js';
import type { Address, DecodedMessage, Message } from './messages.js';
import { PacketBuilder, decodePacketBody } from './packet.js';
import { deathShouldWait, hastenDeath, recordListenerResult } from './listener-check.js';
import { concludeRefusedProbe, handleAck, handleIndirectPing, handleNack, handlePing, runProbeTimers, runRelayTimers, startProbe } from './probe.js';
import { pickRandom } from './random.js';
import type { ListenerState, Member, SwimAction, SwimEvent, SwimState } from './state.js';
import { isLive, liveCount } from './state.js';

export interface SwimStep {
  readonly state: SwimState;
  readonly actions: readonly SwimAction[];
}

/** Feeds one event to a node. Events must come in time order; `nowMs` is the driver's monotonic clock. */
export function step(s: SwimState, event: SwimEvent): SwimStep {
  const ctx: StepContext = { s, nowMs: event.nowMs, actions: [] };
  switch (event.type) {
    case 'tick':
      handleTick(ctx);
      break;
    case 'packet':
      handlePacket(ctx, event.from, event.body);
      break;
    case 'join':
      for (const seed of event.seeds) startPushPull(ctx, seed, true);
      break;
    case 'streamRequest':
      handleStreamRequest(ctx, event.from, event.streamId, event.body);
      break;
    case 'streamResponse':
      handleStreamResponse(ctx, event.body);
      break;
    case 'streamFailed':
      count(ctx, 'pushPullFailed');
      break;
    case 'listenerChecked':
      handleListenerChecked(ctx, event.requestId, event.result);
      break;
    case 'leave':
      leave(ctx);
      break;
  }
  finish(ctx);
  return { state: s, actions: ctx.actions };
}

function handlePacket(ctx: StepContext, from: Address, body: Uint8Array): void {
  let packet;
  try {
    packet = decodePacketBody(body);
  } catch {
    ctx.actions.push({ type: 'drop', reason: 'malformed' });
    return;
  }
  // Our own packet reflected back (a seed list that names ourselves, a loop): nothing to learn.
  if (packet.sender === ctx.s.self) {
    ctx.actions.push({ type: 'drop', reason: 'fromSelf' });
    return;
  }
  for (const m of packet.messages) handleMessage(ctx, from, m);
}

function handleMessage(ctx: StepContext, from: Address, m: DecodedMessage): void {
  switch (m.type) {
    case 'ping': return handlePing(ctx, from, m);
    case 'indirectPing': return handleIndirectPing(ctx, from, m);
    case 'ack': return handleAck(ctx, m);
    case 'nack': return handleNack(ctx, m);
    case 'alive': return handleAlive(ctx, m);
    case 'suspect': return handleSuspect(ctx, m, from);
    case 'dead': return handleDead(ctx, m, from);
    case 'pushPull':
      ctx.actions.push({ type: 'drop', reason: 'unexpectedMessage' });
      return;
    case 'unknown':
      count(ctx, 'unknownMessage');
      return;
  }
}

function handleListenerChecked(ctx: StepContext, requestId: number, result: ListenerState): void {
  const m = recordListenerResult(ctx, requestId, result);
  if (m === undefined || result !== 'refused') return;
  concludeRefusedProbe(ctx, m);
  hastenDeath(ctx, m);
}

function handleTick(ctx: StepContext): void {
  const s = ctx.s;
  const lateMs = s.wakeAtMs === undefined ? 0 : ctx.nowMs - s.wakeAtMs;
  // A tick consumes the timer, even one that fired a little early (Node's timers run on a whole-millisecond
  // loop clock, so a wake-up can come a fraction of a millisecond before `atMs`): always ask for the next one.
  s.wakeAtMs = undefined;
  const late = s.config.lifeguard && lateMs > s.config.lateToleranceMs;
  if (late) {
    count(ctx, 'lateTimer');
    s.lateSinceProbe = true;
  }
  // A late timer may be racing replies that already arrived but are not read yet: verdicts wait one turn.
  const verdicts = !late || s.recheckPending;
  s.recheckPending = false;
  let deferred = runRelayTimers(ctx, verdicts);
  deferred = runProbeTimers(ctx, verdicts) || deferred;
  deferred = runSuspicionTimers(ctx, verdicts) || deferred;
  if (deferred) {
    s.recheckPending = true;
    count(ctx, 'verdictDeferred');
  }
  runPeriodicDuties(ctx);
}

function runSuspicionTimers(ctx: StepContext, verdicts: boolean): boolean {
  let deferred = false;
  for (const m of ctx.s.members.values()) {
    if (m.suspicion === undefined || ctx.nowMs < m.suspicion.deadlineMs) continue;
    if (!verdicts) {
      deferred = true;
      continue;
    }
    if (deathShouldWait(ctx, m)) continue;
    handleDead(ctx, { type: 'dead', incarnation: m.incarnation, name: m.name, from: ctx.s.self }, undefined, 'suspicionTimeout');
  }
  return deferred;
}

function runPeriodicDuties(ctx: StepContext): void {
  const s = ctx.s;
  const probeIdle = s.probe === undefined || s.probe.phase === 'done';
  if (!s.leaving && probeIdle && ctx.nowMs >= s.nextProbeMs) startProbe(ctx);
  if (ctx.nowMs >= s.nextGossipMs) {
    s.nextGossipMs = ctx.nowMs + s.config.gossipIntervalMs;
    gossipRound(ctx);
    remindSuspects(ctx);
  }
  if (!s.leaving && ctx.nowMs >= s.nextPushPullMs) {
    s.nextPushPullMs = ctx.nowMs + pushPullIntervalMs(s.config, liveCount(s));
    pushPullWithRandomPeer(ctx);
  }
  if (!s.leaving && ctx.nowMs >= s.nextReconnectMs) {
    s.nextReconnectMs = ctx.nowMs + s.config.reconnectIntervalMs;
    reconnectWithRandomDead(ctx);
  }
  reap(ctx);
}

/** Members gossip goes to: live ones, and the recently dead (so a wrongly declared member hears it and refutes). */
function gossipTargets(s: SwimState, nowMs: number): Member[] {
  const out: Member[] = [];
  for (const m of s.members.values()) {
    if (m.name === s.self) continue;
    if (isLive(m) || nowMs - m.stateChangeMs < s.config.gossipToTheDeadMs) out.push(m);
  }
  return out;
}

/** Sends queued state changes to `gossipNodes` random members (nothing when the queue is empty). */
function gossipRound(ctx: StepContext): void {
  const s = ctx.s;
  s.gossipNow = false;
  if (s.broadcasts.size === 0) return;
  const limit = retransmitLimit(s.config, liveCount(s));
  for (const target of pickRandom(gossipTargets(s, ctx.nowMs), s.config.gossipNodes, s.random)) {
    const b = new PacketBuilder(s.self, bodyBudgetBytes(s));
    if (s.broadcasts.fill(b, limit) === 0) break;
    ctx.actions.push({ type: 'send', to: target.address, body: b.finish() });
  }
  if (s.leaving && !s.leaveDone && !s.broadcasts.has(s.self)) {
    s.leaveDone = true;
    ctx.actions.push({ type: 'leaveDone' });
  }
}

/** Every member we accuse hears the accusation again each gossip round until it refutes or is declared dead. */
function remindSuspects(ctx: StepContext): void {
  const s = ctx.s;
  for (const m of s.members.values()) {
    if (m.suspicion === undefined || !m.suspicion.accusers.has(s.self)) continue;
    const reminder: Message = { type: 'suspect', incarnation: m.incarnation, name: m.name, from: s.self };
    sendMessages(ctx, m.address, [reminder], false);
  }
}

/** Urgent gossip, then the wake-up the node needs next. */
function finish(ctx: StepContext): void {
  const s = ctx.s;
  if (s.gossipNow) gossipRound(ctx);
  if (s.leaving && !s.leaveDone && !s.broadcasts.has(s.self)) {
    s.leaveDone = true;
    ctx.actions.push({ type: 'leaveDone' });
  }
  const atMs = nextWakeMs(ctx);
  if (atMs !== s.wakeAtMs) {
    s.wakeAtMs = atMs;
    ctx.actions.push({ type: 'setTimer', timer: 'wake', atMs });
  }
}

function nextWakeMs(ctx: StepContext): number {
  const s = ctx.s;
  if (s.recheckPending) return ctx.nowMs + 1;
  let next = nextReapMs(ctx);
  const p = s.probe;
  if (p !== undefined && p.phase === 'direct') next = Math.min(next, p.ackDeadlineMs);
  if (p !== undefined && p.phase === 'indirect') next = Math.min(next, p.endMs);
  // The next probe starts when the one in flight is over (its deadlines above wake us for that).
  const probeIdle = p === undefined || p.phase === 'done';
  if (!s.leaving) next = Math.min(next, probeIdle ? s.nextProbeMs : next, s.nextPushPullMs, s.nextReconnectMs);
  if (s.broadcasts.size > 0 || hasOwnSuspicion(s)) next = Math.min(next, s.nextGossipMs);
  for (const r of s.relays.values()) next = Math.min(next, r.deadlineMs);
  for (const m of s.members.values()) if (m.suspicion !== undefined) next = Math.min(next, m.suspicion.deadlineMs);
  // A duty already due (a probe waiting for the previous one) runs at the next turn, never in the past.
  return Math.max(next, ctx.nowMs + 1);
}

function hasOwnSuspicion(s: SwimState): boolean {
  for (const m of s.members.values()) if (m.suspicion?.accusers.has(s.self) === true) return true;
  return false;
}

/** The members that count for elections: alive or suspect, ourselves included unless we left. */
export function liveMemberNames(s: SwimState): string[] {
  return [...s.members.values()].filter(isLive).map((m) => m.name).sort();
}

export type { SwimAction, SwimEvent, SwimState } from './state.js';
