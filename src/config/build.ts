/**
 * `build(resources) -> { config } | { errors }`: the whole MetalLB configuration check (metallb-behaviour.md
 * §2.9), pure, reporting every problem at once with kind, name and field path. Inputs are read in name order
 * per kind, as MetalLB sorts them, so results do not depend on list order.
 */
import type { V1Namespace, V1Node } from '@kubernetes/client-node';
import { checkBfdEchoIpv6 } from './bfd-echo.js';
import { parseBfdProfile } from './bfd-profiles.js';
import { checkAggregationVsPool, checkLocalPrefs, type ParsedBgpAdvertisement, parseBgpAdvertisement } from './bgp-advertisements.js';
import { parseCommunityAliases } from './community-aliases.js';
import { l2AdvertisementKey, parseL2Advertisement } from './l2-advertisements.js';
import type { NodeLabels } from './node-selection.js';
import { checkPeerPairs, type PeerForPairRules } from './peer-pair-rules.js';
import { parsePeer } from './peers.js';
import { indexPools } from './pool-selection.js';
import { checkOverlaps, type ParsedPool, parsePool } from './pools.js';
import { type ConfigProblem, type ObjectRef, ProblemList } from './problems.js';
import { type ClusterResources, resourceKinds } from './resources.js';
import type { BfdProfile, Config, L2Advertisement, Peer, PoolAdvertisements } from './types.js';

export type BuildResult =
  | { readonly config: Config; readonly errors?: undefined; readonly warnings: readonly ConfigProblem[] }
  | { readonly config?: undefined; readonly errors: readonly ConfigProblem[]; readonly warnings: readonly ConfigProblem[] };

type Named = { readonly metadata?: { readonly name?: string } };

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Object names are DNS-1123 subdomains, as the API server requires. */
function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && dnsSubdomain.test(name);
}

/** The objects of one kind in name order, each with its ref; missing names and duplicates reported. */
function inNameOrder<T extends Named>(
  list: readonly T[] | undefined,
  kind: string,
  problems: ProblemList,
): { readonly obj: T; readonly ref: ObjectRef }[] {
  const items = (list ?? []).map((obj, index) => ({ obj, ref: { kind, name: obj.metadata?.name ?? '', index } }));
  items.sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : a.ref.index - b.ref.index));
  const seen = new Set<string>();
  return items.filter(({ ref }) => {
    if (ref.name === '') {
      problems.add('object-name', ref, 'metadata.name', 'name is missing');
      return false;
    }
    if (!isDnsSubdomain(ref.name)) {
      problems.add('object-name', ref, 'metadata.name',
        `"${ref.name}" is not a valid name: lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most 253 characters`);
    }
    if (seen.has(ref.name)) {
      problems.add('duplicate-name', ref, 'metadata.name', `another ${kind} is named "${ref.name}"`);
      return false;
    }
    seen.add(ref.name);
    return true;
  });
}

function labelsOf(objects: readonly (V1Node | V1Namespace)[] | undefined): NodeLabels[] {
  return (objects ?? []).map((o) => ({ name: o.metadata?.name ?? '', labels: o.metadata?.labels ?? {} }));
}

function attach(
  pools: readonly ParsedPool[],
  l2: readonly { ad: L2Advertisement; pools: readonly ParsedPool[] }[],
  bgp: readonly ParsedBgpAdvertisement[],
  nodes: readonly NodeLabels[],
  problems: ProblemList,
): Map<string, PoolAdvertisements> {
  const l2ByPool = new Map<ParsedPool, L2Advertisement[]>(pools.map((p) => [p, []]));
  const bgpByPool = new Map<ParsedPool, ParsedBgpAdvertisement[]>(pools.map((p) => [p, []]));
  for (const ad of l2) for (const pool of ad.pools) l2ByPool.get(pool)?.push(ad.ad);
  for (const ad of bgp) for (const pool of ad.pools) bgpByPool.get(pool)?.push(ad);
  const out = new Map<string, PoolAdvertisements>();
  const localPrefReported = new Set<string>();
  for (const pool of pools) {
    const keys = new Set<string>();
    const l2Ads = (l2ByPool.get(pool) ?? []).filter((ad) => {
      const key = l2AdvertisementKey(ad);
      if (key === undefined) return true;
      if (keys.has(key)) return false;
      keys.add(key);
      return true;
    });
    const bgpAds = bgpByPool.get(pool) ?? [];
    for (const ad of bgpAds) checkAggregationVsPool(ad, pool, problems);
    checkLocalPrefs(pool, bgpAds, nodes, localPrefReported, problems);
    out.set(pool.pool.name, { l2: l2Ads, bgp: bgpAds.map((a) => a.ad) });
  }
  return out;
}

/** Builds the configuration, or returns every error found. Never throws on bad input. */
export function build(resources: Partial<ClusterResources>): BuildResult {
  const problems = new ProblemList();
  const nodes = labelsOf(resources.nodes);
  const namespaces = labelsOf(resources.namespaces);

  const bfdProfiles = new Map<string, BfdProfile>();
  for (const { obj, ref } of inNameOrder(resources.bfdProfiles, resourceKinds.bfdProfiles, problems)) {
    bfdProfiles.set(ref.name, parseBfdProfile(obj, ref, problems));
  }
  const aliases = parseCommunityAliases(inNameOrder(resources.communities, resourceKinds.communities, problems), problems);

  const pools = inNameOrder(resources.pools, resourceKinds.pools, problems).map(({ obj, ref }) => parsePool(obj, ref, namespaces, problems));
  checkOverlaps(pools, problems);

  const poolIndex = indexPools(pools);
  const l2 = inNameOrder(resources.l2Advertisements, resourceKinds.l2Advertisements, problems)
    .map(({ obj, ref }) => parseL2Advertisement(obj, ref, poolIndex, problems));
  const bgp = inNameOrder(resources.bgpAdvertisements, resourceKinds.bgpAdvertisements, problems)
    .map(({ obj, ref }) => parseBgpAdvertisement(obj, ref, poolIndex, aliases, problems));

  const peerContext = { secrets: resources.secrets ?? [], bfdProfileNames: new Set(bfdProfiles.keys()) };
  const peers: PeerForPairRules[] = inNameOrder(resources.peers, resourceKinds.peers, problems)
    .map(({ obj, ref }) => ({ obj, ref, peer: parsePeer(obj, ref, peerContext, problems) }));
  checkPeerPairs(peers, nodes, problems);
  warnUnknownPeers(bgp, new Set(peers.map((p) => p.ref.name)), problems);

  const advertisements = attach(pools, l2, bgp, nodes, problems);
  const peerMap = new Map<string, Peer>(peers.map((p) => [p.ref.name, p.peer]));
  checkBfdEchoIpv6(bgp, peerMap, bfdProfiles, problems);

  if (problems.errors.length > 0) return { errors: problems.errors, warnings: problems.warnings };
  return {
    config: {
      pools: new Map(pools.map((p) => [p.pool.name, p.pool])),
      advertisements,
      l2Advertisements: new Map(l2.map((a) => [a.ad.name, a.ad])),
      bgpAdvertisements: new Map(bgp.map((a) => [a.ad.name, a.ad])),
      peers: peerMap,
      bfdProfiles,
      communities: aliases,
    },
    warnings: problems.warnings,
  };
}

function warnUnknownPeers(ads: readonly ParsedBgpAdvertisement[], peerNames: ReadonlySet<string>, problems: ProblemList): void {
  for (const ad of ads) {
    ad.ad.peers.forEach((name, i) => {
      if (!peerNames.has(name)) problems.add('unknown-peer-reference', ad.ref, `spec.peers[${i}]`, `no BGPPeer named "${name}"`);
    });
  }
}
