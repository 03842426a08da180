/**
 * Which pools a Service may use and in what order (metallb-behaviour.md §4.2), and which of a pool's free
 * addresses it takes given its family and policy. MetalLB leaves ties to Go's map order and an unstable sort;
 * we break every tie by pool name, so the same inputs always give the same addresses.
 */
import { anySelectorMatches } from '../api/label-selector.js';
import type { IpAddress, IpFamily } from '../lib/ip.js';
import type { Pool } from '../config/types.js';
import { fail, notInConfig, ok, type AllocationResult } from './allocation-failure.js';
import { familyWord, type AllocationSubject, type IpFamilyPolicy, type ServiceFamily } from './allocation-subject.js';

/** At most one free address per family from one pool (MetalLB's `Allocation`). */
export interface PoolCandidate {
  readonly pool: string;
  readonly IPv4?: IpAddress;
  readonly IPv6?: IpAddress;
}

/**
 * MetalLB's `isPoolCompatibleWithService`: a restricted pool's namespace list (when not empty) must hold the
 * Service's namespace, and the Service must match one of its service selectors (when there are any).
 */
export function isPoolCompatible(pool: Pool, subject: Pick<AllocationSubject, 'namespace' | 'labels'>): boolean {
  const sa = pool.serviceAllocation;
  if (sa === undefined) return true;
  if (sa.namespaces.size > 0 && !sa.namespaces.has(subject.namespace)) return false;
  if (sa.serviceSelectors.length > 0) return anySelectorMatches(sa.serviceSelectors, subject.labels);
  return true;
}

/** Priorities > 0 ascending, then priority 0 (unset) last; ties by name (MetalLB: unspecified). */
export function comparePoolPriority(a: Pool, b: Pool): number {
  const pa = a.serviceAllocation?.priority ?? 0;
  const pb = b.serviceAllocation?.priority ?? 0;
  if (pa !== pb) {
    if (pa === 0) return 1;
    if (pb === 0) return -1;
    return pa - pb;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The pinned pools for a Service, in the order they are tried: pools that list its namespace, and pools with
 * service selectors (config gives a priority-only `serviceAllocation` the match-all selector, as MetalLB does),
 * that assign automatically and accept the Service.
 */
export function pinnedPools(pools: readonly Pool[], subject: AllocationSubject): Pool[] {
  if (pools.length === 0) return [];
  return pools
    .filter((p) => {
      const sa = p.serviceAllocation;
      if (sa === undefined || !p.autoAssign) return false;
      const pinned = sa.namespaces.has(subject.namespace) || sa.serviceSelectors.length > 0;
      return pinned && isPoolCompatible(p, subject);
    })
    .sort(comparePoolPriority);
}

/** Pools any Service may get automatically: autoAssign and no `serviceAllocation` at all, in name order. */
export function unpinnedPools(pools: readonly Pool[]): Pool[] {
  return pools.filter((p) => p.autoAssign && p.serviceAllocation === undefined);
}

function isPreferDualStack(policy: IpFamilyPolicy, family: ServiceFamily): boolean {
  return policy === 'PreferDualStack' && family === 'dual';
}

/**
 * MetalLB's `findBestPoolForService`: trying the pools in order (free addresses computed lazily, `candidateFor`
 * gives undefined for a pool with none), the first candidate that has the Service's single family, or both
 * families; for PreferDualStack on a dual-stack Service, else the first with the primary family, else the
 * first with the secondary one.
 */
export function bestCandidate(
  pools: readonly Pool[],
  candidateFor: (pool: Pool) => PoolCandidate | undefined,
  subject: AllocationSubject,
): PoolCandidate | undefined {
  const primary = subject.primaryFamily;
  const secondary: IpFamily = primary === 'IPv4' ? 'IPv6' : 'IPv4';
  let primaryFallback: PoolCandidate | undefined;
  let secondaryFallback: PoolCandidate | undefined;
  for (const pool of pools) {
    const c = candidateFor(pool);
    if (c === undefined) continue;
    if (subject.family !== 'dual' && c[subject.family] !== undefined) return c;
    if (c[primary] !== undefined && c[secondary] !== undefined) return c;
    if (!isPreferDualStack(subject.ipFamilyPolicy, subject.family)) continue;
    if (c[primary] !== undefined && primaryFallback === undefined) primaryFallback = c;
    if (c[secondary] !== undefined && secondaryFallback === undefined) secondaryFallback = c;
  }
  return primaryFallback ?? secondaryFallback;
}

/**
 * MetalLB's `selectIPsForFamilyAndPolicy`: the addresses to take from a candidate, IPv4 first. A single-family
 * Service takes its family's address even when the pool had none: MetalLB then fails the assignment of a nil
 * address, and we fail the same way with the same message.
 */
export function selectAddresses(c: PoolCandidate, family: ServiceFamily, policy: IpFamilyPolicy): AllocationResult<IpAddress[]> {
  const { IPv4: v4, IPv6: v6 } = c;
  if (family !== 'dual') {
    const ip = c[family];
    return ip === undefined ? notInConfig([undefined]) : ok([ip]);
  }
  switch (policy) {
    case 'SingleStack':
      break;
    case 'RequireDualStack':
      if (v4 !== undefined && v6 !== undefined) return ok([v4, v6]);
      break;
    case 'PreferDualStack':
      if (v4 !== undefined && v6 !== undefined) return ok([v4, v6]);
      if (v4 !== undefined) return ok([v4]);
      if (v6 !== undefined) return ok([v6]);
      break;
  }
  return fail('noIpForFamily', `no available IPs in pool ${c.pool} for ${familyWord(family)} IPFamily`);
}
