/**
 * The speaker of one node (MetalLB `speaker/main.go` controller): for every Service, MetalLB's common checks
 * (service-check.ts), then layer 2 (the election, through the gossip engineer's `Layer2Speaker` and the
 * announcer) and BGP (advertisements.ts rules, through `BgpSessions`), each withdraw with MetalLB's reason.
 * It reads the cluster through `ClusterView` (the informers' caches, or anything else) and is told what
 * changed; changes are batched and processed on the next timer turn. What the drivers end up doing is
 * observed and reported as `AnnouncementChange`s (status objects, events, metrics follow them).
 *
 * Fail-static: nothing here ever withdraws because the cluster became unreachable. The view keeps the last
 * state it saw, the election keeps running on it and on the live gossip members, and sessions keep their
 * routes. Only a decision on known state withdraws.
 */
import type { Clock, Timer } from '../lib/clock.js';
import { formatIp, type IpAddress } from '../lib/ip.js';
import type { Logger } from '../lib/logger.js';
import type { Config } from '../config/types.js';
import { sameBgp, sameLayer2, type AnnouncementChange, type BgpAnnouncement, type Layer2Announcement } from './announcement.js';
import { bgpDecision, peersForNode, poolOfIps } from './bgp/advertisements.js';
import type { BgpSessions } from './bgp/bgp-sessions.js';
import type { SpeakerEndpoint, SpeakerNode, SpeakerService } from './cluster-inputs.js';
import type { InterfaceSelection } from './layer2/announcements.js';
import { InterfaceGuard, type AnnounceFailure, type GuardedAnnouncer } from './layer2/interface-guard.js';
import { Layer2Speaker, type Layer2ServiceInput, type LiveMembers } from './layer2-speaker.js';
import { checkService } from './service-check.js';
import type { SpeakerMetrics } from './speaker-metrics.js';

/** The cluster as the speaker last saw it. */
export interface ClusterView {
  service(key: string): SpeakerService | undefined;
  serviceKeys(): Iterable<string>;
  endpoints(key: string): readonly SpeakerEndpoint[];
  nodes(): readonly SpeakerNode[];
}

/** The layer-2 announcer as the speaker drives and observes it (`Announcer` is one). */
export interface SpeakerAnnouncer extends GuardedAnnouncer {
  balancer(name: string): { readonly ips: readonly IpAddress[]; readonly interfaces: InterfaceSelection } | undefined;
}

/** The BGP side (`BgpSessions` is one). */
export type SpeakerBgp = Pick<BgpSessions, 'setPeers' | 'setService' | 'sync' | 'peersFor'>;

export interface SpeakerOptions {
  readonly nodeName: string;
  /** `--lb-class` ("" = Services without a class). */
  readonly loadBalancerClass: string;
  /** `--ignore-exclude-lb`. */
  readonly ignoreExcludeLabel: boolean;
  readonly cluster: ClusterView;
  /** The gossip live set, or `everyNode` when memberlist is disabled (MetalLB's fallback, §5.5). */
  readonly members: LiveMembers | 'everyNode';
  readonly announcer: SpeakerAnnouncer;
  readonly bgp: SpeakerBgp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: SpeakerMetrics;
  readonly onChange?: (change: AnnouncementChange) => void;
  readonly onAnnounceFailed?: (key: string, failure: AnnounceFailure) => void;
}

export type ConfigApply = { readonly accepted: true } | { readonly accepted: false; readonly error: string };

/** Why the Service is not announced, per protocol (undefined when it is). */
export interface WithdrawReasons {
  readonly layer2?: string | undefined;
  readonly bgp?: string | undefined;
}

/** MetalLB's fallback without memberlist: every known Node has a speaker. */
class EveryNode implements LiveMembers {
  members: readonly string[] = [];
  private readonly listeners = new Set<(m: readonly string[]) => void>();
  set(names: readonly string[]): void {
    const sorted = [...names].sort();
    if (sorted.join('\n') === this.members.join('\n')) return;
    this.members = sorted;
    for (const l of [...this.listeners]) l(sorted);
  }
  onChange(listener: (m: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class Speaker {
  private readonly o: SpeakerOptions;
  private readonly layer2: Layer2Speaker;
  private readonly everyNode: EveryNode | undefined;
  private config: Config | undefined;
  private readonly l2Inputs = new Map<string, Layer2ServiceInput>();
  private readonly l2State = new Map<string, Layer2Announcement>();
  private readonly bgpState = new Map<string, BgpAnnouncement>();
  /** The ingress IPs of every Service that passed the common checks at its last decision. */
  private readonly ipsByKey = new Map<string, readonly IpAddress[]>();
  /** Services this node announces over BGP. */
  private readonly bgpAnnounced = new Set<string>();
  private readonly reasons = new Map<string, { layer2?: string | undefined; bgp?: string | undefined }>();
  private readonly dirty = new Set<string>();
  private allDirty = false;
  private nodesDirty = true;
  private timer: Timer | undefined;
  private started = false;

  constructor(o: SpeakerOptions) {
    this.o = o;
    this.everyNode = o.members === 'everyNode' ? new EveryNode() : undefined;
    const guard = new InterfaceGuard(o.announcer, (key, failure) => {
      o.metrics?.announceFailures.inc();
      o.logger.warn({ service: key, ips: failure.ips.map(formatIp), interfaces: failure.interfaces }, 'the interfaces specified to announce the LB IPs do not exist on this node');
      o.onAnnounceFailed?.(key, failure);
      this.observeLayer2(key);
    });
    this.layer2 = new Layer2Speaker({
      nodeName: o.nodeName, members: this.everyNode ?? (o.members as LiveMembers), announcer: guard, logger: o.logger,
      ignoreExcludeLabel: o.ignoreExcludeLabel,
      onChange: (key) => this.observeLayer2(key),
    });
  }

  /** Starts following the gossip live set. Nothing is announced before the first configuration. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.layer2.start();
    this.schedule();
  }

  hasConfig(): boolean {
    return this.config !== undefined;
  }

  /**
   * Takes a new configuration unless an IP this node announces would belong to no pool under it (MetalLB
   * refuses such a config and retries: the Service is re-handled first, with the old config).
   */
  setConfig(config: Config): ConfigApply {
    for (const key of this.announcedKeys()) {
      const ips = this.ipsByKey.get(key) ?? [];
      if (poolOfIps(config, ips) === undefined) {
        return { accepted: false, error: `service "${key}" has no configuration under new config: ${ips.map(formatIp).join(', ')} is in no pool` };
      }
    }
    this.config = config;
    this.o.bgp.setPeers(this.myPeers(), this.config?.bfdProfiles);
    this.allChanged();
    return { accepted: true };
  }

  private myPeers() {
    const me = this.o.cluster.nodes().find((n) => n.name === this.o.nodeName);
    return this.config === undefined ? [] : peersForNode(this.config, me ?? { labels: {} });
  }

  serviceChanged(key: string): void {
    this.dirty.add(key);
    this.schedule();
  }

  /** A Node appeared, left, or changed labels, NetworkUnavailable or addresses. */
  nodesChanged(): void {
    this.nodesDirty = true;
    this.allChanged();
  }

  /** Reprocess every Service (MetalLB's reload). */
  allChanged(): void {
    this.allDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || !this.started) return;
    this.timer = this.o.clock.setTimer(0, () => {
      this.timer = undefined;
      this.flush();
    });
  }

  /** Processes what changed now (tests call it instead of waiting for the timer). */
  flush(): void {
    const config = this.config;
    if (config === undefined || !this.started) return;
    const keys = new Set(this.dirty);
    const full = this.allDirty || this.nodesDirty;
    if (this.allDirty) {
      for (const k of this.o.cluster.serviceKeys()) keys.add(k);
      for (const k of this.reasons.keys()) keys.add(k);
    }
    this.dirty.clear();
    this.allDirty = false;
    const nodes = this.o.cluster.nodes();
    const me = nodes.find((n) => n.name === this.o.nodeName);
    if (this.nodesDirty) {
      this.nodesDirty = false;
      this.everyNode?.set(nodes.map((n) => n.name));
      this.o.bgp.setPeers(this.myPeers(), this.config?.bfdProfiles);
      this.layer2.setNodes(nodes);
    }
    for (const key of keys) this.decide(key, config, me);
    if (full) this.layer2.setServices([...this.l2Inputs.values()]);
    else {
      const changed = [...keys].flatMap((k) => this.l2Inputs.get(k) ?? []);
      this.layer2.updateServices(changed, [...keys].filter((k) => !this.l2Inputs.has(k)));
    }
    this.o.bgp.sync();
    for (const key of keys) {
      this.observeLayer2(key);
      this.observeBgp(key);
      if (this.o.cluster.service(key) === undefined && !this.l2State.has(key) && !this.bgpState.has(key)) this.reasons.delete(key);
    }
  }

  private decide(key: string, config: Config, me: SpeakerNode | undefined): void {
    const service = this.o.cluster.service(key);
    const check = checkService(service, config, this.o.loadBalancerClass);
    if (!check.ok || service === undefined) {
      const reason = check.ok ? 'serviceDeleted' : check.reason;
      this.l2Inputs.delete(key);
      this.o.bgp.setService(key, undefined);
      this.bgpAnnounced.delete(key);
      this.ipsByKey.delete(key);
      this.reasons.set(key, { layer2: reason, bgp: reason });
      return;
    }
    const endpoints = this.o.cluster.endpoints(key);
    const election = { labels: service.labels, annotations: service.annotations, externalTrafficPolicy: service.externalTrafficPolicy, ips: check.ips };
    this.l2Inputs.set(key, { key, service: election, advertisements: config.advertisements.get(check.pool)?.l2 ?? [], endpoints });
    const bgp = me === undefined
      ? { announce: false as const, reason: 'notOwner' as const }
      : bgpDecision(config, me, { labels: service.labels, externalTrafficPolicy: service.externalTrafficPolicy, ips: check.ips, pool: check.pool },
        endpoints, { ignoreExcludeLabel: this.o.ignoreExcludeLabel });
    this.o.bgp.setService(key, bgp.announce ? bgp.prefixes : undefined);
    if (bgp.announce) this.bgpAnnounced.add(key);
    else this.bgpAnnounced.delete(key);
    this.ipsByKey.set(key, check.ips);
    this.reasons.set(key, { bgp: bgp.announce ? undefined : bgp.reason });
  }

  private observeLayer2(key: string): void {
    const b = this.o.announcer.balancer(key);
    const after: Layer2Announcement | undefined = b === undefined || b.ips.length === 0 ? undefined : {
      ips: b.ips.map(formatIp), interfaces: b.interfaces === 'all' ? 'all' : [...b.interfaces].sort(),
    };
    const before = this.l2State.get(key);
    const decision = this.layer2.decision(key);
    const reason = after !== undefined ? undefined
      : this.l2Inputs.has(key) ? (decision !== undefined && !decision.announce ? decision.reason : 'announceFailed') : this.reasons.get(key)?.layer2;
    this.reasons.set(key, { ...this.reasons.get(key), layer2: reason });
    if (sameLayer2(before, after)) return;
    if (after === undefined) this.l2State.delete(key);
    else this.l2State.set(key, after);
    this.emit(after === undefined
      ? { key, protocol: 'layer2', ...(before === undefined ? {} : { before }), ...(reason === undefined ? {} : { reason }) }
      : { key, protocol: 'layer2', ...(before === undefined ? {} : { before }), after });
  }

  private observeBgp(key: string): void {
    const peers = this.o.bgp.peersFor(key);
    const ips = this.bgpAnnounced.has(key) ? (this.ipsByKey.get(key) ?? []).map(formatIp) : [];
    const after: BgpAnnouncement | undefined = ips.length === 0 ? undefined : { ips, peers };
    const before = this.bgpState.get(key);
    if (sameBgp(before, after)) return;
    if (after === undefined) this.bgpState.delete(key);
    else this.bgpState.set(key, after);
    const reason = this.reasons.get(key)?.bgp;
    this.emit(after === undefined
      ? { key, protocol: 'bgp', ...(before === undefined ? {} : { before }), ...(reason === undefined ? {} : { reason }) }
      : { key, protocol: 'bgp', ...(before === undefined ? {} : { before }), after });
  }

  private emit(change: AnnouncementChange): void {
    this.o.metrics?.apply(change);
    if (change.after === undefined) this.o.logger.info({ service: change.key, protocol: change.protocol, reason: change.reason }, 'withdrawing service announcement');
    else this.o.logger.info({ service: change.key, protocol: change.protocol, ips: change.after.ips }, 'service has IP, announcing');
    this.o.onChange?.(change);
  }

  layer2Announcement(key: string): Layer2Announcement | undefined {
    return this.l2State.get(key);
  }

  bgpAnnouncement(key: string): BgpAnnouncement | undefined {
    return this.bgpState.get(key);
  }

  withdrawReasons(key: string): WithdrawReasons {
    return this.reasons.get(key) ?? {};
  }

  /** Keys of the Services this node announces by either protocol. */
  announcedKeys(): string[] {
    return [...new Set([...this.l2State.keys(), ...this.bgpState.keys()])].sort();
  }

  /** Stops following the live set and withdraws every layer-2 announcement (BGP sessions are closed by their owner). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.layer2.stop();
    this.started = false;
  }
}
