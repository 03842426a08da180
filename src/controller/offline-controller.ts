/**
 * The controller without Kubernetes: Services held in memory, updates applied to them as the status writer
 * would (ingress and the pool annotation), full reprocesses repeated until nothing asks for another, as MetalLB
 * requeues its reload. `plan` runs the start-up on it; scenario tests drive whole histories through it.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { Config } from '../config/types.js';
import { annotation } from './annotations.js';
import { ControllerState, type ControllerStateOptions, type ServiceUpdate } from './controller-state.js';
import type { ServiceEvent } from './service-event.js';
import { serviceKey } from './service-facts.js';

/** MetalLB retries a reload with backoff until it settles; offline we stop after this many passes. */
export const maxReprocessPasses = 10;

/** The Service with `update` written: status ingress and the `ip-allocated-from-pool` annotation. */
export function applyUpdate(svc: V1Service, update: ServiceUpdate): V1Service {
  if (!update.changed) return svc;
  const annotations = { ...(svc.metadata?.annotations ?? {}) };
  if (update.allocatedFromPool === undefined) delete annotations[annotation.ipAllocatedFromPool];
  else annotations[annotation.ipAllocatedFromPool] = update.allocatedFromPool;
  return {
    ...svc,
    metadata: { ...svc.metadata, annotations },
    status: { ...svc.status, loadBalancer: update.ingress.length > 0 ? { ingress: update.ingress.map((i) => ({ ...i })) } : {} },
  };
}

export class OfflineController {
  readonly state: ControllerState;
  private readonly services = new Map<string, V1Service>();
  private readonly eventLog = new Map<string, ServiceEvent[]>();
  /** Full reprocess passes run so far (each one converges every Service). */
  passes = 0;

  constructor(options: ControllerStateOptions = {}) {
    this.state = new ControllerState(options);
  }

  service(key: string): V1Service | undefined {
    return this.services.get(key);
  }

  allServices(): V1Service[] {
    return [...this.services.values()];
  }

  /** Every event recorded on the Service, oldest first. */
  events(key: string): readonly ServiceEvent[] {
    return this.eventLog.get(key) ?? [];
  }

  clearEvents(): void {
    this.eventLog.clear();
  }

  /** Loads Services as they are in the cluster (no convergence: the controller has not started). */
  load(services: readonly V1Service[]): void {
    for (const svc of services) this.services.set(serviceKey(svc), svc);
  }

  /** A configuration was loaded: MetalLB's SetPools, then full reprocesses until settled. */
  setConfig(config: Config): void {
    this.state.setConfig(config);
    this.reprocessUntilSettled();
  }

  /** A Service was created or changed. */
  upsert(svc: V1Service): void {
    const key = serviceKey(svc);
    this.services.set(key, svc);
    this.after(this.state.reconcile(key, svc));
  }

  delete(key: string): void {
    this.services.delete(key);
    this.eventLog.delete(key);
    this.after(this.state.reconcile(key, undefined));
  }

  /** Runs full reprocesses until none asks for another (or `maxReprocessPasses`); true when settled. */
  reprocessUntilSettled(): boolean {
    for (let pass = 0; pass < maxReprocessPasses; pass++) {
      this.passes++;
      const { updates, retry } = this.state.reprocessAll(this.allServices());
      for (const u of updates) this.record(u);
      if (!retry) {
        this.state.completeInitialLoad();
        return true;
      }
    }
    return false;
  }

  private after(update: ServiceUpdate): void {
    this.record(update);
    if (update.outcome === 'reprocessAll') this.reprocessUntilSettled();
  }

  private record(update: ServiceUpdate): void {
    const svc = this.services.get(update.key);
    if (svc !== undefined) this.services.set(update.key, applyUpdate(svc, update));
    if (update.events.length > 0) this.eventLog.set(update.key, [...this.events(update.key), ...update.events]);
  }
}
