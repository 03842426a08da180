/**
 * One BFD session (RFC 5880, asynchronous mode, no demand, no echo, no authentication) as a pure state machine:
 * `step(session, event) -> {session, actions}`. Timers are actions (`arm-tx`, `arm-detect`); the driver owns
 * the clock, the socket and the randomness for the transmit jitter (`jitteredDelayMs`).
 */
import { bfdDiag, bfdSlowTxUs, type BfdState } from './constants.js';
import type { BfdControlPacket } from './control-packet.js';

export interface BfdSessionConfig {
  /** bfd.LocalDiscr: nonzero, unique per session on this system. */
  readonly localDiscriminator: number;
  readonly detectMult: number;
  /** bfd.DesiredMinTxInterval once Up (§6.8.3 raises it to 1 s while not Up). */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval. */
  readonly requiredMinRxUs: number;
  /** Passive role (§6.1): send nothing until the remote system's discriminator is known. */
  readonly passive: boolean;
}

export interface BfdSession {
  readonly config: BfdSessionConfig;
  readonly state: BfdState;
  readonly remoteState: BfdState;
  readonly remoteDiscriminator: number;
  readonly localDiag: number;
  /** bfd.RemoteMinRxInterval; 1 µs until the remote says otherwise. */
  readonly remoteMinRxUs: number;
  /** The remote's last Desired Min TX Interval and Detect Mult, for the detection time (§6.8.4). */
  readonly remoteDesiredMinTxUs: number;
  readonly remoteDetectMult: number;
  /** The Desired Min TX Interval we currently advertise. */
  readonly advertisedMinTxUs: number;
  /** A Poll Sequence (§6.5) is in progress: periodic packets carry P until a packet with F arrives. */
  readonly polling: boolean;
}

export type BfdEvent =
  | { readonly type: 'start' }
  | { readonly type: 'received'; readonly packet: BfdControlPacket }
  | { readonly type: 'tx-timer' }
  | { readonly type: 'detect-timer' }
  | { readonly type: 'admin-down' };

export type BfdAction =
  | { readonly type: 'send'; readonly packet: BfdControlPacket }
  /** Arm (or re-arm) the transmit timer for a delay drawn uniformly from [minMs, maxMs] (§6.8.7 jitter). */
  | { readonly type: 'arm-tx'; readonly minMs: number; readonly maxMs: number }
  | { readonly type: 'arm-detect'; readonly delayMs: number }
  | { readonly type: 'cancel-timers' }
  | { readonly type: 'state-changed'; readonly from: BfdState; readonly to: BfdState; readonly diag: number };

export interface BfdStepResult {
  readonly session: BfdSession;
  readonly actions: readonly BfdAction[];
}

export function initialSession(config: BfdSessionConfig): BfdSession {
  return {
    config, state: 'Down', remoteState: 'Down', remoteDiscriminator: 0, localDiag: bfdDiag.none,
    remoteMinRxUs: 1, remoteDesiredMinTxUs: 0, remoteDetectMult: 0,
    advertisedMinTxUs: Math.max(config.desiredMinTxUs, bfdSlowTxUs), polling: false,
  };
}

/** §6.8.7: max(our desired min TX, the remote's required min RX). */
export function transmitIntervalUs(s: BfdSession): number {
  return Math.max(s.advertisedMinTxUs, s.remoteMinRxUs);
}

/** §6.8.4, asynchronous mode: remote Detect Mult × max(our required min RX, the remote's desired min TX). */
export function detectionTimeUs(s: BfdSession): number {
  return s.remoteDetectMult * Math.max(s.config.requiredMinRxUs, s.remoteDesiredMinTxUs);
}

/** A delay in [minMs, maxMs] from `random` in [0, 1). */
export function jitteredDelayMs(a: { readonly minMs: number; readonly maxMs: number }, random: number): number {
  return a.minMs + (a.maxMs - a.minMs) * random;
}

function armTx(s: BfdSession): BfdAction {
  const ms = transmitIntervalUs(s) / 1000;
  // §6.8.7: 75-100% of the interval, or 75-90% when Detect Mult is 1.
  return { type: 'arm-tx', minMs: ms * 0.75, maxMs: ms * (s.config.detectMult === 1 ? 0.9 : 1) };
}

export function controlPacket(s: BfdSession, bits: { poll: boolean; final: boolean }): BfdControlPacket {
  return {
    diag: s.localDiag, state: s.state, poll: bits.poll, final: bits.final, controlPlaneIndependent: false, demand: false,
    detectMult: s.config.detectMult, myDiscriminator: s.config.localDiscriminator, yourDiscriminator: s.remoteDiscriminator,
    desiredMinTxUs: s.advertisedMinTxUs, requiredMinRxUs: s.config.requiredMinRxUs, requiredMinEchoRxUs: 0,
  };
}

/** §6.8.7: no periodic packets in the passive role before the remote is known, nor when it asks for none. */
function mayTransmit(s: BfdSession): boolean {
  return !(s.config.passive && s.remoteDiscriminator === 0) && s.remoteMinRxUs !== 0 && s.state !== 'AdminDown';
}

/** Moves to `to` with `diag`, and applies §6.8.3: 1 s Desired Min TX while not Up, a Poll Sequence on change. */
function transition(s: BfdSession, to: BfdState, diag: number, actions: BfdAction[]): BfdSession {
  if (to === s.state) return s;
  actions.push({ type: 'state-changed', from: s.state, to, diag });
  const advertised = to === 'Up' ? s.config.desiredMinTxUs : Math.max(s.config.desiredMinTxUs, bfdSlowTxUs);
  const changed = advertised !== s.advertisedMinTxUs;
  return { ...s, state: to, localDiag: diag, advertisedMinTxUs: advertised, polling: s.polling || (changed && s.remoteDiscriminator !== 0) };
}

export function step(s: BfdSession, event: BfdEvent): BfdStepResult {
  const actions: BfdAction[] = [];
  switch (event.type) {
    case 'start':
      return { session: s, actions: [armTx(s)] };
    case 'tx-timer':
      if (mayTransmit(s)) actions.push({ type: 'send', packet: controlPacket(s, { poll: s.polling, final: false }) });
      if (s.state !== 'AdminDown') actions.push(armTx(s));
      return { session: s, actions };
    case 'detect-timer':
      return detectionExpired(s, actions);
    case 'received':
      return received(s, event.packet, actions);
    case 'admin-down': {
      const next = transition(s, 'AdminDown', bfdDiag.administrativelyDown, actions);
      if (s.remoteDiscriminator !== 0 || !s.config.passive) actions.push({ type: 'send', packet: controlPacket(next, { poll: false, final: false }) });
      actions.push({ type: 'cancel-timers' });
      return { session: next, actions };
    }
  }
}

/** §6.8.4 and §6.8.1: no valid packet for a Detection Time. */
function detectionExpired(s: BfdSession, actions: BfdAction[]): BfdStepResult {
  if (s.state === 'AdminDown') return { session: s, actions };
  let next = s.state === 'Init' || s.state === 'Up' ? transition(s, 'Down', bfdDiag.controlDetectionTimeExpired, actions) : s;
  next = { ...next, remoteDiscriminator: 0, remoteState: 'Down', remoteMinRxUs: 1, remoteDesiredMinTxUs: 0, remoteDetectMult: 0, polling: false };
  return { session: next, actions };
}

/** §6.8.6, after the checks in decodeControlPacket and the demultiplexing by discriminator. */
function received(s: BfdSession, p: BfdControlPacket, actions: BfdAction[]): BfdStepResult {
  if (s.state === 'AdminDown') return { session: s, actions };
  let next: BfdSession = {
    ...s, remoteDiscriminator: p.myDiscriminator, remoteState: p.state, remoteMinRxUs: p.requiredMinRxUs,
    remoteDesiredMinTxUs: p.desiredMinTxUs, remoteDetectMult: p.detectMult, polling: p.final ? false : s.polling,
  };
  const wasTransmitting = mayTransmit(s);
  next = receiveTransition(next, p.state, actions);
  if (p.poll) actions.push({ type: 'send', packet: controlPacket(next, { poll: false, final: true }) });
  actions.push({ type: 'arm-detect', delayMs: detectionTimeUs(next) / 1000 });
  // A passive session starts its periodic packets once the remote is known.
  if (!wasTransmitting && mayTransmit(next) && !p.poll) actions.push({ type: 'send', packet: controlPacket(next, { poll: next.polling, final: false }) });
  // A shorter interval applies at once: the remote computes its detection time from what we now advertise, so a
  // transmit timer armed for the old (slow) interval would let it expire.
  if (transmitIntervalUs(next) < transmitIntervalUs(s)) actions.push(armTx(next));
  return { session: next, actions };
}

function receiveTransition(s: BfdSession, remote: BfdState, actions: BfdAction[]): BfdSession {
  if (remote === 'AdminDown') {
    return s.state === 'Down' ? s : transition(s, 'Down', bfdDiag.neighborSignaledSessionDown, actions);
  }
  switch (s.state) {
    case 'Down':
      if (remote === 'Down') return transition(s, 'Init', bfdDiag.none, actions);
      if (remote === 'Init') return transition(s, 'Up', bfdDiag.none, actions);
      return s;
    case 'Init':
      return remote === 'Init' || remote === 'Up' ? transition(s, 'Up', bfdDiag.none, actions) : s;
    case 'Up':
      return remote === 'Down' ? transition(s, 'Down', bfdDiag.neighborSignaledSessionDown, actions) : s;
    case 'AdminDown':
      return s;
  }
}
