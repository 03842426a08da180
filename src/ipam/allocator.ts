/**
 * MetalLB's allocator (internal/allocator/allocator.go), with the same rules and messages, built to scale: a
 * free address is found with a few O(log n) queries on per-CIDR runs of used addresses instead of a walk from
 * the first address of the pool, and memory grows with the addresses in use, not with the pools' size.
 * Pure and synchronous: the controller owns one and feeds it Services and configurations.
 */
import { formatIp, type IpAddress } from '../lib/ip.js';
import type { Pool } from '../config/types.js';
import type { AddressSpace } from './address-space.js';
import { fail, noAvailableIps, noAvailableIpsInPool, notInConfig, ok, unknownPool, type AllocationResult } from './allocation-failure.js';
import { familyWord, type AllocationSubject, type ServicePort } from './allocation-subject.js';
import { goQuote, goQuoteIps } from './go-format.js';
import { IpUsage, type SharingKey } from './ip-usage.js';
import { bestCandidate, isPoolCompatible, pinnedPools, selectAddresses, type PoolCandidate } from './pool-choice.js';
import { PoolIndex } from './pool-index.js';
import { poolCounters, poolMetrics, type AllocatorPoolMetrics, type PoolCounters } from './pool-counters.js';

/** One Service's allocation: its addresses (in the order given), the pool, and what it holds on them. */
export interface Allocation {
  readonly pool: string;
  readonly ips: readonly IpAddress[];
  readonly ports: readonly ServicePort[];
  readonly key: SharingKey;
}

function keyOf(subject: AllocationSubject): SharingKey {
  return { sharing: subject.sharingKey, backend: subject.backendKey };
}

export class Allocator {
  private index = new PoolIndex([]);
  private readonly usage = new IpUsage();
  private readonly allocations = new Map<string, Allocation>();

  /** The pools of the current configuration, in name order. */
  get pools(): readonly Pool[] {
    return this.index.pools;
  }

  pool(name: string): Pool | undefined {
    return this.index.pool(name);
  }

  /**
   * MetalLB's `SetPools`: installs a new set of pools and re-maps every allocation to the pool that now holds
   * its addresses (renames and splits keep them); allocations whose addresses no pool holds any more (removed,
   * shrunk, or excluded by avoidBuggyIPs) are dropped. The caller then reprocesses every Service.
   */
  setPools(pools: ReadonlyMap<string, Pool> | readonly Pool[]): void {
    const index = new PoolIndex(pools);
    for (const [svc, alloc] of [...this.allocations]) {
      const pool = index.poolFor(alloc.ips);
      if (pool === undefined) this.unassign(svc);
      else if (pool.name !== alloc.pool) this.allocations.set(svc, { ...alloc, pool: pool.name });
    }
    this.index = index;
    this.usage.rebind((ip) => index.spaceFor(ip));
  }

  /** The allocation of `svc`, if it has one. */
  allocation(svc: string): Allocation | undefined {
    return this.allocations.get(svc);
  }

  /** The pool `svc`'s addresses came from, or undefined (MetalLB: ""). */
  poolOf(svc: string): string | undefined {
    return this.allocations.get(svc)?.pool;
  }

  ipsOf(svc: string): readonly IpAddress[] {
    return this.allocations.get(svc)?.ips ?? [];
  }

  /** MetalLB's `AllocationKey`: backend key + sharing key, "" when not allocated. */
  allocationKey(svc: string): string {
    const alloc = this.allocations.get(svc);
    return alloc === undefined ? '' : alloc.key.backend + alloc.key.sharing;
  }

  /** MetalLB's `PoolForIP`. */
  poolFor(ips: readonly IpAddress[]): Pool | undefined {
    return ips.length === 0 ? undefined : this.index.poolFor(ips);
  }

  get allocationCount(): number {
    return this.allocations.size;
  }

  /** The Services holding `ip` (several when shared). */
  usersOf(ip: IpAddress): readonly string[] {
    return (this.usage.get(ip)?.holders ?? []).map((h) => h.svc);
  }

  /** Status counters of one pool (IPAddressPool status), or undefined for an unknown pool. */
  counters(pool: string): PoolCounters | undefined {
    const p = this.index.pool(pool);
    return p === undefined ? undefined : poolCounters(this.index.spaces(pool), this.usage.poolUse(pool));
  }

  /** The `metallb_allocator_*` gauge values of every pool, in name order. */
  metrics(): AllocatorPoolMetrics[] {
    return this.index.pools.map((p) => poolMetrics(p.name, this.index.spaces(p.name), this.usage.poolUse(p.name)));
  }

  /**
   * MetalLB's `Assign`: gives `svc` exactly `ips` if one pool holds them all, the pool accepts the Service, and
   * the sharing rules allow it. Idempotent; re-assigning updates ports and sharing key.
   */
  assign(subject: AllocationSubject, ips: readonly IpAddress[]): AllocationResult<readonly IpAddress[]> {
    const pool = this.poolFor(ips);
    if (pool === undefined) return notInConfig(ips);
    if (!isPoolCompatible(pool, subject)) return fail('poolIncompatible', `pool ${pool.name} not compatible for ip assignment`);
    if (ips.length > 2) return fail('tooManyAddresses', `more than two addresses ${goQuoteIps(ips)}`);
    const [a, b] = ips;
    if (a !== undefined && b !== undefined && a.family === b.family) {
      return fail('sameFamily', `${goQuote(formatIp(a))} ${goQuote(formatIp(b))} has the same family`);
    }
    const key = keyOf(subject);
    for (const ip of ips) {
      const checked = this.usage.check(subject.key, ip, subject.ports, key);
      if (!checked.ok) return checked as AllocationResult<never>;
    }
    this.record(subject.key, { pool: pool.name, ips: [...ips], ports: subject.ports, key });
    return ok(ips);
  }

  /** MetalLB's `Unassign`: frees whatever `svc` holds. */
  unassign(svc: string): void {
    const alloc = this.allocations.get(svc);
    if (alloc === undefined) return;
    this.allocations.delete(svc);
    for (const ip of alloc.ips) this.usage.remove(svc, ip);
  }

  /**
   * MetalLB's `Allocate`: the lowest usable addresses from the pinned pools (by priority), else from the
   * unpinned automatic pools (by name), else "no available IPs".
   */
  allocate(subject: AllocationSubject): AllocationResult<readonly IpAddress[]> {
    const current = this.allocations.get(subject.key);
    if (current !== undefined) return this.assign(subject, current.ips);
    const pinned = this.allocateFromPools(pinnedPools(this.index.pinnable, subject), subject);
    if (pinned.ok) return pinned;
    const unpinned = this.allocateFromPools(this.index.unpinned, subject);
    return unpinned.ok ? unpinned : noAvailableIps();
  }

  /** MetalLB's `AllocateFromPool` (the `address-pool` annotation): autoAssign does not matter here. */
  allocateFromPool(subject: AllocationSubject, poolName: string): AllocationResult<readonly IpAddress[]> {
    const current = this.allocations.get(subject.key);
    if (current !== undefined) return this.reassignCurrent(subject, current);
    const pool = this.index.pool(poolName);
    if (pool === undefined) return unknownPool(poolName);
    const candidate = this.freeAddresses(pool, subject);
    if (candidate === undefined) return noAvailableIpsInPool(pool.name);
    const ips = selectAddresses(candidate, subject.family, subject.ipFamilyPolicy);
    return ips.ok ? this.assign(subject, ips.value) : ips;
  }

  /**
   * MetalLB's `AllocateFromPoolForAdditionalFamily`: a PreferDualStack Service holding one address gets one of
   * the other family from the same pool, keeping the first. Returns the new address.
   */
  allocateAdditionalFamily(subject: AllocationSubject, existing: IpAddress, poolName: string): AllocationResult<IpAddress> {
    const extraFamily = existing.family === 'IPv4' ? 'IPv6' : 'IPv4';
    const pool = this.index.pool(poolName);
    if (pool === undefined) return unknownPool(poolName);
    const candidate = this.freeAddresses(pool, subject);
    if (candidate === undefined) return noAvailableIpsInPool(pool.name);
    const extra = candidate[extraFamily];
    if (extra === undefined) return notInConfig([existing, undefined]);
    const assigned = this.assign(subject, [existing, extra]);
    return assigned.ok ? ok(extra) : assigned;
  }

  private reassignCurrent(subject: AllocationSubject, current: Allocation): AllocationResult<readonly IpAddress[]> {
    // Unreachable from the controller (it releases before allocating); kept for MetalLB's API parity.
    const [a, b] = current.ips;
    const family = b !== undefined ? 'dual' : a?.family;
    if (subject.ipFamilyPolicy !== 'PreferDualStack' && family !== subject.family) {
      return fail('wrongFamily', `IP for wrong family assigned alloc ${familyWord(family ?? 'IPv4')} service family ${familyWord(subject.family)}`);
    }
    return this.assign(subject, current.ips);
  }

  private allocateFromPools(pools: readonly Pool[], subject: AllocationSubject): AllocationResult<readonly IpAddress[]> {
    if (pools.length === 0) return noAvailableIps();
    const key = keyOf(subject);
    const own = this.ipsOf(subject.key);
    const best = bestCandidate(pools, (pool) => this.freeAddresses(pool, subject, key, own), subject);
    if (best === undefined) return noAvailableIps();
    const ips = selectAddresses(best, subject.family, subject.ipFamilyPolicy);
    if (!ips.ok) return noAvailableIps();
    const assigned = this.assign(subject, ips.value);
    return assigned.ok ? assigned : noAvailableIps();
  }

  /**
   * MetalLB's `getFreeIPsFromPool`: for each family, the lowest address the Service may use from the first
   * CIDR (in spec order) that has one; undefined when there is none (MetalLB: "no available IPs in pool").
   */
  private freeAddresses(
    pool: Pool,
    subject: AllocationSubject,
    key: SharingKey = keyOf(subject),
    own: readonly IpAddress[] = this.ipsOf(subject.key),
  ): PoolCandidate | undefined {
    let v4: IpAddress | undefined;
    let v6: IpAddress | undefined;
    for (const space of this.index.spaces(pool.name)) {
      const family = space.cidr.family;
      if ((family === 'IPv4' ? v4 : v6) !== undefined) continue;
      const value = this.lowestUsable(space, subject, key, own);
      if (value === undefined) continue;
      if (family === 'IPv4') v4 = { family, value };
      else v6 = { family, value };
    }
    if (v4 === undefined && v6 === undefined) return undefined;
    return { pool: pool.name, ...(v4 && { IPv4: v4 }), ...(v6 && { IPv6: v6 }) };
  }

  /**
   * The lowest address of `space` that `subject` may use (MetalLB's `getIPFromCIDR` walk, without the walk):
   * the lowest of the lowest unused address, the lowest shared address it may join, and its own addresses.
   */
  private lowestUsable(space: AddressSpace, subject: AllocationSubject, key: SharingKey, own: readonly IpAddress[]): bigint | undefined {
    // A full space offers nothing to a Service that neither shares nor holds an address in it.
    if (space.isFull && key.sharing === '' && own.length === 0) return undefined;
    let best = space.lowestFree();
    const consider = (value: bigint | undefined): void => {
      if (value !== undefined && (best === undefined || value < best)) best = value;
    };
    consider(this.usage.lowestJoinable(space, subject.key, subject.ports, key));
    for (const ip of own) {
      if (space.holds(ip) && this.usage.usable(subject.key, ip, subject.ports, key)) consider(ip.value);
    }
    return best;
  }

  private record(svc: string, alloc: Allocation): void {
    this.unassign(svc);
    this.allocations.set(svc, alloc);
    for (const ip of alloc.ips) {
      const space = this.index.spaceFor(ip);
      if (space === undefined) throw new RangeError(`allocation of ${svc} outside its pool ${alloc.pool}`);
      this.usage.add(svc, ip, space, alloc.ports, alloc.key);
    }
  }
}

/** True when the two address lists hold the same addresses in any order (MetalLB's `isEqualIPs`). */
export function sameAddresses(a: readonly IpAddress[], b: readonly IpAddress[]): boolean {
  const text = (ips: readonly IpAddress[]): string => ips.map(formatIp).sort().join(',');
  return a.length === b.length && text(a) === text(b);
}
