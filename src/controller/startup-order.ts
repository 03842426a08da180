/**
 * The order in which a full reprocess converges Services (metallb-behaviour.md §1.3, §12.2): Services that
 * already have addresses first (MetalLB sorts by the number of ingress entries, most first) so that after a
 * restart no pending Service takes an address that is in use; then the oldest first; then namespace/name.
 * MetalLB's sort is unstable beyond the first key; ours is total, so a restart always replays the same way.
 */
import type { V1Service } from '@kubernetes/client-node';

function createdMs(svc: V1Service): number {
  const ts = svc.metadata?.creationTimestamp as Date | string | undefined;
  if (ts === undefined) return Number.POSITIVE_INFINITY;
  const ms = new Date(ts).getTime();
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

function nameKey(svc: V1Service): string {
  return `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}

export function compareStartupOrder(a: V1Service, b: V1Service): number {
  const ingressA = a.status?.loadBalancer?.ingress?.length ?? 0;
  const ingressB = b.status?.loadBalancer?.ingress?.length ?? 0;
  if (ingressA !== ingressB) return ingressB - ingressA;
  const createdA = createdMs(a);
  const createdB = createdMs(b);
  if (createdA !== createdB) return createdA < createdB ? -1 : 1;
  const ka = nameKey(a);
  const kb = nameKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function startupOrder(services: readonly V1Service[]): V1Service[] {
  return [...services].sort(compareStartupOrder);
}
