/**
 * IPAddressPool objects -> `Pool`s: the address rules (§2.9 #1-#6) and the overlap check across all pools.
 */
import type { IPAddressPool } from '../api/schema/ip-address-pool.js';
import { joinPath } from '../api/field-path.js';
import { type Labels, selectorMatches } from '../api/label-selector.js';
import { type Cidr, type IpFamily, cidrLast, formatCidr } from '../lib/ip.js';
import { parseAddressEntry } from './addresses.js';
import type { ObjectRef, ProblemList } from './problems.js';
import { checkNoDuplicates, checkSelectorList } from './selectors.js';
import type { Pool, ServiceAllocation } from './types.js';

/** A pool with what the advertisement rules need beyond `Pool`. */
export interface ParsedPool {
  readonly ref: ObjectRef;
  readonly pool: Pool;
  /** The CIDRs of each address entry that parsed, with the entry text (aggregation rule, §2.9 #9). */
  readonly entries: readonly { readonly text: string; /** in spec.addresses */ readonly index: number; readonly cidrs: readonly Cidr[] }[];
  readonly families: ReadonlySet<IpFamily>;
}

export interface NamespaceLabels {
  readonly name: string;
  readonly labels: Labels;
}

function serviceAllocationOf(
  pool: IPAddressPool,
  at: ObjectRef,
  namespaces: readonly NamespaceLabels[],
  problems: ProblemList,
): ServiceAllocation | undefined {
  const sa = pool.spec.serviceAllocation;
  if (sa === undefined) return undefined;
  const path = 'spec.serviceAllocation';
  checkNoDuplicates(sa.namespaces, 'pool-namespaces-duplicate', at, `${path}.namespaces`, problems);
  const nsSelectors = checkSelectorList(sa.namespaceSelectors, at, `${path}.namespaceSelectors`, problems);
  const serviceSelectors = checkSelectorList(sa.serviceSelectors, at, `${path}.serviceSelectors`, problems);
  const names = new Set(sa.namespaces ?? []);
  for (const ns of namespaces) {
    if (nsSelectors.some((s) => selectorMatches(s, ns.labels))) names.add(ns.name);
  }
  const restricts = (sa.namespaces?.length ?? 0) + nsSelectors.length + serviceSelectors.length > 0;
  return {
    priority: sa.priority ?? 0,
    namespaces: names,
    // MetalLB's implicit match-all: a serviceAllocation that restricts nothing pins the pool for every Service.
    serviceSelectors: restricts ? serviceSelectors : [{}],
  };
}

export function parsePool(
  pool: IPAddressPool,
  at: ObjectRef,
  namespaces: readonly NamespaceLabels[],
  problems: ProblemList,
): ParsedPool {
  const addresses = pool.spec.addresses;
  if (addresses.length === 0) problems.add('pool-addresses', at, 'spec.addresses', 'a pool needs at least one address');
  const entries: { text: string; index: number; cidrs: readonly Cidr[] }[] = [];
  addresses.forEach((text, i) => {
    const entry = parseAddressEntry(text);
    if ('error' in entry) problems.add('pool-address-syntax', at, joinPath('spec.addresses', i), entry.error);
    else entries.push({ text, index: i, cidrs: entry.cidrs });
  });
  const serviceAllocation = serviceAllocationOf(pool, at, namespaces, problems);
  const cidrs = entries.flatMap((e) => e.cidrs);
  const parsed: Pool = {
    name: at.name,
    labels: pool.metadata?.labels ?? {},
    cidrs,
    autoAssign: pool.spec.autoAssign,
    avoidBuggyIPs: pool.spec.avoidBuggyIPs,
    ...(serviceAllocation === undefined ? {} : { serviceAllocation }),
  };
  return { ref: at, pool: parsed, entries, families: new Set(cidrs.map((c) => c.family)) };
}

interface Placed {
  readonly cidr: Cidr;
  readonly pool: ParsedPool;
  readonly entry: number;
  /** Input order: pools in name order, entries in spec order. */
  readonly order: number;
}

/**
 * §2.9 #4: no CIDR overlaps another, in O(n log n): CIDRs nest, so after sorting by start (wider first) a CIDR
 * overlaps an earlier one exactly when it starts before the furthest end seen so far. Each overlap is reported
 * on whichever of the two comes later in the input, naming the other.
 */
export function checkOverlaps(pools: readonly ParsedPool[], problems: ProblemList): void {
  const placed: Placed[] = [];
  for (const pool of pools) {
    for (const entry of pool.entries) {
      for (const cidr of entry.cidrs) placed.push({ cidr, pool, entry: entry.index, order: placed.length });
    }
  }
  placed.sort((a, b) =>
    a.cidr.family !== b.cidr.family ? (a.cidr.family < b.cidr.family ? -1 : 1)
      : a.cidr.base !== b.cidr.base ? (a.cidr.base < b.cidr.base ? -1 : 1)
        : a.cidr.prefixLength - b.cidr.prefixLength);
  let holder: Placed | undefined;
  const reported = new Set<string>();
  for (const cur of placed) {
    if (holder !== undefined && holder.cidr.family === cur.cidr.family && cur.cidr.base <= cidrLast(holder.cidr).value) {
      const [later, earlier] = cur.order > holder.order ? [cur, holder] : [holder, cur];
      const where = earlier.pool === later.pool ? 'in the same pool' : `of pool "${earlier.pool.ref.name}"`;
      const pair = `${later.pool.ref.index}:${later.entry}/${earlier.pool.ref.index}:${earlier.entry}`;
      if (!reported.has(pair)) problems.add('pool-cidr-overlap', later.pool.ref, joinPath('spec.addresses', later.entry),
        `${formatCidr(later.cidr)} overlaps ${formatCidr(earlier.cidr)} ${where}`);
      reported.add(pair);
      if (cidrLast(cur.cidr).value > cidrLast(holder.cidr).value) holder = cur;
      continue;
    }
    holder = cur;
  }
}
