/**
 * BGPAdvertisement objects -> `BgpAdvertisement`s attached to their pools (metallb-behaviour.md §2.3), with
 * the per-pool rules: aggregation length vs the pool's prefixes, and LOCAL_PREF consistency.
 */
import type { BGPAdvertisement as BgpAdvertisementObject } from '../api/schema/bgp-advertisement.js';
import { joinPath } from '../api/field-path.js';
import { type BgpCommunity, compareCommunities, communitiesEqual, parseCommunity } from './community.js';
import { localPrefCompatible } from './local-pref.js';
import type { NodeLabels } from './node-selection.js';
import { type PoolIndex, selectPools } from './pool-selection.js';
import type { ParsedPool } from './pools.js';
import type { ObjectRef, ProblemList } from './problems.js';
import { checkNoDuplicates, checkSelectorList } from './selectors.js';
import type { BgpAdvertisement } from './types.js';

export interface ParsedBgpAdvertisement {
  readonly ref: ObjectRef;
  readonly ad: BgpAdvertisement;
  readonly pools: readonly ParsedPool[];
}

function resolveCommunities(
  texts: readonly string[],
  aliases: ReadonlyMap<string, BgpCommunity>,
  at: ObjectRef,
  problems: ProblemList,
): BgpCommunity[] {
  const out: BgpCommunity[] = [];
  texts.forEach((text, i) => {
    const path = joinPath('spec.communities', i);
    const alias = aliases.get(text);
    const parsed = alias === undefined ? parseCommunity(text) : { community: alias };
    if ('invalid' in parsed) problems.add('community-syntax', at, path, parsed.invalid);
    else if ('notLiteral' in parsed) {
      problems.add('community-unknown-alias', at, path, `"${text}" is neither A:B, large:A:B:C nor a Community alias`);
    } else if (!out.some((c) => communitiesEqual(c, parsed.community))) out.push(parsed.community);
  });
  return out.sort(compareCommunities);
}

function checkLengths(spec: NonNullable<BgpAdvertisementObject['spec']>, at: ObjectRef, problems: ProblemList): void {
  const v4 = spec.aggregationLength;
  const v6 = spec.aggregationLengthV6;
  if (v4 < 1 || v4 > 32) problems.add('aggregation-length-range', at, 'spec.aggregationLength', `${v4} is not in 1-32`);
  if (v6 < 0 || v6 > 128) problems.add('aggregation-length-range', at, 'spec.aggregationLengthV6', `${v6} is not in 0-128`);
  if ((spec.serviceSelectors?.length ?? 0) > 0 && (v4 !== 32 || v6 !== 128)) {
    problems.add('aggregation-with-service-selectors', at, 'spec.serviceSelectors',
      'serviceSelectors can only be used with the default aggregationLength (32) and aggregationLengthV6 (128)');
  }
  const localPref = spec.localPref ?? 0;
  if (localPref < 0 || localPref > 0xffffffff) {
    problems.add('local-pref-range', at, 'spec.localPref', `${localPref} is not in 0-4294967295`);
  }
}

export function parseBgpAdvertisement(
  obj: BgpAdvertisementObject,
  at: ObjectRef,
  pools: PoolIndex,
  aliases: ReadonlyMap<string, BgpCommunity>,
  problems: ProblemList,
): ParsedBgpAdvertisement {
  const spec = obj.spec ?? { aggregationLength: 32, aggregationLengthV6: 128 };
  checkNoDuplicates(spec.ipAddressPools, 'list-duplicate', at, 'spec.ipAddressPools', problems);
  checkNoDuplicates(spec.communities, 'list-duplicate', at, 'spec.communities', problems);
  checkNoDuplicates(spec.peers, 'list-duplicate', at, 'spec.peers', problems);
  const poolSelectors = checkSelectorList(spec.ipAddressPoolSelectors, at, 'spec.ipAddressPoolSelectors', problems);
  checkLengths(spec, at, problems);
  const ad: BgpAdvertisement = {
    name: at.name,
    aggregationLength: spec.aggregationLength,
    aggregationLengthV6: spec.aggregationLengthV6,
    localPref: spec.localPref ?? 0,
    communities: resolveCommunities(spec.communities ?? [], aliases, at, problems),
    nodeSelectors: checkSelectorList(spec.nodeSelectors, at, 'spec.nodeSelectors', problems),
    peers: [...(spec.peers ?? [])],
    serviceSelectors: checkSelectorList(spec.serviceSelectors, at, 'spec.serviceSelectors', problems),
  };
  return { ref: at, ad, pools: selectPools(spec.ipAddressPools, poolSelectors, pools, at, problems) };
}

/** §2.9 #9: masking an IP to the aggregation length must not reach outside its address entry. */
export function checkAggregationVsPool(ad: ParsedBgpAdvertisement, pool: ParsedPool, problems: ProblemList): void {
  for (const entry of pool.entries) {
    const first = entry.cidrs[0];
    if (first === undefined) continue;
    const widest = Math.min(...entry.cidrs.map((c) => c.prefixLength));
    const v4 = first.family === 'IPv4';
    const length = v4 ? ad.ad.aggregationLength : ad.ad.aggregationLengthV6;
    if (length < widest) {
      problems.add('aggregation-length-vs-pool', ad.ref, v4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6',
        `${length} is shorter than the /${widest} of address "${entry.text}" in pool "${pool.pool.name}": ` +
        'the announced prefix would cover addresses outside the pool');
    }
  }
}

/** §2.9 #11, per pool, for the advertisements without serviceSelectors; each conflicting pair reported once. */
export function checkLocalPrefs(
  pool: ParsedPool,
  ads: readonly ParsedBgpAdvertisement[],
  nodes: readonly NodeLabels[],
  reported: Set<string>,
  problems: ProblemList,
): void {
  const plain = ads.filter((a) => a.ad.serviceSelectors.length === 0);
  plain.forEach((later, i) => {
    for (const earlier of plain.slice(0, i)) {
      if (localPrefCompatible(later.ad, earlier.ad, pool.families, nodes)) continue;
      const pair = `${earlier.ad.name}\u0000${later.ad.name}`;
      if (reported.has(pair)) continue;
      reported.add(pair);
      problems.add('local-pref-conflict', later.ref, 'spec.localPref',
        `localPref ${later.ad.localPref} conflicts with BGPAdvertisement "${earlier.ad.name}" (localPref ` +
        `${earlier.ad.localPref}) on pool "${pool.pool.name}": same prefixes to the same peers from the same nodes`);
    }
  });
}
