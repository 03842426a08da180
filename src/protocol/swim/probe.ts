/**
 * SWIM's failure detector (section 3.1 and 4.3 of Das, Gupta, Motivala, "SWIM: Scalable Weakly-consistent
 * Infection-style Process Group Membership Protocol", 2002): one probe per protocol period, to the next member
 * of a shuffled round-robin order. A probe pings the target; with no ack within the probe timeout it asks
 * `indirectChecks` helpers to ping it too (and pings it once more itself); with no ack by the end of the period
 * the target becomes suspect. Lifeguard adds the nack (a helper that heard nothing says so, which tells the
 * prober that the helper, and so the prober's own network, works) and scales the period by local health.
 *
 * Deviation: memberlist's last resort is a TCP ping; ours is a second UDP ping, because TCP's retransmission
 * timeout (200 ms minimum on Linux) is longer than our whole probe period.
 */
import { scaleByAwareness } from './awareness.js';
import type { StepContext } from './context.js';
import { adjustAwareness, count, sendMessages } from './context.js';
import { checkListener } from './listener-check.js';
import { handleSuspect } from './member-table.js';
import type { Ack, Address, IndirectPing, Message, Nack, Ping } from './messages.js';
import { pickRandom, randomIndex, shuffle } from './random.js';
import type { Member, Probe, SwimState } from './state.js';
import { isLive, livePeers } from './state.js';

/** Relayed pings in flight; more indirect requests than this are dropped (a bounded queue). */
export const maxRelays = 1024;

function nextSeqNo(s: SwimState): number {
  s.seqNo = (s.seqNo + 1) >>> 0;
  return s.seqNo;
}

function scaled(s: SwimState, ms: number): number {
  return s.config.lifeguard ? scaleByAwareness(ms, s.awareness) : ms;
}

/** The next member to probe, reshuffling the order when a round is complete. */
export function nextProbeTarget(s: SwimState): Member | undefined {
  // A suspicion raised by someone else is checked first: our probe either confirms it (Lifeguard's independent
  // confirmation, which shortens the timeout) or, when the member answers, keeps us from confirming it blindly.
  while (s.verifyNext.length > 0) {
    const m = s.members.get(s.verifyNext.shift() as string);
    if (m !== undefined && m.state === 'suspect') return m;
  }
  for (let round = 0; round < 2; round++) {
    while (s.probeIndex < s.probeOrder.length) {
      const m = s.members.get(s.probeOrder[s.probeIndex++] as string);
      if (m !== undefined && m.name !== s.self && isLive(m)) return m;
    }
    const last = s.probeOrder[s.probeOrder.length - 1];
    s.probeOrder = shuffle(livePeers(s).map((m) => m.name), s.random);
    s.probeIndex = 0;
    // The member that ended a round does not open the next one: that shortens the longest gap between two
    // probes of a member from 2(N-1)-1 periods to 2(N-1)-2 (for three members: strict alternation).
    if (last !== undefined && s.probeOrder.length > 1 && s.probeOrder[0] === last) {
      const j = 1 + randomIndex(s.random, s.probeOrder.length - 1);
      s.probeOrder[0] = s.probeOrder[j] as string;
      s.probeOrder[j] = last;
    }
    if (s.probeOrder.length === 0) return undefined;
  }
  return undefined;
}

export function startProbe(ctx: StepContext): void {
  const s = ctx.s;
  // Timers that fired late since the last probe: we are probably the slow one.
  if (s.lateSinceProbe) {
    adjustAwareness(ctx, 1);
    s.lateSinceProbe = false;
  }
  const intervalMs = scaled(s, s.config.probeIntervalMs);
  s.nextProbeMs = ctx.nowMs + intervalMs;
  const target = nextProbeTarget(s);
  if (target === undefined) return;
  const seqNo = nextSeqNo(s);
  s.probe = {
    seqNo, target: target.name, startMs: ctx.nowMs,
    ackDeadlineMs: ctx.nowMs + scaled(s, s.config.probeTimeoutMs), endMs: ctx.nowMs + intervalMs,
    phase: 'direct', expectedNacks: 0, nacks: 0,
  };
  const messages: Message[] = [{ type: 'ping', seqNo, target: target.name }];
  // Lifeguard's buddy system: a suspect hears of the suspicion with every probe it gets.
  if (target.state === 'suspect') messages.push({ type: 'suspect', incarnation: target.incarnation, name: target.name, from: s.self });
  sendMessages(ctx, target.address, messages);
  count(ctx, 'probeStarted');
}

function askHelpers(ctx: StepContext, p: Probe): void {
  const s = ctx.s;
  const target = s.members.get(p.target);
  if (target === undefined || !isLive(target)) {
    p.phase = 'done';
    return;
  }
  p.phase = 'indirect';
  // A late start must not eat the helpers' time: the indirect phase always gets its full length.
  p.endMs = Math.max(p.endMs, ctx.nowMs + (p.endMs - p.ackDeadlineMs));
  const candidates = livePeers(s).filter((m) => m.name !== p.target && m.state === 'alive');
  const helpers = pickRandom(candidates, s.config.indirectChecks, s.random);
  const request: IndirectPing = {
    type: 'indirectPing', seqNo: p.seqNo, nack: s.config.lifeguard, target: target.name, targetAddress: target.address,
  };
  for (const h of helpers) sendMessages(ctx, h.address, [request]);
  p.expectedNacks = s.config.lifeguard ? helpers.length : 0;
  sendMessages(ctx, target.address, [{ type: 'ping', seqNo: p.seqNo, target: target.name }]);
  checkListener(ctx, target, p.endMs - ctx.nowMs);
  count(ctx, 'probeIndirect');
}

/** The probed member's process is gone (its listener refused us): the probe fails now. */
export function concludeRefusedProbe(ctx: StepContext, m: Member): void {
  const p = ctx.s.probe;
  if (p !== undefined && p.target === m.name && p.phase !== 'done') concludeFailedProbe(ctx, p);
}

function concludeFailedProbe(ctx: StepContext, p: Probe): void {
  const s = ctx.s;
  p.phase = 'done';
  count(ctx, 'probeFailed');
  // Lifeguard: helpers that should have nacked and did not point at our own network or process.
  adjustAwareness(ctx, p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1);
  const target = s.members.get(p.target);
  if (target === undefined || !isLive(target)) return;
  handleSuspect(ctx, { type: 'suspect', incarnation: target.incarnation, name: target.name, from: s.self }, undefined);
}

/**
 * Runs the probe's deadlines that are due. With `verdicts` false (a late tick) nothing is concluded; returns
 * whether something was due and so deferred.
 */
export function runProbeTimers(ctx: StepContext, verdicts: boolean): boolean {
  const p = ctx.s.probe;
  if (p === undefined) return false;
  if (p.phase === 'direct' && ctx.nowMs >= p.ackDeadlineMs) {
    if (!verdicts) return true;
    askHelpers(ctx, p);
  }
  if (p.phase === 'indirect' && ctx.nowMs >= p.endMs) {
    if (!verdicts) return true;
    concludeFailedProbe(ctx, p);
  }
  return false;
}

/** Sends the nacks of relays whose target stayed silent; returns whether some were due and deferred. */
export function runRelayTimers(ctx: StepContext, verdicts: boolean): boolean {
  let deferred = false;
  for (const [seqNo, r] of ctx.s.relays) {
    if (ctx.nowMs < r.deadlineMs) continue;
    if (!verdicts) {
      deferred = true;
      continue;
    }
    ctx.s.relays.delete(seqNo);
    if (r.nack) sendMessages(ctx, r.requester, [{ type: 'nack', seqNo: r.requestSeqNo }]);
  }
  return deferred;
}

export function handlePing(ctx: StepContext, from: Address, ping: Ping): void {
  // A ping for a previous owner of our address is not ours to answer.
  if (ping.target !== ctx.s.self) {
    ctx.actions.push({ type: 'drop', reason: 'misdirectedPing' });
    return;
  }
  sendMessages(ctx, from, [{ type: 'ack', seqNo: ping.seqNo }]);
}

export function handleIndirectPing(ctx: StepContext, from: Address, req: IndirectPing): void {
  const s = ctx.s;
  // Asked to ping ourselves: answer for ourselves.
  if (req.target === s.self) {
    sendMessages(ctx, from, [{ type: 'ack', seqNo: req.seqNo }]);
    return;
  }
  if (s.relays.size >= maxRelays) {
    ctx.actions.push({ type: 'drop', reason: 'relayQueueFull' });
    return;
  }
  const seqNo = nextSeqNo(s);
  s.relays.set(seqNo, { requestSeqNo: req.seqNo, requester: from, deadlineMs: ctx.nowMs + s.config.probeTimeoutMs, nack: req.nack });
  sendMessages(ctx, req.targetAddress, [{ type: 'ping', seqNo, target: req.target }]);
}

export function handleAck(ctx: StepContext, ack: Ack): void {
  const s = ctx.s;
  const p = s.probe;
  if (p !== undefined && p.seqNo === ack.seqNo && p.phase !== 'done') {
    p.phase = 'done';
    adjustAwareness(ctx, -1);
    count(ctx, 'probeAcked');
    return;
  }
  const relay = s.relays.get(ack.seqNo);
  if (relay === undefined) return;
  s.relays.delete(ack.seqNo);
  sendMessages(ctx, relay.requester, [{ type: 'ack', seqNo: relay.requestSeqNo }]);
}

export function handleNack(ctx: StepContext, nack: Nack): void {
  const p = ctx.s.probe;
  if (p !== undefined && p.seqNo === nack.seqNo && p.phase === 'indirect') p.nacks++;
}
