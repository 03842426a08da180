/**
 * What the active controller does while it holds the lease (MetalLB's controller, metallb-behaviour.md §1.2,
 * §1.3, §4.1): one ControllerState (allocator and configuration) for the whole session, fed from the
 * informers' caches through a keyed work queue.
 * - The `!reload` key is MetalLB's full reprocess: it applies a changed configuration (or records why the
 *   new one is invalid and keeps the last good one), then converges every Service in start-up order (those
 *   holding addresses first). It runs alone (WriteGate) and writes its releases before its allocations.
 * - A Service key converges that Service. Before the first full reprocess has completed, Service keys are
 *   set aside and queued once it has ("no single-Service handling before the initial load").
 * - Releases and deletions ask for a full reprocess, as in MetalLB: a pending Service may now fit.
 * Nothing is written that the cluster already has, so a new leader rewrites nothing that was right.
 */
import type * as k8s from '@kubernetes/client-node';
import type { V1Service } from '@kubernetes/client-node';
import { ControllerState } from '../controller/controller-state.js';
import type { ServiceUpdate } from '../controller/controller-state.js';
import type { ServiceEvent } from '../controller/service-event.js';
import { Backoff } from '../lib/backoff.js';
import type { Clock, Timer } from '../lib/clock.js';
import { MetallbError, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { ControllerConfig } from './controller-config.js';
import type { ControllerMetrics } from './controller-metrics.js';
import { ConfigurationStateWriter, ensureMemberlistSecret, writePoolStatuses } from './controller-objects.js';
import type { EventRecorder } from './event-recorder.js';
import { FreshView } from './fresh-view.js';
import type { Informer } from './informer.js';
import type { KubeObject } from './kube-object.js';
import { ingressIpsOf, ServiceStatusWriter, type DesiredLoadBalancerStatus, type ServiceObject } from './service-status-writer.js';
import { WorkQueue } from './work-queue.js';
import { WriteGate } from './write-gate.js';

export const reloadKey = '!reload';

export interface LeaderSessionOptions {
  /** Resolves when every input's cache (Services, pools, communities, namespaces) holds its first list. */
  readonly synced: Promise<unknown>;
  readonly services: Informer<ServiceObject>;
  readonly pools: Informer<KubeObject>;
  readonly config: ControllerConfig;
  readonly core: k8s.CoreV1Api;
  readonly custom: k8s.CustomObjectsApi;
  readonly recorder: EventRecorder;
  readonly metrics: ControllerMetrics;
  /** The MetalLB namespace. */
  readonly namespace: string;
  readonly loadBalancerClass: string;
  readonly memberlistSecretName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Services converged and written at the same time (default 8). */
  readonly concurrency?: number;
  /** Pool status is written this long after the last change (default 250 ms). */
  readonly poolStatusDelayMs?: number;
}

/** True when the update takes away an address the Service shows now. */
function releases(svc: ServiceObject | undefined, update: ServiceUpdate): boolean {
  if (svc === undefined) return false;
  const keep = new Set(update.ingress.map((i) => i.ip));
  return ingressIpsOf(svc).some((ip) => !keep.has(ip));
}

const actions: Readonly<Record<string, string>> = {
  IPAllocated: 'Allocate', AllocationFailed: 'Allocate', AdditionalAssignFailed: 'Allocate', LoadBalancerFailed: 'Allocate',
  ClearAssignment: 'Release', deprecatedAnnotation: 'Validate',
};

export class LeaderSession {
  private readonly options: LeaderSessionOptions;
  private readonly state: ControllerState;
  private readonly queue: WorkQueue;
  private readonly gate: WriteGate;
  /** Service keys the gate turned away; queued again when it opens. */
  private readonly blocked = new Set<string>();
  private readonly view: FreshView<ServiceObject>;
  private readonly writer: ServiceStatusWriter;
  private readonly configState: ConfigurationStateWriter;
  private readonly reloadBackoff = new Backoff({ initialMs: 20, maxMs: 30_000, factor: 2, jitter: 0.2 });
  private readonly deferred = new Set<string>();
  private configDirty = true;
  private reprocessWanted = false;
  private poolTimer: Timer | undefined;
  private poolWrite: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: LeaderSessionOptions) {
    this.options = options;
    this.state = new ControllerState({ loadBalancerClass: options.loadBalancerClass });
    this.view = new FreshView((key) => options.services.get(...splitKey(key)));
    this.gate = new WriteGate({
      onOpen: (what) => {
        if (what === 'reprocess') {
          this.queue.add(reloadKey);
          return;
        }
        // Emptied before queueing: the queue may run a key at once, and a key turned away again re-enters
        // `blocked` in that same call; clearing afterwards would lose it (a deletion never processed).
        const keys = [...this.blocked];
        this.blocked.clear();
        for (const key of keys) this.queue.add(key);
      },
    });
    this.writer = new ServiceStatusWriter({ core: options.core, onWrite: (r) => options.metrics.statusWrites.inc({ result: r }) });
    this.configState = new ConfigurationStateWriter({ custom: options.custom, namespace: options.namespace, wallMs: () => options.clock.wallMs() });
    this.queue = new WorkQueue({
      name: 'controller', clock: options.clock, logger: options.logger, concurrency: options.concurrency ?? 8,
      reconcile: (key) => (key === reloadKey ? this.reload() : this.reconcileService(key)),
      onResult: (_key, _ms, err) => { if (err !== undefined) options.metrics.updateErrors.inc(); },
    });
  }

  /** Waits for the caches, creates the memberlist Secret, and queues the first configuration load. */
  async start(): Promise<void> {
    const { core, namespace, memberlistSecretName, logger, metrics } = this.options;
    await this.options.synced;
    if (this.stopped) return;
    metrics.setAllocatorSource(() => this.state.allocatorMetrics());
    if (await ensureMemberlistSecret(core, namespace, memberlistSecretName)) logger.info({ secret: memberlistSecretName }, 'created the memberlist secret');
    this.queue.start();
    this.queue.add(reloadKey);
  }

  /** Stops taking work and waits for the reconciles in flight; the state is dropped with the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.poolTimer?.cancel();
    await this.queue.shutdown();
    await this.poolWrite;
    this.options.metrics.setAllocatorSource(() => []);
  }

  /** A Service was added, changed or deleted. */
  serviceChanged(key: string): void {
    if (!this.stopped) this.queue.add(key);
  }

  /** An input of the configuration changed (pool, community, namespace labels). */
  configChanged(): void {
    if (this.stopped) return;
    this.configDirty = true;
    this.queue.add(reloadKey);
  }

  /** Resolves when nothing is queued or running (tests and benchmarks). */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.poolWrite;
  }

  get initialLoadCompleted(): boolean {
    return this.state.initialLoadCompleted;
  }

  private requestReprocess(): void {
    this.reprocessWanted = true;
    this.queue.add(reloadKey);
  }

  private async reconcileService(key: string): Promise<void> {
    // Checked in the same tick as the decision below; a key turned away is queued again when the gate opens.
    if (!this.gate.tryEnterShared(key)) {
      this.blocked.add(key);
      return;
    }
    try {
      const svc = this.view.get(key);
      const update = this.state.reconcile(key, svc as unknown as V1Service | undefined);
      this.options.metrics.updates.inc();
      if (update.outcome === 'waitingForInitialLoad') {
        this.deferred.add(key);
        return;
      }
      if (svc === undefined) this.view.forget(key);
      this.record(svc, update.events);
      const released = update.changed && releases(svc, update);
      await this.apply(svc, update);
      // MetalLB reprocesses when a Service ends with no address; we do on every release (a Service that
      // moved from X to Y freed X too, and a Service that asked for X is waiting for it).
      if (update.outcome === 'reprocessAll' || released) this.requestReprocess();
      if (update.changed) this.schedulePoolStatus();
    } finally {
      this.gate.leaveShared();
    }
  }

  /** Writes one update; a release is registered with the gate before the write and settled after it. */
  private async apply(svc: ServiceObject | undefined, update: ServiceUpdate): Promise<void> {
    if (svc === undefined || !update.changed) {
      this.gate.releaseSettled(update.key);
      return;
    }
    await this.write(update.key, svc, { ips: update.ingress.map((i) => i.ip ?? ''), pool: update.allocatedFromPool });
  }

  private async write(key: string, svc: ServiceObject, desired: DesiredLoadBalancerStatus): Promise<void> {
    const keep = new Set(desired.ips);
    const releasing = ingressIpsOf(svc).some((ip) => !keep.has(ip));
    if (releasing) this.gate.releaseStarted(key);
    else this.gate.releaseSettled(key);
    try {
      const result = await this.writer.write(svc, desired);
      if (result.written !== undefined) this.view.wrote(key, result.written);
      this.gate.releaseSettled(key);
    } catch (err) {
      if (releasing) this.gate.releaseFailed(key);
      throw err;
    }
  }

  private record(svc: ServiceObject | undefined, events: readonly ServiceEvent[]): void {
    if (svc === undefined || events.length === 0) return;
    const { name = '', namespace, uid } = svc.metadata ?? {};
    const subject = { apiVersion: 'v1', kind: 'Service', name, ...(namespace === undefined ? {} : { namespace }), ...(uid === undefined ? {} : { uid }) };
    for (const e of events) this.options.recorder.record(subject, e.type, e.reason, actions[e.reason] ?? 'Reconcile', e.message);
  }

  /** MetalLB's reload: configuration first, then (when wanted) every Service, alone. */
  private async reload(): Promise<{ requeueAfterMs?: number } | void> {
    if (!this.gate.tryEnterExclusive()) return; // queued again when the running reconciles are done
    try {
      if (this.configDirty) await this.applyConfig();
      if (!this.reprocessWanted || this.state.config === undefined) return;
      this.reprocessWanted = false;
      try {
        const retry = await this.reprocessAll();
        if (retry) {
          this.reprocessWanted = true;
          return { requeueAfterMs: this.reloadBackoff.next() };
        }
      } catch (err) {
        this.reprocessWanted = true;
        throw err;
      }
      this.reloadBackoff.reset();
      this.completeInitialLoad();
    } finally {
      this.gate.leaveExclusive();
    }
  }

  /** MetalLB's PoolReconciler: a valid new config is installed; an invalid one is recorded and ignored. */
  private async applyConfig(): Promise<void> {
    this.configDirty = false;
    const { metrics, logger } = this.options;
    const result = this.options.config.evaluate();
    try {
      if (!result.valid) {
        metrics.configStale.set(1);
        logger.error({ errors: result.errors }, 'configuration invalid, keeping the last good one');
        await this.configState.report(result.errors);
        return;
      }
      metrics.configStale.set(0);
      metrics.configLoaded.set(1);
      await this.configState.report([]);
    } catch (err) {
      this.configDirty = true;
      throw new MetallbError('ERR_CONFIGURATION_STATE', `writing the controller ConfigurationState: ${errorMessage(err)}`, { cause: err });
    }
    if (result.changed || this.state.config === undefined) {
      this.state.setConfig(result.config);
      this.reprocessWanted = true;
      logger.info({ pools: result.config.pools.size }, 'configuration loaded');
    }
  }

  /**
   * One pass over every Service; true when some Service asked for another pass. The pass decides everything
   * at once, so its writes are ordered: first every release, as a write that only removes addresses (a
   * Service moving from X to Y shows neither for a moment), and only once all of them have landed, every
   * write that adds an address. Otherwise Y could be written to its new Service before its old one let go.
   */
  private async reprocessAll(): Promise<boolean> {
    const services = this.options.services.list().map((s) => this.view.get(keyOf(s))).filter((s): s is ServiceObject => s !== undefined);
    const byKey = new Map(services.map((s) => [keyOf(s), s]));
    const { updates, retry } = this.state.reprocessAll(services as unknown as V1Service[]);
    this.options.metrics.updates.inc(updates.length);
    for (const u of updates) this.record(byKey.get(u.key), u.events);
    for (const u of updates) if (!u.changed) this.gate.releaseSettled(u.key);
    const changed = updates.filter((u) => u.changed && byKey.has(u.key));
    // The allocator has changed whether or not every write lands: a failed write retries the reprocess, which
    // then sees no change, so the pool status must be scheduled now, not after the writes.
    if (changed.length > 0) this.schedulePoolStatus();
    await this.inParallel(changed.filter((u) => releases(byKey.get(u.key), u)), (u) => {
      const kept = ingressIpsOf(byKey.get(u.key)!).filter((ip) => u.ingress.some((i) => i.ip === ip));
      return this.write(u.key, byKey.get(u.key)!, { ips: kept, pool: kept.length === 0 ? undefined : u.allocatedFromPool });
    });
    const released = changed.some((u) => releases(byKey.get(u.key), u));
    await this.inParallel(changed, (u) => this.apply(this.view.get(u.key) ?? byKey.get(u.key), u));
    // An address released late in the pass may be what a Service earlier in it was waiting for.
    return retry || released;
  }

  /** Runs `fn` over `updates` with bounded concurrency; fails after all were tried if any failed. */
  private async inParallel(updates: readonly ServiceUpdate[], fn: (u: ServiceUpdate) => Promise<void>): Promise<void> {
    const failures: unknown[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < updates.length) {
        const u = updates[next++]!;
        await fn(u).catch((err: unknown) => { failures.push(err); });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 8, updates.length) }, worker));
    if (failures.length > 0) {
      throw new MetallbError('ERR_REPROCESS_WRITES', `full reprocess: ${failures.length} of ${updates.length} writes failed: ${errorMessage(failures[0])}`, { cause: failures[0] });
    }
  }

  private completeInitialLoad(): void {
    if (this.state.initialLoadCompleted) return;
    this.state.completeInitialLoad();
    // A new leader whose first pass changes nothing must still bring pool status up to date: the previous
    // leader may have gone between assigning addresses and writing it. Only differences are written.
    this.schedulePoolStatus();
    this.options.logger.info({ services: this.options.services.size() }, 'initial load complete');
    for (const key of this.deferred) this.queue.add(key);
    this.deferred.clear();
  }

  private schedulePoolStatus(): void {
    if (this.poolTimer !== undefined || this.stopped) return;
    this.poolTimer = this.options.clock.setTimer(this.options.poolStatusDelayMs ?? 250, () => {
      this.poolTimer = undefined;
      this.poolWrite = this.poolWrite.then(() => this.writePoolStatus());
    });
  }

  private async writePoolStatus(): Promise<void> {
    const { custom, namespace, pools, logger } = this.options;
    try {
      await writePoolStatuses({ custom, namespace, statuses: this.state.poolStatuses(), cached: (name) => pools.get(namespace, name) });
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'writing IPAddressPool status failed, retrying');
      this.schedulePoolStatus();
    }
  }
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
