/**
 * The gossip member list of a speaker: the driver around protocol/swim. It owns the transport (UDP datagrams
 * and TCP push-pull streams, port 7946 by default), the keyring, the one wake-up timer and the clock; it feeds
 * every datagram, stream and timer to `step` and carries out the actions. What the rest of the speaker sees is
 * the live set (`members`, `onChange`, `changes()`), which the layer-2 election consumes, plus metrics.
 *
 * Lifecycle: `start()`, `join(seeds)` (retried in the background for seeds not yet members), `leave()` on a
 * planned stop (peers learn at once, so the addresses this node held fail over at once), `close()`.
 */
import type { Clock, Timer } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { silentLogger } from '../../lib/logger.js';
import type { Registry } from 'prom-client';
import type { Endpoint, GossipTransport } from '../../net/gossip-transport.js';
import type { SwimConfig } from '../../protocol/swim/config.js';
import { defaultSwimConfig } from '../../protocol/swim/config.js';
import type { MemberState } from '../../protocol/swim/messages.js';
import type { Random } from '../../protocol/swim/random.js';
import type { MemberChange, SwimAction, SwimEvent, SwimState } from '../../protocol/swim/state.js';
import { createSwimState } from '../../protocol/swim/state.js';
import { liveMemberNames, step } from '../../protocol/swim/swim.js';
import { Keyring } from './keyring.js';
import { LiveSet, type Members } from './live-set.js';
import { GossipMetrics } from './metrics.js';

export interface MemberListOptions {
  /** This member's name: the Kubernetes node name. */
  readonly name: string;
  readonly transport: GossipTransport;
  /** Where peers reach us; defaults to the transport's bound address. */
  readonly advertise?: Endpoint;
  readonly config?: SwimConfig;
  /** The `secretkey` of the `memberlist` Secret; undefined runs unencrypted (logged as a warning). */
  readonly secret?: string | Uint8Array;
  readonly keyRotationGraceMs?: number;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
  /** Metrics go to this registry; none are kept without one. */
  readonly registry?: Registry;
  /** How long a push-pull stream may take. Default 2 s. */
  readonly streamTimeoutMs?: number;
  /** How often seeds that are not members yet are joined again. Default 5 s. */
  readonly rejoinIntervalMs?: number;
}

export interface MemberInfo {
  readonly name: string;
  readonly address: Endpoint;
  readonly state: MemberState;
  readonly incarnation: number;
}

export class MemberList {
  readonly name: string;
  private readonly transport: GossipTransport;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly keyring: Keyring;
  private readonly metrics: GossipMetrics | undefined;
  private readonly live = new LiveSet();
  private readonly state: SwimState;
  private readonly streamTimeoutMs: number;
  private readonly rejoinIntervalMs: number;
  private timer: Timer | undefined;
  private timerAtMs: number | undefined;
  private rejoinTimer: Timer | undefined;
  private seeds: readonly Endpoint[] = [];
  private readonly joinWaiters = new Map<number, (ok: boolean) => void>();
  private readonly streamReplies = new Map<number, (body: Uint8Array) => void>();
  private nextStreamId = 1;
  private leaveWaiter: (() => void) | undefined;
  private started = false;
  private closed = false;

  constructor(o: MemberListOptions) {
    this.name = o.name;
    this.transport = o.transport;
    this.clock = o.clock ?? systemClock;
    this.log = o.logger ?? silentLogger();
    this.keyring = new Keyring(o.secret, { clock: this.clock, ...(o.keyRotationGraceMs === undefined ? {} : { rotationGraceMs: o.keyRotationGraceMs }) });
    this.metrics = o.registry === undefined ? undefined : new GossipMetrics(o.registry);
    this.streamTimeoutMs = o.streamTimeoutMs ?? 2000;
    this.rejoinIntervalMs = o.rejoinIntervalMs ?? 5000;
    this.state = createSwimState({
      config: o.config ?? defaultSwimConfig(),
      name: o.name,
      address: o.advertise ?? o.transport.local,
      // Wall-clock seconds: a restarted speaker is newer than anything its previous run said.
      incarnation: Math.floor(this.clock.wallMs() / 1000) >>> 0,
      random: o.random ?? Math.random,
      nowMs: this.clock.nowMs(),
    });
    this.live.publish(liveMemberNames(this.state));
  }

  /** Starts receiving and probing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (!this.keyring.encrypted) this.log.warn('gossip runs unencrypted: no memberlist secret');
    this.transport.start({
      onDatagram: (bytes, from) => this.handleDatagram(bytes, from),
      onExchange: (request, from) => this.handleExchange(request, from),
      onError: (err) => this.log.debug({ err: errorMessage(err) }, 'gossip transport error'),
    });
    this.dispatch({ type: 'tick', nowMs: this.clock.nowMs() });
    this.updateGauges();
  }

  /**
   * Joins the cluster through `seeds` (push-pull with each); resolves with how many answered. Seeds that are
   * not members afterwards are tried again every `rejoinIntervalMs` until they are.
   */
  async join(seeds: readonly Endpoint[]): Promise<number> {
    this.seeds = seeds.filter((s) => !(s.ip === this.state.address.ip && s.port === this.state.address.port));
    this.scheduleRejoin();
    const results = await Promise.all(this.joinNow(this.seeds));
    return results.filter(Boolean).length;
  }

  /** Replaces the seed list (the Kubernetes speaker feeds pod IPs here). */
  setSeeds(seeds: readonly Endpoint[]): void {
    void this.join(seeds);
  }

  /** A new `memberlist` secret; the previous key is still accepted for the rotation grace period. */
  setSecret(secret: string | Uint8Array): void {
    this.keyring.setSecret(secret);
  }

  /** Live member names (alive or suspect), ourselves included, sorted. */
  get members(): Members {
    return this.live.members;
  }

  /** Every member we know, with its state. */
  memberInfo(): MemberInfo[] {
    return [...this.state.members.values()].map((m) => ({ name: m.name, address: m.address, state: m.state, incarnation: m.incarnation }));
  }

  /** Lifeguard local health: 0 is healthy. */
  get healthScore(): number {
    return this.state.awareness;
  }

  /** Calls `listener` with the live set on every change, and again (unchanged) after we refuted an accusation. */
  onChange(listener: (members: Members) => void): () => void {
    return this.live.onChange(listener);
  }

  changes(signal?: AbortSignal): AsyncGenerator<Members> {
    return this.live.changes(signal);
  }

  [Symbol.asyncIterator](): AsyncGenerator<Members> {
    return this.live.changes();
  }

  /**
   * Leaves gracefully: every live member is told at once, then gossip repeats it; resolves when it has been
   * sent as often as gossip sends anything, or after `timeoutMs`.
   */
  async leave(timeoutMs = 1000): Promise<void> {
    if (this.closed || this.state.leaving) return;
    const done = new Promise<void>((resolve) => {
      this.leaveWaiter = resolve;
    });
    this.dispatch({ type: 'leave', nowMs: this.clock.nowMs() });
    let timeout: Timer | undefined;
    await Promise.race([done, new Promise<void>((resolve) => { timeout = this.clock.setTimer(timeoutMs, resolve); })]);
    timeout?.cancel();
  }

  /** Stops everything (without telling anyone: call `leave()` first for a planned stop). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.rejoinTimer?.cancel();
    this.live.end();
    for (const w of this.joinWaiters.values()) w(false);
    this.joinWaiters.clear();
    await this.transport.close();
  }

  private joinNow(seeds: readonly Endpoint[]): Promise<boolean>[] {
    if (seeds.length === 0 || this.closed) return [];
    const actions = this.dispatch({ type: 'join', nowMs: this.clock.nowMs(), seeds });
    return actions.flatMap((a) => (a.type === 'streamRequest' ? [new Promise<boolean>((resolve) => this.joinWaiters.set(a.requestId, resolve))] : []));
  }

  private scheduleRejoin(): void {
    if (this.rejoinTimer !== undefined || this.closed) return;
    this.rejoinTimer = this.clock.setTimer(this.rejoinIntervalMs, () => {
      this.rejoinTimer = undefined;
      if (this.closed || this.state.leaving) return;
      const liveAddresses = new Set([...this.state.members.values()].filter((m) => m.state === 'alive' || m.state === 'suspect').map((m) => `${m.address.ip}|${m.address.port}`));
      const missing = this.seeds.filter((s) => !liveAddresses.has(`${s.ip}|${s.port}`));
      void Promise.all(this.joinNow(missing));
      this.scheduleRejoin();
    });
  }

  private handleDatagram(bytes: Uint8Array, from: Endpoint): void {
    if (this.closed) return;
    this.metrics?.packetsReceived.inc();
    this.metrics?.bytesReceived.inc(bytes.length);
    const opened = this.keyring.open(bytes, from);
    if (!opened.ok) {
      this.metrics?.dropped.inc({ reason: opened.reason });
      return;
    }
    this.dispatch({ type: 'packet', nowMs: this.clock.nowMs(), from, body: opened.body });
  }

  private handleExchange(request: Uint8Array, from: Endpoint): Uint8Array | undefined {
    if (this.closed) return undefined;
    this.metrics?.bytesReceived.inc(request.length);
    const opened = this.keyring.open(request, from);
    if (!opened.ok) {
      this.metrics?.dropped.inc({ reason: opened.reason });
      return undefined;
    }
    const streamId = this.nextStreamId++;
    let reply: Uint8Array | undefined;
    this.streamReplies.set(streamId, (body) => {
      reply = this.keyring.seal(body, from);
    });
    this.dispatch({ type: 'streamRequest', nowMs: this.clock.nowMs(), from, streamId, body: opened.body });
    this.streamReplies.delete(streamId);
    if (reply !== undefined) this.metrics?.bytesSent.inc(reply.length);
    return reply;
  }

  private dispatch(event: SwimEvent): readonly SwimAction[] {
    const { actions } = step(this.state, event);
    let membershipChanged = false;
    for (const a of actions) {
      if (a.type === 'memberChange') membershipChanged = true;
      this.execute(a);
    }
    if (membershipChanged) {
      this.live.publish(liveMemberNames(this.state));
      this.updateGauges();
    }
    // Having to refute means others held us suspect or dead, and may have taken over our addresses meanwhile:
    // the listeners (the layer-2 speaker) assert what they hold again.
    if (actions.some((a) => a.type === 'count' && a.counter === 'refuted')) this.live.touch();
    return actions;
  }

  private execute(a: SwimAction): void {
    switch (a.type) {
      case 'send': return this.send(a.to, a.body);
      case 'streamRequest': return this.request(a.requestId, a.to, a.body);
      case 'streamReply':
        this.streamReplies.get(a.streamId)?.(a.body);
        return;
      case 'setTimer': return this.arm(a.atMs);
      case 'checkListener':
        void this.transport.checkListener(a.to, a.timeoutMs).then((result) => {
          if (!this.closed) this.dispatch({ type: 'listenerChecked', nowMs: this.clock.nowMs(), requestId: a.requestId, result });
        });
        return;
      case 'memberChange': return this.noteChange(a);
      case 'drop':
        this.metrics?.dropped.inc({ reason: a.reason });
        return;
      case 'count':
        this.metrics?.events.inc({ event: a.counter });
        return;
      case 'health':
        this.metrics?.healthScore.set(a.score);
        this.log.debug({ score: a.score }, 'gossip local health changed');
        return;
      case 'leaveDone':
        this.leaveWaiter?.();
        return;
    }
  }

  private send(to: Endpoint, body: Uint8Array): void {
    if (this.closed) return;
    const bytes = this.keyring.seal(body, to);
    this.metrics?.packetsSent.inc();
    this.metrics?.bytesSent.inc(bytes.length);
    this.transport.sendDatagram(to, bytes);
  }

  private request(requestId: number, to: Endpoint, body: Uint8Array): void {
    const sealed = this.keyring.seal(body, to);
    this.metrics?.bytesSent.inc(sealed.length);
    const settle = (ok: boolean): void => {
      const w = this.joinWaiters.get(requestId);
      this.joinWaiters.delete(requestId);
      w?.(ok);
    };
    this.transport.exchange(to, sealed, this.streamTimeoutMs).then(
      (answer) => {
        if (this.closed) return settle(false);
        this.metrics?.bytesReceived.inc(answer.length);
        const opened = this.keyring.open(answer, to);
        if (!opened.ok) {
          this.metrics?.dropped.inc({ reason: opened.reason });
          this.dispatch({ type: 'streamFailed', nowMs: this.clock.nowMs(), requestId });
          return settle(false);
        }
        this.dispatch({ type: 'streamResponse', nowMs: this.clock.nowMs(), requestId, body: opened.body });
        settle(true);
      },
      (err: unknown) => {
        this.log.debug({ to, err: errorMessage(err) }, 'gossip push-pull failed');
        if (!this.closed) this.dispatch({ type: 'streamFailed', nowMs: this.clock.nowMs(), requestId });
        settle(false);
      },
    );
  }

  private arm(atMs: number): void {
    if (this.timerAtMs === atMs && this.timer !== undefined) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAtMs = atMs;
    if (this.closed || !Number.isFinite(atMs)) return;
    this.timer = this.clock.setTimer(atMs - this.clock.nowMs(), () => {
      this.timer = undefined;
      if (!this.closed) this.dispatch({ type: 'tick', nowMs: this.clock.nowMs() });
    });
  }

  private noteChange(c: MemberChange): void {
    this.metrics?.transitions.inc({ to: c.to, reason: c.reason });
    if (c.to === 'suspect') this.log.debug({ member: c.name, incarnation: c.incarnation }, 'gossip member suspected');
    else this.log.info({ member: c.name, address: c.address, from: c.from ?? 'unknown', to: c.to, reason: c.reason }, 'gossip member changed');
  }

  private updateGauges(): void {
    if (this.metrics === undefined) return;
    const counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
    for (const m of this.state.members.values()) counts[m.state]++;
    this.metrics.setMemberCounts(counts);
  }
}
