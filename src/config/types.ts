/**
 * The validated, immutable configuration that `config.build()` produces from the metallb.io objects.
 * This is the contract between config/ (which builds it) and ipam/, controller/ and speaker/ (which read it).
 * Everything here is plain readonly data; selectors that MetalLB resolves at parse time (namespaceSelectors)
 * are already resolved. Node selectors stay selectors: the speaker's decisions are pure functions of
 * (config, nodes, service, endpoints), so a node label change needs no rebuild (see `node-selection.ts`).
 */
import type { LabelSelector, Labels } from '../api/label-selector.js';
import type { Cidr, IpAddress } from '../lib/ip.js';
import type { BgpCommunity } from './community.js';

export interface ServiceAllocation {
  /** Lower is tried first; 0 (unset) is tried last. */
  readonly priority: number;
  /** `namespaces` plus the namespaces matched by `namespaceSelectors` at build time; empty = no restriction. */
  readonly namespaces: ReadonlySet<string>;
  /**
   * A Service must match at least one; empty = no restriction. When the CR sets none of namespaces,
   * namespaceSelectors and serviceSelectors (e.g. only a priority), build() puts one empty selector here, which
   * matches every Service: MetalLB's implicit match-all that pins the pool for every Service (§4.2).
   */
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface Pool {
  readonly name: string;
  readonly labels: Labels;
  /** In spec order; ranges expanded to their minimal CIDR cover; host bits masked. */
  readonly cidrs: readonly Cidr[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  /** Present (even when empty in the CR) changes pool choice; see metallb-behaviour.md §4.2. */
  readonly serviceAllocation?: ServiceAllocation;
}

/** A soft preference of an L2Advertisement: a node matching `preference` scores `weight` (1-100). */
export interface PreferredNodeSelector {
  readonly weight: number;
  readonly preference: LabelSelector;
}

/** An L2Advertisement (metallb-behaviour.md §2.2, §5.1). */
export interface L2Advertisement {
  readonly name: string;
  /** Nodes that may announce: any selector matches; empty = every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** Interfaces to announce on; empty = every (non-excluded) interface. */
  readonly interfaces: readonly string[];
  /** Services announced: any selector matches; empty = every Service of the pool. */
  readonly serviceSelectors: readonly LabelSelector[];
  /** Election preferences, scored only on nodes this advertisement's nodeSelectors admit. */
  readonly preferredNodeSelectors: readonly PreferredNodeSelector[];
}

/** A BGPAdvertisement (metallb-behaviour.md §2.3, §6.2). */
export interface BgpAdvertisement {
  readonly name: string;
  /** IPv4 prefix length announced (1-32; 32 = the Service IP itself). */
  readonly aggregationLength: number;
  /** IPv6 prefix length announced (0-128; 128 = the Service IP itself). */
  readonly aggregationLengthV6: number;
  /** LOCAL_PREF for iBGP peers; 0 = not sent. */
  readonly localPref: number;
  /** Aliases resolved, duplicates removed, sorted as MetalLB sorts them (standard as `value:0:0` large). */
  readonly communities: readonly BgpCommunity[];
  /** Nodes that announce (next hops): any selector matches; empty = every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** BGPPeer names this advertisement goes to; empty = every peer. */
  readonly peers: readonly string[];
  /** Services announced: any selector matches; empty = every Service of the pool. */
  readonly serviceSelectors: readonly LabelSelector[];
}

/** The advertisements attached to one pool, in advertisement name order. */
export interface PoolAdvertisements {
  /** Identical L2 advertisements without preferences are attached once (MetalLB's de-duplication). */
  readonly l2: readonly L2Advertisement[];
  readonly bgp: readonly BgpAdvertisement[];
}

/** The remote AS: a number, or any AS equal to (internal) or different from (external) myASN. */
export type RemoteAsn =
  | { readonly kind: 'fixed'; readonly asn: number }
  | { readonly kind: 'dynamic'; readonly mode: 'internal' | 'external' };

/** Where the session goes: an address, or unnumbered over an interface. */
export type PeerTarget =
  | { readonly kind: 'address'; readonly address: IpAddress }
  | { readonly kind: 'interface'; readonly interface: string };

/**
 * Hold and keepalive times in whole seconds (truncated, as MetalLB hands them to FRR); when the CR sets one,
 * the other is derived (hold = 3 x keepalive, keepalive = hold / 3).
 */
export interface BgpTimers {
  /** 0 (no keepalives) or >= 3. */
  readonly holdTimeSec: number;
  /** <= holdTimeSec. */
  readonly keepaliveTimeSec: number;
}

/** A BGPPeer (metallb-behaviour.md §2.4). */
export interface Peer {
  readonly name: string;
  readonly myASN: number;
  readonly remoteASN: RemoteAsn;
  /** The AS presented to this peer instead of myASN. */
  readonly localASN?: number;
  readonly target: PeerTarget;
  readonly sourceAddress?: IpAddress;
  readonly port: number;
  /** Unset: the speaker's defaults (hold 90 s, keepalive 30 s). */
  readonly timers?: BgpTimers;
  /** Interval between connection attempts, whole seconds 1-65535. */
  readonly connectTimeSec?: number;
  /** An IPv4 address (BGP identifiers are 32 bits); unset = chosen by the speaker. */
  readonly routerID?: IpAddress;
  /** Nodes that establish this session: any selector matches; empty = every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** The TCP MD5 password, from `password` or from the `passwordSecret` Secret. */
  readonly password?: string;
  /** Where the password came from, for diagnostics. */
  readonly passwordSecret?: { readonly name: string; readonly namespace?: string };
  /** Name of a BFD profile in `Config.bfdProfiles`. */
  readonly bfdProfile?: string;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  readonly vrf?: string;
  readonly dualStackAddressFamily: boolean;
  /** Deprecated in MetalLB, no effect; kept so tools can warn. */
  readonly disableMP: boolean;
}

/** A BFDProfile with its defaults applied (the values FRR uses for unset fields). */
export interface BfdProfile {
  readonly name: string;
  readonly receiveIntervalMs: number;
  readonly transmitIntervalMs: number;
  readonly detectMultiplier: number;
  readonly echoIntervalMs: number;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  readonly minimumTtl: number;
}

/**
 * The whole configuration. Every map iterates in name order.
 */
export interface Config {
  readonly pools: ReadonlyMap<string, Pool>;
  /** Pool name -> the advertisements that apply to it; every pool has an entry (possibly empty). */
  readonly advertisements: ReadonlyMap<string, PoolAdvertisements>;
  readonly l2Advertisements: ReadonlyMap<string, L2Advertisement>;
  readonly bgpAdvertisements: ReadonlyMap<string, BgpAdvertisement>;
  readonly peers: ReadonlyMap<string, Peer>;
  readonly bfdProfiles: ReadonlyMap<string, BfdProfile>;
  /** Community aliases from the Community objects, resolved. */
  readonly communities: ReadonlyMap<string, BgpCommunity>;
}
