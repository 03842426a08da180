/**
 * One BGP peer as the session driver takes it: the BGPPeer v1beta2 fields (metallb-behaviour.md §2.4) after
 * config validation, plus a few metallb-ts extensions. `sessionSettings` turns it into what the FSM and the
 * transport need, with MetalLB's defaults.
 */
import { parseIp, type IpFamily } from '../../lib/ip.js';
import type { FsmConfig } from '../../protocol/bgp/fsm-types.js';
import type { AcceptOptions, DialOptions } from './transport.js';
import type { BfdPeerProfile } from './bfd-sessions.js';

export interface BgpPeerSpec {
  /** BGPPeer name (what a BGPAdvertisement's `peers` list refers to). */
  readonly name: string;
  readonly peerAddress: string;
  /** Default 179. */
  readonly peerPort?: number;
  readonly myAsn: number;
  /** Present this AS to the peer instead of myAsn. */
  readonly localAsn?: number;
  readonly peerAsn?: number;
  readonly dynamicAsn?: 'internal' | 'external';
  /** IPv4 text; default: the caller's node router ID. */
  readonly routerId?: string;
  /** Default 90 s (MetalLB native). */
  readonly holdTimeSec?: number;
  readonly keepaliveTimeSec?: number;
  /** Connect timeout and retry interval (`timers connect`). Default 10 s. */
  readonly connectTimeSec?: number;
  readonly enableGracefulRestart?: boolean;
  readonly password?: string;
  readonly sourceAddress?: string;
  readonly ebgpMultiHop?: boolean;
  /** Both address families on the session (IPv4 prefixes over IPv6 peering and vice versa). */
  readonly dualStackAddressFamily?: boolean;
  /** Deprecated in MetalLB and without effect; accepted for compatibility. */
  readonly disableMP?: boolean;
  /** metallb-ts: GTSM (RFC 5082) for single-hop eBGP: send TTL 255, accept only TTL >= 254. */
  readonly gtsm?: boolean;
  /** metallb-ts: never connect out, only accept. */
  readonly passive?: boolean;
  /** metallb-ts: Restart Time advertised with graceful restart; default 120 s (FRR's). */
  readonly gracefulRestartTimeSec?: number;
  /** BGPPeer `vrf`: the Linux VRF device the session's sockets are bound to; absent for the default VRF. */
  readonly vrf?: string;
  /** The BFDProfile's timers: run BFD to the peer address and end the BGP session when it goes Down. */
  readonly bfd?: BfdPeerProfile;
}

export const defaultPeerPort = 179;
export const defaultHoldTimeSec = 90;
export const defaultConnectTimeSec = 10;
export const defaultRestartTimeSec = 120;

export interface SessionSettings {
  readonly localAsn: number;
  readonly ebgp: boolean;
  readonly peerFamily: IpFamily;
  readonly families: readonly IpFamily[];
  readonly dial: DialOptions;
  readonly accept: AcceptOptions;
  readonly fsm: FsmConfig;
}

/** IPv4 text -> the 32-bit BGP identifier; undefined when it is not IPv4. */
export function routerIdValue(text: string): number | undefined {
  const ip = parseIp(text);
  return ip?.family === 'IPv4' ? Number(ip.value) : undefined;
}

/** CRC-32/IEEE (Go's crc32.ChecksumIEEE), bitwise: zlib.crc32 needs Node 20.15, and this runs once per peer. */
function crc32Ieee(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * MetalLB's last fallback for the router ID when the node has no IPv4 address: the CRC32-IEEE of the node name,
 * read little-endian (the same on every restart of the node). For `BgpSessions`' `fallbackRouterId`.
 */
export function routerIdFromNodeName(nodeName: string): number {
  const sum = crc32Ieee(new TextEncoder().encode(nodeName));
  return (((sum & 0xff) << 24) | (((sum >>> 8) & 0xff) << 16) | (((sum >>> 16) & 0xff) << 8) | (sum >>> 24)) >>> 0;
}

/** RFC 4271 §4.2 / MetalLB: hold 0 or >= 3; keepalive defaults to a third of hold. */
export function sessionSettings(peer: BgpPeerSpec, defaultRouterId: number): SessionSettings {
  const localAsn = peer.localAsn ?? peer.myAsn;
  const peerIp = parseIp(peer.peerAddress);
  if (peerIp === undefined) throw new RangeError(`peer address ${JSON.stringify(peer.peerAddress)}`);
  const ebgp = peer.dynamicAsn !== undefined ? peer.dynamicAsn === 'external' : peer.peerAsn !== localAsn;
  const families: IpFamily[] = peer.dualStackAddressFamily === true ? ['IPv4', 'IPv6'] : [peerIp.family];
  const holdTimeSec = peer.holdTimeSec ?? defaultHoldTimeSec;
  const connectTimeSec = peer.connectTimeSec ?? defaultConnectTimeSec;
  // TTL: FRR's behaviour. Single-hop eBGP sends TTL 1 (or 255 under GTSM); multihop eBGP 255; iBGP the kernel default.
  const singleHop = ebgp && peer.ebgpMultiHop !== true;
  const ttl = singleHop ? (peer.gtsm === true ? 255 : 1) : ebgp ? 255 : undefined;
  const minTtl = singleHop && peer.gtsm === true ? 254 : undefined;
  const secure = {
    ...(peer.vrf === undefined || peer.vrf === '' ? {} : { vrf: peer.vrf }),
    ...(peer.password === undefined || peer.password === '' ? {} : { password: peer.password }),
    ...(ttl === undefined ? {} : { ttl }),
    ...(minTtl === undefined ? {} : { minTtl }),
  };
  const bgpIdentifier = (peer.routerId === undefined ? undefined : routerIdValue(peer.routerId)) ?? defaultRouterId;
  const gr = peer.enableGracefulRestart === true
    ? { gracefulRestart: { restartTimeSec: peer.gracefulRestartTimeSec ?? defaultRestartTimeSec, restarting: false, forwardingState: true } }
    : {};
  return {
    localAsn, ebgp, peerFamily: peerIp.family, families,
    dial: {
      peerAddress: peer.peerAddress, peerPort: peer.peerPort ?? defaultPeerPort, connectTimeoutMs: connectTimeSec * 1000, ...secure,
      ...(peer.sourceAddress === undefined ? {} : { sourceAddress: peer.sourceAddress }),
    },
    accept: secure,
    fsm: {
      local: {
        localAsn, bgpIdentifier, holdTimeSec, families, ...gr,
        ...(peer.keepaliveTimeSec === undefined ? {} : { keepaliveTimeSec: peer.keepaliveTimeSec }),
      },
      expect: { localAsn, localBgpIdentifier: bgpIdentifier, peerAsn: peer.dynamicAsn ?? peer.peerAsn ?? localAsn },
      passive: peer.passive === true,
      connectRetryTimeSec: connectTimeSec,
      openHoldTimeSec: 240,
      idleHoldInitialMs: 1000,
      idleHoldMaxMs: 120_000,
    },
  };
}
