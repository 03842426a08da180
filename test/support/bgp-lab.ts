/**
 * Our BGP speaker on lab nodes, in the test process: per node a listener and a dialer whose sockets live in the
 * node's namespace, and one session per router address. Advertisements are set per family.
 */
import { silentLogger, type Logger } from '../../src/lib/logger.js';
import { systemClock } from '../../src/lib/clock.js';
import { parseCidr, parseIp } from '../../src/lib/ip.js';
import { addresses, type Network } from '../../src/lab/netns/index.js';
import { TcpBgpAcceptor, TcpBgpDialer } from '../../src/net/bgp-tcp.js';
import { BgpSession } from '../../src/speaker/bgp/session.js';
import type { Advertisement } from '../../src/speaker/bgp/advertisement.js';
import type { BgpPeerSpec } from '../../src/speaker/bgp/peer-spec.js';
import type { Registry } from 'prom-client';
import { BgpMetrics } from '../../src/speaker/bgp/metrics.js';
import { parseCommunity, parseLargeCommunity } from '../../src/protocol/bgp/community.js';
import { BfdSessions, type BfdPeerHandle } from '../../src/speaker/bgp/bfd-sessions.js';
import { BfdMetrics } from '../../src/speaker/bgp/bfd-metrics.js';
import { attachBfd } from '../../src/speaker/bgp/bgp-sessions.js';
import { BfdUdpTransportFactory } from '../../src/net/bfd-udp.js';

export interface AdSpec {
  readonly prefix: string;
  readonly localPref?: number;
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
}

export function advertisement(spec: AdSpec): Advertisement {
  const ad: Advertisement = {
    prefix: parseCidr(spec.prefix)!,
    communities: [...new Set((spec.communities ?? []).map((c) => parseCommunity(c)!))].sort((a, b) => a - b),
    largeCommunities: (spec.largeCommunities ?? []).map((c) => parseLargeCommunity(c)!),
  };
  return spec.localPref === undefined ? ad : { ...ad, localPref: spec.localPref };
}

export class LabSpeaker {
  readonly node: string;
  readonly sessions = new Map<string, BgpSession>();
  /** With `bfd: true`: the BFD sessions of the peers whose spec has a `bfd` profile, in the node's namespace. */
  bfd: BfdSessions | undefined;
  private readonly bfdHandles = new Map<string, BfdPeerHandle>();
  private acceptor: TcpBgpAcceptor | undefined;
  private readonly net: Network;

  private constructor(net: Network, node: string) {
    this.net = net;
    this.node = node;
  }

  /** Listens on [::]:179 in the node's namespace and opens one session per peer spec. */
  static async start(net: Network, node: string, peers: readonly BgpPeerSpec[], options: { logger?: Logger; registry?: Registry; bfd?: boolean } = {}): Promise<LabSpeaker> {
    const s = new LabSpeaker(net, node);
    const host = net.host(node);
    if (options.bfd === true) {
      s.bfd = new BfdSessions({
        transports: new BfdUdpTransportFactory({ netns: host.netns }), clock: systemClock, logger: options.logger ?? silentLogger(),
        ...(options.registry === undefined ? {} : { metrics: new BfdMetrics(options.registry) }),
      });
    }
    const linkLocal = (await addresses(host.netns)).find((a) => a.ifname === host.ifname && a.address.startsWith('fe80:'))?.address;
    s.acceptor = await TcpBgpAcceptor.listen({ netns: host.netns });
    const dialer = new TcpBgpDialer({ netns: host.netns });
    const metrics = options.registry === undefined ? undefined : new BgpMetrics(options.registry);
    for (const peer of peers) s.add(peer, dialer, options.logger ?? silentLogger(), linkLocal, metrics);
    return s;
  }

  private add(peer: BgpPeerSpec, dialer: TcpBgpDialer, logger: Logger, linkLocal: string | undefined, metrics: BgpMetrics | undefined): void {
    const host = this.net.host(this.node);
    const session = new BgpSession({
      peer, defaultRouterId: Number(parseIp(host.ipv4!)!.value), dialer, acceptor: this.acceptor!, clock: systemClock, logger,
      ...(metrics === undefined ? {} : { metrics }),
      ...(linkLocal === undefined ? {} : { linkLocalFor: () => linkLocal }),
      nextHops: { ...(host.ipv4 === undefined ? {} : { IPv4: host.ipv4 }), ...(host.ipv6 === undefined ? {} : { IPv6: host.ipv6 }) },
    });
    this.sessions.set(peer.peerAddress, session);
    const bfd = attachBfd(session, peer, this.bfd, logger);
    if (bfd !== undefined) this.bfdHandles.set(peer.peerAddress, bfd);
    session.start();
  }

  /** Replaces one session (e.g. to change its password). */
  async replace(peer: BgpPeerSpec): Promise<void> {
    this.sessions.get(peer.peerAddress)?.close();
    const host = this.net.host(this.node);
    const linkLocal = (await addresses(host.netns)).find((a) => a.ifname === host.ifname && a.address.startsWith('fe80:'))?.address;
    this.add(peer, new TcpBgpDialer({ netns: host.netns }), silentLogger(), linkLocal, undefined);
  }

  /** Gives every session the advertisements of its own address family. */
  advertise(ads: readonly Advertisement[]): void {
    for (const [address, session] of this.sessions) {
      const six = address.includes(':');
      session.setAdvertisements(ads.filter((a) => (a.prefix.family === 'IPv6') === six));
    }
  }

  /** Gives each session the advertisements of its BGPPeer name (none when the map has no entry). */
  advertisePerPeer(perPeer: ReadonlyMap<string, readonly Advertisement[]>): void {
    for (const session of this.sessions.values()) session.setAdvertisements(perPeer.get(session.name) ?? []);
  }

  /** Our side's BFD state to a peer address; undefined without BFD to it. */
  bfdState(peerAddress: string): string | undefined {
    return this.bfdHandles.get(peerAddress)?.state();
  }

  allEstablished(): boolean {
    return [...this.sessions.values()].every((s) => s.status().state === 'Established');
  }

  async close(options: { graceful?: boolean } = {}): Promise<void> {
    for (const h of this.bfdHandles.values()) h.close();
    this.bfdHandles.clear();
    this.bfd?.close();
    for (const s of this.sessions.values()) s.close(options);
    this.sessions.clear();
    await this.acceptor?.close();
    this.acceptor = undefined;
  }
}
