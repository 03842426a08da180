/**
 * The state of one SWIM node, the events a driver feeds it and the actions it asks the driver to carry out.
 * The state is owned by the driver and updated in place by `step` (swim.ts); it holds no sockets, timers or
 * clock: time arrives with each event and the one timer the node needs is an action.
 */
import { BroadcastQueue } from './broadcast-queue.js';
import type { SwimConfig } from './config.js';
import { validateSwimConfig } from './config.js';
import type { Address, MemberState } from './messages.js';
import { nameBytes } from './messages.js';
import type { Random } from './random.js';
import type { Suspicion } from './suspicion.js';

export interface Member {
  readonly name: string;
  address: Address;
  incarnation: number;
  state: MemberState;
  /** When `state` last changed (for gossip to the dead, reconnects and reaping). */
  stateChangeMs: number;
  meta: Uint8Array;
  suspicion: Suspicion | undefined;
  /** The last listener check of this member (see `SwimConfig.listenerChecks`). */
  listener: { readonly result: ListenerState; readonly atMs: number } | undefined;
}

/**
 * What a TCP connection to a member's gossip port says: `listening` (the handshake completed: its process is
 * there), `refused` (RST: no process), `unreachable` (no answer in time: a cut link or a dead host).
 */
export type ListenerState = 'listening' | 'refused' | 'unreachable';

/** The probe in flight (one at a time, SWIM's protocol period). */
export interface Probe {
  readonly seqNo: number;
  readonly target: string;
  readonly startMs: number;
  /** End of the direct phase: then helpers are asked and the target is pinged once more. */
  readonly ackDeadlineMs: number;
  /** End of the probe: no ack by then and the target is suspected. */
  endMs: number;
  phase: 'direct' | 'indirect' | 'done';
  expectedNacks: number;
  nacks: number;
}

/** A ping this node sends on behalf of another member's indirect probe. */
export interface Relay {
  readonly requestSeqNo: number;
  readonly requester: Address;
  readonly deadlineMs: number;
  readonly nack: boolean;
}

export interface SwimState {
  readonly config: SwimConfig;
  readonly self: string;
  readonly random: Random;
  address: Address;
  meta: Uint8Array;
  incarnation: number;
  /** Every member we know, ourselves included. */
  readonly members: Map<string, Member>;
  /** Round-robin probe order (SWIM 4.3): shuffled at each wrap, new members inserted at a random place. */
  probeOrder: string[];
  probeIndex: number;
  /** Members suspected by others that we probe next, out of turn, to confirm or deny the suspicion. */
  verifyNext: string[];
  probe: Probe | undefined;
  seqNo: number;
  readonly relays: Map<number, Relay>;
  /** Listener checks in flight: request id -> member name. */
  readonly listenerChecks: Map<number, string>;
  readonly broadcasts: BroadcastQueue;
  /** Lifeguard local health score. */
  awareness: number;
  nextProbeMs: number;
  nextGossipMs: number;
  nextPushPullMs: number;
  nextReconnectMs: number;
  /** The wake-up we last asked the driver for; how late it arrives says how busy we are. */
  wakeAtMs: number | undefined;
  /** A late tick deferred its verdicts to a re-check one event-loop turn later. */
  recheckPending: boolean;
  /** A late timer was seen since the last probe started. */
  lateSinceProbe: boolean;
  /** State changes were queued that should go out now rather than at the next gossip round. */
  gossipNow: boolean;
  nextRequestId: number;
  leaving: boolean;
  leaveDone: boolean;
}

export type SwimEvent =
  /** The wake-up asked for by the last `setTimer` action (or any later time). */
  | { readonly type: 'tick'; readonly nowMs: number }
  /** A datagram body (envelope already opened) from `from`. */
  | { readonly type: 'packet'; readonly nowMs: number; readonly from: Address; readonly body: Uint8Array }
  /** Join a cluster through these addresses (push-pull with each). */
  | { readonly type: 'join'; readonly nowMs: number; readonly seeds: readonly Address[] }
  /** An inbound stream carried a push-pull; answer with `streamReply` carrying the same `streamId`. */
  | { readonly type: 'streamRequest'; readonly nowMs: number; readonly from: Address; readonly streamId: number; readonly body: Uint8Array }
  /** The answer to our `streamRequest` action. */
  | { readonly type: 'streamResponse'; readonly nowMs: number; readonly requestId: number; readonly body: Uint8Array }
  | { readonly type: 'streamFailed'; readonly nowMs: number; readonly requestId: number }
  /** The answer to our `checkListener` action. */
  | { readonly type: 'listenerChecked'; readonly nowMs: number; readonly requestId: number; readonly result: ListenerState }
  /** Leave gracefully: tell everyone now, then stop probing. */
  | { readonly type: 'leave'; readonly nowMs: number };

export type DropReason = 'malformed' | 'fromSelf' | 'misdirectedPing' | 'unexpectedMessage' | 'relayQueueFull' | 'streamMalformed';

export type SwimCounter =
  | 'probeStarted' | 'probeAcked' | 'probeIndirect' | 'probeFailed' | 'refuted' | 'addressConflict'
  | 'unknownMessage' | 'lateTimer' | 'verdictDeferred' | 'pushPullSent' | 'pushPullReceived' | 'pushPullFailed'
  | 'broadcastOverflow' | 'listenerRefused' | 'listenerListening' | 'listenerUnreachable' | 'deathDeferred';

export type ChangeReason =
  | 'joined' | 'rejoined' | 'updated' | 'suspected' | 'refuted' | 'suspicionTimeout' | 'reportedDead' | 'left' | 'reaped';

export interface MemberChange {
  readonly type: 'memberChange';
  readonly name: string;
  readonly address: Address;
  readonly incarnation: number;
  /** undefined: a member we had never heard of. */
  readonly from: MemberState | undefined;
  /** 'reaped' members are forgotten (they were dead or left). */
  readonly to: MemberState | 'reaped';
  readonly reason: ChangeReason;
}

export type SwimAction =
  | { readonly type: 'send'; readonly to: Address; readonly body: Uint8Array }
  | { readonly type: 'streamRequest'; readonly requestId: number; readonly to: Address; readonly body: Uint8Array; readonly join: boolean }
  | { readonly type: 'streamReply'; readonly streamId: number; readonly body: Uint8Array }
  /** Open a TCP connection to `to` and close it at once; answer with `listenerChecked` within `timeoutMs`. */
  | { readonly type: 'checkListener'; readonly requestId: number; readonly to: Address; readonly timeoutMs: number }
  /** Call `step` with a tick at `atMs` (replaces any earlier request). */
  | { readonly type: 'setTimer'; readonly timer: 'wake'; readonly atMs: number }
  | MemberChange
  | { readonly type: 'drop'; readonly reason: DropReason }
  | { readonly type: 'count'; readonly counter: SwimCounter }
  | { readonly type: 'health'; readonly score: number }
  /** Our leave has been sent as often as gossip sends anything: the driver may close. */
  | { readonly type: 'leaveDone' };

export interface SwimOptions {
  readonly config: SwimConfig;
  readonly name: string;
  readonly address: Address;
  readonly meta?: Uint8Array;
  /**
   * Start above any incarnation a previous run of this node could have reached, so peers take the new run
   * as newer at once (drivers pass wall-clock seconds).
   */
  readonly incarnation?: number;
  readonly random: Random;
  readonly nowMs: number;
}

export function createSwimState(o: SwimOptions): SwimState {
  const problems = validateSwimConfig(o.config);
  if (problems.length > 0) throw new RangeError(`invalid SWIM config: ${problems.join('; ')}`);
  nameBytes(o.name);
  const incarnation = o.incarnation ?? 0;
  const meta = o.meta ?? new Uint8Array(0);
  const self: Member = {
    name: o.name, address: o.address, incarnation, state: 'alive', stateChangeMs: o.nowMs, meta, suspicion: undefined, listener: undefined,
  };
  const c = o.config;
  // Start the periodic duties at random phases so that nodes started together do not probe in lockstep.
  const phase = (intervalMs: number): number => o.nowMs + Math.floor(o.random() * intervalMs);
  return {
    config: c, self: o.name, random: o.random, address: o.address, meta, incarnation,
    members: new Map([[o.name, self]]),
    probeOrder: [], probeIndex: 0, verifyNext: [], probe: undefined, seqNo: 0, relays: new Map(), listenerChecks: new Map(),
    broadcasts: new BroadcastQueue(), awareness: 0,
    nextProbeMs: phase(c.probeIntervalMs),
    nextGossipMs: phase(c.gossipIntervalMs),
    nextPushPullMs: phase(c.pushPullIntervalMs),
    nextReconnectMs: c.reconnectIntervalMs > 0 ? phase(c.reconnectIntervalMs) : Number.POSITIVE_INFINITY,
    wakeAtMs: undefined, recheckPending: false, lateSinceProbe: false, gossipNow: false,
    nextRequestId: 1, leaving: false, leaveDone: false,
  };
}

/** Members that count as present: alive or suspect (a suspect may still refute). */
export function isLive(m: Member): boolean {
  return m.state === 'alive' || m.state === 'suspect';
}

/** How many members are live, ourselves included (the N of the scaling formulas). */
export function liveCount(s: SwimState): number {
  let n = 0;
  for (const m of s.members.values()) if (isLive(m)) n++;
  return n;
}

/** Live members other than ourselves. */
export function livePeers(s: SwimState): Member[] {
  const out: Member[] = [];
  for (const m of s.members.values()) if (m.name !== s.self && isLive(m)) out.push(m);
  return out;
}
