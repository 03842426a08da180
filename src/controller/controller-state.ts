/**
 * The controller's decisions, kept across calls: one allocator, the current configuration, and MetalLB's
 * handler rules around convergence (controller/main.go `SetBalancer`, `SetPools`; the reconciler's class filter,
 * initial-load gate and full reprocess). The Kubernetes side (issue 7) feeds it Services and configurations and
 * carries out what it returns: write the Service, record the events, reprocess everything when asked.
 */
import type { V1LoadBalancerIngress, V1Service } from '@kubernetes/client-node';
import type { Config } from '../config/types.js';
import { Allocator } from '../ipam/allocator.js';
import type { AllocatorPoolMetrics, PoolCounters } from '../ipam/pool-counters.js';
import { annotation, legacyAnnotationKeys } from './annotations.js';
import { convergeService } from './converge-service.js';
import { warningEvent, type ServiceEvent } from './service-event.js';
import { serviceKey } from './service-facts.js';
import { startupOrder } from './startup-order.js';

/**
 * MetalLB's `SyncState`, plus why nothing was done: `error` is its SyncStateErrorNoRetry (recorded, not
 * retried); `reprocessAll` asks for every Service to be converged again (a freed or re-keyed address may let a
 * pending Service in).
 */
export type SyncOutcome = 'success' | 'error' | 'reprocessAll' | 'ignored' | 'waitingForConfig' | 'waitingForInitialLoad';

export interface ServiceUpdate {
  /** `namespace/name`. */
  readonly key: string;
  readonly outcome: SyncOutcome;
  readonly events: readonly ServiceEvent[];
  /** The ingress entries the Service should have (`[{ip}]` per address, IPv4 first when allocated together). */
  readonly ingress: readonly V1LoadBalancerIngress[];
  /** `metallb.io/ip-allocated-from-pool`: the value to set, or undefined to remove it. */
  readonly allocatedFromPool: string | undefined;
  /** True when ingress or annotation differ from the Service given: write both (MetalLB: one status PUT). */
  readonly changed: boolean;
}

export interface PoolStatus {
  readonly name: string;
  readonly counters: PoolCounters;
}

export interface ControllerStateOptions {
  /** `--lb-class`: "" (default) handles Services without a class only; otherwise only that class. */
  readonly loadBalancerClass?: string;
}

/** True when the entries carry the same addresses in the same order and nothing but addresses. */
function sameIngress(a: readonly V1LoadBalancerIngress[], b: readonly V1LoadBalancerIngress[]): boolean {
  return a.length === b.length && a.every((e, i) => e.ip === b[i]?.ip && (e.hostname ?? '') === (b[i]?.hostname ?? ''));
}

export class ControllerState {
  readonly allocator = new Allocator();
  private currentConfig: Config | undefined;
  private initialLoadDone = false;
  private readonly loadBalancerClass: string;

  constructor(options: ControllerStateOptions = {}) {
    this.loadBalancerClass = options.loadBalancerClass ?? '';
  }

  get config(): Config | undefined {
    return this.currentConfig;
  }

  /** True once a full reprocess has completed; single Service events are ignored before that. */
  get initialLoadCompleted(): boolean {
    return this.initialLoadDone;
  }

  /**
   * MetalLB's `SetPools`: installs a new valid configuration (the allocator re-maps what it holds); always
   * answers reprocessAll. An invalid configuration never gets here: the last good one stays.
   */
  setConfig(config: Config): 'reprocessAll' {
    this.allocator.setPools(config.pools);
    this.currentConfig = config;
    return 'reprocessAll';
  }

  /** MetalLB's `filterByLoadBalancerClass`, inverted: does this controller handle the Service? */
  handles(svc: V1Service): boolean {
    const cls = svc.spec?.loadBalancerClass;
    return cls === undefined || cls === null ? this.loadBalancerClass === '' : cls === this.loadBalancerClass;
  }

  /**
   * A single Service changed or was deleted (`svc` undefined). Ignored until the initial full reprocess is done,
   * so that no pending Service takes an address before the Services holding addresses are known.
   */
  reconcile(key: string, svc: V1Service | undefined): ServiceUpdate {
    if (!this.initialLoadDone) return this.nothing(key, 'waitingForInitialLoad', svc);
    return this.handle(key, svc);
  }

  /**
   * A full reprocess: every handled Service, in startup order (held addresses first). `retry` is MetalLB's "run
   * it again" (some Service asked for a reprocess). The caller writes the changed Services, then calls
   * `completeInitialLoad()` when nothing needs a retry and every write succeeded.
   */
  reprocessAll(services: readonly V1Service[]): { readonly updates: readonly ServiceUpdate[]; readonly retry: boolean } {
    const updates = startupOrder(services.filter((s) => this.handles(s))).map((svc) => this.handle(serviceKey(svc), svc));
    return { updates, retry: updates.some((u) => u.outcome === 'reprocessAll') };
  }

  completeInitialLoad(): void {
    this.initialLoadDone = true;
  }

  /** IPAddressPool status counters, in pool name order. */
  poolStatuses(): PoolStatus[] {
    return this.allocator.pools.map((p) => ({ name: p.name, counters: this.allocator.counters(p.name) as PoolCounters }));
  }

  /** The `metallb_allocator_*` gauge values; the controller's metrics registry publishes them. */
  allocatorMetrics(): AllocatorPoolMetrics[] {
    return this.allocator.metrics();
  }

  /** MetalLB's `SetBalancer`. */
  private handle(key: string, svc: V1Service | undefined): ServiceUpdate {
    if (svc === undefined) {
      // A deleted Service that held addresses frees them: pending Services may now fit.
      if (this.allocator.poolOf(key) === undefined) return this.nothing(key, 'success', svc);
      this.allocator.unassign(key);
      return this.nothing(key, 'reprocessAll', svc);
    }
    if (!this.handles(svc)) return this.nothing(key, 'ignored', svc);
    const config = this.currentConfig;
    if (config === undefined) return this.nothing(key, 'waitingForConfig', svc);
    const prevIps = this.allocator.ipsOf(key);
    const prevAllocationKey = this.allocator.allocationKey(key);
    const result = convergeService(key, svc, { allocator: this.allocator, hasPools: config.pools.size > 0 });
    let outcome: SyncOutcome = result.ok ? 'success' : 'error';
    // A changed sharing or backend key may let other Services share, or stop them.
    if (prevAllocationKey !== this.allocator.allocationKey(key)) outcome = 'reprocessAll';
    const current = svc.metadata?.annotations?.[annotation.ipAllocatedFromPool];
    const changed = !sameIngress(svc.status?.loadBalancer?.ingress ?? [], result.ingress) || current !== result.allocatedFromPool;
    const events = [...result.events];
    if (changed) {
      for (const k of legacyAnnotationKeys(svc.metadata?.annotations)) events.push(warningEvent('deprecatedAnnotation', `Service uses deprecated annotation ${k}`));
      // Addresses that still belong to a pool went back to it: someone pending may take them.
      if (prevIps.length > 0 && this.allocator.poolOf(key) === undefined && this.allocator.poolFor(prevIps) !== undefined) outcome = 'reprocessAll';
    }
    return { key, outcome, events, ingress: result.ingress, allocatedFromPool: result.allocatedFromPool, changed };
  }

  private nothing(key: string, outcome: SyncOutcome, svc: V1Service | undefined): ServiceUpdate {
    return {
      key, outcome, events: [], changed: false,
      ingress: svc?.status?.loadBalancer?.ingress ?? [],
      allocatedFromPool: svc?.metadata?.annotations?.[annotation.ipAllocatedFromPool],
    };
  }
}
