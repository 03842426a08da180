/**
 * The driver of one BFD session: the pure machine (protocol/bfd/session.ts) plus timers on an injected clock,
 * the jitter from an injected random source, and a send function. State changes go to `onTransition`.
 */
import type { Clock, Timer } from '../../lib/clock.js';
import { encodeControlPacket, type BfdControlPacket } from '../../protocol/bfd/control-packet.js';
import type { BfdState } from '../../protocol/bfd/constants.js';
import {
  initialSession, jitteredDelayMs, step, type BfdAction, type BfdEvent, type BfdSession, type BfdSessionConfig,
} from '../../protocol/bfd/session.js';

export interface BfdDriverOptions {
  readonly config: BfdSessionConfig;
  readonly clock: Clock;
  /** Uniform in [0, 1): the transmit jitter (RFC 5880 §6.8.7). */
  readonly random: () => number;
  readonly send: (bytes: Uint8Array) => void;
  readonly onTransition: (from: BfdState, to: BfdState, diag: number) => void;
}

export class BfdSessionDriver {
  private readonly o: BfdDriverOptions;
  private session: BfdSession;
  private txTimer: Timer | undefined;
  private detectTimer: Timer | undefined;

  constructor(o: BfdDriverOptions) {
    this.o = o;
    this.session = initialSession(o.config);
  }

  get state(): BfdState {
    return this.session.state;
  }

  get snapshot(): BfdSession {
    return this.session;
  }

  start(): void {
    this.apply({ type: 'start' });
  }

  receive(packet: BfdControlPacket): void {
    this.apply({ type: 'received', packet });
  }

  /** Sends AdminDown (so the peer does not count it as a failure) and stops every timer. */
  close(): void {
    this.apply({ type: 'admin-down' });
    this.cancelTimers();
  }

  private apply(event: BfdEvent): void {
    const r = step(this.session, event);
    this.session = r.session;
    for (const a of r.actions) this.run(a);
  }

  private run(a: BfdAction): void {
    switch (a.type) {
      case 'send': this.o.send(encodeControlPacket(a.packet)); return;
      case 'arm-tx':
        this.txTimer?.cancel();
        this.txTimer = this.o.clock.setTimer(jitteredDelayMs(a, this.o.random()), () => { this.txTimer = undefined; this.apply({ type: 'tx-timer' }); });
        return;
      case 'arm-detect':
        this.detectTimer?.cancel();
        this.detectTimer = this.o.clock.setTimer(a.delayMs, () => { this.detectTimer = undefined; this.apply({ type: 'detect-timer' }); });
        return;
      case 'cancel-timers': this.cancelTimers(); return;
      case 'state-changed': this.o.onTransition(a.from, a.to, a.diag); return;
    }
  }

  private cancelTimers(): void {
    this.txTimer?.cancel();
    this.detectTimer?.cancel();
    this.txTimer = undefined;
    this.detectTimer = undefined;
  }
}
