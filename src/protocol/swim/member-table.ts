/**
 * Membership transitions: what a node does with news of a member being alive, suspect or dead (SWIM section 4.2,
 * "suspicion mechanism", with memberlist's incarnation rules). Each handler is a ladder of guards, one comment
 * per guard, then the transition. The news may come from gossip, a push-pull, or our own probes and timers.
 *
 * Incarnation rules: a member's incarnation only grows, and only the member itself raises it, to refute. Alive
 * at incarnation i overrides suspect at i' < i; suspect at i overrides alive at i' <= i; dead at i overrides both
 * at i' <= i. A member that hears itself suspected or declared dead (and is not leaving) refutes with a higher
 * incarnation.
 */
import { broadcast, changed, count, adjustAwareness, sendMessages } from './context.js';
import type { StepContext } from './context.js';
import { suspicionTimeouts } from './config.js';
import type { Address, Alive, Dead, Message, Suspect } from './messages.js';
import { randomIndex } from './random.js';
import type { ChangeReason, Member } from './state.js';
import { isLive, liveCount, livePeers } from './state.js';
import { confirmSuspicion, startSuspicion } from './suspicion.js';
import { checkListener } from './listener-check.js';

export function sameAddress(a: Address, b: Address): boolean {
  return a.ip === b.ip && a.port === b.port;
}

export function aliveMessage(m: Member): Alive {
  return { type: 'alive', incarnation: m.incarnation, name: m.name, address: m.address, meta: m.meta };
}

function insertIntoProbeOrder(ctx: StepContext, name: string): void {
  // A random place keeps the expected time to the first probe of a new member at half a round (memberlist).
  const order = ctx.s.probeOrder;
  order.splice(randomIndex(ctx.s.random, order.length + 1), 0, name);
}

export function handleAlive(ctx: StepContext, a: Alive): void {
  const s = ctx.s;
  // News about ourselves: only a newer life than ours (a previous run of this node) needs an answer.
  if (a.name === s.self) {
    if (a.incarnation > s.incarnation && !s.leaving) refute(ctx, a.incarnation, undefined);
    return;
  }
  const m = s.members.get(a.name);
  // Never heard of it: a new member.
  if (m === undefined) {
    const added: Member = {
      name: a.name, address: a.address, incarnation: a.incarnation, meta: a.meta,
      state: 'alive', stateChangeMs: ctx.nowMs, suspicion: undefined, listener: undefined,
    };
    s.members.set(a.name, added);
    insertIntoProbeOrder(ctx, a.name);
    broadcast(ctx, a.name, a, false);
    changed(ctx, added, undefined, 'joined');
    return;
  }
  // A live member keeps its address: another address under the same name is a conflict, not news.
  if (isLive(m) && !sameAddress(m.address, a.address)) {
    count(ctx, 'addressConflict');
    return;
  }
  // Old or equal incarnation: nothing new.
  if (a.incarnation <= m.incarnation) return;
  const from = m.state;
  const addressChanged = !sameAddress(m.address, a.address);
  m.incarnation = a.incarnation;
  m.address = a.address;
  m.meta = a.meta;
  m.suspicion = undefined;
  broadcast(ctx, a.name, a, from !== 'alive');
  if (from === 'alive') {
    if (addressChanged) changed(ctx, m, from, 'updated');
    return;
  }
  m.state = 'alive';
  m.stateChangeMs = ctx.nowMs;
  if (from === 'dead' || from === 'left') insertIntoProbeOrder(ctx, a.name);
  changed(ctx, m, from, from === 'suspect' ? 'refuted' : 'rejoined');
}

export function handleSuspect(ctx: StepContext, msg: Suspect, source: Address | undefined): void {
  const s = ctx.s;
  // Us: we are alive, and say so louder than the accusation (or again, to an accuser who missed it).
  if (msg.name === s.self) {
    if (!s.leaving) answerAccusation(ctx, msg, source);
    return;
  }
  const m = s.members.get(msg.name);
  // Never heard of it: nothing to suspect.
  if (m === undefined) return;
  // Old incarnation: the member has refuted this already.
  if (msg.incarnation < m.incarnation) return;
  // An accuser we hold dead has no standing: it is likely back from a partition, with news older than ours.
  if (discredited(ctx, msg.from)) return;
  // Already suspect: an independent accusation shortens the timeout (Lifeguard), and is worth spreading.
  if (m.suspicion !== undefined) {
    if (confirmSuspicion(m.suspicion, msg.from, ctx.nowMs)) broadcast(ctx, msg.name, msg, false);
    return;
  }
  // Dead or left members are not suspected again.
  if (m.state !== 'alive') return;
  m.incarnation = msg.incarnation;
  m.state = 'suspect';
  m.stateChangeMs = ctx.nowMs;
  m.suspicion = startSuspicion(msg.from, ctx.nowMs, suspicionTimeouts(s.config, liveCount(s)));
  broadcast(ctx, msg.name, msg, true);
  // Ask its kernel too: by the deadline we know whether its process is gone, or there but slow.
  checkListener(ctx, m, m.suspicion.deadlineMs - ctx.nowMs);
  // Lifeguard's buddy system: the accused hears it first, so it can refute before anyone gives up on it.
  if (msg.from === s.self) sendMessages(ctx, m.address, [msg], false);
  else if (m.suspicion.k > 0 && s.verifyNext.length < 16) s.verifyNext.push(msg.name);
  changed(ctx, m, 'alive', 'suspected');
}

export function handleDead(ctx: StepContext, msg: Dead, source: Address | undefined, reason: ChangeReason = 'reportedDead'): void {
  const s = ctx.s;
  // Us, and we are not leaving: refute.
  if (msg.name === s.self) {
    if (!s.leaving) answerAccusation(ctx, msg, source);
    return;
  }
  const m = s.members.get(msg.name);
  // Never heard of it: nothing to bury.
  if (m === undefined) return;
  // Old incarnation: the member has refuted this already.
  if (msg.incarnation < m.incarnation) return;
  // Already gone.
  if (m.state === 'dead' || m.state === 'left') return;
  const leaving = msg.from === msg.name;
  // An accuser we hold dead has no standing (a node back from a partition buries everyone it lost).
  if (!leaving && discredited(ctx, msg.from)) return;
  // A death nobody here suspected is held as a suspicion first (memberlist does so for push-pull only): a stale
  // or confused report cannot kill a live member outright, while a real death, suspected and gossiped before it
  // was declared, still completes at once.
  if (!leaving && m.state === 'alive' && reason === 'reportedDead') {
    handleSuspect(ctx, { type: 'suspect', incarnation: msg.incarnation, name: msg.name, from: msg.from }, source);
    return;
  }
  const from = m.state;
  m.incarnation = msg.incarnation;
  m.state = leaving ? 'left' : 'dead';
  m.stateChangeMs = ctx.nowMs;
  m.suspicion = undefined;
  broadcast(ctx, msg.name, msg, true);
  changed(ctx, m, from, m.state === 'left' ? 'left' : reason);
}

function discredited(ctx: StepContext, accuser: string): boolean {
  if (accuser === ctx.s.self) return false;
  const m = ctx.s.members.get(accuser);
  return m !== undefined && (m.state === 'dead' || m.state === 'left');
}

/**
 * An accusation about ourselves: refute it when it is about our current life; when it is older than our last
 * refutation, the accuser missed that refutation (a lost packet), so send it our alive again, without raising
 * the incarnation. memberlist ignores such stale accusations; answering them keeps one lost refutation from
 * turning into a false death at the accuser.
 */
function answerAccusation(ctx: StepContext, msg: Suspect | Dead, source: Address | undefined): void {
  const s = ctx.s;
  const accuser = s.members.get(msg.from);
  const to = accuser !== undefined && msg.from !== s.self ? accuser.address : source;
  if (msg.incarnation >= s.incarnation) {
    refute(ctx, msg.incarnation, to);
    if (source !== undefined && to !== undefined && !sameAddress(source, to)) sendMessages(ctx, source, [selfAlive(ctx)]);
    return;
  }
  if (to !== undefined) sendMessages(ctx, to, [selfAlive(ctx)], false);
}

function selfAlive(ctx: StepContext): Alive {
  const me = ctx.s.members.get(ctx.s.self);
  if (me === undefined) throw new Error('swim: own member record missing');
  return aliveMessage(me);
}

/**
 * Answers a suspicion or death notice about ourselves: a higher incarnation, gossiped at once and sent straight
 * back to whoever told us. Having to refute is also a sign that we may be the slow one (Lifeguard).
 */
export function refute(ctx: StepContext, accusedIncarnation: number, source: Address | undefined): void {
  const s = ctx.s;
  const me = s.members.get(s.self);
  if (me === undefined) throw new Error('swim: own member record missing');
  s.incarnation = Math.min(0xffffffff, Math.max(s.incarnation, accusedIncarnation) + 1);
  me.incarnation = s.incarnation;
  const alive = aliveMessage(me);
  broadcast(ctx, s.self, alive, true);
  if (source !== undefined) sendMessages(ctx, source, [alive]);
  adjustAwareness(ctx, 1);
  count(ctx, 'refuted');
}

/** Graceful leave: a death notice about ourselves from ourselves, sent to every live member at once. */
export function leave(ctx: StepContext): void {
  const s = ctx.s;
  if (s.leaving) return;
  s.leaving = true;
  const me = s.members.get(s.self);
  if (me === undefined) throw new Error('swim: own member record missing');
  const notice: Message = { type: 'dead', incarnation: s.incarnation, name: s.self, from: s.self };
  broadcast(ctx, s.self, notice, false);
  for (const peer of livePeers(s)) sendMessages(ctx, peer.address, [notice], false);
  me.state = 'left';
  me.stateChangeMs = ctx.nowMs;
  changed(ctx, me, 'alive', 'left');
}

/** Forgets members dead or left for longer than `deadRetentionMs`. */
export function reap(ctx: StepContext): void {
  const s = ctx.s;
  for (const m of [...s.members.values()]) {
    if (m.name === s.self || isLive(m) || ctx.nowMs - m.stateChangeMs < s.config.deadRetentionMs) continue;
    s.members.delete(m.name);
    ctx.actions.push({
      type: 'memberChange', name: m.name, address: m.address, incarnation: m.incarnation, from: m.state, to: 'reaped', reason: 'reaped',
    });
  }
}

/** The earliest time a dead or left member becomes due for reaping. */
export function nextReapMs(ctx: StepContext): number {
  let next = Number.POSITIVE_INFINITY;
  for (const m of ctx.s.members.values()) {
    if (m.name !== ctx.s.self && !isLive(m)) next = Math.min(next, m.stateChangeMs + ctx.s.config.deadRetentionMs);
  }
  return next;
}
