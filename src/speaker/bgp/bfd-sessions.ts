/**
 * Every BFD session of this speaker (single hop, RFC 5881): one per peer address and VRF, sharing one UDP
 * endpoint per VRF and address family (a VRF's endpoint is bound to its device). Received datagrams pass GTSM (TTL 255), the packet checks, and demultiplexing (Your
 * Discriminator, or the source address while it is 0, RFC 5880 §6.3), else they are counted as drops by reason.
 */
import type { Clock } from '../../lib/clock.js';
import { canonicalIp, parseIp, type IpFamily } from '../../lib/ip.js';
import type { Logger } from '../../lib/logger.js';
import { bfdTtl, diagName, type BfdState } from '../../protocol/bfd/constants.js';
import { decodeControlPacket, type BfdDropReason } from '../../protocol/bfd/control-packet.js';
import type { BfdMetrics } from './bfd-metrics.js';
import { sessionLabels, type SessionMetricLabels } from './metrics.js';
import { BfdSessionDriver } from './bfd-session-driver.js';
import type { BfdDatagram, BfdTransport, BfdTransportFactory } from './bfd-transport.js';

/** A BFDProfile's timers as one session takes them. */
export interface BfdPeerProfile {
  readonly name: string;
  readonly receiveIntervalMs: number;
  readonly transmitIntervalMs: number;
  readonly detectMultiplier: number;
  readonly passiveMode: boolean;
}

export interface BfdPeerHandlers {
  readonly onUp?: () => void;
  /** The session left Up for Down (not for our own AdminDown): `reason` is the diagnostic's name. */
  readonly onDown: (reason: string) => void;
}

export interface BfdPeerHandle {
  /** Sends AdminDown and stops the session. */
  close(): void;
  state(): BfdState;
}

export interface BfdSessionsOptions {
  readonly transports: BfdTransportFactory;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: BfdMetrics;
  /** Uniform in [0, 1); default Math.random. */
  readonly random?: () => number;
}

interface Entry {
  readonly peer: string;
  /** '' for the default VRF. */
  readonly vrf: string;
  readonly key: string;
  readonly labels: SessionMetricLabels;
  readonly family: IpFamily;
  readonly discriminator: number;
  readonly driver: BfdSessionDriver;
}

export class BfdSessions {
  private readonly o: BfdSessionsOptions;
  private readonly random: () => number;
  private readonly byDiscriminator = new Map<number, Entry>();
  /** By `vrf%peer`. */
  private readonly byPeer = new Map<string, Entry>();
  /** By `vrf%family`. */
  private readonly endpoints = new Map<string, BfdTransport>();
  /** Discarded datagrams by reason, for diagnostics and tests. */
  readonly drops = new Map<BfdDropReason, number>();

  constructor(o: BfdSessionsOptions) {
    this.o = o;
    this.random = o.random ?? Math.random;
  }

  /** Starts a session to `peerAddress` (in `vrf`); throws when one exists or the endpoint cannot be opened. */
  add(peerAddress: string, profile: BfdPeerProfile, handlers: BfdPeerHandlers, vrf = ''): BfdPeerHandle {
    const ip = parseIp(peerAddress);
    const peer = canonicalIp(peerAddress);
    if (ip === undefined || peer === undefined) throw new Error(`bfd: "${peerAddress}" is not an IP address`);
    const key = `${vrf}%${peer}`;
    if (this.byPeer.has(key)) throw new Error(`bfd: a session to ${peer}${vrf === '' ? '' : ` in VRF ${vrf}`} already exists`);
    const transport = this.endpoint(ip.family, vrf);
    const discriminator = this.freshDiscriminator();
    const labels = sessionLabels(peer, vrf);
    const log = this.o.logger.child({ bfdPeer: peer, bfdProfile: profile.name, ...(vrf === '' ? {} : { vrf }) });
    const driver = new BfdSessionDriver({
      config: {
        localDiscriminator: discriminator, detectMult: profile.detectMultiplier, passive: profile.passiveMode,
        desiredMinTxUs: profile.transmitIntervalMs * 1000, requiredMinRxUs: profile.receiveIntervalMs * 1000,
      },
      clock: this.o.clock, random: this.random,
      send: (bytes) => { transport.send(bytes, peer); this.o.metrics?.controlPacketOutput.inc(labels); },
      onTransition: (from, to, diag) => this.transition(log, labels, handlers, from, to, diag),
    });
    const entry: Entry = { peer, vrf, key, labels, family: ip.family, discriminator, driver };
    this.byDiscriminator.set(discriminator, entry);
    this.byPeer.set(key, entry);
    this.o.metrics?.add(labels);
    driver.start();
    log.info({ discriminator }, 'bfd session started');
    return { close: () => this.remove(entry), state: () => entry.driver.state };
  }

  /** Closes every session (each sends AdminDown) and the endpoints. */
  close(): void {
    for (const e of [...this.byPeer.values()]) this.remove(e);
  }

  private remove(e: Entry): void {
    if (this.byPeer.get(e.key) !== e) return;
    e.driver.close();
    this.byPeer.delete(e.key);
    this.byDiscriminator.delete(e.discriminator);
    this.o.metrics?.forget(e.labels);
    if (![...this.byPeer.values()].some((x) => x.family === e.family && x.vrf === e.vrf)) {
      this.endpoints.get(`${e.vrf}%${e.family}`)?.close();
      this.endpoints.delete(`${e.vrf}%${e.family}`);
    }
  }

  private transition(log: Logger, labels: SessionMetricLabels, h: BfdPeerHandlers, from: BfdState, to: BfdState, diag: number): void {
    log.info({ from, to, diag: diagName(diag) }, 'bfd session state changed');
    if (to === 'Up') {
      this.o.metrics?.sessionUp.set(labels, 1);
      this.o.metrics?.sessionUpEvents.inc(labels);
      h.onUp?.();
    } else if (from === 'Up') {
      this.o.metrics?.sessionUp.set(labels, 0);
      this.o.metrics?.sessionDownEvents.inc(labels);
      if (to === 'Down') h.onDown(diagName(diag));
    }
  }

  private endpoint(family: IpFamily, vrf: string): BfdTransport {
    const key = `${vrf}%${family}`;
    let t = this.endpoints.get(key);
    if (t === undefined) {
      const onError = (err: Error): void => this.o.logger.warn({ err: err.message, family, ...(vrf === '' ? {} : { vrf }) }, 'bfd socket error');
      t = vrf === ''
        ? this.o.transports.open(family, (d) => this.received(d, vrf), onError)
        : this.o.transports.open(family, (d) => this.received(d, vrf), onError, vrf);
      this.endpoints.set(key, t);
    }
    return t;
  }

  private freshDiscriminator(): number {
    for (;;) {
      const d = 1 + Math.floor(this.random() * 0xfffffffe);
      if (!this.byDiscriminator.has(d)) return d;
    }
  }

  private drop(reason: BfdDropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  /** A datagram from the endpoint of `vrf`: it can only belong to a session in that VRF. */
  private received(d: BfdDatagram, vrf: string): void {
    // RFC 5881 §5 (GTSM): single-hop packets arrive with TTL/hop limit 255 or were forwarded from afar.
    if (d.ttl !== bfdTtl) { this.drop('bad-ttl'); return; }
    const r = decodeControlPacket(d.bytes);
    if (!r.ok) { this.drop(r.drop); return; }
    const from = canonicalIp(d.fromIp) ?? d.fromIp;
    const byYours = r.packet.yourDiscriminator !== 0;
    const entry = byYours ? this.byDiscriminator.get(r.packet.yourDiscriminator) : this.byPeer.get(`${vrf}%${from}`);
    if (entry === undefined || entry.peer !== from || entry.vrf !== vrf) { this.drop(byYours ? 'unknown-your-discriminator' : 'no-session'); return; }
    this.o.metrics?.controlPacketInput.inc(entry.labels);
    entry.driver.receive(r.packet);
  }
}
