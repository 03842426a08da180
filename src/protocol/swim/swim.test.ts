import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSwimConfig } from './config.js';
import type { Address, DecodedMessage, Message } from './messages.js';
import { PacketBuilder, decodePacketBody } from './packet.js';
import { seededRandom } from './random.js';
import type { SwimAction, SwimState } from './state.js';
import { createSwimState } from './state.js';
import { liveMemberNames, step } from './swim.js';
import { encodeStateBody } from './anti-entropy.js';

const config = defaultSwimConfig();
/** No probes of our own during the test (they would suspect the silent test peers). */
const quiet = { ...config, probeIntervalMs: 1_000_000, probeTimeoutMs: 1000 };
const addr = (i: number): Address => ({ ip: `10.0.0.${i}`, port: 7946 });
const A = addr(1);
const B = addr(2);
const C = addr(3);

function node(name = 'a', address = A, incarnation = 10, c = config): SwimState {
  return createSwimState({ config: c, name, address, incarnation, random: seededRandom(1), nowMs: 0 });
}

function packet(sender: string, ...messages: Message[]): Uint8Array {
  const b = new PacketBuilder(sender, 1400);
  for (const m of messages) b.add(m);
  return b.finish();
}

function receive(s: SwimState, nowMs: number, from: Address, sender: string, ...messages: Message[]): readonly SwimAction[] {
  return step(s, { type: 'packet', nowMs, from, body: packet(sender, ...messages) }).actions;
}

function sent(actions: readonly SwimAction[]): { to: Address; messages: readonly DecodedMessage[] }[] {
  return actions.flatMap((a) => (a.type === 'send' ? [{ to: a.to, messages: decodePacketBody(a.body).messages }] : []));
}

function changes(actions: readonly SwimAction[]): string[] {
  return actions.flatMap((a) => (a.type === 'memberChange' ? [`${a.name}:${a.from ?? 'new'}->${a.to}:${a.reason}`] : []));
}

/** Node `a` knowing b and c as alive at incarnation 1. */
function trio(c = config): SwimState {
  const s = node('a', A, 10, c);
  receive(s, 0, B, 'b', { type: 'alive', incarnation: 1, name: 'b', address: B, meta: new Uint8Array() });
  receive(s, 0, C, 'c', { type: 'alive', incarnation: 1, name: 'c', address: C, meta: new Uint8Array() });
  return s;
}

/** Runs ticks at every wake-up the node asks for until `untilMs`, collecting the actions. */
function runTicks(s: SwimState, fromMs: number, untilMs: number): SwimAction[] {
  const all: SwimAction[] = [];
  let now = fromMs;
  while (s.wakeAtMs !== undefined && s.wakeAtMs <= untilMs) {
    now = Math.max(now, s.wakeAtMs);
    all.push(...step(s, { type: 'tick', nowMs: now }).actions);
  }
  return all;
}

test('a ping for us is acked to its source with the same sequence number', () => {
  const s = node();
  const out = sent(receive(s, 5, B, 'b', { type: 'ping', seqNo: 42, target: 'a' }));
  assert.deepEqual(out[0], { to: B, messages: [{ type: 'ack', seqNo: 42 }] });
});

test('a ping meant for another name is dropped, not acked', () => {
  const actions = receive(node(), 5, B, 'b', { type: 'ping', seqNo: 42, target: 'old-owner' });
  assert.deepEqual(sent(actions), []);
  assert.ok(actions.some((a) => a.type === 'drop' && a.reason === 'misdirectedPing'));
});

test('a new member is added once; the same incarnation again is not news', () => {
  const s = node();
  const alive: Message = { type: 'alive', incarnation: 1, name: 'b', address: B, meta: new Uint8Array() };
  assert.deepEqual(changes(receive(s, 0, B, 'b', alive)), ['b:new->alive:joined']);
  assert.deepEqual(changes(receive(s, 1, B, 'b', alive)), []);
  assert.deepEqual(liveMemberNames(s), ['a', 'b']);
});

test('an alive under a live member name from another address is a conflict and is ignored', () => {
  const s = trio();
  const actions = receive(s, 1, addr(9), 'x', { type: 'alive', incarnation: 5, name: 'b', address: addr(9), meta: new Uint8Array() });
  assert.ok(actions.some((a) => a.type === 'count' && a.counter === 'addressConflict'));
  assert.deepEqual(s.members.get('b')?.address, B);
});

test('a suspicion about us is refuted with a higher incarnation, sent back at once', () => {
  const s = trio();
  const actions = receive(s, 1, B, 'b', { type: 'suspect', incarnation: 10, name: 'a', from: 'b' });
  assert.equal(s.incarnation, 11);
  const alives = sent(actions).filter((p) => p.messages.some((m) => m.type === 'alive' && m.name === 'a' && m.incarnation === 11));
  assert.ok(alives.some((p) => p.to.ip === B.ip), 'the accuser hears the refutation directly');
  assert.ok(actions.some((a) => a.type === 'count' && a.counter === 'refuted'));
  assert.ok(actions.some((a) => a.type === 'health' && a.score === 1), 'having to refute worsens local health');
});

test('a stale suspicion about us gets our current alive again without a new incarnation', () => {
  const s = trio();
  const actions = receive(s, 1, C, 'c', { type: 'suspect', incarnation: 3, name: 'a', from: 'b' });
  assert.equal(s.incarnation, 10);
  const out = sent(actions);
  assert.deepEqual(out, [{ to: B, messages: [{ type: 'alive', incarnation: 10, name: 'a', address: A, meta: new Uint8Array() }] }]);
});

test('a suspect that stays silent is declared dead when its suspicion times out', () => {
  const s = trio(quiet);
  const got = receive(s, 100, C, 'c', { type: 'suspect', incarnation: 1, name: 'b', from: 'c' });
  assert.deepEqual(changes(got), ['b:alive->suspect:suspected']);
  const actions = runTicks(s, 100, 100 + config.suspicionMinMs);
  assert.deepEqual(changes(actions), ['b:suspect->dead:suspicionTimeout']);
  assert.deepEqual(liveMemberNames(s), ['a', 'c']);
});

test('a suspect that refutes in time stays a member', () => {
  const s = trio(quiet);
  receive(s, 100, C, 'c', { type: 'suspect', incarnation: 1, name: 'b', from: 'c' });
  const refuted = receive(s, 150, B, 'b', { type: 'alive', incarnation: 2, name: 'b', address: B, meta: new Uint8Array() });
  assert.deepEqual(changes(refuted), ['b:suspect->alive:refuted']);
  assert.deepEqual(changes(runTicks(s, 150, 2000)).filter((c) => c.startsWith('b:')), []);
});

test('a death notice at an older incarnation than the member refuted with is ignored', () => {
  const s = trio(quiet);
  receive(s, 0, B, 'b', { type: 'alive', incarnation: 4, name: 'b', address: B, meta: new Uint8Array() });
  assert.deepEqual(changes(receive(s, 1, C, 'c', { type: 'dead', incarnation: 3, name: 'b', from: 'c' })), []);
});

test('a death report about a member nobody here suspected is held as a suspicion first', () => {
  const s = trio(quiet);
  assert.deepEqual(changes(receive(s, 1, C, 'c', { type: 'dead', incarnation: 1, name: 'b', from: 'c' })), ['b:alive->suspect:suspected']);
  assert.deepEqual(changes(receive(s, 2, B, 'b', { type: 'alive', incarnation: 2, name: 'b', address: B, meta: new Uint8Array() })), ['b:suspect->alive:refuted']);
});

test('a death report about a member already suspect completes at once', () => {
  const s = trio(quiet);
  receive(s, 1, C, 'c', { type: 'suspect', incarnation: 1, name: 'b', from: 'c' });
  assert.deepEqual(changes(receive(s, 2, C, 'c', { type: 'dead', incarnation: 1, name: 'b', from: 'c' })), ['b:suspect->dead:reportedDead']);
});

test('accusations from a member we hold dead are ignored (it is back from a partition with old news)', () => {
  const s = trio(quiet);
  receive(s, 1, B, 'b', { type: 'suspect', incarnation: 1, name: 'c', from: 'b' });
  runTicks(s, 1, 1 + config.suspicionMinMs);
  assert.equal(s.members.get('c')?.state, 'dead');
  assert.deepEqual(changes(receive(s, 500, C, 'c', { type: 'dead', incarnation: 1, name: 'b', from: 'c' })), []);
  assert.deepEqual(changes(receive(s, 501, C, 'c', { type: 'suspect', incarnation: 1, name: 'b', from: 'c' })), []);
  assert.equal(s.members.get('b')?.state, 'alive');
});

test('a death notice from the member itself means it left', () => {
  const s = trio();
  assert.deepEqual(changes(receive(s, 1, B, 'b', { type: 'dead', incarnation: 1, name: 'b', from: 'b' })), ['b:alive->left:left']);
});

test('leaving tells every live member at once and reports when the notice has spread', () => {
  const s = trio();
  const actions = step(s, { type: 'leave', nowMs: 10 }).actions;
  const notices = sent(actions).filter((p) => p.messages.some((m) => m.type === 'dead' && m.name === 'a' && m.from === 'a'));
  assert.deepEqual(new Set(notices.map((p) => p.to.ip)), new Set([B.ip, C.ip]));
  assert.deepEqual(changes(actions), ['a:alive->left:left']);
  assert.ok([...actions, ...runTicks(s, 10, 1000)].some((a) => a.type === 'leaveDone'));
});

test('a silent probe target gets helpers and a second ping, then is suspected', () => {
  const s = trio();
  const start = runTicks(s, 0, s.nextProbeMs);
  const ping = sent(start).find((p) => p.messages[0]?.type === 'ping');
  assert.ok(ping !== undefined);
  const target = ping.to.ip === B.ip ? 'b' : 'c';
  const helper = target === 'b' ? C : B;
  const probe = s.probe!;
  const indirect = runTicks(s, s.wakeAtMs!, probe.ackDeadlineMs);
  const asked = sent(indirect);
  assert.ok(asked.some((p) => p.to.ip === helper.ip && p.messages[0]?.type === 'indirectPing'));
  assert.ok(asked.some((p) => p.to.ip === ping.to.ip && p.messages[0]?.type === 'ping'), 'the target is pinged again');
  receive(s, probe.ackDeadlineMs + 5, helper, target === 'b' ? 'c' : 'b', { type: 'nack', seqNo: probe.seqNo });
  const end = runTicks(s, probe.ackDeadlineMs + 5, probe.endMs);
  assert.deepEqual(changes(end), [`${target}:alive->suspect:suspected`]);
  assert.equal(s.awareness, 0, 'a nack from the helper says our own network is fine');
});

test('an ack through a helper ends the probe without suspicion', () => {
  const s = trio();
  runTicks(s, 0, s.nextProbeMs);
  const probe = s.probe!;
  runTicks(s, s.wakeAtMs!, probe.ackDeadlineMs);
  receive(s, probe.ackDeadlineMs + 3, B, 'b', { type: 'ack', seqNo: probe.seqNo });
  assert.equal(probe.phase, 'done');
  assert.deepEqual(changes(runTicks(s, probe.ackDeadlineMs + 3, probe.endMs + 1)), []);
});

test('a helper relays a ping and forwards the ack, or nacks when the target is silent', () => {
  const s = trio(quiet);
  const asked = sent(receive(s, 1, B, 'b', { type: 'indirectPing', seqNo: 77, nack: true, target: 'c', targetAddress: C }));
  const relayed = asked.find((p) => p.to.ip === C.ip)!;
  const relaySeq = (relayed.messages[0] as { seqNo: number }).seqNo;
  const forwarded = sent(receive(s, 2, C, 'c', { type: 'ack', seqNo: relaySeq }));
  assert.deepEqual(forwarded[0]?.to, B);
  assert.deepEqual(forwarded[0]?.messages[0], { type: 'ack', seqNo: 77 });
  receive(s, 3, B, 'b', { type: 'indirectPing', seqNo: 78, nack: true, target: 'c', targetAddress: C });
  const later = sent(runTicks(s, 3, 3 + quiet.probeTimeoutMs));
  assert.ok(later.some((p) => p.to.ip === B.ip && p.messages[0]?.type === 'nack' && (p.messages[0] as { seqNo: number }).seqNo === 78));
});

test('a late timer defers its verdict one turn, so an ack already received wins', () => {
  const s = trio();
  runTicks(s, 0, s.nextProbeMs);
  const probe = s.probe!;
  runTicks(s, s.wakeAtMs!, probe.ackDeadlineMs);
  // The process was blocked past the end of the probe: the timer fires 60 ms late.
  const late = step(s, { type: 'tick', nowMs: probe.endMs + 60 }).actions;
  assert.deepEqual(changes(late), []);
  assert.ok(late.some((a) => a.type === 'count' && a.counter === 'verdictDeferred'));
  assert.equal(s.wakeAtMs, probe.endMs + 61);
  // The ack that sat in the socket buffer is read before the re-check.
  receive(s, probe.endMs + 60, B, 'b', { type: 'ack', seqNo: probe.seqNo });
  assert.deepEqual(changes(step(s, { type: 'tick', nowMs: probe.endMs + 61 }).actions), []);
});

test('joining sends our table to each seed, and a push-pull request is merged and answered', () => {
  const s = node();
  const join = step(s, { type: 'join', nowMs: 0, seeds: [B, C] }).actions.filter((a) => a.type === 'streamRequest');
  assert.deepEqual(join.map((a) => a.type === 'streamRequest' && [a.to.ip, a.join]), [[B.ip, true], [C.ip, true]]);
  const remote = node('b', B, 3);
  const actions = step(s, { type: 'streamRequest', nowMs: 1, from: B, streamId: 5, body: encodeStateBody(remote, true) }).actions;
  assert.deepEqual(changes(actions), ['b:new->alive:joined']);
  const reply = actions.find((a) => a.type === 'streamReply');
  assert.ok(reply !== undefined && reply.type === 'streamReply' && reply.streamId === 5);
  const merged = step(remote, { type: 'streamResponse', nowMs: 2, requestId: 1, body: reply.body }).actions;
  assert.deepEqual(changes(merged), ['a:new->alive:joined']);
});

test('a push-pull that holds us dead makes us refute', () => {
  const s = trio();
  const remote = node('b', B, 1);
  remote.members.set('a', { name: 'a', address: A, incarnation: 10, state: 'dead', stateChangeMs: 0, meta: new Uint8Array(), suspicion: undefined, listener: undefined });
  step(s, { type: 'streamResponse', nowMs: 1, requestId: 1, body: encodeStateBody(remote, false) });
  assert.equal(s.incarnation, 11);
});

test('a wake-up that comes early still gets a new timer (none is left armed otherwise)', () => {
  // Node arms timers against the loop's cached clock: one armed late in a busy turn fires that much early.
  const s = trio();
  runTicks(s, 0, 200);
  const due = s.wakeAtMs!;
  const early = step(s, { type: 'tick', nowMs: due - 5 }).actions;
  const timers = early.filter((a) => a.type === 'setTimer');
  assert.equal(timers.length, 1);
  assert.ok(timers[0]!.type === 'setTimer' && timers[0]!.atMs >= due);
});
