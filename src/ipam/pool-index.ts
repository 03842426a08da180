/**
 * The pools of one configuration, indexed for the allocator: each pool's CIDRs as address spaces in spec order,
 * and every space of a family sorted by address so that "which pool holds this IP" is a binary search.
 */
import { assert } from '../lib/assert.js';
import { cidrLast, formatCidr, type IpAddress, type IpFamily } from '../lib/ip.js';
import type { Pool } from '../config/types.js';
import { AddressSpace } from './address-space.js';
import { unpinnedPools } from './pool-choice.js';

export class PoolIndex {
  /** Pools in name order (where MetalLB iterates a Go map, we iterate this, so results are deterministic). */
  readonly pools: readonly Pool[];
  /** Pools with a serviceAllocation that assign automatically: the only ones that can be pinned. */
  readonly pinnable: readonly Pool[];
  /** Pools any Service may get automatically (MetalLB's fallback list), in name order. */
  readonly unpinned: readonly Pool[];
  private readonly byName: ReadonlyMap<string, Pool>;
  private readonly spacesByPool = new Map<string, AddressSpace[]>();
  private readonly sorted: Record<IpFamily, AddressSpace[]> = { IPv4: [], IPv6: [] };

  constructor(pools: ReadonlyMap<string, Pool> | readonly Pool[]) {
    const list = [...(Array.isArray(pools) ? pools : (pools as ReadonlyMap<string, Pool>).values())] as Pool[];
    this.pools = list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.byName = new Map(this.pools.map((p) => [p.name, p]));
    this.pinnable = this.pools.filter((p) => p.autoAssign && p.serviceAllocation !== undefined);
    this.unpinned = unpinnedPools(this.pools);
    for (const pool of this.pools) {
      const spaces = pool.cidrs.map((c) => new AddressSpace(c, pool.name, pool.avoidBuggyIPs));
      this.spacesByPool.set(pool.name, spaces);
      for (const s of spaces) this.sorted[s.cidr.family].push(s);
    }
    for (const family of ['IPv4', 'IPv6'] as const) {
      const list = this.sorted[family].sort((a, b) => (a.cidr.base < b.cidr.base ? -1 : a.cidr.base > b.cidr.base ? 1 : 0));
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1] as AddressSpace;
        const cur = list[i] as AddressSpace;
        // config.build() rejects overlapping CIDRs (metallb-behaviour.md §2.9 rule 4); the lookup relies on it.
        assert(cidrLast(prev.cidr).value < cur.cidr.base,
          `pool CIDRs overlap: ${formatCidr(prev.cidr)} (${prev.pool}) and ${formatCidr(cur.cidr)} (${cur.pool})`);
      }
    }
  }

  get isEmpty(): boolean {
    return this.pools.length === 0;
  }

  pool(name: string): Pool | undefined {
    return this.byName.get(name);
  }

  /** The pool's CIDRs as address spaces, in spec order. */
  spaces(pool: string): readonly AddressSpace[] {
    return this.spacesByPool.get(pool) ?? [];
  }

  /** The space in which `ip` is a usable address, if any. */
  spaceFor(ip: IpAddress): AddressSpace | undefined {
    // Spaces do not overlap, so the only candidate is the last one starting at or below the address.
    const list = this.sorted[ip.family];
    let lo = 0;
    let hi = list.length - 1;
    let candidate: AddressSpace | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const space = list[mid] as AddressSpace;
      if (space.cidr.base <= ip.value) {
        candidate = space;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return candidate !== undefined && candidate.holds(ip) ? candidate : undefined;
  }

  /**
   * MetalLB's `poolFor`: the pool that holds every one of `ips` as a usable address (an address that
   * avoidBuggyIPs excludes does not count as held).
   */
  poolFor(ips: readonly IpAddress[]): Pool | undefined {
    let name: string | undefined;
    for (const ip of ips) {
      const space = this.spaceFor(ip);
      if (space === undefined || (name !== undefined && name !== space.pool)) return undefined;
      name = space.pool;
    }
    return name === undefined ? undefined : this.byName.get(name);
  }
}
