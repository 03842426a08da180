/**
 * Pool capacity and use, as MetalLB reports them in the IPAddressPool status (assignedIPv4, availableIPv4,
 * assignedIPv6, availableIPv6) and in the `metallb_allocator_*` gauges. Capacity follows MetalLB's rule: a CIDR
 * with 62 or more host bits counts as MaxInt64 ("will never run out"); avoidBuggyIPs removes .0 and .255.
 * Counts are bigint so MaxInt64 stays exact in the status; metrics get plain numbers.
 */
import { familyBits } from '../lib/ip.js';
import type { AddressSpace } from './address-space.js';
import type { PoolUse } from './ip-usage.js';

export const maxInt64 = (1n << 63n) - 1n;

export interface PoolCapacity {
  readonly total: bigint;
  readonly IPv4: bigint;
  readonly IPv6: bigint;
}

export interface PoolCounters {
  readonly assignedIPv4: bigint;
  readonly availableIPv4: bigint;
  readonly assignedIPv6: bigint;
  readonly availableIPv6: bigint;
}

/** The `metallb_allocator_*` gauge values of one pool (label `pool`). */
export interface AllocatorPoolMetrics {
  readonly pool: string;
  readonly addressesTotal: number;
  readonly ipv4AddressesTotal: number;
  readonly ipv6AddressesTotal: number;
  readonly addressesInUseTotal: number;
  readonly ipv4AddressesInUseTotal: number;
  readonly ipv6AddressesInUseTotal: number;
}

/** The gauge names, as MetalLB registers them (`metallb_allocator_services_allocated_total` is never set there). */
export const allocatorMetricNames = {
  addressesTotal: 'metallb_allocator_addresses_total',
  ipv4AddressesTotal: 'metallb_allocator_ipv4_addresses_total',
  ipv6AddressesTotal: 'metallb_allocator_ipv6_addresses_total',
  addressesInUseTotal: 'metallb_allocator_addresses_in_use_total',
  ipv4AddressesInUseTotal: 'metallb_allocator_ipv4_addresses_in_use_total',
  ipv6AddressesInUseTotal: 'metallb_allocator_ipv6_addresses_in_use_total',
} as const;

function saturatingAdd(a: bigint, b: bigint): bigint {
  return a + b > maxInt64 ? maxInt64 : a + b;
}

/**
 * MetalLB's `poolCount`. Two deliberate differences, both where Go's int64 arithmetic goes wrong: sums saturate
 * at MaxInt64 instead of overflowing (a huge IPv6 CIDR listed before others), and a /32 on a .0 or .255 address
 * with avoidBuggyIPs counts 0, not -1.
 */
export function poolCapacity(spaces: readonly AddressSpace[]): PoolCapacity {
  let total = 0n;
  let v4 = 0n;
  let v6 = 0n;
  for (const space of spaces) {
    const hostBits = familyBits(space.cidr.family) - space.cidr.prefixLength;
    if (hostBits >= 62) {
      total = maxInt64;
      v6 = maxInt64;
      continue;
    }
    total = saturatingAdd(total, space.size);
    if (space.cidr.family === 'IPv4') v4 = saturatingAdd(v4, space.size);
    else v6 = saturatingAdd(v6, space.size);
  }
  return { total, IPv4: v4, IPv6: v6 };
}

export function poolCounters(spaces: readonly AddressSpace[], use: PoolUse): PoolCounters {
  const capacity = poolCapacity(spaces);
  const assignedIPv4 = BigInt(use.IPv4);
  const assignedIPv6 = BigInt(use.IPv6);
  return { assignedIPv4, availableIPv4: capacity.IPv4 - assignedIPv4, assignedIPv6, availableIPv6: capacity.IPv6 - assignedIPv6 };
}

export function poolMetrics(pool: string, spaces: readonly AddressSpace[], use: PoolUse): AllocatorPoolMetrics {
  const capacity = poolCapacity(spaces);
  return {
    pool,
    addressesTotal: Number(capacity.total),
    ipv4AddressesTotal: Number(capacity.IPv4),
    ipv6AddressesTotal: Number(capacity.IPv6),
    addressesInUseTotal: use.IPv4 + use.IPv6,
    ipv4AddressesInUseTotal: use.IPv4,
    ipv6AddressesInUseTotal: use.IPv6,
  };
}
