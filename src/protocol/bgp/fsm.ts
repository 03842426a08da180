/**
 * The BGP session finite state machine (RFC 4271 §8), pure: `step(state, event) -> { state, actions, reason }`.
 * One session may have two connections at once (ours and the peer's); collisions are resolved by BGP Identifier
 * (RFC 4271 §6.8). Timers are actions carrying a generation; expiries of older generations are ignored.
 *
 * Deviations, on purpose: a running session accepts the peer's connection in every state (RFC 4271 §8's
 * "passive TCP establishment" always on), so a restarting router is never refused; after a failure the machine
 * waits in Idle for a backoff (the IdleHoldTimer of RFC 4271 §8.1.1) before connecting out again.
 */
import { assertNever } from '../../lib/assert.js';
import { BgpError } from './bgp-error.js';
import { CeaseSubcode, ErrorCode, FsmSubcode } from './constants.js';
import { decodeMessage } from './message.js';
import { buildOpen, negotiate } from './negotiate.js';
import { validateOpen, validateUpdate } from './validate.js';
import type { Open } from './open.js';
import type { BgpMessage } from './message.js';
import type {
  Connection, ConnectionPhase, FsmAction, FsmConfig, FsmEvent, Reason, SessionState, SessionStateName, StepResult, TimerName,
  TransitionReason,
} from './fsm-types.js';

export function initialState(config: FsmConfig, options: { restarting?: boolean } = {}): SessionState {
  return {
    config, name: 'Idle', running: false, connections: [], nextConnectionId: 1, nextGeneration: 1,
    connectRetryTimer: 0, idleHoldTimer: 0, failures: 0, restarting: options.restarting ?? false,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Omit<Mutable<SessionState>, 'connections'> & { connections: Connection[] };

/** Accumulates one step's changes; handlers stay small and the result stays immutable. */
class Tx {
  readonly s: Draft;
  readonly actions: FsmAction[] = [];
  reason: Reason = { code: 'none' };

  constructor(state: SessionState) {
    this.s = { ...state, connections: [...state.connections] };
  }

  because(code: TransitionReason, detail?: string): void {
    this.reason = detail === undefined ? { code } : { code, detail };
  }

  conn(id: number): Connection | undefined {
    return this.s.connections.find((c) => c.id === id);
  }

  put(c: Connection): void {
    const i = this.s.connections.findIndex((x) => x.id === c.id);
    if (i >= 0) this.s.connections[i] = c;
    else this.s.connections.push(c);
  }

  arm(timer: TimerName, ms: number, connection?: number): number {
    const generation = this.s.nextGeneration++;
    this.actions.push(connection === undefined ? { type: 'armTimer', timer, ms, generation } : { type: 'armTimer', timer, ms, generation, connection });
    return generation;
  }

  cancel(timer: TimerName, connection?: number): void {
    this.actions.push(connection === undefined ? { type: 'cancelTimer', timer } : { type: 'cancelTimer', timer, connection });
  }

  send(connection: number, message: BgpMessage): void {
    this.actions.push({ type: 'send', connection, message });
  }
}

function deriveName(s: SessionState): SessionStateName {
  const phases = new Set<ConnectionPhase>(s.connections.map((c) => c.phase));
  if (phases.has('Established')) return 'Established';
  if (phases.has('OpenConfirm')) return 'OpenConfirm';
  if (phases.has('OpenSent')) return 'OpenSent';
  if (phases.has('Connecting')) return 'Connect';
  return s.running && s.idleHoldTimer === 0 ? 'Active' : 'Idle';
}

function ourOpen(tx: Tx): Open {
  const gr = tx.s.config.local.gracefulRestart;
  const local = gr === undefined ? tx.s.config.local : { ...tx.s.config.local, gracefulRestart: { ...gr, restarting: tx.s.restarting } };
  return buildOpen(local);
}

function connectOut(tx: Tx): void {
  const id = tx.s.nextConnectionId++;
  tx.put({ id, direction: 'outgoing', phase: 'Connecting', holdTimer: 0, keepaliveTimer: 0 });
  tx.actions.push({ type: 'connect', connection: id });
  tx.s.connectRetryTimer = tx.arm('connectRetry', tx.s.config.connectRetryTimeSec * 1000);
}

/** Removes a connection; reports the end of an Established session; goes Idle with backoff when none is left. */
function drop(tx: Tx, c: Connection, options: { graceful?: boolean } = {}): void {
  tx.s.connections = tx.s.connections.filter((x) => x.id !== c.id);
  if (c.holdTimer !== 0) tx.cancel('hold', c.id);
  if (c.keepaliveTimer !== 0) tx.cancel('keepalive', c.id);
  if (c.phase === 'Established' && c.negotiated !== undefined) {
    // RFC 4724 §4.2: a helper keeps the routes of a peer that negotiated GR when the session ends without NOTIFICATION.
    const graceful = options.graceful ?? c.negotiated.peerGracefulRestart !== undefined;
    tx.actions.push({ type: 'sessionDown', graceful, negotiated: c.negotiated });
  }
  if (c.phase !== 'Connecting' || c.direction === 'incoming') tx.s.failures++;
  if (tx.s.connections.length === 0 && tx.s.running) {
    if (tx.s.connectRetryTimer !== 0) { tx.cancel('connectRetry'); tx.s.connectRetryTimer = 0; }
    const cfg = tx.s.config;
    const ms = Math.min(cfg.idleHoldMaxMs, cfg.idleHoldInitialMs * 2 ** Math.max(0, tx.s.failures - 1));
    tx.s.idleHoldTimer = tx.arm('idleHold', ms);
  }
}

/** Sends a NOTIFICATION on a connection that has sent its OPEN, then closes it. */
function notifyAndClose(tx: Tx, c: Connection, err: BgpError, graceful = false): void {
  if (c.phase !== 'Connecting') tx.send(c.id, { type: 'notification', code: err.code, subcode: err.subcode, data: err.data });
  tx.actions.push({ type: 'close', connection: c.id });
  drop(tx, c, { graceful });
}

function start(tx: Tx): void {
  if (tx.s.running) return;
  tx.s.running = true;
  tx.s.failures = 0;
  tx.because('started');
  if (!tx.s.config.passive) connectOut(tx);
}

function stop(tx: Tx, e: Extract<FsmEvent, { type: 'stop' }>): void {
  tx.s.running = false;
  tx.because('stopped', e.message);
  const data = e.message === undefined ? new Uint8Array(0) : shutdownData(e.message);
  for (const c of [...tx.s.connections]) {
    if (e.graceful === true) {
      tx.actions.push({ type: 'close', connection: c.id });
      drop(tx, c, { graceful: false });
    } else {
      notifyAndClose(tx, c, new BgpError(ErrorCode.Cease, e.subcode ?? CeaseSubcode.AdministrativeShutdown, 'stopped', { data }), false);
    }
  }
  if (tx.s.connectRetryTimer !== 0) tx.cancel('connectRetry');
  if (tx.s.idleHoldTimer !== 0) tx.cancel('idleHold');
  tx.s.connectRetryTimer = 0;
  tx.s.idleHoldTimer = 0;
}

/** RFC 9003: a length-prefixed UTF-8 shutdown message of at most 255 bytes. */
function shutdownData(message: string): Uint8Array {
  const bytes = new TextEncoder().encode(message).subarray(0, 255);
  return Uint8Array.of(bytes.length, ...bytes);
}

function timerExpired(tx: Tx, e: Extract<FsmEvent, { type: 'timerExpired' }>): void {
  switch (e.timer) {
    case 'connectRetry': {
      if (e.generation !== tx.s.connectRetryTimer) return;
      tx.s.connectRetryTimer = 0;
      if (!tx.s.running || tx.s.config.passive) return;
      // RFC 4271 §8.2.2 (Connect/Active): on ConnectRetryTimer expiry, drop a pending attempt and try again.
      const pending = tx.s.connections.filter((c) => c.phase === 'Connecting');
      if (tx.s.connections.length > pending.length) return;
      for (const c of pending) { tx.actions.push({ type: 'close', connection: c.id }); tx.s.connections = tx.s.connections.filter((x) => x.id !== c.id); }
      tx.because('connectRetryExpired');
      connectOut(tx);
      return;
    }
    case 'idleHold':
      if (e.generation !== tx.s.idleHoldTimer) return;
      tx.s.idleHoldTimer = 0;
      if (!tx.s.running || tx.s.connections.length > 0) return;
      tx.because('idleHoldExpired');
      if (!tx.s.config.passive) connectOut(tx);
      return;
    case 'hold': {
      const c = e.connection === undefined ? undefined : tx.conn(e.connection);
      if (c === undefined || c.holdTimer !== e.generation) return;
      tx.because('holdTimerExpired');
      notifyAndClose(tx, c, new BgpError(ErrorCode.HoldTimerExpired, 0, 'hold timer expired'), false);
      return;
    }
    case 'keepalive': {
      const c = e.connection === undefined ? undefined : tx.conn(e.connection);
      if (c === undefined || c.keepaliveTimer !== e.generation || c.negotiated === undefined) return;
      tx.send(c.id, { type: 'keepalive' });
      tx.put({ ...c, keepaliveTimer: tx.arm('keepalive', c.negotiated.keepaliveTimeSec * 1000, c.id) });
      return;
    }
    default:
      assertNever(e.timer, 'timer');
  }
}

/** Our OPEN goes out as soon as a connection exists (RFC 4271 §8.2.2), with the large OpenSent hold time. */
function sendOpen(tx: Tx, c: Connection): void {
  tx.send(c.id, ourOpen(tx));
  tx.put({ ...c, phase: 'OpenSent', holdTimer: tx.arm('hold', tx.s.config.openHoldTimeSec * 1000, c.id) });
}

function connected(tx: Tx, id: number): void {
  const c = tx.conn(id);
  if (c === undefined || c.phase !== 'Connecting') return;
  if (tx.s.connectRetryTimer !== 0) { tx.cancel('connectRetry'); tx.s.connectRetryTimer = 0; }
  tx.because('connected');
  sendOpen(tx, c);
}

function connectFailed(tx: Tx, id: number, error: string): void {
  const c = tx.conn(id);
  if (c === undefined) return;
  // RFC 4271 §8.2.2 (Connect): TcpConnectionFails -> Active; the ConnectRetryTimer stays armed to try again.
  tx.s.connections = tx.s.connections.filter((x) => x.id !== id);
  tx.because('connectFailed', error);
  if (tx.s.connectRetryTimer === 0 && tx.s.running && tx.s.connections.length === 0) {
    tx.s.connectRetryTimer = tx.arm('connectRetry', tx.s.config.connectRetryTimeSec * 1000);
  }
}

function accepted(tx: Tx): void {
  if (!tx.s.running) { tx.actions.push({ type: 'rejectAccepted', reason: 'session is stopped' }); return; }
  if (tx.s.connections.some((c) => c.direction === 'incoming' && c.phase !== 'Established')) {
    tx.actions.push({ type: 'rejectAccepted', reason: 'an incoming connection is already opening' });
    return;
  }
  const id = tx.s.nextConnectionId++;
  tx.actions.push({ type: 'bindAccepted', connection: id });
  if (tx.s.idleHoldTimer !== 0) { tx.cancel('idleHold'); tx.s.idleHoldTimer = 0; }
  tx.because('accepted');
  sendOpen(tx, { id, direction: 'incoming', phase: 'Connecting', holdTimer: 0, keepaliveTimer: 0 });
}

function closed(tx: Tx, id: number, error?: string): void {
  const c = tx.conn(id);
  if (c === undefined) return;
  tx.because('connectionClosed', error);
  if (c.phase === 'Connecting') { connectFailed(tx, id, error ?? 'closed'); return; }
  drop(tx, c);
}

/**
 * RFC 4271 §6.8: on an OPEN, compare with the other connections to the same peer. Returns false when the
 * connection that carried the OPEN was the one closed.
 */
function resolveCollision(tx: Tx, c: Connection, open: Open): boolean {
  for (const other of tx.s.connections) {
    if (other.id === c.id || other.phase === 'Connecting') continue;
    const collision = new BgpError(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution, 'connection collision');
    if (other.phase === 'Established') {
      // RFC 4724 §4.2: a GR peer that reconnects while we still hold its session has restarted: the old one goes.
      if (other.negotiated?.peerGracefulRestart !== undefined) {
        tx.because('peerRestarted');
        tx.actions.push({ type: 'close', connection: other.id });
        drop(tx, other, { graceful: true });
        continue;
      }
      // RFC 4271 §6.8: a collision with an Established connection closes the new one.
      tx.because('collisionResolved', 'kept the established connection');
      notifyAndClose(tx, c, collision);
      return false;
    }
    // The side with the higher BGP Identifier keeps the connection it initiated.
    const weWin = tx.s.config.local.bgpIdentifier >>> 0 > open.bgpIdentifier >>> 0;
    const loser = (weWin ? 'incoming' : 'outgoing') === c.direction ? c : other;
    tx.because('collisionResolved', `closed the ${loser.direction} connection`);
    notifyAndClose(tx, loser, collision);
    if (loser.id === c.id) return false;
  }
  return true;
}

function openReceived(tx: Tx, c: Connection, open: Open): void {
  let peerAsn: number;
  try {
    peerAsn = validateOpen(open, tx.s.config.expect);
  } catch (err) {
    if (!(err instanceof BgpError)) throw err;
    tx.because('notificationSent', err.message);
    notifyAndClose(tx, c, err);
    return;
  }
  if (!resolveCollision(tx, c, open)) return;
  const negotiated = negotiate(tx.s.config.local, open, peerAsn);
  tx.send(c.id, { type: 'keepalive' });
  const hold = negotiated.holdTimeSec === 0 ? 0 : tx.arm('hold', negotiated.holdTimeSec * 1000, c.id);
  if (hold === 0) tx.cancel('hold', c.id);
  const keepalive = negotiated.keepaliveTimeSec === 0 ? 0 : tx.arm('keepalive', negotiated.keepaliveTimeSec * 1000, c.id);
  tx.put({ ...c, phase: 'OpenConfirm', peerOpen: open, negotiated, holdTimer: hold, keepaliveTimer: keepalive });
  tx.because('openReceived');
}

function restartHold(tx: Tx, c: Connection): Connection {
  if (c.negotiated === undefined || c.negotiated.holdTimeSec === 0) return c;
  const next = { ...c, holdTimer: tx.arm('hold', c.negotiated.holdTimeSec * 1000, c.id) };
  tx.put(next);
  return next;
}

function becomeEstablished(tx: Tx, c: Connection): void {
  const live = restartHold(tx, { ...c, phase: 'Established' });
  tx.put(live);
  tx.s.failures = 0;
  tx.s.restarting = false;
  tx.because('keepaliveReceived');
  tx.actions.push({ type: 'established', connection: c.id, negotiated: live.negotiated as NonNullable<Connection['negotiated']> });
}

function fsmError(phase: ConnectionPhase): BgpError {
  const subcode = phase === 'OpenSent' ? FsmSubcode.UnexpectedInOpenSent
    : phase === 'OpenConfirm' ? FsmSubcode.UnexpectedInOpenConfirm
      : phase === 'Established' ? FsmSubcode.UnexpectedInEstablished : FsmSubcode.Unspecified;
  return new BgpError(ErrorCode.FiniteStateMachine, subcode, `unexpected message in ${phase}`);
}

function established(tx: Tx, c: Connection, message: BgpMessage, problems: Parameters<typeof validateUpdate>[1]): void {
  const live = restartHold(tx, c);
  if (message.type === 'keepalive') return;
  if (message.type === 'routeRefresh') {
    tx.actions.push({ type: 'receivedRouteRefresh', afi: message.afi, safi: message.safi });
    return;
  }
  if (message.type !== 'update') { notifyAndClose(tx, live, fsmError('Established')); tx.because('notificationSent', 'unexpected message'); return; }
  const n = live.negotiated as NonNullable<Connection['negotiated']>;
  const update = validateUpdate(message, problems, { ebgp: n.ebgp, peerAsn: n.peerAsn, as4: n.as4, families: n.families });
  tx.actions.push({ type: 'receivedUpdate', update });
}

function received(tx: Tx, e: Extract<FsmEvent, { type: 'received' }>): void {
  const c = tx.conn(e.connection);
  if (c === undefined || c.phase === 'Connecting') return;
  try {
    const { message, problems } = decodeMessage(e.frame, { as4: c.negotiated?.as4 ?? false });
    if (message.type === 'notification') {
      tx.because('notificationReceived', `${message.code}/${message.subcode}`);
      tx.actions.push({ type: 'close', connection: c.id });
      // RFC 4724 §4.2: a NOTIFICATION ends the session for good (we do not offer RFC 8538's N bit).
      drop(tx, c, { graceful: false });
      return;
    }
    if (c.phase === 'OpenSent' && message.type === 'open') { openReceived(tx, c, message); return; }
    if (c.phase === 'OpenConfirm' && message.type === 'keepalive') { becomeEstablished(tx, c); return; }
    if (c.phase === 'Established') { established(tx, c, message, problems); return; }
    tx.because('notificationSent', `${message.type} in ${c.phase}`);
    notifyAndClose(tx, c, fsmError(c.phase));
  } catch (err) {
    if (!(err instanceof BgpError)) throw err;
    tx.because('notificationSent', err.message);
    notifyAndClose(tx, c, err);
  }
}

/** Advances the machine by one event. */
export function step(state: SessionState, event: FsmEvent): StepResult {
  const tx = new Tx(state);
  switch (event.type) {
    case 'start': start(tx); break;
    case 'stop': stop(tx, event); break;
    case 'timerExpired': timerExpired(tx, event); break;
    case 'connected': connected(tx, event.connection); break;
    case 'connectFailed': connectFailed(tx, event.connection, event.error); break;
    case 'accepted': accepted(tx); break;
    case 'closed': closed(tx, event.connection, event.error); break;
    case 'received': received(tx, event); break;
    case 'framingError': {
      const c = tx.conn(event.connection);
      if (c !== undefined) { tx.because('notificationSent', event.error.message); notifyAndClose(tx, c, event.error); }
      break;
    }
    default: assertNever(event, 'event');
  }
  tx.s.name = deriveName(tx.s);
  return { state: tx.s, actions: tx.actions, reason: tx.reason };
}

/** The connection carrying the Established session, if any. */
export function establishedConnection(state: SessionState): Connection | undefined {
  return state.connections.find((c) => c.phase === 'Established');
}

