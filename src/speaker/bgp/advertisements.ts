/**
 * MetalLB's per-Service BGP decision on one node (metallb-behaviour.md §6.2, `speaker/bgp_controller.go`), pure:
 * from (config, this node, the Service, its endpoints) to the prefixes this node announces, each with its
 * LOCAL_PREF, communities and the peers it goes to; then the union over Services, per peer.
 *
 *  1. no BGPAdvertisement of the pool admits this node               -> notOwner
 *  2. ads = those that admit this node and match the Service's labels  -> none: noMatchingAdvertisement
 *  3. two ads disagree on LOCAL_PREF for the same prefix and peers    -> conflictingAdvertisements
 *  4. this node is NetworkUnavailable / has the exclude label         -> nodeNetworkUnavailable / nodeLabeledExcludeBalancers
 *  5. ETP Local without a serving endpoint (with addresses) here      -> noLocalEndpoints; none anywhere -> noEndpoints
 *  6. every IP x every ad: the IP masked to aggregationLength(V6), the ad's localPref and communities, its peers
 *
 * Identical prefixes from several Services or ads are merged: communities united, the highest LOCAL_PREF kept.
 */
import { anySelectorMatches, type Labels } from '../../api/label-selector.js';
import { selectorsAdmit } from '../../config/node-selection.js';
import { localPrefCompatible } from '../../config/local-pref.js';
import type { BgpAdvertisement, Config, Peer } from '../../config/types.js';
import { cidrContains, formatCidr, maskIp, type Cidr, type IpAddress, type IpFamily } from '../../lib/ip.js';
import type { LargeCommunity } from '../../protocol/bgp/community.js';
import { normalizeCommunities, normalizeLargeCommunities, type Advertisement } from './advertisement.js';

export const excludeFromLoadBalancersLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface BgpNode {
  readonly name: string;
  readonly labels: Labels;
  /** The Node's `NetworkUnavailable` condition is `True`. */
  readonly networkUnavailable: boolean;
}

export interface BgpService {
  readonly labels: Labels;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** `status.loadBalancer.ingress` IPs. */
  readonly ips: readonly IpAddress[];
  /** The pool the IPs come from (`poolOfIps`, or MetalLB's allocation annotation). */
  readonly pool: string;
}

/** An EndpointSlice endpoint, as much as the decision reads. */
export interface BgpEndpoint {
  readonly nodeName?: string | undefined;
  readonly addresses: readonly string[];
  readonly conditions: { readonly ready?: boolean | null | undefined; readonly serving?: boolean | null | undefined };
}

export type BgpWithdrawReason =
  | 'notOwner' | 'noMatchingAdvertisement' | 'conflictingAdvertisements' | 'nodeNetworkUnavailable'
  | 'nodeLabeledExcludeBalancers' | 'noLocalEndpoints' | 'noEndpoints';

/** One prefix of one Service, with the peers it goes to (empty = every peer). */
export interface ServicePrefix {
  readonly prefix: Cidr;
  /** 0 = not set (MetalLB). */
  readonly localPref: number;
  readonly communities: readonly number[];
  readonly largeCommunities: readonly LargeCommunity[];
  readonly peers: readonly string[];
}

export type BgpServiceDecision =
  | { readonly announce: false; readonly reason: BgpWithdrawReason }
  | { readonly announce: true; readonly prefixes: readonly ServicePrefix[] };

export interface BgpDecisionOptions {
  /** MetalLB `--ignore-exclude-lb`. */
  readonly ignoreExcludeLabel?: boolean;
}

/** MetalLB's "can serve" for BGP: ready unset/true or serving, and at least one address. */
export function endpointServes(e: BgpEndpoint): boolean {
  const { ready, serving } = e.conditions;
  return e.addresses.length > 0 && (ready === undefined || ready === null || ready || serving === true);
}

/** The pool holding every one of `ips` (first in name order), or undefined. */
export function poolOfIps(config: Pick<Config, 'pools'>, ips: readonly IpAddress[]): string | undefined {
  if (ips.length === 0) return undefined;
  for (const pool of config.pools.values()) if (ips.every((ip) => pool.cidrs.some((c) => cidrContains(c, ip)))) return pool.name;
  return undefined;
}

function familiesOf(ips: readonly IpAddress[]): Set<IpFamily> {
  return new Set(ips.map((ip) => ip.family));
}

function prefixesFor(ip: IpAddress, ad: BgpAdvertisement): ServicePrefix {
  const communities: number[] = [];
  const large: LargeCommunity[] = [];
  for (const c of ad.communities) {
    if (c.kind === 'standard') communities.push(c.value);
    else large.push({ globalAdmin: c.globalAdministrator, localData1: c.localData1, localData2: c.localData2 });
  }
  return {
    prefix: maskIp(ip, ip.family === 'IPv4' ? ad.aggregationLength : ad.aggregationLengthV6),
    localPref: ad.localPref, communities: normalizeCommunities(communities), largeCommunities: normalizeLargeCommunities(large), peers: ad.peers,
  };
}

/** Steps 1-6 for one Service on one node. */
export function bgpDecision(config: Pick<Config, 'advertisements'>, node: BgpNode, service: BgpService,
  endpoints: readonly BgpEndpoint[], options: BgpDecisionOptions = {}): BgpServiceDecision {
  const poolAds = (config.advertisements.get(service.pool)?.bgp ?? []).filter((ad) => selectorsAdmit(ad.nodeSelectors, node.labels));
  if (poolAds.length === 0) return { announce: false, reason: 'notOwner' };
  const ads = poolAds.filter((ad) => ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, service.labels));
  if (ads.length === 0) return { announce: false, reason: 'noMatchingAdvertisement' };
  const families = familiesOf(service.ips);
  for (let i = 0; i < ads.length; i++) {
    for (let j = i + 1; j < ads.length; j++) {
      if (!localPrefCompatible(ads[i] as BgpAdvertisement, ads[j] as BgpAdvertisement, families, [node])) return { announce: false, reason: 'conflictingAdvertisements' };
    }
  }
  if (node.networkUnavailable) return { announce: false, reason: 'nodeNetworkUnavailable' };
  if (options.ignoreExcludeLabel !== true && Object.hasOwn(node.labels, excludeFromLoadBalancersLabel)) {
    return { announce: false, reason: 'nodeLabeledExcludeBalancers' };
  }
  const serving = endpoints.filter(endpointServes);
  if (service.externalTrafficPolicy === 'Local' && !serving.some((e) => e.nodeName === node.name)) return { announce: false, reason: 'noLocalEndpoints' };
  if (serving.length === 0) return { announce: false, reason: 'noEndpoints' };
  return { announce: true, prefixes: service.ips.flatMap((ip) => ads.map((ad) => prefixesFor(ip, ad))) };
}

/** The BGPPeers that run a session on this node: no nodeSelectors, or one matching the node. */
export function peersForNode(config: Pick<Config, 'peers'>, node: Pick<BgpNode, 'labels'>): Peer[] {
  return [...config.peers.values()].filter((p) => selectorsAdmit(p.nodeSelectors, node.labels));
}

/**
 * The desired advertisements per peer name, from every announced Service's prefixes: each prefix goes to the
 * peers its ad lists (or all of `peerNames`); identical prefixes merge.
 */
export function advertisementsPerPeer(prefixes: Iterable<ServicePrefix>, peerNames: readonly string[]): Map<string, Advertisement[]> {
  const merged = new Map<string, Map<string, { prefix: Cidr; localPref: number; communities: Set<number>; large: LargeCommunity[] }>>();
  for (const name of peerNames) merged.set(name, new Map());
  for (const sp of prefixes) {
    const key = formatCidr(sp.prefix);
    for (const name of sp.peers.length === 0 ? peerNames : sp.peers) {
      const table = merged.get(name);
      if (table === undefined) continue;
      const cur = table.get(key);
      if (cur === undefined) {
        table.set(key, { prefix: sp.prefix, localPref: sp.localPref, communities: new Set(sp.communities), large: [...sp.largeCommunities] });
      } else {
        cur.localPref = Math.max(cur.localPref, sp.localPref);
        for (const c of sp.communities) cur.communities.add(c);
        cur.large.push(...sp.largeCommunities);
      }
    }
  }
  const out = new Map<string, Advertisement[]>();
  for (const [name, table] of merged) {
    out.set(name, [...table.values()].map((m) => {
      const ad: Advertisement = { prefix: m.prefix, communities: normalizeCommunities(m.communities), largeCommunities: normalizeLargeCommunities(m.large) };
      return m.localPref === 0 ? ad : { ...ad, localPref: m.localPref };
    }));
  }
  return out;
}
