/**
 * Which pools an advertisement applies to (metallb-behaviour.md §2.2): by name, by label, or every pool when
 * neither is given. A pool reached both ways counts once; names that match no pool are warned about.
 */
import { joinPath } from '../api/field-path.js';
import { anySelectorMatches, type LabelSelector } from '../api/label-selector.js';
import type { ParsedPool } from './pools.js';
import type { ObjectRef, ProblemList } from './problems.js';

/** The pools in name order, and by name. */
export interface PoolIndex {
  readonly list: readonly ParsedPool[];
  readonly byName: ReadonlyMap<string, ParsedPool>;
}

export function indexPools(list: readonly ParsedPool[]): PoolIndex {
  return { list, byName: new Map(list.map((p) => [p.pool.name, p])) };
}

/** The pools an advertisement applies to, in name order. */
export function selectPools(
  names: readonly string[] | undefined,
  selectors: readonly LabelSelector[],
  pools: PoolIndex,
  at: ObjectRef,
  problems: ProblemList,
): ParsedPool[] {
  const wanted = names ?? [];
  if (wanted.length === 0 && selectors.length === 0) return [...pools.list];
  const chosen = new Set<ParsedPool>();
  wanted.forEach((name, i) => {
    const pool = pools.byName.get(name);
    if (pool !== undefined) chosen.add(pool);
    else problems.add('unknown-pool-reference', at, joinPath('spec.ipAddressPools', i), `no IPAddressPool named "${name}"`);
  });
  if (selectors.length > 0) {
    for (const pool of pools.list) if (anySelectorMatches(selectors, pool.pool.labels)) chosen.add(pool);
  }
  return chosen.size === 1 ? [...chosen] : pools.list.filter((p) => chosen.has(p));
}
