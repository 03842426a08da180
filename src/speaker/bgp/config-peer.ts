/**
 * A validated BGPPeer (config's `Peer`) as the session driver takes it. Fields this speaker does not do yet are
 * refused with a reason (unnumbered peering) or reported (BFD echo mode), so the caller can say so.
 */
import { formatIp } from '../../lib/ip.js';
import type { BfdProfile, Peer } from '../../config/types.js';
import type { BfdPeerProfile } from './bfd-sessions.js';
import type { BgpPeerSpec } from './peer-spec.js';

export type PeerSpecResult =
  | { readonly spec: BgpPeerSpec; readonly warnings: readonly string[] }
  | { readonly unsupported: string };

/** The peer's BFD profile, with warnings for what is not done (echo mode) or missing. */
function bfdOf(peer: Peer, profiles: ReadonlyMap<string, BfdProfile>): { bfd?: BfdPeerProfile; warnings: string[] } {
  if (peer.bfdProfile === undefined) return { warnings: [] };
  const p = profiles.get(peer.bfdProfile);
  if (p === undefined) return { warnings: [`BGPPeer ${peer.name}: bfdProfile "${peer.bfdProfile}" does not exist, BFD is off for this peer`] };
  const warnings = p.echoMode ? [`BGPPeer ${peer.name}: bfdProfile "${p.name}" asks for echo mode, which is not implemented; running asynchronous mode only`] : [];
  return {
    bfd: { name: p.name, receiveIntervalMs: p.receiveIntervalMs, transmitIntervalMs: p.transmitIntervalMs, detectMultiplier: p.detectMultiplier, passiveMode: p.passiveMode },
    warnings,
  };
}

export function peerSpecFromConfig(peer: Peer, bfdProfiles: ReadonlyMap<string, BfdProfile> = new Map()): PeerSpecResult {
  // TODO(issue 6 follow-up): unnumbered peering (RFC 8950) is on DESIGN.md's later list.
  if (peer.target.kind === 'interface') return { unsupported: `BGPPeer ${peer.name}: unnumbered peering over "${peer.target.interface}" is not supported yet` };
  const { bfd, warnings } = bfdOf(peer, bfdProfiles);
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
    ...(peer.vrf === undefined || peer.vrf === '' ? {} : { vrf: peer.vrf }),
    ...(bfd === undefined ? {} : { bfd }),
  };
  return { spec, warnings };
}
