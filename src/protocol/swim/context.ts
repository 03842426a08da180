/**
 * The context one `step` runs in (the state, the time of the event and the actions collected so far) and the
 * few primitives every handler shares: sending a packet with piggybacked gossip, queueing a state change, and
 * reporting a membership change.
 */
import { applyAwarenessDelta } from './awareness.js';
import { retransmitLimit } from './config.js';
import { envelopeOverheadBytes } from './envelope.js';
import type { Address, Message } from './messages.js';
import { encodeMessage } from './messages.js';
import { PacketBuilder } from './packet.js';
import type { ChangeReason, Member, SwimAction, SwimCounter, SwimState } from './state.js';
import { liveCount } from './state.js';

export interface StepContext {
  readonly s: SwimState;
  readonly nowMs: number;
  readonly actions: SwimAction[];
}

/** Bytes a packet body may take, leaving room for the envelope. */
export function bodyBudgetBytes(s: SwimState): number {
  return s.config.maxPacketBytes - envelopeOverheadBytes;
}

/** Sends `messages` to `to`, then fills the rest of the packet with queued gossip. */
export function sendMessages(ctx: StepContext, to: Address, messages: readonly Message[], piggyback = true): void {
  const b = new PacketBuilder(ctx.s.self, bodyBudgetBytes(ctx.s));
  for (const m of messages) b.add(m);
  if (piggyback) ctx.s.broadcasts.fill(b, retransmitLimit(ctx.s.config, liveCount(ctx.s)));
  if (b.messageCount === 0) return;
  ctx.actions.push({ type: 'send', to, body: b.finish() });
}

/** Queues a state change about member `name` for dissemination; `urgent` sends a gossip round at once. */
export function broadcast(ctx: StepContext, name: string, m: Message, urgent: boolean): void {
  const before = ctx.s.broadcasts.overflowed;
  ctx.s.broadcasts.enqueue(name, encodeMessage(m));
  if (ctx.s.broadcasts.overflowed !== before) count(ctx, 'broadcastOverflow');
  if (urgent) ctx.s.gossipNow = true;
}

export function count(ctx: StepContext, counter: SwimCounter): void {
  ctx.actions.push({ type: 'count', counter });
}

export function changed(ctx: StepContext, m: Member, from: Member['state'] | undefined, reason: ChangeReason): void {
  ctx.actions.push({
    type: 'memberChange', name: m.name, address: m.address, incarnation: m.incarnation, from, to: m.state, reason,
  });
}

export function adjustAwareness(ctx: StepContext, delta: number): void {
  const s = ctx.s;
  if (!s.config.lifeguard || delta === 0) return;
  const next = applyAwarenessDelta(s.awareness, delta, s.config.awarenessMax);
  if (next === s.awareness) return;
  s.awareness = next;
  ctx.actions.push({ type: 'health', score: next });
}
