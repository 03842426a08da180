/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-node has none; k8s-api-notes.md §2.6), with
 * client-go's rules and timings (lease 15 s, renew deadline 10 s, retry 2 s):
 * - a follower judges expiry by its own clock from when it last saw the lease *change*, never by comparing
 *   its clock with the holder's timestamps (clock skew);
 * - takeover and renewal are a replace carrying the read resourceVersion, so of two contenders one gets
 *   409 and loses; a missing lease is created (409 = lost);
 * - a leader that has not renewed for the renew deadline steps down at once (before any follower may take
 *   over), so two leaders never act together; `stop()` releases the lease so a follower takes over within
 *   one retry period instead of a lease duration.
 * The clock is injected: tests call `tryAcquireOrRenew()` and move a FakeClock instead of sleeping.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock, Timer } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

export interface LeaderElectorOptions {
  readonly coordination: k8s.CoordinationV1Api;
  readonly namespace: string;
  readonly leaseName: string;
  /** This replica's identity (the pod name). */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onNewLeader?: (identity: string | undefined) => void;
}

export function defaultLeaseTimings(): { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number } {
  return { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
}

/** Renew deadline and retry period scaled from a lease duration, in client-go's 15:10:2 ratio. */
export function leaseTimingsFor(leaseDurationMs: number): { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number } {
  return { leaseDurationMs, renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3), retryPeriodMs: Math.max(50, Math.round(leaseDurationMs / 7.5)) };
}

interface Observed {
  readonly holder: string | undefined;
  /** renewTime in ms (typed and raw leases render MicroTime differently; the instant is what counts). */
  readonly renewMs: number | undefined;
  readonly transitions: number;
  readonly leaseDurationMs: number;
}

function observe(lease: k8s.V1Lease): Observed {
  const spec = lease.spec ?? {};
  const renew = spec.renewTime as unknown;
  const renewMs = renew instanceof Date ? renew.getTime() : typeof renew === 'string' ? Date.parse(renew) : undefined;
  return {
    holder: spec.holderIdentity === '' || spec.holderIdentity === null ? undefined : spec.holderIdentity,
    renewMs: renewMs === undefined || Number.isNaN(renewMs) ? undefined : renewMs,
    transitions: spec.leaseTransitions ?? 0,
    leaseDurationMs: (spec.leaseDurationSeconds ?? 15) * 1000,
  };
}

export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly timings: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  private observed: Observed | undefined;
  private observedAtMs = 0;
  private leading = false;
  private lastRenewMs = 0;
  private stopped = false;
  private loopTimer: Timer | undefined;
  private deadlineTimer: Timer | undefined;
  private attempt: Promise<void> | undefined;
  private knownLeader: string | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    const d = defaultLeaseTimings();
    this.timings = {
      leaseDurationMs: options.leaseDurationMs ?? d.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? d.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? d.retryPeriodMs,
    };
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the lease (ourselves when leading). */
  leader(): string | undefined {
    return this.leading ? this.options.identity : this.observed?.holder;
  }

  start(): void {
    if (this.stopped || this.attempt !== undefined || this.loopTimer !== undefined) return;
    this.tick();
  }

  /** Stops competing; a leader steps down and releases the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.loopTimer?.cancel();
    await this.attempt;
    if (this.leading) {
      this.stepDown('stopping');
      await this.release();
    }
  }

  private tick(): void {
    this.loopTimer = undefined;
    if (this.stopped) return;
    this.attempt = this.runAttempt().finally(() => {
      this.attempt = undefined;
      if (!this.stopped) this.loopTimer = this.options.clock.setTimer(this.nextDelayMs(), () => this.tick());
    });
  }

  private async runAttempt(): Promise<void> {
    const startedMs = this.options.clock.nowMs();
    const ok = await this.tryAcquireOrRenew().catch((err: unknown) => {
      this.options.logger.warn({ lease: this.options.leaseName, err: errorMessage(err) }, 'lease request failed');
      return false;
    });
    if (this.stopped) return;
    if (ok) this.renewed(startedMs);
    else if (this.leading && this.options.clock.nowMs() - this.lastRenewMs >= this.timings.renewDeadlineMs) this.stepDown('renew deadline passed');
  }

  /** A follower retries when the observed lease would expire, or after a retry period, whichever is first. */
  private nextDelayMs(): number {
    const { retryPeriodMs } = this.timings;
    if (this.leading || this.observed?.holder === undefined) return retryPeriodMs;
    const expiresInMs = this.observedAtMs + this.observed.leaseDurationMs - this.options.clock.nowMs();
    return Math.max(1, Math.min(retryPeriodMs, expiresInMs + 1));
  }

  private renewed(attemptStartMs: number): void {
    // The lease runs from when the request was sent, not from when the answer came.
    this.lastRenewMs = attemptStartMs;
    this.deadlineTimer?.cancel();
    this.deadlineTimer = this.options.clock.setTimer(this.timings.renewDeadlineMs - (this.options.clock.nowMs() - attemptStartMs), () => {
      this.deadlineTimer = undefined;
      if (this.leading) this.stepDown('renew deadline passed');
    });
    if (!this.leading) {
      this.leading = true;
      this.options.logger.info({ lease: this.options.leaseName, identity: this.options.identity }, 'became leader');
      this.noteLeader(this.options.identity);
      this.options.onStartedLeading();
    }
  }

  private stepDown(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
    this.options.logger.warn({ lease: this.options.leaseName, identity: this.options.identity, why }, 'stopped leading');
    this.options.onStoppedLeading();
  }

  private noteLeader(holder: string | undefined): void {
    if (holder === this.knownLeader) return;
    this.knownLeader = holder;
    this.options.onNewLeader?.(holder);
  }

  /**
   * One round: read the lease; create it, renew it (we hold it), take it over (expired or released), or
   * stay a follower. True when we hold the lease afterwards.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { coordination, namespace, leaseName: name, identity, clock } = this.options;
    const nowMs = clock.nowMs();
    let lease: k8s.V1Lease;
    try {
      lease = await coordination.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
      return this.conflictIsLoss(() => coordination.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: this.spec(undefined) } }));
    }
    const seen = this.see(lease, nowMs);
    if (seen.holder !== undefined && seen.holder !== identity && this.observedAtMs + seen.leaseDurationMs > nowMs) return false;
    const body: k8s.V1Lease = { ...lease, spec: this.spec(lease.spec) };
    return this.conflictIsLoss(() => coordination.replaceNamespacedLease({ name, namespace, body }));
  }

  /** Records a read or watched lease; the follower's clock for its expiry restarts when it changed. */
  private see(lease: k8s.V1Lease, nowMs: number): Observed {
    const seen = observe(lease);
    const o = this.observed;
    if (o === undefined || seen.holder !== o.holder || seen.renewMs !== o.renewMs || seen.transitions !== o.transitions) {
      this.observed = seen;
      this.observedAtMs = nowMs;
    }
    this.noteLeader(seen.holder);
    return seen;
  }

  /**
   * A lease seen on a watch (optional): a follower then learns of each renewal at once instead of at its
   * next poll, so it takes over no later than one lease duration after the holder's last renewal. (A leader
   * learns nothing from it: a late event may predate its own takeover; it relies on its renewals.)
   */
  observeLease(lease: k8s.V1Lease): void {
    if (this.stopped || this.leading || lease.metadata?.name !== this.options.leaseName) return;
    this.see(lease, this.options.clock.nowMs());
    if (this.attempt === undefined && this.loopTimer !== undefined) {
      this.loopTimer.cancel();
      this.loopTimer = this.options.clock.setTimer(this.nextDelayMs(), () => this.tick());
    }
  }

  private spec(current: k8s.V1LeaseSpec | undefined): k8s.V1LeaseSpec {
    const now = new k8s.V1MicroTime(this.options.clock.wallMs());
    const mine = current?.holderIdentity === this.options.identity;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.timings.leaseDurationMs / 1000)),
      acquireTime: mine && current?.acquireTime !== undefined ? current.acquireTime : now,
      renewTime: now,
      leaseTransitions: (current?.leaseTransitions ?? 0) + (current === undefined || mine ? 0 : 1),
    };
  }

  private async conflictIsLoss(write: () => Promise<k8s.V1Lease>): Promise<boolean> {
    try {
      const written = await write();
      this.observed = observe(written);
      this.observedAtMs = this.options.clock.nowMs();
      return true;
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 409) return false;
      throw err;
    }
  }

  /** Gives the lease up (holder cleared, 1 s duration) so a follower need not wait for it to expire. */
  private async release(): Promise<void> {
    const { coordination, namespace, leaseName: name, identity } = this.options;
    try {
      const lease = await coordination.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const spec: k8s.V1LeaseSpec = { ...lease.spec, leaseDurationSeconds: 1, renewTime: new k8s.V1MicroTime(this.options.clock.wallMs()) };
      delete spec.holderIdentity;
      await coordination.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
    } catch (err) {
      this.options.logger.warn({ lease: name, err: errorMessage(err) }, 'releasing the lease failed');
    }
  }
}
