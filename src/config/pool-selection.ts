/**
 * Which pools an advertisement applies to (metallb-behaviour.md §2.2): by name, by label, or every pool when
 * neither is given. A pool reached both ways counts once; names that match no pool are warned about.
 */
import { joinPath } from '../api/field-path.js';
import { anySelectorMatches, type LabelSelector } from '../api/label-selector.js';
import type { ParsedPool } from './pools.js';
import type { ObjectRef, ProblemList } from './problems.js';

export function selectPools(
  names: readonly string[] | undefined,
  selectors: readonly LabelSelector[],
  pools: readonly ParsedPool[],
  at: ObjectRef,
  problems: ProblemList,
): ParsedPool[] {
  const wanted = names ?? [];
  if (wanted.length === 0 && selectors.length === 0) return [...pools];
  const known = new Set(pools.map((p) => p.pool.name));
  wanted.forEach((name, i) => {
    if (!known.has(name)) {
      problems.add('unknown-pool-reference', at, joinPath('spec.ipAddressPools', i), `no IPAddressPool named "${name}"`);
    }
  });
  return pools.filter((p) => wanted.includes(p.pool.name) || anySelectorMatches(selectors, p.pool.labels));
}
