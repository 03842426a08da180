/**
 * L2Advertisement objects -> `L2Advertisement`s attached to their pools (metallb-behaviour.md §2.2).
 */
import type { L2Advertisement as L2AdvertisementObject } from '../api/schema/l2-advertisement.js';
import { joinPath } from '../api/field-path.js';
import { selectorKey } from '../api/label-selector.js';
import { type PoolIndex, selectPools } from './pool-selection.js';
import type { ParsedPool } from './pools.js';
import type { ObjectRef, ProblemList } from './problems.js';
import { checkNoDuplicates, checkSelector, checkSelectorList } from './selectors.js';
import type { L2Advertisement, PreferredNodeSelector } from './types.js';

export interface ParsedL2Advertisement {
  readonly ad: L2Advertisement;
  readonly pools: readonly ParsedPool[];
}

export function parseL2Advertisement(
  obj: L2AdvertisementObject,
  at: ObjectRef,
  pools: PoolIndex,
  problems: ProblemList,
): ParsedL2Advertisement {
  const spec = obj.spec ?? {};
  checkNoDuplicates(spec.ipAddressPools, 'list-duplicate', at, 'spec.ipAddressPools', problems);
  const poolSelectors = checkSelectorList(spec.ipAddressPoolSelectors, at, 'spec.ipAddressPoolSelectors', problems);
  const nodeSelectors = checkSelectorList(spec.nodeSelectors, at, 'spec.nodeSelectors', problems);
  const serviceSelectors = checkSelectorList(spec.serviceSelectors, at, 'spec.serviceSelectors', problems);
  const preferred: PreferredNodeSelector[] = (spec.preferredNodeSelectors ?? []).map((p, i) => {
    const path = joinPath('spec.preferredNodeSelectors', i);
    if (!Number.isInteger(p.weight) || p.weight < 1 || p.weight > 100) {
      problems.add('preferred-weight-range', at, `${path}.weight`, `weight ${p.weight} is not in 1-100`);
    }
    return { weight: p.weight, preference: checkSelector(p.preference, at, `${path}.preference`, problems) };
  });
  const ad: L2Advertisement = {
    name: at.name,
    nodeSelectors,
    interfaces: [...(spec.interfaces ?? [])],
    serviceSelectors,
    preferredNodeSelectors: preferred,
  };
  return { ad, pools: selectPools(spec.ipAddressPools, poolSelectors, pools, at, problems) };
}

/** Advertisements that behave the same (no preferences, same nodes, interfaces and services) count once. */
export function l2AdvertisementKey(ad: L2Advertisement): string | undefined {
  if (ad.preferredNodeSelectors.length > 0) return undefined;
  const sel = (list: L2Advertisement['nodeSelectors']) => list.map(selectorKey).sort().join(' | ');
  return JSON.stringify([sel(ad.nodeSelectors), [...new Set(ad.interfaces)].sort(), sel(ad.serviceSelectors)]);
}
