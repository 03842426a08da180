/**
 * A reference allocator for property tests: MetalLB's algorithm as MetalLB writes it, walking every CIDR from
 * its first address and checking each one, with plain maps for bookkeeping. Slow and obviously faithful; the
 * real Allocator must give the same answers. Pool order and the dual-stack choice reuse pool-choice.ts,
 * which the scenario tests cover on their own.
 */
import type { Pool } from '../../src/config/types.js';
import { fail, noAvailableIps, notInConfig, ok, unknownPool, type AllocationResult } from '../../src/ipam/allocation-failure.js';
import { portString, type AllocationSubject } from '../../src/ipam/allocation-subject.js';
import { bestCandidate, isPoolCompatible, pinnedPools, selectAddresses, unpinnedPools, type PoolCandidate } from '../../src/ipam/pool-choice.js';
import { cidrContains, cidrSize, formatIp, isBuggyIp, type IpAddress } from '../../src/lib/ip.js';
import { goQuote } from '../../src/ipam/go-format.js';

interface Alloc { pool: string; ips: IpAddress[]; ports: string[]; sharing: string; backend: string }

export class NaiveAllocator {
  pools: Pool[] = [];
  readonly allocs = new Map<string, Alloc>();

  setPools(pools: Pool[]): void {
    this.pools = [...pools].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const [svc, alloc] of [...this.allocs]) {
      const p = this.poolFor(alloc.ips);
      if (p === undefined) this.allocs.delete(svc);
      else alloc.pool = p.name;
    }
  }

  poolFor(ips: readonly IpAddress[]): Pool | undefined {
    return this.pools.find((p) => ips.length > 0 && ips.every((ip) =>
      !(p.avoidBuggyIPs && isBuggyIp(ip)) && p.cidrs.some((c) => cidrContains(c, ip))));
  }

  private users(ip: IpAddress): [string, Alloc][] {
    return [...this.allocs].filter(([, a]) => a.ips.some((x) => x.family === ip.family && x.value === ip.value));
  }

  check(s: AllocationSubject, ip: IpAddress): AllocationResult<void> {
    const users = this.users(ip);
    if (users.length === 0) return ok(undefined);
    const last = users[users.length - 1]![1];
    const compatible = last.sharing !== '' && s.sharingKey === last.sharing && s.backendKey === last.backend;
    const others = users.filter(([k]) => k !== s.key).map(([k]) => k).sort();
    if (!compatible && others.length > 0) {
      return fail('sharingKeyInUse', `can't change sharing key for ${goQuote(s.key)}, address also in use by ${others.join(',')}`);
    }
    for (const p of s.ports) {
      if (users.some(([k, a]) => k !== s.key && a.ports.includes(portString(p)))) {
        return fail('portInUse', `port ${portString(p)} is already in use on ${goQuote(formatIp(ip))}`);
      }
    }
    return ok(undefined);
  }

  assign(s: AllocationSubject, ips: readonly IpAddress[]): AllocationResult<readonly IpAddress[]> {
    const p = this.poolFor(ips);
    if (p === undefined) return notInConfig(ips);
    if (!isPoolCompatible(p, s)) return fail('poolIncompatible', '');
    if (ips.length > 2) return fail('tooManyAddresses', '');
    if (ips.length === 2 && ips[0]!.family === ips[1]!.family) return fail('sameFamily', '');
    for (const ip of ips) {
      const c = this.check(s, ip);
      if (!c.ok) return c as AllocationResult<never>;
    }
    this.allocs.delete(s.key);
    this.allocs.set(s.key, { pool: p.name, ips: [...ips], ports: s.ports.map(portString), sharing: s.sharingKey, backend: s.backendKey });
    return ok(ips);
  }

  unassign(svc: string): void {
    this.allocs.delete(svc);
  }

  private free(p: Pool, s: AllocationSubject): PoolCandidate | undefined {
    const found: { IPv4?: IpAddress; IPv6?: IpAddress } = {};
    for (const c of p.cidrs) {
      if (found[c.family] !== undefined) continue;
      for (let v = c.base; v < c.base + cidrSize(c); v++) {
        const ip = { family: c.family, value: v };
        if (p.avoidBuggyIPs && isBuggyIp(ip)) continue;
        if (this.check(s, ip).ok) { found[c.family] = ip; break; }
      }
    }
    return found.IPv4 === undefined && found.IPv6 === undefined ? undefined : { pool: p.name, ...found };
  }

  allocate(s: AllocationSubject): AllocationResult<readonly IpAddress[]> {
    const cur = this.allocs.get(s.key);
    if (cur !== undefined) return this.assign(s, cur.ips);
    for (const pools of [pinnedPools(this.pools, s), unpinnedPools(this.pools)]) {
      const best = bestCandidate(pools, (p) => this.free(p, s), s);
      if (best === undefined) continue;
      const sel = selectAddresses(best, s.family, s.ipFamilyPolicy);
      if (sel.ok && this.assign(s, sel.value).ok) return sel;
    }
    return noAvailableIps();
  }

  allocateFromPool(s: AllocationSubject, name: string): AllocationResult<readonly IpAddress[]> {
    const cur = this.allocs.get(s.key);
    if (cur !== undefined) return this.assign(s, cur.ips);
    const p = this.pools.find((x) => x.name === name);
    if (p === undefined) return unknownPool(name);
    const c = this.free(p, s);
    if (c === undefined) return fail('noAvailableIpsInPool', `no available IPs in pool ${name}`);
    const sel = selectAddresses(c, s.family, s.ipFamilyPolicy);
    return sel.ok ? this.assign(s, sel.value) : sel;
  }
}
