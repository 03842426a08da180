/**
 * What `build()` reads: the metallb.io objects (schema-valid, defaults applied: see api/object-validator.ts)
 * and the core objects it needs. This is MetalLB's `ClusterResources` (metallb-behaviour.md §1.2).
 */
import type { V1Namespace, V1Node, V1Secret } from '@kubernetes/client-node';
import type { BFDProfile } from '../api/schema/bfd-profile.js';
import type { BGPAdvertisement } from '../api/schema/bgp-advertisement.js';
import type { BGPPeer } from '../api/schema/bgp-peer.js';
import type { Community } from '../api/schema/community.js';
import type { IPAddressPool } from '../api/schema/ip-address-pool.js';
import type { L2Advertisement } from '../api/schema/l2-advertisement.js';

export interface ClusterResources {
  readonly pools: readonly IPAddressPool[];
  readonly l2Advertisements: readonly L2Advertisement[];
  readonly bgpAdvertisements: readonly BGPAdvertisement[];
  /** v1beta2 (v1beta1 objects are converted first, see api/bgp-peer-conversion.ts). */
  readonly peers: readonly BGPPeer[];
  readonly bfdProfiles: readonly BFDProfile[];
  readonly communities: readonly Community[];
  /** Secrets of the MetalLB namespace (BGPPeer passwordSecret). `data` values are base64 as the API returns them. */
  readonly secrets: readonly V1Secret[];
  /** For namespaceSelectors. */
  readonly namespaces: readonly V1Namespace[];
  /** For the rules that depend on which nodes a selector picks (localPref, FRR peer rules). */
  readonly nodes: readonly V1Node[];
}

export const resourceKinds = {
  pools: 'IPAddressPool',
  l2Advertisements: 'L2Advertisement',
  bgpAdvertisements: 'BGPAdvertisement',
  peers: 'BGPPeer',
  bfdProfiles: 'BFDProfile',
  communities: 'Community',
  secrets: 'Secret',
  namespaces: 'Namespace',
  nodes: 'Node',
} as const satisfies Record<keyof ClusterResources, string>;

export function emptyResources(): ClusterResources {
  return {
    pools: [], l2Advertisements: [], bgpAdvertisements: [], peers: [], bfdProfiles: [], communities: [],
    secrets: [], namespaces: [], nodes: [],
  };
}
