/**
 * The BGP side of one node: a session per BGPPeer that selects the node, kept in step with the configuration
 * (MetalLB: any change of a peer's fields closes and recreates its session), and the desired advertisements per
 * peer name handed to each session. Sessions that appear later get the current desired set, so a restarting
 * speaker sends End-of-RIB only once it knows what to announce.
 */
import { crc32 } from 'node:zlib';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { parseIp } from '../../lib/ip.js';
import { CeaseSubcode } from '../../protocol/bgp/constants.js';
import type { Advertisement } from './advertisement.js';
import type { BgpMetrics } from './metrics.js';
import type { BgpPeerSpec } from './peer-spec.js';
import { BgpSession, type BgpSessionStatus } from './session.js';
import type { BgpAcceptor, BgpDialer } from './transport.js';

export interface BgpSpeakerOptions {
  readonly nodeName: string;
  /** The BGP identifier for peers without routerID (see `defaultRouterId`). */
  readonly defaultRouterId: number;
  readonly dialer: BgpDialer;
  readonly acceptor?: BgpAcceptor;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: BgpMetrics;
  /** This process just started: GR sessions set the Restart State bit in their first OPEN. */
  readonly restarting?: boolean;
  readonly nextHops?: { readonly IPv4?: string; readonly IPv6?: string };
  readonly linkLocalFor?: (address: string) => string | undefined;
}

/**
 * MetalLB's fallback router ID: the node's IPv4 address, else the CRC32-IEEE of the node name read
 * little-endian (so the same on every restart of the same node).
 */
export function defaultRouterId(nodeIpv4: string | undefined, nodeName: string): number {
  const ip = nodeIpv4 === undefined ? undefined : parseIp(nodeIpv4);
  if (ip?.family === 'IPv4') return Number(ip.value);
  const sum = crc32(Buffer.from(nodeName, 'utf8')) >>> 0;
  return (((sum & 0xff) << 24) | ((sum >>> 8 & 0xff) << 16) | ((sum >>> 16 & 0xff) << 8) | (sum >>> 24)) >>> 0;
}

function sameSpec(a: BgpPeerSpec, b: BgpPeerSpec): boolean {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort() as (keyof BgpPeerSpec)[];
  return keys.every((k) => a[k] === b[k]);
}

export class BgpSpeaker {
  private readonly opts: BgpSpeakerOptions;
  private readonly sessions = new Map<string, { spec: BgpPeerSpec; session: BgpSession }>();
  private desired: ReadonlyMap<string, readonly Advertisement[]> | undefined;
  private restarting: boolean;

  constructor(opts: BgpSpeakerOptions) {
    this.opts = opts;
    this.restarting = opts.restarting === true;
  }

  /** Makes the sessions match `specs` (the BGPPeers that select this node), by name. */
  setPeers(specs: readonly BgpPeerSpec[]): void {
    const wanted = new Map(specs.map((s) => [s.name, s]));
    for (const [name, cur] of this.sessions) {
      const next = wanted.get(name);
      if (next !== undefined && sameSpec(cur.spec, next)) continue;
      cur.session.close({ subcode: next === undefined ? CeaseSubcode.PeerDeconfigured : CeaseSubcode.OtherConfigurationChange });
      this.sessions.delete(name);
    }
    for (const spec of specs) {
      if (this.sessions.has(spec.name)) continue;
      const session = new BgpSession({
        peer: spec, defaultRouterId: this.opts.defaultRouterId, dialer: this.opts.dialer, clock: this.opts.clock, logger: this.opts.logger,
        restarting: this.restarting,
        ...(this.opts.acceptor === undefined ? {} : { acceptor: this.opts.acceptor }),
        ...(this.opts.metrics === undefined ? {} : { metrics: this.opts.metrics }),
        ...(this.opts.nextHops === undefined ? {} : { nextHops: this.opts.nextHops }),
        ...(this.opts.linkLocalFor === undefined ? {} : { linkLocalFor: this.opts.linkLocalFor }),
      });
      if (this.desired !== undefined) session.setAdvertisements(this.desired.get(spec.name) ?? []);
      this.sessions.set(spec.name, { spec, session });
      session.start();
    }
    // Sessions created after the first round are not part of the restart any more.
    this.restarting = false;
  }

  /** The desired advertisements by BGPPeer name (a peer without an entry gets none). */
  setAdvertisements(perPeer: ReadonlyMap<string, readonly Advertisement[]>): void {
    this.desired = perPeer;
    for (const [name, { session }] of this.sessions) session.setAdvertisements(perPeer.get(name) ?? []);
  }

  status(): Map<string, BgpSessionStatus> {
    return new Map([...this.sessions].map(([name, { session }]) => [name, session.status()]));
  }

  /** Ends every session: gracefully (no NOTIFICATION, GR peers keep our routes) on a restart, else with Cease. */
  close(options: { graceful?: boolean } = {}): void {
    for (const { session } of this.sessions.values()) session.close(options.graceful === true ? { graceful: true } : {});
    this.sessions.clear();
  }
}
