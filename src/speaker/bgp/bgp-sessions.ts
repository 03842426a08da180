/**
 * The BGP side of one speaker (MetalLB `bgpController` + native session manager): one session per BGPPeer
 * selected for this node, recreated whenever anything in the peer changes (MetalLB compares peers whole), and
 * the union of every announced Service's prefixes pushed to each session through `setAdvertisements`, filtered
 * by the advertisement's `peers` and by the address families the session carries. Declarative: the caller sets
 * the peers and each Service's prefixes, then `sync()` once per batch.
 *
 * Sessions are per BGPPeer, so per (peer address, VRF): the same address may be a peer in two VRFs. A peer whose
 * VRF device does not exist on this node is not opened; it waits, and is opened when a periodic look finds the
 * device.
 */
import type { Clock, Timer } from '../../lib/clock.js';
import { errorCode, errorMessage } from '../../lib/errors.js';
import type { IpFamily } from '../../lib/ip.js';
import type { Logger } from '../../lib/logger.js';
import type { BfdProfile, Peer } from '../../config/types.js';
import type { BfdPeerHandle, BfdSessions } from './bfd-sessions.js';
import type { Advertisement } from './advertisement.js';
import { advertisementsPerPeer, type ServicePrefix } from './advertisements.js';
import { peerSpecFromConfig } from './config-peer.js';
import type { BgpMetrics } from './metrics.js';
import { routerIdValue, sessionSettings, type BgpPeerSpec } from './peer-spec.js';
import { BgpSession, type BgpSessionStatus } from './session.js';
import type { BgpAcceptor, BgpDialer } from './transport.js';

export interface BgpSessionsOptions {
  readonly dialer: BgpDialer;
  readonly acceptor?: BgpAcceptor;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: BgpMetrics;
  /** The node's addresses: the default router ID (first IPv4) and the next hop of the other family. */
  readonly nodeAddresses: () => { readonly IPv4?: string; readonly IPv6?: string };
  /** BGP identifier when no IPv4 address is known (MetalLB hashes the node name). */
  readonly fallbackRouterId: number;
  readonly linkLocalFor?: (address: string) => string | undefined;
  /** This process just started (graceful restart's Restart State bit). */
  readonly restarting?: boolean;
  /** Runs the BFD sessions of peers with a bfdProfile; without it such peers get no BFD (logged). */
  readonly bfd?: BfdSessions;
  /** Whether the Linux VRF device exists on this node; without it VRF peers are opened unchecked. */
  readonly vrfExists?: (vrf: string) => boolean;
  /** How often peers waiting for their VRF device look again; default 5000 ms. */
  readonly vrfRetryMs?: number;
}

export const defaultVrfRetryMs = 5000;

interface Running {
  readonly session: BgpSession;
  readonly fingerprint: string;
  readonly families: ReadonlySet<IpFamily>;
  readonly bfd?: { close(): void };
}

export class BgpSessions {
  private readonly o: BgpSessionsOptions;
  private readonly sessions = new Map<string, Running>();
  private readonly services = new Map<string, readonly ServicePrefix[]>();
  /** Peer name -> the Service keys that got at least one prefix to it at the last sync. */
  private delivered = new Map<string, Set<string>>();
  private readonly refused = new Map<string, string>();
  /** Services whose prefixes changed since the last sync, and whether the set of sessions did. */
  private readonly dirty = new Set<string>();
  private sessionsChanged = true;
  private restarting: boolean;
  /** Peers (by name) whose VRF device is missing, and the timer that looks for it again. */
  private readonly waiting = new Map<string, BgpPeerSpec>();
  private vrfTimer: Timer | undefined;

  constructor(o: BgpSessionsOptions) {
    this.o = o;
    this.restarting = o.restarting === true;
  }

  /** The BGPPeers this node peers with; sessions of peers gone or changed are closed (Cease). */
  setPeers(peers: readonly Peer[], bfdProfiles: ReadonlyMap<string, BfdProfile> = new Map()): void {
    const wanted = new Map<string, BgpPeerSpec>();
    for (const peer of peers) {
      const r = peerSpecFromConfig(peer, bfdProfiles);
      if ('unsupported' in r) {
        if (this.refused.get(peer.name) !== r.unsupported) this.o.logger.error({ peer: peer.name, reason: r.unsupported }, 'BGP peer not supported');
        this.refused.set(peer.name, r.unsupported);
        continue;
      }
      this.refused.delete(peer.name);
      for (const w of r.warnings) this.o.logger.warn({ peer: peer.name }, w);
      wanted.set(peer.name, r.spec);
    }
    for (const [name, running] of [...this.sessions]) {
      const spec = wanted.get(name);
      if (spec !== undefined && JSON.stringify(spec) === running.fingerprint) continue;
      running.bfd?.close();
      running.session.close({ message: spec === undefined ? 'peer removed' : 'peer configuration changed' });
      this.sessions.delete(name);
      this.sessionsChanged = true;
      this.o.logger.info({ peer: name, reason: spec === undefined ? 'removed' : 'changed' }, 'closed BGP session');
    }
    const waited = new Map(this.waiting);
    this.waiting.clear();
    for (const [name, spec] of wanted) if (!this.sessions.has(name)) this.openOrWait(name, spec, waited.get(name));
    if (this.waiting.size === 0) this.stopVrfRetry();
    // Only the sessions of the first configuration are a restart; later ones are new peers.
    this.restarting = false;
  }

  /** Opens the session, or (its VRF device missing) logs it once and waits for the device. */
  private openOrWait(name: string, spec: BgpPeerSpec, waited: BgpPeerSpec | undefined): void {
    const vrf = spec.vrf;
    if (vrf === undefined || this.o.vrfExists === undefined || this.o.vrfExists(vrf)) {
      this.open(name, spec);
      return;
    }
    if (waited === undefined || JSON.stringify(waited) !== JSON.stringify(spec)) {
      this.o.logger.warn({ peer: name, vrf, address: spec.peerAddress },
        `VRF device "${vrf}" does not exist on this node: BGP session not opened, it opens when the device appears`);
    }
    this.wait(name, spec);
  }

  private wait(name: string, spec: BgpPeerSpec): void {
    this.waiting.set(name, spec);
    if (this.vrfTimer === undefined) this.vrfTimer = this.o.clock.setTimer(this.o.vrfRetryMs ?? defaultVrfRetryMs, () => this.retryVrfs());
  }

  private retryVrfs(): void {
    this.vrfTimer = undefined;
    const waiting = [...this.waiting];
    this.waiting.clear();
    let opened = false;
    for (const [name, spec] of waiting) {
      if (spec.vrf !== undefined && this.o.vrfExists?.(spec.vrf) === false) { this.wait(name, spec); continue; }
      this.o.logger.info({ peer: name, vrf: spec.vrf }, `VRF device "${spec.vrf ?? ''}" appeared: opening the BGP session`);
      opened = this.open(name, spec) || opened;
    }
    if (opened) this.sync();
  }

  private stopVrfRetry(): void {
    this.vrfTimer?.cancel();
    this.vrfTimer = undefined;
  }

  /** Peers (sorted names) not opened because their VRF device is missing. */
  waitingForVrf(): string[] {
    return [...this.waiting.keys()].sort();
  }

  /** True when the session was opened. A VRF device that vanished since it was checked (ENODEV) puts it back to wait. */
  private open(name: string, spec: BgpPeerSpec): boolean {
    const addresses = this.o.nodeAddresses();
    const v4 = addresses.IPv4 === undefined ? undefined : routerIdValue(addresses.IPv4);
    let session: BgpSession | undefined;
    try {
      session = new BgpSession({
        peer: spec, defaultRouterId: v4 ?? this.o.fallbackRouterId, dialer: this.o.dialer, clock: this.o.clock, logger: this.o.logger,
        nextHops: addresses, restarting: this.restarting,
        ...(this.o.acceptor === undefined ? {} : { acceptor: this.o.acceptor }),
        ...(this.o.metrics === undefined ? {} : { metrics: this.o.metrics }),
        ...(this.o.linkLocalFor === undefined ? {} : { linkLocalFor: this.o.linkLocalFor }),
      });
      session.start();
    } catch (err) {
      session?.close({ message: 'could not open' });
      if (spec.vrf !== undefined && errorCode(err) === 'ENODEV') {
        this.o.logger.warn({ peer: name, vrf: spec.vrf, err: errorMessage(err) }, 'VRF device vanished: BGP session not opened, it opens when the device appears');
        this.wait(name, spec);
      } else {
        this.o.logger.error({ peer: name, err: errorMessage(err) }, 'could not open BGP session');
      }
      return false;
    }
    const families = new Set(sessionSettings(spec, 0).families);
    const bfd = attachBfd(session, spec, this.o.bfd, this.o.logger);
    this.sessions.set(name, { session, fingerprint: JSON.stringify(spec), families, ...(bfd === undefined ? {} : { bfd }) });
    this.sessionsChanged = true;
    this.o.logger.info({ peer: name, address: spec.peerAddress, ...(spec.vrf === undefined ? {} : { vrf: spec.vrf }) }, 'opened BGP session');
    return true;
  }

  /** What this node announces for one Service (undefined or empty withdraws it). */
  setService(key: string, prefixes: readonly ServicePrefix[] | undefined): void {
    const next = prefixes === undefined || prefixes.length === 0 ? undefined : prefixes;
    const prev = this.services.get(key);
    if (prev === next || (prev !== undefined && next !== undefined && samePrefixes(prev, next))) return;
    if (next === undefined) this.services.delete(key);
    else this.services.set(key, next);
    this.dirty.add(key);
  }

  /** Pushes the desired advertisements to every session (each sends only its difference); nothing when nothing changed. */
  sync(): void {
    if (this.dirty.size === 0 && !this.sessionsChanged) return;
    const names = [...this.sessions.keys()];
    const perPeer = advertisementsPerPeer([...this.services.values()].flat(), names);
    for (const [name, running] of this.sessions) {
      const ads: Advertisement[] = (perPeer.get(name) ?? []).filter((a) => running.families.has(a.prefix.family));
      running.session.setAdvertisements(ads);
    }
    if (this.sessionsChanged) this.delivered = new Map(names.map((n) => [n, new Set<string>()]));
    for (const key of this.sessionsChanged ? this.services.keys() : this.dirty) this.deliver(key, names);
    this.dirty.clear();
    this.sessionsChanged = false;
  }

  /** Records which sessions get at least one of `key`'s prefixes. */
  private deliver(key: string, names: readonly string[]): void {
    const prefixes = this.services.get(key) ?? [];
    for (const name of names) {
      const running = this.sessions.get(name) as Running;
      const gets = prefixes.some((p) => (p.peers.length === 0 || p.peers.includes(name)) && running.families.has(p.prefix.family));
      if (gets) this.delivered.get(name)?.add(key);
      else this.delivered.get(name)?.delete(key);
    }
  }

  /** The peers (sorted names) that get at least one of the Service's prefixes (ServiceBGPStatus `peers`). */
  peersFor(key: string): string[] {
    return [...this.delivered].filter(([, keys]) => keys.has(key)).map(([name]) => name).sort();
  }

  /** Session name -> status, for diagnostics and tests. */
  status(): Map<string, BgpSessionStatus> {
    return new Map([...this.sessions].map(([name, r]) => [name, r.session.status()]));
  }

  peerNames(): string[] {
    return [...this.sessions.keys()].sort();
  }

  /** Closes every session; `graceful` keeps the routes at peers that negotiated graceful restart. */
  close(options: { graceful?: boolean } = {}): void {
    this.stopVrfRetry();
    this.waiting.clear();
    for (const r of this.sessions.values()) {
      r.bfd?.close();
      r.session.close({ ...options, message: 'speaker stopping' });
    }
    this.sessions.clear();
  }
}

/** Starts the BFD session of a peer with a bfdProfile, wired to end its BGP session when BFD goes Down. */
export function attachBfd(session: BgpSession, spec: BgpPeerSpec, bfd: BfdSessions | undefined, logger: Logger): BfdPeerHandle | undefined {
  if (spec.bfd === undefined) return undefined;
  if (bfd === undefined) {
    logger.warn({ peer: spec.name }, 'bfdProfile set but this speaker runs no BFD: the peer gets none');
    return undefined;
  }
  try {
    return bfd.add(spec.peerAddress, spec.bfd, { onDown: (reason) => session.bfdDown(reason) }, spec.vrf ?? '');
  } catch (err) {
    logger.error({ peer: spec.name, err: errorMessage(err) }, 'could not start BFD for the peer');
    return undefined;
  }
}

function samePrefixes(a: readonly ServicePrefix[], b: readonly ServicePrefix[]): boolean {
  return a.length === b.length && JSON.stringify(a, bigintText) === JSON.stringify(b, bigintText);
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
