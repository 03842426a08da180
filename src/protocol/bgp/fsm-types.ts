/**
 * The session state machine's data: state, events, actions and transition reasons (RFC 4271 §8). The machine is
 * pure (fsm.ts); a driver owns sockets and timers and feeds events back.
 */
import type { BgpError } from './bgp-error.js';
import type { Frame } from './framer.js';
import type { BgpMessage } from './message.js';
import type { LocalSpeaker, Negotiated } from './negotiate.js';
import type { Open } from './open.js';
import type { OpenExpectations, ReceivedUpdate } from './validate.js';

/** RFC 4271 §8.2.2 session states. */
export type SessionStateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
export type ConnectionPhase = 'Connecting' | 'OpenSent' | 'OpenConfirm' | 'Established';
export type Direction = 'outgoing' | 'incoming';

export interface FsmConfig {
  readonly local: LocalSpeaker;
  readonly expect: OpenExpectations;
  /** Only accept connections, never connect out. */
  readonly passive: boolean;
  /** RFC 4271 §10 ConnectRetryTime (BGPPeer `connectTime`); suggested 120 s. */
  readonly connectRetryTimeSec: number;
  /** RFC 4271 §8: the hold time while waiting for the peer's OPEN; suggested 4 minutes. */
  readonly openHoldTimeSec: number;
  /** Pause before reconnecting after a failure: doubles per failure from initial up to max (MetalLB: 1 s to 2 min). */
  readonly idleHoldInitialMs: number;
  readonly idleHoldMaxMs: number;
}

export interface Connection {
  readonly id: number;
  readonly direction: Direction;
  readonly phase: ConnectionPhase;
  readonly peerOpen?: Open;
  readonly negotiated?: Negotiated;
  /** Generation of the armed hold timer (0 = none). */
  readonly holdTimer: number;
  readonly keepaliveTimer: number;
}

export interface SessionState {
  readonly config: FsmConfig;
  readonly name: SessionStateName;
  /** ManualStart seen and no ManualStop since. */
  readonly running: boolean;
  readonly connections: readonly Connection[];
  readonly nextConnectionId: number;
  readonly nextGeneration: number;
  readonly connectRetryTimer: number;
  readonly idleHoldTimer: number;
  /** Consecutive failed sessions; drives the idle hold backoff. */
  readonly failures: number;
  /** R bit for our next OPEN: true until the first session after a restart is established. */
  readonly restarting: boolean;
}

export type TimerName = 'connectRetry' | 'idleHold' | 'hold' | 'keepalive';

export type FsmEvent =
  | { readonly type: 'start' }
  /** `graceful`: close without NOTIFICATION so a GR helper keeps our routes (we are restarting). */
  | { readonly type: 'stop'; readonly graceful?: boolean; readonly subcode?: number; readonly message?: string }
  | { readonly type: 'timerExpired'; readonly timer: TimerName; readonly generation: number; readonly connection?: number }
  | { readonly type: 'connected'; readonly connection: number }
  | { readonly type: 'connectFailed'; readonly connection: number; readonly error: string }
  /** The listener accepted a connection from this peer; the FSM binds or rejects it. */
  | { readonly type: 'accepted' }
  | { readonly type: 'closed'; readonly connection: number; readonly error?: string }
  | { readonly type: 'received'; readonly connection: number; readonly frame: Frame }
  | { readonly type: 'framingError'; readonly connection: number; readonly error: BgpError };

export type FsmAction =
  | { readonly type: 'connect'; readonly connection: number }
  | { readonly type: 'bindAccepted'; readonly connection: number }
  | { readonly type: 'rejectAccepted'; readonly reason: string }
  /** Encode with the connection's CodecContext and write. */
  | { readonly type: 'send'; readonly connection: number; readonly message: BgpMessage }
  /** Close after flushing what was sent. */
  | { readonly type: 'close'; readonly connection: number }
  | { readonly type: 'armTimer'; readonly timer: TimerName; readonly ms: number; readonly generation: number; readonly connection?: number }
  | { readonly type: 'cancelTimer'; readonly timer: TimerName; readonly connection?: number }
  | { readonly type: 'established'; readonly connection: number; readonly negotiated: Negotiated }
  /** The Established session ended. `graceful`: the peer negotiated GR, so its routes are kept as stale (RFC 4724 §4.2). */
  | { readonly type: 'sessionDown'; readonly graceful: boolean; readonly negotiated: Negotiated }
  | { readonly type: 'receivedUpdate'; readonly update: ReceivedUpdate }
  | { readonly type: 'receivedRouteRefresh'; readonly afi: number; readonly safi: number };

/** Why the machine moved; used verbatim as a log field (GoBGP's fsmStateReason). */
export type TransitionReason =
  | 'started' | 'stopped' | 'connectRetryExpired' | 'idleHoldExpired' | 'connected' | 'connectFailed' | 'accepted'
  | 'openReceived' | 'keepaliveReceived' | 'holdTimerExpired' | 'notificationReceived' | 'notificationSent'
  | 'connectionClosed' | 'collisionResolved' | 'peerRestarted' | 'none';

export interface Reason {
  readonly code: TransitionReason;
  readonly detail?: string;
}

export interface StepResult {
  readonly state: SessionState;
  readonly actions: readonly FsmAction[];
  readonly reason: Reason;
}
