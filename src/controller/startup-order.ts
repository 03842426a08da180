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

interface SortKey {
  readonly svc: V1Service;
  readonly ingress: number;
  readonly createdMs: number;
  readonly name: string;
}

function sortKey(svc: V1Service): SortKey {
  return { svc, ingress: svc.status?.loadBalancer?.ingress?.length ?? 0, createdMs: createdMs(svc), name: nameKey(svc) };
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a.ingress !== b.ingress) return b.ingress - a.ingress;
  if (a.createdMs !== b.createdMs) return a.createdMs < b.createdMs ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function compareStartupOrder(a: V1Service, b: V1Service): number {
  return compareKeys(sortKey(a), sortKey(b));
}

/** The Services in start-up order (keys computed once per Service: a restart sorts every Service). */
export function startupOrder(services: readonly V1Service[]): V1Service[] {
  return services.map(sortKey).sort(compareKeys).map((k) => k.svc);
}
