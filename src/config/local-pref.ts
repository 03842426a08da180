/**
 * The LOCAL_PREF consistency rule (metallb-behaviour.md §2.3): two BGP advertisements that announce the same
 * prefix to the same peer from the same node must agree on localPref. build() applies it per pool to the
 * advertisements without serviceSelectors; the speaker applies it per Service (§6.2 step 3).
 */
import type { IpFamily } from '../lib/ip.js';
import { type NodeLabels, selectorsShareNode } from './node-selection.js';
import type { BgpAdvertisement } from './types.js';

/** True when the aggregation lengths differ for every family present (so the prefixes differ). */
function aggregationDiffers(a: BgpAdvertisement, b: BgpAdvertisement, families: ReadonlySet<IpFamily>): boolean {
  const v4 = families.has('IPv4');
  const v6 = families.has('IPv6');
  if (!v4 && !v6) return true;
  const v4Differs = a.aggregationLength !== b.aggregationLength;
  const v6Differs = a.aggregationLengthV6 !== b.aggregationLengthV6;
  if (v4 && v6) return v4Differs && v6Differs;
  return v4 ? v4Differs : v6Differs;
}

function peersDisjoint(a: BgpAdvertisement, b: BgpAdvertisement): boolean {
  return a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((p) => b.peers.includes(p));
}

/**
 * Whether `a` and `b`, both applying to a pool of `families`, may have different localPref: yes when they
 * agree, or their prefixes differ, or their peers are disjoint, or no node runs both. `nodes` empty means
 * unknown: then only two advertisements that both select every node are known to share one.
 */
export function localPrefCompatible(
  a: BgpAdvertisement,
  b: BgpAdvertisement,
  families: ReadonlySet<IpFamily>,
  nodes: readonly NodeLabels[],
): boolean {
  if (a.localPref === b.localPref) return true;
  if (aggregationDiffers(a, b, families)) return true;
  if (peersDisjoint(a, b)) return true;
  return !selectorsShareNode(a.nodeSelectors, b.nodeSelectors, nodes, false);
}
