/**
 * BGPPeer objects (v1beta2) -> `Peer`s: the per-peer rules of metallb-behaviour.md §2.9 #16-#26.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { BGPPeer } from '../api/schema/bgp-peer.js';
import { parseIp } from '../lib/ip.js';
import { parsePeerPassword } from './peer-password.js';
import { parseConnectTime, parseTimers } from './peer-timers.js';
import type { ObjectRef, ProblemList } from './problems.js';
import { checkSelectorList } from './selectors.js';
import type { Peer, PeerTarget, RemoteAsn } from './types.js';

type Spec = NonNullable<BGPPeer['spec']>;

const maxAsn = 4294967295;

function checkAsns(spec: Spec, at: ObjectRef, problems: ProblemList): void {
  if (spec.myASN === 0) problems.add('peer-my-asn', at, 'spec.myASN', 'myASN is missing (0)');
  for (const field of ['myASN', 'peerASN', 'localASN'] as const) {
    const v = spec[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > maxAsn)) {
      problems.add('peer-asn-range', at, `spec.${field}`, `${v} is not an AS number (0-${maxAsn})`);
    }
  }
  if (spec.localASN === 0) problems.add('peer-asn-range', at, 'spec.localASN', 'localASN must not be 0');
}

function remoteAsnOf(spec: Spec, at: ObjectRef, problems: ProblemList): RemoteAsn | undefined {
  const fixed = spec.peerASN ?? 0;
  const dynamic: string = spec.dynamicASN ?? '';
  if (fixed === 0 && dynamic === '') {
    problems.add('peer-remote-asn', at, 'spec.peerASN', 'one of peerASN and dynamicASN is required');
    return undefined;
  }
  if (fixed !== 0 && dynamic !== '') {
    problems.add('peer-remote-asn', at, 'spec.dynamicASN', 'peerASN and dynamicASN are mutually exclusive');
    return undefined;
  }
  if (dynamic === '') return { kind: 'fixed', asn: fixed };
  if (dynamic !== 'internal' && dynamic !== 'external') {
    problems.add('peer-remote-asn', at, 'spec.dynamicASN', `"${dynamic}" is not internal or external`);
    return undefined;
  }
  return { kind: 'dynamic', mode: dynamic };
}

function targetOf(spec: Spec, at: ObjectRef, problems: ProblemList): PeerTarget | undefined {
  const address = spec.peerAddress ?? '';
  const iface = spec.interface ?? '';
  if (address === '' && iface === '') {
    problems.add('peer-address-or-interface', at, 'spec.peerAddress', 'one of peerAddress and interface is required');
    return undefined;
  }
  if (address !== '' && iface !== '') {
    problems.add('peer-address-or-interface', at, 'spec.interface', 'peerAddress and interface are mutually exclusive');
    return undefined;
  }
  if (iface !== '') return { kind: 'interface', interface: iface };
  const ip = parseIp(address);
  if (ip === undefined) {
    problems.add('peer-address-syntax', at, 'spec.peerAddress', `"${address}" is not an IP address`);
    return undefined;
  }
  return { kind: 'address', address: ip };
}

function addresses(spec: Spec, at: ObjectRef, problems: ProblemList): Pick<Peer, 'sourceAddress' | 'routerID'> {
  const out: { -readonly [K in 'sourceAddress' | 'routerID']?: NonNullable<Peer[K]> } = {};
  const source = spec.sourceAddress ?? '';
  if (source !== '') {
    const ip = parseIp(source);
    if (ip === undefined) problems.add('peer-address-syntax', at, 'spec.sourceAddress', `"${source}" is not an IP address`);
    else out.sourceAddress = ip;
  }
  const routerID = spec.routerID ?? '';
  if (routerID !== '') {
    const ip = parseIp(routerID);
    if (ip === undefined || ip.family !== 'IPv4') {
      problems.add('peer-router-id', at, 'spec.routerID', `"${routerID}" is not an IPv4 address (BGP identifiers are 32 bits)`);
    } else out.routerID = ip;
  }
  return out;
}

export interface PeerContext {
  readonly secrets: readonly V1Secret[];
  readonly bfdProfileNames: ReadonlySet<string>;
}

export function parsePeer(obj: BGPPeer, at: ObjectRef, ctx: PeerContext, problems: ProblemList): Peer {
  const spec: Spec = obj.spec ?? { myASN: 0, peerPort: 179, disableMP: false, dualStackAddressFamily: false };
  checkAsns(spec, at, problems);
  const remoteASN = remoteAsnOf(spec, at, problems) ?? { kind: 'fixed', asn: 0 };
  if (spec.ebgpMultiHop === true && remoteASN.kind === 'fixed' && remoteASN.asn === spec.myASN) {
    problems.add('peer-ebgp-multihop-ibgp', at, 'spec.ebgpMultiHop', 'ebgpMultiHop is for eBGP peers; this peer is iBGP (peerASN == myASN)');
  }
  const target = targetOf(spec, at, problems) ?? { kind: 'interface', interface: '' };
  if (!Number.isInteger(spec.peerPort) || spec.peerPort < 1 || spec.peerPort > 16384) {
    problems.add('peer-port-range', at, 'spec.peerPort', `${spec.peerPort} is not in 1-16384`);
  }
  const timers = parseTimers(spec, at, problems);
  const connectTimeSec = parseConnectTime(spec.connectTime, at, problems);
  const bfdProfile = spec.bfdProfile ?? '';
  if (bfdProfile !== '' && !ctx.bfdProfileNames.has(bfdProfile)) {
    problems.add('peer-bfd-profile-missing', at, 'spec.bfdProfile', `BFDProfile "${bfdProfile}" not found`);
  }
  if (spec.disableMP) problems.add('deprecated-disable-mp', at, 'spec.disableMP', 'disableMP is deprecated and has no effect');
  const vrf = spec.vrf ?? '';
  return {
    name: at.name,
    myASN: spec.myASN,
    remoteASN,
    ...(spec.localASN === undefined ? {} : { localASN: spec.localASN }),
    target,
    ...addresses(spec, at, problems),
    port: spec.peerPort,
    ...(timers === undefined ? {} : { timers }),
    ...(connectTimeSec === undefined ? {} : { connectTimeSec }),
    nodeSelectors: checkSelectorList(spec.nodeSelectors, at, 'spec.nodeSelectors', problems),
    ...parsePeerPassword(spec, ctx.secrets, at, problems),
    ...(bfdProfile === '' ? {} : { bfdProfile }),
    enableGracefulRestart: spec.enableGracefulRestart ?? false,
    ebgpMultiHop: spec.ebgpMultiHop ?? false,
    ...(vrf === '' ? {} : { vrf }),
    dualStackAddressFamily: spec.dualStackAddressFamily,
    disableMP: spec.disableMP,
  };
}
