/**
 * A validated BGPPeer (config's `Peer`) as the session driver takes it. Fields this speaker does not do yet are
 * refused with a reason (unnumbered peering, VRF) or reported (BFD), so the caller can say so.
 */
import { formatIp } from '../../lib/ip.js';
import type { Peer } from '../../config/types.js';
import type { BgpPeerSpec } from './peer-spec.js';

export type PeerSpecResult =
  | { readonly spec: BgpPeerSpec; readonly warnings: readonly string[] }
  | { readonly unsupported: string };

export function peerSpecFromConfig(peer: Peer): PeerSpecResult {
  // TODO(issue 6 follow-up): unnumbered peering (RFC 8950) and VRFs are on DESIGN.md's later list.
  if (peer.target.kind === 'interface') return { unsupported: `BGPPeer ${peer.name}: unnumbered peering over "${peer.target.interface}" is not supported yet` };
  if (peer.vrf !== undefined && peer.vrf !== '') return { unsupported: `BGPPeer ${peer.name}: vrf "${peer.vrf}" is not supported yet` };
  const warnings = peer.bfdProfile === undefined ? [] : [`BGPPeer ${peer.name}: bfdProfile "${peer.bfdProfile}" is ignored until BFD lands`];
  const spec: BgpPeerSpec = {
    name: peer.name,
    peerAddress: formatIp(peer.target.address),
    peerPort: peer.port,
    myAsn: peer.myASN,
    ...(peer.localASN === undefined ? {} : { localAsn: peer.localASN }),
    ...(peer.remoteASN.kind === 'fixed' ? { peerAsn: peer.remoteASN.asn } : { dynamicAsn: peer.remoteASN.mode }),
    ...(peer.routerID === undefined ? {} : { routerId: formatIp(peer.routerID) }),
    ...(peer.timers === undefined ? {} : { holdTimeSec: peer.timers.holdTimeSec, keepaliveTimeSec: peer.timers.keepaliveTimeSec }),
    ...(peer.connectTimeSec === undefined ? {} : { connectTimeSec: peer.connectTimeSec }),
    enableGracefulRestart: peer.enableGracefulRestart,
    ...(peer.password === undefined ? {} : { password: peer.password }),
    ...(peer.sourceAddress === undefined ? {} : { sourceAddress: formatIp(peer.sourceAddress) }),
    ebgpMultiHop: peer.ebgpMultiHop,
    dualStackAddressFamily: peer.dualStackAddressFamily,
    disableMP: peer.disableMP,
  };
  return { spec, warnings };
}
