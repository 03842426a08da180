/**
 * One prefix as this speaker wants a peer to hold it: the unit of `setAdvertisements`. The attributes that vary
 * per prefix (LOCAL_PREF, communities, large communities) are here; ORIGIN, AS_PATH and next hop come from the session.
 */
import { formatCidr, type Cidr } from '../../lib/ip.js';
import { compareLargeCommunity, formatLargeCommunity, type LargeCommunity } from '../../protocol/bgp/community.js';

export interface Advertisement {
  readonly prefix: Cidr;
  /** LOCAL_PREF, sent to iBGP peers only (RFC 4271 §5.1.5); unset = 100. */
  readonly localPref?: number;
  /** RFC 1997 values, sorted ascending, no duplicates. */
  readonly communities: readonly number[];
  /** RFC 8092 values, sorted, no duplicates. */
  readonly largeCommunities: readonly LargeCommunity[];
}

/** A Map key per prefix: a number for IPv4 (cheap at 100,000 prefixes), the CIDR text for IPv6. */
export type AdvertisementKey = number | string;

export function advertisementKey(a: Advertisement): AdvertisementKey {
  const p = a.prefix;
  return p.family === 'IPv4' ? Number(p.base) * 64 + p.prefixLength : formatCidr(p);
}

/** Advertisements with equal attribute keys share one attribute set on the wire. */
export function attributeKey(a: Advertisement): string {
  if (a.localPref === undefined && a.communities.length === 0 && a.largeCommunities.length === 0) return '';
  return `${a.localPref ?? ''}|${a.communities.join(',')}|${a.largeCommunities.map(formatLargeCommunity).join(',')}`;
}

/** Sorted, duplicate-free communities (the canonical form `Advertisement` requires). */
export function normalizeCommunities(values: Iterable<number>): number[] {
  return [...new Set([...values].map((v) => v >>> 0))].sort((a, b) => a - b);
}

export function normalizeLargeCommunities(values: Iterable<LargeCommunity>): LargeCommunity[] {
  const byKey = new Map<string, LargeCommunity>();
  for (const v of values) byKey.set(formatLargeCommunity(v), v);
  return [...byKey.values()].sort(compareLargeCommunity);
}
