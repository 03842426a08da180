/**
 * The rules MetalLB's FRR modes apply to every pair of peers that run on a common node (metallb-behaviour.md
 * §2.9 "frr / frr-k8s"): one router ID per node, one session per address (or interface) and VRF, one myASN per
 * VRF. With no nodes known, peers are assumed to share one, as MetalLB does.
 */
import type { BGPPeer } from '../api/schema/bgp-peer.js';
import { canonicalIp } from '../lib/ip.js';
import { type NodeLabels, selectedNodeNames, selectorsShareNode } from './node-selection.js';
import type { ObjectRef, ProblemList } from './problems.js';
import type { Peer } from './types.js';

export interface PeerForPairRules {
  readonly ref: ObjectRef;
  readonly obj: BGPPeer;
  readonly peer: Peer;
}

function routerIdText(obj: BGPPeer): string {
  const raw = obj.spec?.routerID ?? '';
  return canonicalIp(raw) ?? raw;
}

/** The session identity: address or interface, suffixed with the VRF when there is one. */
export function peerIdentifier(obj: BGPPeer): string {
  const address = obj.spec?.peerAddress ?? '';
  const id = address === '' ? (obj.spec?.interface ?? '') : (canonicalIp(address) ?? address);
  const vrf = obj.spec?.vrf ?? '';
  return vrf === '' ? id : `${id}-${vrf}`;
}

/** Whether two peers may run on a common node; each peer's node set is computed once. */
function sharingTest(peers: readonly PeerForPairRules[], nodes: readonly NodeLabels[]): (i: number, j: number) => boolean {
  if (nodes.length === 0) return () => selectorsShareNode([], [], nodes, true);
  const sets = peers.map((p) => selectedNodeNames(p.peer.nodeSelectors, nodes));
  return (i, j) => {
    const [a, b] = [sets[i] ?? new Set<string>(), sets[j] ?? new Set<string>()];
    const [small, large] = a.size <= b.size ? [a, b] : [b, a];
    for (const name of small) if (large.has(name)) return true;
    return false;
  };
}

export function checkPeerPairs(peers: readonly PeerForPairRules[], nodes: readonly NodeLabels[], problems: ProblemList): void {
  const share = sharingTest(peers, nodes);
  peers.forEach((later, i) => {
    for (const [j, earlier] of peers.slice(0, i).entries()) {
      if (!share(i, j)) continue;
      const other = `BGPPeer "${earlier.ref.name}"`;
      if (routerIdText(later.obj) !== routerIdText(earlier.obj)) {
        problems.add('peer-router-id-conflict', later.ref, 'spec.routerID',
          `routerID "${later.obj.spec?.routerID ?? ''}" differs from "${earlier.obj.spec?.routerID ?? ''}" of ${other}; peers on one node share one router ID`);
      }
      if (peerIdentifier(later.obj) === peerIdentifier(earlier.obj)) {
        problems.add('peer-duplicate-session', later.ref, later.obj.spec?.peerAddress ? 'spec.peerAddress' : 'spec.interface',
          `same session as ${other} (${peerIdentifier(later.obj)}) on a common node`);
      }
      if (later.peer.myASN !== earlier.peer.myASN && (later.obj.spec?.vrf ?? '') === (earlier.obj.spec?.vrf ?? '')) {
        problems.add('peer-my-asn-conflict', later.ref, 'spec.myASN',
          `myASN ${later.peer.myASN} differs from ${earlier.peer.myASN} of ${other}; peers on one node and VRF share one AS`);
      }
    }
  });
}
