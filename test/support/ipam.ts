/**
 * Fixtures for allocator and controller tests: pools written as MetalLB's tests write them, and allocation
 * subjects with defaults. Pure data builders; no test logic.
 */
import type { LabelSelector, Labels } from '../../src/api/label-selector.js';
import type { Config, Pool } from '../../src/config/types.js';
import type { AllocationSubject, ServicePort } from '../../src/ipam/allocation-subject.js';
import { formatIp, parseCidr, parseIp, type Cidr, type IpAddress } from '../../src/lib/ip.js';

export interface PoolOptions {
  readonly autoAssign?: boolean;
  readonly avoidBuggyIPs?: boolean;
  readonly priority?: number;
  readonly namespaces?: readonly string[];
  readonly serviceSelectors?: readonly LabelSelector[];
  /** A `serviceAllocation` with nothing in it: config gives it the match-all selector (MetalLB does). */
  readonly serviceAllocation?: 'empty';
}

export function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (c === undefined) throw new Error(`bad CIDR in test: ${text}`);
  return c;
}

export function ip(text: string): IpAddress {
  const a = parseIp(text);
  if (a === undefined) throw new Error(`bad IP in test: ${text}`);
  return a;
}

export function ips(...texts: string[]): IpAddress[] {
  return texts.map(ip);
}

export function texts(addresses: readonly IpAddress[]): string[] {
  return addresses.map(formatIp);
}

export function pool(name: string, cidrs: readonly string[], o: PoolOptions = {}): Pool {
  const restricted = o.priority !== undefined || o.namespaces !== undefined || o.serviceSelectors !== undefined || o.serviceAllocation !== undefined;
  const selectors = o.serviceSelectors ?? [];
  const matchAll = (o.namespaces ?? []).length === 0 && selectors.length === 0;
  return {
    name,
    labels: {},
    cidrs: cidrs.map(cidr),
    autoAssign: o.autoAssign ?? true,
    avoidBuggyIPs: o.avoidBuggyIPs ?? false,
    ...(restricted && {
      serviceAllocation: {
        priority: o.priority ?? 0,
        namespaces: new Set(o.namespaces ?? []),
        serviceSelectors: matchAll ? [{}] : selectors,
      },
    }),
  };
}

/** A Config holding only pools (no advertisements, peers, BFD profiles or communities). */
export function config(...pools: Pool[]): Config {
  return {
    pools: new Map(pools.map((p) => [p.name, p])),
    advertisements: new Map(pools.map((p) => [p.name, { l2: [], bgp: [] }])),
    l2Advertisements: new Map(),
    bgpAdvertisements: new Map(),
    peers: new Map(),
    bfdProfiles: new Map(),
    communities: new Map(),
  };
}

/** `tcp/80` style port lists, as MetalLB's tests write them. */
export function ports(...specs: string[]): ServicePort[] {
  return specs.map((s) => {
    const [protocol, port] = s.split('/');
    return { protocol: (protocol as string).toUpperCase(), port: Number(port) };
  });
}

export function subject(key: string, o: Partial<AllocationSubject> & { labels?: Labels } = {}): AllocationSubject {
  const slash = key.indexOf('/');
  return {
    key,
    namespace: o.namespace ?? (slash >= 0 ? key.slice(0, slash) : 'default'),
    labels: o.labels ?? {},
    family: o.family ?? 'IPv4',
    ipFamilyPolicy: o.ipFamilyPolicy ?? 'SingleStack',
    primaryFamily: o.primaryFamily ?? 'IPv4',
    ports: o.ports ?? [],
    sharingKey: o.sharingKey ?? '',
    backendKey: o.backendKey ?? '',
  };
}
