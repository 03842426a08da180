/**
 * Our OPEN, and what two OPENs agree on (RFC 4271 §4.2 hold time, RFC 4760 §8 families, RFC 6793 4-octet AS,
 * RFC 2918 route refresh, RFC 4724 graceful restart).
 */
import type { IpFamily } from '../../lib/ip.js';
import { Afi, Safi, asTrans } from './constants.js';
import type { Capability, GracefulRestartFamily } from './capabilities.js';
import { bgpVersion, capabilitiesOf, type Open } from './open.js';
import { afiOf, familyOf } from './mp-nlri.js';

export interface LocalGracefulRestart {
  /** Restart Time advertised: how long the peer keeps our routes after the session drops (≤ 4095 s). */
  readonly restartTimeSec: number;
  /** R bit: set in the first OPEN after this speaker restarted. */
  readonly restarting: boolean;
  /** F bit per family: forwarding kept working across our restart (true for a node: kube-proxy/nft never stop). */
  readonly forwardingState: boolean;
}

export interface LocalSpeaker {
  readonly localAsn: number;
  readonly bgpIdentifier: number;
  /** Proposed hold time: 0 or ≥ 3 (RFC 4271 §4.2). */
  readonly holdTimeSec: number;
  /** Configured keepalive; defaults to a third of the negotiated hold time. */
  readonly keepaliveTimeSec?: number;
  readonly families: readonly IpFamily[];
  readonly gracefulRestart?: LocalGracefulRestart;
}

export interface PeerGracefulRestart {
  readonly restartTimeSec: number;
  readonly restartState: boolean;
  readonly notification: boolean;
  /** Families the peer preserves across its restart, with the F bit. */
  readonly families: ReadonlyMap<IpFamily, boolean>;
}

export interface Negotiated {
  readonly peerAsn: number;
  readonly peerBgpIdentifier: number;
  readonly ebgp: boolean;
  /** Both sides sent the 4-octet AS capability. */
  readonly as4: boolean;
  readonly holdTimeSec: number;
  /** 0 when the hold time is 0 (no KEEPALIVEs). */
  readonly keepaliveTimeSec: number;
  readonly families: ReadonlySet<IpFamily>;
  readonly routeRefresh: boolean;
  /** Present when the peer sent the Graceful Restart capability. */
  readonly peerGracefulRestart?: PeerGracefulRestart;
  /** Both sides sent the Graceful Restart capability. */
  readonly gracefulRestart: boolean;
}

export function buildOpen(local: LocalSpeaker): Open {
  const caps: Capability[] = local.families.map((f) => ({ kind: 'multiprotocol', afi: afiOf(f), safi: Safi.Unicast }));
  caps.push({ kind: 'routeRefresh' });
  const gr = local.gracefulRestart;
  if (gr !== undefined) {
    const families: GracefulRestartFamily[] = local.families.map((f) => ({ afi: afiOf(f), safi: Safi.Unicast, forwardingState: gr.forwardingState }));
    caps.push({ kind: 'gracefulRestart', restartState: gr.restarting, notification: false, restartTimeSec: Math.min(4095, gr.restartTimeSec), families });
  }
  caps.push({ kind: 'fourOctetAs', asn: local.localAsn });
  return {
    type: 'open', version: bgpVersion, myAsn: local.localAsn > 0xffff ? asTrans : local.localAsn,
    holdTimeSec: local.holdTimeSec, bgpIdentifier: local.bgpIdentifier, capabilityGroups: [caps],
  };
}

function peerGracefulRestart(caps: readonly Capability[]): PeerGracefulRestart | undefined {
  for (const c of caps) {
    if (c.kind !== 'gracefulRestart') continue;
    const families = new Map<IpFamily, boolean>();
    for (const f of c.families) {
      const family = familyOf(f.afi, f.safi);
      if (family !== undefined) families.set(family, f.forwardingState);
    }
    return { restartTimeSec: c.restartTimeSec, restartState: c.restartState, notification: c.notification, families };
  }
  return undefined;
}

/** RFC 4271 §4.2: the smaller hold time; KEEPALIVE at a third of it unless configured lower. */
export function negotiatedTimers(ourHoldSec: number, peerHoldSec: number, keepaliveSec?: number): { holdTimeSec: number; keepaliveTimeSec: number } {
  const holdTimeSec = Math.min(ourHoldSec, peerHoldSec);
  if (holdTimeSec === 0) return { holdTimeSec, keepaliveTimeSec: 0 };
  const third = Math.floor(holdTimeSec / 3);
  return { holdTimeSec, keepaliveTimeSec: Math.max(1, Math.min(keepaliveSec ?? third, third)) };
}

export function negotiate(local: LocalSpeaker, peer: Open, peerAsn: number): Negotiated {
  const caps = capabilitiesOf(peer);
  const mp = caps.filter((c) => c.kind === 'multiprotocol');
  // RFC 4760 §8: a peer that sends no multiprotocol capability speaks IPv4 unicast only.
  const peerFamilies = new Set<IpFamily>(mp.length === 0 ? ['IPv4'] : mp.flatMap((c) => familyOf(c.afi, c.safi) ?? []));
  const families = new Set(local.families.filter((f) => peerFamilies.has(f)));
  const peerGr = peerGracefulRestart(caps);
  const base: Negotiated = {
    peerAsn, peerBgpIdentifier: peer.bgpIdentifier, ebgp: peerAsn !== local.localAsn,
    as4: caps.some((c) => c.kind === 'fourOctetAs'),
    ...negotiatedTimers(local.holdTimeSec, peer.holdTimeSec, local.keepaliveTimeSec),
    families, routeRefresh: caps.some((c) => c.kind === 'routeRefresh'),
    gracefulRestart: peerGr !== undefined && local.gracefulRestart !== undefined,
  };
  return peerGr === undefined ? base : { ...base, peerGracefulRestart: peerGr };
}

/** The AFI/SAFI of a family as numbers, for ROUTE-REFRESH and End-of-RIB. */
export function afiSafiOf(family: IpFamily): { afi: number; safi: number } {
  return { afi: family === 'IPv4' ? Afi.Ipv4 : Afi.Ipv6, safi: Safi.Unicast };
}
