/**
 * The rules MetalLB's FRR modes apply to every pair of peers that run on a common node (metallb-behaviour.md
 * §2.9 "frr / frr-k8s"): one router ID per node, one session per address (or interface) and VRF, one myASN per
 * VRF. With no nodes known, peers are assumed to share one, as MetalLB does.
 */
import type { BGPPeer } from '../api/schema/bgp-peer.js';
import { canonicalIp } from '../lib/ip.js';
import { type NodeLabels, selectorsShareNode } from './node-selection.js';
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

export function checkPeerPairs(peers: readonly PeerForPairRules[], nodes: readonly NodeLabels[], problems: ProblemList): void {
  peers.forEach((later, i) => {
    for (const earlier of peers.slice(0, i)) {
      if (!selectorsShareNode(later.peer.nodeSelectors, earlier.peer.nodeSelectors, nodes, true)) continue;
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
