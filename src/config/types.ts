/**
 * The validated, immutable configuration that `config.build()` produces from the metallb.io objects.
 * This is the contract between config/ (which builds it) and ipam/, controller/ and speaker/ (which read it).
 * Everything here is plain readonly data; selectors that MetalLB resolves at parse time (namespaceSelectors)
 * are already resolved.
 */
import type { LabelSelector, Labels } from '../api/label-selector.js';
import type { Cidr } from '../lib/ip.js';

export interface ServiceAllocation {
  /** Lower is tried first; 0 (unset) is tried last. */
  readonly priority: number;
  /** `namespaces` plus the namespaces matched by `namespaceSelectors` at build time; empty = no restriction. */
  readonly namespaces: ReadonlySet<string>;
  /** A Service must match at least one; empty = no restriction. */
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

/**
 * The whole configuration. `pools` iterates in name order. The foundation issue extends this with
 * advertisements, peers, BFD profiles and communities.
 */
export interface Config {
  readonly pools: ReadonlyMap<string, Pool>;
}
