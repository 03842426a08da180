/**
 * A seeded, in-memory network for SWIM simulations (memberlist's MockNetwork idea, with a fake clock instead of
 * sleeps). Every datagram is delivered, delayed or lost by the network's rules; streams are reliable but fail
 * across partitions and to stopped nodes. A node can be killed, restarted, cut off, or slowed down: a slow
 * node runs in "stalls" like a busy Node.js process, where everything that arrives during a stall waits, and at
 * the end of it the timers that came due run first, then the packets (the order of Node's event loop).
 */
import { FakeClock } from '../../src/lib/clock.js';
import type { Timer } from '../../src/lib/clock.js';
import type { SwimConfig } from '../../src/protocol/swim/config.js';
import type { Address, MemberState } from '../../src/protocol/swim/messages.js';
import type { Random } from '../../src/protocol/swim/random.js';
import { seededRandom } from '../../src/protocol/swim/random.js';
import type { SwimAction, SwimEvent, SwimState } from '../../src/protocol/swim/state.js';
import { createSwimState } from '../../src/protocol/swim/state.js';
import { step } from '../../src/protocol/swim/swim.js';
import { envelopeOverheadBytes } from '../../src/protocol/swim/envelope.js';

export interface Transition {
  readonly atMs: number;
  readonly observer: string;
  readonly member: string;
  readonly from: MemberState | undefined;
  readonly to: MemberState | 'reaped';
  readonly reason: string;
}

export interface StallPattern {
  /** A stall starts every `periodMs` (at a random phase)... */
  readonly periodMs: number;
  /** ...and lasts `stallMs`. */
  readonly stallMs: number;
}

export interface SimOptions {
  readonly seed: number;
  readonly config: SwimConfig;
  /** Probability that a datagram is lost. */
  readonly lossRate?: number;
  /** One-way latency bounds (uniform). */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** How long a stream attempt to an unreachable node takes to fail. */
  readonly streamTimeoutMs?: number;
  /**
   * Timers fire up to this much early, at random (Node arms timers against the event loop's cached clock, so a
   * timer armed late in a busy turn fires early by that much). Default 0.
   */
  readonly earlyTimerMs?: number;
}

interface Pending {
  readonly kind: 'timer' | 'packet';
  readonly event: () => SwimEvent;
}

export class SimNode {
  readonly name: string;
  readonly address: Address;
  state: SwimState;
  up = true;
  stall: StallPattern | undefined;
  private stallStartMs = Number.POSITIVE_INFINITY;
  private stallEndAtMs = Number.NEGATIVE_INFINITY;
  /** Every packet waits this long before it is processed (a node too busy to read its socket). */
  inboundDelayMs = 0;
  private inbox: Pending[] = [];
  private stallEndArmed = false;
  private timer: Timer | undefined;
  leaveDone = false;
  readonly counters = new Map<string, number>();
  /** Datagram bytes sent, envelope and IPv4/UDP headers (28 bytes) included. */
  sentBytes = 0;
  sentPackets = 0;
  /** Stream bytes sent (push-pull), estimated with TCP/IP overhead. */
  streamBytes = 0;
  private readonly net: SimNetwork;

  constructor(net: SimNetwork, name: string, address: Address, state: SwimState) {
    this.net = net;
    this.name = name;
    this.address = address;
    this.state = state;
  }

  /** Blocks this node's processing for `durationMs` from now, once. */
  stallOnce(durationMs: number): void {
    const now = this.net.clock.nowMs();
    this.stall = undefined;
    this.stallStartMs = now;
    this.stallEndAtMs = now + durationMs;
  }

  /** Stalls of `stallMs` at random moments, `periodMs` apart on average (gaps uniform in 0.5..1.5 periods). */
  setStall(p: StallPattern | undefined): void {
    this.stall = p;
    if (p === undefined) return;
    this.stallStartMs = this.net.clock.nowMs() + this.net.random() * p.periodMs;
    this.stallEndAtMs = this.stallStartMs + p.stallMs;
  }

  private stallEndMs(nowMs: number): number | undefined {
    const p = this.stall;
    while (p !== undefined && nowMs >= this.stallEndAtMs) {
      this.stallStartMs = this.stallEndAtMs + p.periodMs * (0.5 + this.net.random()) - p.stallMs;
      this.stallEndAtMs = this.stallStartMs + p.stallMs;
    }
    return nowMs >= this.stallStartMs && nowMs < this.stallEndAtMs ? this.stallEndAtMs : undefined;
  }

  /**
   * Delivers an event now, or queues it when the node is stalled. With `inboundDelayMs` set, packets wait that
   * long before they are processed while timers stay on time (Lifeguard's "slow message processing").
   */
  deliver(kind: Pending['kind'], event: () => SwimEvent, delayed = false): void {
    if (!this.up) return;
    if (kind === 'packet' && this.inboundDelayMs > 0 && !delayed) {
      this.net.clock.setTimer(this.inboundDelayMs, () => this.deliver(kind, event, true));
      return;
    }
    const endMs = this.stallEndMs(this.net.clock.nowMs());
    if (endMs === undefined) {
      this.run(event());
      return;
    }
    this.inbox.push({ kind, event });
    if (!this.stallEndArmed) {
      this.stallEndArmed = true;
      this.net.clock.setTimer(endMs - this.net.clock.nowMs(), () => this.drainAfterStall());
    }
  }

  private drainAfterStall(): void {
    this.stallEndArmed = false;
    const queued = this.inbox;
    this.inbox = [];
    // Node's event loop: the timers that came due run first, then the I/O that arrived meanwhile.
    for (const p of queued) if (p.kind === 'timer' && this.up) this.run(p.event());
    for (const p of queued) if (p.kind === 'packet' && this.up) this.run(p.event());
  }

  run(event: SwimEvent): void {
    const { actions } = step(this.state, event);
    for (const a of actions) this.execute(a);
  }

  private execute(a: SwimAction): void {
    const net = this.net;
    switch (a.type) {
      case 'send':
        this.sentPackets++;
        this.sentBytes += a.body.length + envelopeOverheadBytes + 28;
        net.sendDatagram(this, a.to, a.body);
        return;
      case 'streamRequest':
        this.countStream(a.body.length);
        net.openStream(this, a.to, a.requestId, a.body);
        return;
      case 'streamReply':
        this.countStream(a.body.length);
        net.replyStream(this, a.streamId, a.body);
        return;
      case 'checkListener':
        net.checkListener(this, a.to, a.requestId, a.timeoutMs);
        return;
      case 'setTimer':
        this.timer?.cancel();
        this.timer = undefined;
        if (Number.isFinite(a.atMs)) {
          this.timer = net.clock.setTimer(a.atMs - net.clock.nowMs() - net.random() * net.earlyTimerMs, () => {
            this.timer = undefined;
            this.deliver('timer', () => ({ type: 'tick', nowMs: net.clock.nowMs() }));
          });
        }
        return;
      case 'memberChange':
        net.transitions.push({ atMs: net.clock.nowMs(), observer: this.name, member: a.name, from: a.from, to: a.to, reason: a.reason });
        return;
      case 'drop':
        this.bump(`drop:${a.reason}`);
        return;
      case 'count':
        this.bump(a.counter);
        return;
      case 'health':
        this.bump('healthChanges');
        return;
      case 'leaveDone':
        this.leaveDone = true;
        return;
    }
  }

  /** A stream costs its frame and envelope plus, roughly, 5 segments of TCP/IP headers (handshake, data, close). */
  private countStream(bodyBytes: number): void {
    this.streamBytes += bodyBytes + 4 + envelopeOverheadBytes + 5 * 52;
  }

  private bump(key: string): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  stop(): void {
    this.up = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.inbox = [];
  }

  /** How this node sees `member` right now. */
  view(member: string): MemberState | undefined {
    return this.state.members.get(member)?.state;
  }
}

export class SimNetwork {
  readonly clock = new FakeClock(0);
  readonly random: Random;
  readonly nodes = new Map<string, SimNode>();
  readonly transitions: Transition[] = [];
  readonly config: SwimConfig;
  lossRate: number;
  readonly earlyTimerMs: number;
  private readonly latency: { min: number; max: number };
  private readonly streamTimeoutMs: number;
  private readonly byAddress = new Map<string, SimNode>();
  /** Pairs that cannot reach each other (both directions), keyed `a|b`. */
  private readonly cuts = new Set<string>();
  private streams = new Map<number, { requester: SimNode; requestId: number; from: SimNode }>();
  private nextStreamId = 1;
  private nodeCount = 0;

  constructor(o: SimOptions) {
    this.random = seededRandom(o.seed);
    this.config = o.config;
    this.lossRate = o.lossRate ?? 0;
    this.latency = { min: o.latencyMs?.min ?? 0.1, max: o.latencyMs?.max ?? 0.5 };
    this.streamTimeoutMs = o.streamTimeoutMs ?? 1000;
    this.earlyTimerMs = o.earlyTimerMs ?? 0;
  }

  /** Adds a running node (not yet joined to anyone). */
  addNode(name: string, config: SwimConfig = this.config, incarnation = 0): SimNode {
    const i = ++this.nodeCount;
    const address: Address = { ip: `10.0.${i >> 8}.${i & 0xff}`, port: 7946 };
    const seed = Math.floor(this.random() * 2 ** 32);
    const state = createSwimState({ config, name, address, random: seededRandom(seed), nowMs: this.clock.nowMs(), incarnation });
    const node = new SimNode(this, name, address, state);
    this.nodes.set(name, node);
    this.byAddress.set(key(address), node);
    node.run({ type: 'tick', nowMs: this.clock.nowMs() });
    return node;
  }

  /** Replaces a stopped node by a fresh run of it (same name and address, a higher incarnation). */
  restart(name: string, incarnation: number): SimNode {
    const old = this.node(name);
    old.stop();
    const seed = Math.floor(this.random() * 2 ** 32);
    old.state = createSwimState({
      config: old.state.config, name, address: old.address, random: seededRandom(seed), nowMs: this.clock.nowMs(), incarnation,
    });
    old.up = true;
    old.run({ type: 'tick', nowMs: this.clock.nowMs() });
    return old;
  }

  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (n === undefined) throw new Error(`no node ${name}`);
    return n;
  }

  /** Builds `count` nodes named prefix1..prefixN that all join through the first. */
  cluster(count: number, prefix = 'node'): SimNode[] {
    const nodes: SimNode[] = [];
    for (let i = 1; i <= count; i++) nodes.push(this.addNode(`${prefix}${i}`));
    const seed = nodes[0]!.address;
    for (const n of nodes.slice(1)) n.run({ type: 'join', nowMs: this.clock.nowMs(), seeds: [seed] });
    return nodes;
  }

  join(node: SimNode, seeds: readonly Address[]): void {
    node.deliver('packet', () => ({ type: 'join', nowMs: this.clock.nowMs(), seeds }));
  }

  /** Advances time in small steps (FakeClock compacts its timer list at each step). */
  run(ms: number, stepMs = 10): void {
    let left = ms;
    while (left > 0) {
      const d = Math.min(stepMs, left);
      this.clock.advance(d);
      left -= d;
    }
  }

  /** Runs until `predicate` holds or `maxMs` passes; returns the time it took, or undefined. */
  runUntil(predicate: () => boolean, maxMs: number, stepMs = 1): number | undefined {
    const start = this.clock.nowMs();
    while (this.clock.nowMs() - start < maxMs) {
      if (predicate()) return this.clock.nowMs() - start;
      this.clock.advance(stepMs);
    }
    return predicate() ? this.clock.nowMs() - start : undefined;
  }

  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const a of groupA) for (const b of groupB) this.cuts.add(pairKey(a, b));
  }

  /** Cuts one node off from everyone (its link goes down). */
  isolate(name: string): void {
    for (const other of this.nodes.keys()) if (other !== name) this.cuts.add(pairKey(name, other));
  }

  heal(): void {
    this.cuts.clear();
  }

  private reachable(a: SimNode, b: SimNode): boolean {
    return b.up && !this.cuts.has(pairKey(a.name, b.name));
  }

  private delayMs(): number {
    return this.latency.min + this.random() * (this.latency.max - this.latency.min);
  }

  sendDatagram(from: SimNode, to: Address, body: Uint8Array): void {
    const target = this.byAddress.get(key(to));
    if (target === undefined || !from.up) return;
    if (this.random() < this.lossRate) return;
    const source = from.address;
    this.clock.setTimer(this.delayMs(), () => {
      if (!this.reachable(from, target)) return;
      target.deliver('packet', () => ({ type: 'packet', nowMs: this.clock.nowMs(), from: source, body }));
    });
  }

  openStream(from: SimNode, to: Address, requestId: number, body: Uint8Array): void {
    const target = this.byAddress.get(key(to));
    const fail = (): void => from.deliver('packet', () => ({ type: 'streamFailed', nowMs: this.clock.nowMs(), requestId }));
    if (target === undefined || !this.reachable(from, target)) {
      this.clock.setTimer(this.streamTimeoutMs, fail);
      return;
    }
    const streamId = this.nextStreamId++;
    this.streams.set(streamId, { requester: from, requestId, from: target });
    const source = from.address;
    this.clock.setTimer(this.delayMs() * 3, () => {
      if (!this.reachable(from, target)) {
        this.streams.delete(streamId);
        fail();
        return;
      }
      target.deliver('packet', () => ({ type: 'streamRequest', nowMs: this.clock.nowMs(), from: source, streamId, body }));
    });
  }

  /**
   * A TCP connection to `to`'s gossip port, answered by its kernel: refused when its node is stopped (killed),
   * listening when it runs (stalled and slow nodes too), unreachable across a cut or when SYN or SYN-ACK is lost.
   */
  checkListener(from: SimNode, to: Address, requestId: number, timeoutMs: number): void {
    const target = this.byAddress.get(key(to));
    const answer = (result: 'listening' | 'refused' | 'unreachable', afterMs: number): void => {
      this.clock.setTimer(afterMs, () => from.deliver('packet', () => ({ type: 'listenerChecked', nowMs: this.clock.nowMs(), requestId, result })));
    };
    const lost = this.random() < this.lossRate || this.random() < this.lossRate;
    if (target === undefined || lost || this.cuts.has(pairKey(from.name, target.name))) {
      answer('unreachable', timeoutMs);
      return;
    }
    answer(target.up ? 'listening' : 'refused', 2 * this.delayMs());
  }

  replyStream(from: SimNode, streamId: number, body: Uint8Array): void {
    const s = this.streams.get(streamId);
    if (s === undefined) return;
    this.streams.delete(streamId);
    this.clock.setTimer(this.delayMs(), () => {
      if (!this.reachable(from, s.requester)) return;
      s.requester.deliver('packet', () => ({ type: 'streamResponse', nowMs: this.clock.nowMs(), requestId: s.requestId, body }));
    });
  }

  /** Whether every running node sees exactly the running nodes as live. */
  converged(): boolean {
    const up = [...this.nodes.values()].filter((n) => n.up);
    const names = up.map((n) => n.name).sort().join(',');
    return up.every((n) => liveNames(n.state).join(',') === names);
  }

  /** Transitions of `member` to `to` seen by anyone, after `sinceMs`. */
  transitionsOf(member: string, to: Transition['to'], sinceMs = 0): Transition[] {
    return this.transitions.filter((t) => t.member === member && t.to === to && t.atMs >= sinceMs);
  }
}

export function liveNames(s: SwimState): string[] {
  return [...s.members.values()].filter((m) => m.state === 'alive' || m.state === 'suspect').map((m) => m.name).sort();
}

function key(a: Address): string {
  return `${a.ip}:${a.port}`;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Nearest-rank percentile (as anchors.md computes them). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summary(values: readonly number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}
