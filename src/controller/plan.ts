/**
 * `metallb-ts plan`: what the controller would do at start with these pools and Services, without a cluster.
 * It runs the real start-up (Services holding addresses first, then by age, then namespace/name; full
 * reprocesses until settled) on the offline controller and reports, per Service, the addresses it would have
 * and how that compares with `status.loadBalancer.ingress` today, so a pool edit can be previewed.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { Config } from '../config/types.js';
import { canonicalIp } from '../lib/ip.js';
import { OfflineController } from './offline-controller.js';
import type { ServiceEvent } from './service-event.js';
import { serviceKey } from './service-facts.js';

export type PlanChange = 'kept' | 'new' | 'changed' | 'removed';

export interface PlannedService {
  readonly namespace: string;
  readonly name: string;
  /** The addresses the Service would carry, in ingress order. */
  readonly ips: readonly string[];
  /** `metallb.io/ip-allocated-from-pool`, null without addresses. */
  readonly pool: string | null;
  /** Against the Service's current ingress: `kept` also covers a Service that has none and gets none. */
  readonly change: PlanChange;
  /** The events the controller would record, each once, in order. */
  readonly events: readonly ServiceEvent[];
}

export interface PlannedPool {
  readonly name: string;
  readonly assignedIPv4: bigint;
  readonly availableIPv4: bigint;
  readonly assignedIPv6: bigint;
  readonly availableIPv6: bigint;
}

export interface Plan {
  /** Sorted by namespace/name. */
  readonly services: readonly PlannedService[];
  /** In pool name order. */
  readonly pools: readonly PlannedPool[];
  /** False when the start-up was still asking for reprocesses after the pass limit (never seen; reported). */
  readonly settled: boolean;
}

export interface PlanInput {
  readonly config: Config;
  readonly services: readonly V1Service[];
  /** `--lb-class` of the controller being previewed. */
  readonly loadBalancerClass?: string;
}

function ingressIps(svc: V1Service | undefined): string[] {
  return (svc?.status?.loadBalancer?.ingress ?? []).filter((i) => (i.ip ?? '') !== '').map((i) => canonicalIp(i.ip as string) ?? (i.ip as string));
}

export function changeOf(before: readonly string[], after: readonly string[]): PlanChange {
  if (before.length === 0) return after.length === 0 ? 'kept' : 'new';
  if (after.length === 0) return 'removed';
  return before.length === after.length && before.every((ip, i) => ip === after[i]) ? 'kept' : 'changed';
}

function uniqueEvents(events: readonly ServiceEvent[]): ServiceEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const k = `${e.type}\u0000${e.reason}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Services the plan reports: those this controller handles that are, or were, load balancers. */
function reported(controller: OfflineController, svc: V1Service): boolean {
  return controller.state.handles(svc) && (svc.spec?.type === 'LoadBalancer' || ingressIps(svc).length > 0);
}

/** One Service per namespace/name (a later document wins), in input order. */
function distinct(services: readonly V1Service[]): V1Service[] {
  return [...new Map(services.map((s) => [serviceKey(s), s])).values()];
}

/** The controller's start-up on these inputs: load the Services, install the config, reprocess until settled. */
function startUp(input: PlanInput): { controller: OfflineController; settled: boolean } {
  const controller = new OfflineController(input.loadBalancerClass === undefined ? {} : { loadBalancerClass: input.loadBalancerClass });
  controller.load(distinct(input.services));
  controller.state.setConfig(input.config);
  return { controller, settled: controller.reprocessUntilSettled() };
}

export function plan(input: PlanInput): Plan {
  const { controller, settled } = startUp(input);
  const services = distinct(input.services)
    .filter((svc) => reported(controller, svc))
    .map((svc): PlannedService => {
      const key = serviceKey(svc);
      const after = controller.service(key);
      const ips = ingressIps(after);
      return {
        namespace: svc.metadata?.namespace ?? '',
        name: svc.metadata?.name ?? '',
        ips,
        pool: ips.length > 0 ? after?.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'] ?? null : null,
        change: changeOf(ingressIps(svc), ips),
        events: uniqueEvents(controller.events(key)),
      };
    })
    .sort((a, b) => {
      const ka = `${a.namespace}/${a.name}`;
      const kb = `${b.namespace}/${b.name}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  const pools = controller.state.poolStatuses().map((p): PlannedPool => ({ name: p.name, ...p.counters }));
  return { services, pools, settled };
}

/** The Services as they would be after the plan: ingress and pool annotation written (for `plan` on its own output). */
export function plannedServices(input: PlanInput): V1Service[] {
  const { controller } = startUp(input);
  return distinct(input.services).map((svc) => controller.service(serviceKey(svc)) ?? svc);
}
