/**
 * The driver of one BGP session: the pure FSM (protocol/bgp/fsm.ts) plus connections, timers on an injected
 * clock, the Adj-RIB-Out behind `setAdvertisements`, the Adj-RIB-In counts, graceful restart (RFC 4724) as
 * restarting speaker and as helper, metrics and transition logs with their reason.
 */
import type { Clock, Timer } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { canonicalIp, parseIp, type IpAddress, type IpFamily } from '../../lib/ip.js';
import { BgpFramer } from '../../protocol/bgp/framer.js';
import { CeaseSubcode } from '../../protocol/bgp/constants.js';
import { encodeMessage } from '../../protocol/bgp/message.js';
import { endOfRib } from '../../protocol/bgp/update.js';
import { familyOf } from '../../protocol/bgp/mp-nlri.js';
import { establishedConnection, initialState, step } from '../../protocol/bgp/fsm.js';
import type { FsmAction, FsmEvent, SessionState, SessionStateName } from '../../protocol/bgp/fsm-types.js';
import type { Negotiated } from '../../protocol/bgp/negotiate.js';
import { AdjRibOut } from './adj-rib-out.js';
import { AdjRibIn, type ReceivedCounts } from './adj-rib-in.js';
import type { Advertisement } from './advertisement.js';
import { encodeGroupAttributes } from './group-attributes.js';
import { peerLabel, sessionLabels, type SessionMetricLabels, type BgpMetrics } from './metrics.js';
import { sessionSettings, type BgpPeerSpec, type SessionSettings } from './peer-spec.js';
import type { BgpAcceptor, BgpConnectionIo, BgpDialer } from './transport.js';

export interface BgpSessionOptions {
  readonly peer: BgpPeerSpec;
  /** BGP identifier when the peer spec has no routerID (MetalLB: the node's IPv4, else a hash of its name). */
  readonly defaultRouterId: number;
  readonly dialer: BgpDialer;
  readonly acceptor?: BgpAcceptor;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: BgpMetrics;
  /** This process just started: set the GR Restart State bit in the first OPEN (RFC 4724 §3). */
  readonly restarting?: boolean;
  /** Next hops for the family that is not the session's own (dual-stack sessions). */
  readonly nextHops?: { readonly IPv4?: string; readonly IPv6?: string };
  /** The link-local address of the interface holding a global IPv6 address (RFC 2545 next hop). */
  readonly linkLocalFor?: (address: string) => string | undefined;
}

export interface BgpSessionStatus {
  readonly state: SessionStateName;
  readonly negotiated?: Negotiated;
  readonly announced: number;
  readonly pending: number;
  readonly received: ReceivedCounts;
  readonly endOfRibSent: boolean;
}

interface Live {
  io?: BgpConnectionIo;
  framer: BgpFramer;
  dial?: { cancel(): void } | undefined;
}

export class BgpSession {
  readonly name: string;
  readonly label: string;
  /** Metric labels: `peer` = `label`, plus `vrf` for a session in a VRF. */
  private readonly labels: SessionMetricLabels;
  private readonly opts: BgpSessionOptions;
  private readonly settings: SessionSettings;
  private readonly log: Logger;
  private state: SessionState;
  private readonly live = new Map<number, Live>();
  private readonly timers = new Map<string, Timer>();
  private readonly queue: FsmEvent[] = [];
  private dispatching = false;
  /** Accepted connections waiting for the FSM to bind or reject them, in order. */
  private readonly acceptedIos: BgpConnectionIo[] = [];
  private registration: { unregister(): void } | undefined;
  private readonly ribOut = new AdjRibOut();
  private readonly ribIn = new AdjRibIn();
  /** setAdvertisements was called at least once: the desired set is known, End-of-RIB may go out. */
  private synced = false;
  private endOfRibSent = false;
  private flushQueued = false;
  private readonly listeners = new Set<(status: BgpSessionStatus) => void>();

  constructor(opts: BgpSessionOptions) {
    this.opts = opts;
    this.name = opts.peer.name;
    this.settings = sessionSettings(opts.peer, opts.defaultRouterId);
    this.label = peerLabel(canonicalIp(opts.peer.peerAddress) ?? opts.peer.peerAddress, this.settings.dial.peerPort);
    this.labels = sessionLabels(this.label, opts.peer.vrf);
    this.log = opts.logger.child({ peer: this.label, peerName: this.name, ...(opts.peer.vrf === undefined ? {} : { vrf: opts.peer.vrf }) });
    const restarting = opts.restarting === true && this.settings.fsm.local.gracefulRestart !== undefined;
    this.state = initialState(this.settings.fsm, { restarting });
  }

  start(): void {
    if (this.opts.acceptor !== undefined && this.registration === undefined) {
      this.registration = this.opts.acceptor.register(this.settings.dial.peerAddress, this.settings.accept, (io) => this.handleAccepted(io));
    }
    this.metricsUpdate();
    this.dispatch({ type: 'start' });
  }

  /**
   * Stops the session. `graceful`: we are restarting and the peer negotiated GR, so close without NOTIFICATION
   * and let it keep our routes; otherwise send Cease/Administrative Shutdown.
   */
  close(options: { graceful?: boolean; message?: string; subcode?: number } = {}): void {
    this.registration?.unregister();
    this.registration = undefined;
    const graceful = options.graceful === true && this.settings.fsm.local.gracefulRestart !== undefined;
    this.dispatch({
      type: 'stop', graceful,
      ...(options.message === undefined ? {} : { message: options.message }),
      ...(options.subcode === undefined ? {} : { subcode: options.subcode }),
    });
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.opts.metrics?.forget(this.labels);
  }

  /**
   * BFD saw the forwarding path fail: end the session at once with Cease/BFD Down (RFC 9384, subcode 10) instead
   * of waiting for the hold timer, and reconnect as usual.
   */
  bfdDown(reason: string): void {
    if (!this.state.running) return;
    this.log.warn({ state: this.state.name, bfd: reason }, 'bfd session down: resetting the bgp session');
    this.dispatch({ type: 'stop', graceful: false, subcode: CeaseSubcode.BfdDown });
    this.dispatch({ type: 'start' });
  }

  /** Declares the prefixes this peer should hold; the session sends only the difference. */
  setAdvertisements(advertisements: Iterable<Advertisement>): void {
    this.ribOut.setDesired(advertisements);
    this.synced = true;
    this.scheduleFlush();
  }

  /** Called by the acceptor with a connection from this peer's address. */
  handleAccepted(io: BgpConnectionIo): void {
    this.acceptedIos.push(io);
    this.dispatch({ type: 'accepted' });
  }

  status(): BgpSessionStatus {
    const negotiated = establishedConnection(this.state)?.negotiated;
    const base = {
      state: this.state.name, announced: this.ribOut.announcedCount, pending: this.ribOut.pendingCount(),
      received: this.ribIn.counts(), endOfRibSent: this.endOfRibSent,
    };
    return negotiated === undefined ? base : { ...base, negotiated };
  }

  /** Called after every change of state or announcements (tests, status writers). */
  onChange(fn: (status: BgpSessionStatus) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private dispatch(event: FsmEvent): void {
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) this.apply(e);
    } finally {
      this.dispatching = false;
    }
    this.notify();
  }

  private apply(event: FsmEvent): void {
    const before = this.state.name;
    const r = step(this.state, event);
    this.state = r.state;
    if (r.state.name !== before) {
      this.log.info({ from: before, to: r.state.name, reason: r.reason.code, detail: r.reason.detail }, 'bgp session state changed');
    } else if (r.reason.code === 'notificationSent' || r.reason.code === 'collisionResolved') {
      this.log.warn({ state: r.state.name, reason: r.reason.code, detail: r.reason.detail }, 'bgp connection closed');
    }
    for (const a of r.actions) this.run(a);
  }

  private run(a: FsmAction): void {
    switch (a.type) {
      case 'connect': this.connect(a.connection); return;
      case 'bindAccepted': {
        const io = this.acceptedIos.shift();
        if (io !== undefined) this.attach(a.connection, io);
        return;
      }
      case 'rejectAccepted':
        this.log.debug({ reason: a.reason }, 'rejected an incoming connection');
        this.acceptedIos.shift()?.destroy();
        return;
      case 'send': this.live.get(a.connection)?.io?.write(encodeMessage(a.message, { as4: this.as4Of(a.connection) })); return;
      case 'close': this.closeConnection(a.connection); return;
      case 'armTimer': this.armTimer(a); return;
      case 'cancelTimer': {
        const key = `${a.timer}:${a.connection ?? ''}`;
        this.timers.get(key)?.cancel();
        this.timers.delete(key);
        return;
      }
      case 'established': this.onEstablished(a.negotiated); return;
      case 'sessionDown': this.onSessionDown(a.graceful, a.negotiated); return;
      case 'receivedUpdate':
        this.ribIn.apply(a.update);
        if (a.update.action !== undefined) this.log.warn({ action: a.update.action, problems: a.update.problems.map((p) => p.message) }, 'repaired a malformed UPDATE (RFC 7606)');
        return;
      case 'receivedRouteRefresh': {
        const family = familyOf(a.afi, a.safi);
        if (family === undefined) return;
        this.ribOut.resend(family);
        this.scheduleFlush();
        return;
      }
      default: {
        const never: never = a;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }

  private as4Of(connection: number): boolean {
    return this.state.connections.find((c) => c.id === connection)?.negotiated?.as4 ?? false;
  }

  private connect(id: number): void {
    const entry: Live = { framer: new BgpFramer() };
    this.live.set(id, entry);
    entry.dial = this.opts.dialer.dial(this.settings.dial, {
      onConnected: (io) => {
        entry.dial = undefined;
        if (this.live.get(id) !== entry) { io.destroy(); return; }
        this.attach(id, io);
        this.dispatch({ type: 'connected', connection: id });
      },
      onFailed: (error) => {
        entry.dial = undefined;
        if (this.live.get(id) !== entry) return;
        this.live.delete(id);
        this.dispatch({ type: 'connectFailed', connection: id, error });
      },
    });
  }

  private attach(id: number, io: BgpConnectionIo): void {
    const entry = this.live.get(id) ?? { framer: new BgpFramer() };
    entry.io = io;
    this.live.set(id, entry);
    io.onData((chunk) => {
      const { frames, error } = entry.framer.push(chunk);
      for (const frame of frames) this.dispatch({ type: 'received', connection: id, frame });
      if (error !== undefined) this.dispatch({ type: 'framingError', connection: id, error });
    });
    io.onClose((error) => {
      if (this.live.get(id) !== entry) return;
      this.live.delete(id);
      this.dispatch(error === undefined ? { type: 'closed', connection: id } : { type: 'closed', connection: id, error });
    });
  }

  private closeConnection(id: number): void {
    const entry = this.live.get(id);
    if (entry === undefined) return;
    this.live.delete(id);
    entry.dial?.cancel();
    entry.io?.close();
  }

  private armTimer(a: Extract<FsmAction, { type: 'armTimer' }>): void {
    const key = `${a.timer}:${a.connection ?? ''}`;
    this.timers.get(key)?.cancel();
    const event: FsmEvent = a.connection === undefined
      ? { type: 'timerExpired', timer: a.timer, generation: a.generation }
      : { type: 'timerExpired', timer: a.timer, generation: a.generation, connection: a.connection };
    this.timers.set(key, this.opts.clock.setTimer(a.ms, () => {
      this.timers.delete(key);
      this.dispatch(event);
    }));
  }

  private onEstablished(n: Negotiated): void {
    this.ribOut.reset();
    this.endOfRibSent = false;
    this.opts.metrics?.sessionUp.set(this.labels, 1);
    // RFC 4724 §4.2: stale routes of families the restarted peer did not preserve are dropped at once.
    for (const f of ['IPv4', 'IPv6'] as const) if (n.peerGracefulRestart?.families.get(f) !== true) this.ribIn.sweepStale(f);
    this.flush();
  }

  private onSessionDown(graceful: boolean, n: Negotiated): void {
    this.ribOut.reset();
    this.endOfRibSent = false;
    this.opts.metrics?.sessionUp.set(this.labels, 0);
    this.timers.get('stale:')?.cancel();
    if (graceful && n.peerGracefulRestart !== undefined) {
      this.ribIn.markStale();
      // RFC 4724 §4.2: keep the stale routes for the peer's Restart Time, then drop what was not refreshed.
      this.timers.set('stale:', this.opts.clock.setTimer(n.peerGracefulRestart.restartTimeSec * 1000, () => {
        this.timers.delete('stale:');
        const dropped = this.ribIn.sweepStale();
        if (dropped > 0) this.log.info({ dropped }, 'graceful restart: dropped stale routes after the restart time');
      }));
    } else {
      this.ribIn.clear();
    }
    this.metricsUpdate();
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
      this.notify();
    });
  }

  /** Sends what the peer lacks; after the first full table, End-of-RIB per family (RFC 4724 §2). */
  private flush(): void {
    const c = establishedConnection(this.state);
    const io = c === undefined ? undefined : this.live.get(c.id)?.io;
    if (c === undefined || c.negotiated === undefined || io === undefined || !this.synced) { this.metricsUpdate(); return; }
    const n = c.negotiated;
    const hops = this.nextHopsFor(io);
    const { messages } = this.ribOut.flush(n.families, (family, sample) => encodeGroupAttributes({
      family, sample, ebgp: n.ebgp, as4: n.as4, localAsn: this.settings.localAsn, nextHop: hops[family],
      ...(family === 'IPv6' && hops.linkLocal !== undefined ? { linkLocal: hops.linkLocal } : {}),
    }));
    if (!this.endOfRibSent) {
      for (const f of n.families) messages.push(encodeMessage(endOfRib(f), { as4: n.as4 }));
      this.endOfRibSent = true;
    }
    if (messages.length > 0) {
      io.write(Buffer.concat(messages));
      this.opts.metrics?.updatesTotal.inc(this.labels, messages.length);
    }
    this.metricsUpdate();
  }

  private nextHopsFor(io: BgpConnectionIo): { IPv4?: IpAddress; IPv6?: IpAddress; linkLocal?: IpAddress } {
    const local = parseIp(io.localAddress);
    const other = (f: IpFamily) => {
      const t = this.opts.nextHops?.[f];
      const ip = t === undefined ? undefined : parseIp(t);
      return ip?.family === f ? ip : undefined;
    };
    const v4 = local?.family === 'IPv4' ? local : other('IPv4');
    const v6 = local?.family === 'IPv6' ? local : other('IPv6');
    // RFC 2545 §3: the link-local next hop only makes sense when the peer shares our link.
    const singleHop = this.settings.dial.ttl === 1 || this.settings.dial.minTtl !== undefined;
    const llText = v6 !== undefined && singleHop ? this.opts.linkLocalFor?.(canonicalIp(io.localAddress) ?? io.localAddress) : undefined;
    const linkLocal = llText === undefined ? undefined : parseIp(llText);
    return { ...(v4 === undefined ? {} : { IPv4: v4 }), ...(v6 === undefined ? {} : { IPv6: v6 }), ...(linkLocal === undefined ? {} : { linkLocal }) };
  }

  private metricsUpdate(): void {
    const m = this.opts.metrics;
    if (m === undefined) return;
    m.announcedPrefixes.set(this.labels, this.ribOut.announcedCount);
    m.pendingPrefixes.set(this.labels, this.ribOut.pendingCount());
    if (this.state.name !== 'Established') m.sessionUp.set(this.labels, 0);
  }

  private notify(): void {
    if (this.listeners.size === 0) return;
    const s = this.status();
    for (const fn of this.listeners) fn(s);
  }
}
