/**
 * Who uses each allocated address: the Services on it, the ports each one holds there, and the sharing key the
 * address carries (MetalLB's `sharingKeyForIP`, `portsInUse`, `servicesOnIP`). All users of an address have the
 * same key, or there is a single user. Shareable addresses (non-empty sharing key) are also indexed by key, so a
 * Service with a sharing key finds the lowest address it may join without scanning the pool.
 */
import { formatIp, type IpAddress, type IpFamily } from '../lib/ip.js';
import type { AddressSpace } from './address-space.js';
import { fail, ok, type AllocationResult } from './allocation-failure.js';
import { portString, type ServicePort } from './allocation-subject.js';
import { goQuote } from './go-format.js';
import { SortedMap, compareBigint } from './sorted-map.js';

export interface SharingKey {
  readonly sharing: string;
  readonly backend: string;
}

/** One Service on an address, with the ports it holds there. */
export interface Holder {
  readonly svc: string;
  readonly ports: readonly ServicePort[];
}

export interface IpUse {
  readonly ip: IpAddress;
  /** Re-bound when the pools change. */
  space: AddressSpace;
  key: SharingKey;
  /** Usually one; a few when shared. A small array beats a Set and a Map per address in time and memory. */
  readonly holders: Holder[];
}

export interface PoolUse {
  IPv4: number;
  IPv6: number;
}

function indexKey(family: IpFamily, key: SharingKey): string {
  return `${family}\u0000${key.sharing}\u0000${key.backend}`;
}

/** MetalLB's `sharingOK`: both keys non-empty and equal, and the same backend key. */
export function sharingCompatible(existing: SharingKey, wanted: SharingKey): boolean {
  return existing.sharing !== '' && wanted.sharing !== '' && existing.sharing === wanted.sharing && existing.backend === wanted.backend;
}

function samePort(a: ServicePort, b: ServicePort): boolean {
  return a.port === b.port && a.protocol === b.protocol;
}

export class IpUsage {
  // IPv4 keys as numbers: V8 hashes a number several times faster than a bigint.
  private readonly v4 = new Map<number, IpUse>();
  private readonly v6 = new Map<bigint, IpUse>();
  private readonly shareable = new Map<string, SortedMap<bigint, IpUse>>();
  private readonly pools = new Map<string, PoolUse>();

  get(ip: IpAddress): IpUse | undefined {
    return ip.family === 'IPv4' ? this.v4.get(Number(ip.value)) : this.v6.get(ip.value);
  }

  private put(use: IpUse): void {
    if (use.ip.family === 'IPv4') this.v4.set(Number(use.ip.value), use);
    else this.v6.set(use.ip.value, use);
  }

  private drop(ip: IpAddress): void {
    if (ip.family === 'IPv4') this.v4.delete(Number(ip.value));
    else this.v6.delete(ip.value);
  }

  /** Distinct addresses in use in `pool`, per family. */
  poolUse(pool: string): PoolUse {
    return this.pools.get(pool) ?? { IPv4: 0, IPv6: 0 };
  }

  /**
   * MetalLB's `checkSharing`: may `svc` (with `ports` and `key`) use `ip`? A used address needs a compatible
   * sharing key, unless `svc` is its only user (then the key changes in place), and no port held by another
   * Service on it.
   */
  check(svc: string, ip: IpAddress, ports: readonly ServicePort[], key: SharingKey): AllocationResult<void> {
    const use = this.get(ip);
    if (use === undefined) return ok(undefined);
    if (!sharingCompatible(use.key, key)) {
      const others = use.holders.filter((h) => h.svc !== svc).map((h) => h.svc).sort();
      if (others.length > 0) {
        return fail('sharingKeyInUse', `can't change sharing key for ${goQuote(svc)}, address also in use by ${others.join(',')}`);
      }
    }
    for (const port of ports) {
      if (use.holders.some((h) => h.svc !== svc && h.ports.some((p) => samePort(p, port)))) {
        return fail('portInUse', `port ${portString(port)} is already in use on ${goQuote(formatIp(ip))}`);
      }
    }
    return ok(undefined);
  }

  usable(svc: string, ip: IpAddress, ports: readonly ServicePort[], key: SharingKey): boolean {
    return this.check(svc, ip, ports, key).ok;
  }

  /**
   * The lowest address of `space` already in use under exactly `key` (so joinable) that `svc` may use, or
   * undefined. Costs O(log n) plus one step per same-key address whose ports clash.
   */
  lowestJoinable(space: AddressSpace, svc: string, ports: readonly ServicePort[], key: SharingKey): bigint | undefined {
    if (key.sharing === '') return undefined;
    const index = this.shareable.get(indexKey(space.cidr.family, key));
    if (index === undefined) return undefined;
    const { first, last } = space.bounds();
    for (let entry = index.ceiling(first); entry !== undefined && entry[0] <= last; entry = index.higher(entry[0])) {
      if (space.holds(entry[1].ip) && this.usable(svc, entry[1].ip, ports, key)) return entry[0];
    }
    return undefined;
  }

  /** Records `svc` on `ip` (already checked, or known to be consistent). */
  add(svc: string, ip: IpAddress, space: AddressSpace, ports: readonly ServicePort[], key: SharingKey): void {
    let use = this.get(ip);
    if (use === undefined) {
      use = { ip, space, key, holders: [] };
      this.put(use);
      space.markUsed(ip.value);
      this.poolUseOf(space.pool)[ip.family]++;
    } else if (use.key.sharing !== key.sharing || use.key.backend !== key.backend) {
      this.unindex(use);
    }
    use.key = key;
    this.index(use);
    const at = use.holders.findIndex((h) => h.svc === svc);
    if (at >= 0) use.holders.splice(at, 1);
    use.holders.push({ svc, ports });
  }

  /** Removes `svc` from `ip`; the address is free again when its last user leaves. */
  remove(svc: string, ip: IpAddress): void {
    const use = this.get(ip);
    if (use === undefined) return;
    const at = use.holders.findIndex((h) => h.svc === svc);
    if (at >= 0) use.holders.splice(at, 1);
    if (use.holders.length > 0) return;
    this.unindex(use);
    this.drop(ip);
    use.space.markFree(ip.value);
    this.poolUseOf(use.space.pool)[ip.family]--;
  }

  /**
   * After a pool change: moves every address to its space in the new pools (`spaceFor`), recounting the pools.
   * The caller has already removed the Services whose addresses no pool holds.
   */
  rebind(spaceFor: (ip: IpAddress) => AddressSpace | undefined): void {
    this.pools.clear();
    for (const uses of [this.v4.values(), this.v6.values()]) {
      for (const use of uses) {
        const space = spaceFor(use.ip);
        if (space === undefined) throw new RangeError(`address ${formatIp(use.ip)} in use outside every pool`);
        use.space = space;
        space.markUsed(use.ip.value);
        this.poolUseOf(space.pool)[use.ip.family]++;
      }
    }
  }

  private poolUseOf(pool: string): PoolUse {
    let use = this.pools.get(pool);
    if (use === undefined) {
      use = { IPv4: 0, IPv6: 0 };
      this.pools.set(pool, use);
    }
    return use;
  }

  private index(use: IpUse): void {
    if (use.key.sharing === '') return;
    const k = indexKey(use.ip.family, use.key);
    let index = this.shareable.get(k);
    if (index === undefined) {
      index = new SortedMap<bigint, IpUse>(compareBigint);
      this.shareable.set(k, index);
    }
    index.set(use.ip.value, use);
  }

  private unindex(use: IpUse): void {
    if (use.key.sharing === '') return;
    const k = indexKey(use.ip.family, use.key);
    const index = this.shareable.get(k);
    if (index === undefined) return;
    index.delete(use.ip.value);
    if (index.size === 0) this.shareable.delete(k);
  }
}
