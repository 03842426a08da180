/**
 * The layer-2 announcer of one node (MetalLB `layer2.Announce`): keeps an ARP and an NDP responder on every
 * eligible interface (rescanned every `scanIntervalMs`), answers for the IPs services hold through
 * `setBalancer`/`deleteBalancer`, joins the solicited-node group of every held IPv6 on every NDP interface,
 * and sends gratuitous ARP / unsolicited NA bursts whenever a service (re)asserts an IP. The IP is never put
 * on an interface. Declarative and idempotent: the speaker calls `setBalancer` with what should be.
 */
import type { Registry } from 'prom-client';
import { assert } from '../../lib/assert.js';
import type { Clock, Timer } from '../../lib/clock.js';
import { errorMessage } from '../../lib/errors.js';
import { formatIp, ipEquals, type IpAddress } from '../../lib/ip.js';
import type { Logger } from '../../lib/logger.js';
import { Announcements, selectionMatches, type Balancer, type InterfaceSelection } from './announcements.js';
import { ArpResponder, type ResponderDeps } from './arp-responder.js';
import { GratuitousScheduler, metallbGratuitousTiming, type GratuitousTiming } from './gratuitous-scheduler.js';
import { defaultExcludedInterfaces, eligibility, excludePattern, type InterfaceInfo } from './interfaces.js';
import type { Layer2Io } from './layer2-io.js';
import { Layer2Metrics } from './layer2-metrics.js';
import { NdpResponder } from './ndp-responder.js';

export interface AnnouncerOptions {
  readonly io: Layer2Io;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Interface name patterns to ignore (MetalLB `announcedInterfacesToExclude`); default MetalLB's list. */
  readonly excludeInterfaces?: readonly string[];
  /** Default 10 s, as MetalLB. */
  readonly scanIntervalMs?: number;
  /** Default MetalLB's 1100 ms / 5 s. */
  readonly gratuitous?: GratuitousTiming;
}

interface InterfaceResponders {
  info: InterfaceInfo;
  arp: ArpResponder | undefined;
  ndp: NdpResponder | undefined;
}

/** Two scans describe the same interface when nothing a responder was built from changed. */
function sameIdentity(a: InterfaceInfo, b: InterfaceInfo): boolean {
  const sameLinkLocal = a.ipv6LinkLocal === undefined || b.ipv6LinkLocal === undefined
    ? a.ipv6LinkLocal === b.ipv6LinkLocal
    : ipEquals(a.ipv6LinkLocal, b.ipv6LinkLocal);
  return a.index === b.index && a.mac === b.mac && sameLinkLocal;
}

export class Announcer {
  readonly metrics: Layer2Metrics;
  private readonly io: Layer2Io;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly exclude: RegExp | undefined;
  private readonly scanIntervalMs: number;
  private readonly state = new Announcements();
  private readonly scheduler: GratuitousScheduler;
  private readonly deps: ResponderDeps;
  private readonly interfaces = new Map<string, InterfaceResponders>();
  private localNames: string[] = [];
  private scanTimer: Timer | undefined;
  private scanning: Promise<void> | undefined;
  private closed = false;

  constructor(options: AnnouncerOptions) {
    this.io = options.io;
    this.clock = options.clock;
    this.logger = options.logger;
    this.exclude = excludePattern(options.excludeInterfaces ?? defaultExcludedInterfaces);
    this.scanIntervalMs = options.scanIntervalMs ?? 10_000;
    this.metrics = new Layer2Metrics(options.registry);
    this.deps = { policy: (ip, ifname) => this.state.policy(ip, ifname), metrics: this.metrics, logger: this.logger };
    this.scheduler = new GratuitousScheduler(this.clock, options.gratuitous ?? metallbGratuitousTiming,
      (ip) => this.sendGratuitous(ip), (ip) => this.state.isHeld(ip));
  }

  /** Scans the interfaces once, then every `scanIntervalMs` until `close`. */
  async start(): Promise<void> {
    await this.scan();
    this.scheduleScan();
  }

  private scheduleScan(): void {
    if (this.closed) return;
    this.scanTimer = this.clock.setTimer(this.scanIntervalMs, () => {
      void this.scan().then(() => this.scheduleScan());
    });
  }

  /** Lists the interfaces now and opens/closes responders to match (one scan at a time). */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => { this.scanning = undefined; });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    let list: readonly InterfaceInfo[];
    try {
      list = await this.io.listInterfaces();
    } catch (err) {
      this.logger.error({ error: errorMessage(err) }, 'could not list interfaces');
      return;
    }
    if (!this.closed) this.applyInterfaces(list);
  }

  private applyInterfaces(list: readonly InterfaceInfo[]): void {
    const names: string[] = [];
    const seen = new Set<string>();
    for (const info of list) {
      const wanted = eligibility(info, this.exclude);
      if (wanted === undefined) continue;
      names.push(info.name);
      seen.add(info.name);
      let entry = this.interfaces.get(info.name);
      if (entry !== undefined && !sameIdentity(entry.info, info)) {
        this.closeResponders(entry);
        entry = undefined;
      }
      entry ??= { info, arp: undefined, ndp: undefined };
      this.interfaces.set(info.name, entry);
      this.reconcileArp(entry, wanted.arp);
      this.reconcileNdp(entry, wanted.ndp);
    }
    for (const [name, entry] of this.interfaces) {
      if (seen.has(name)) continue;
      this.closeResponders(entry);
      this.interfaces.delete(name);
    }
    this.localNames = names;
  }

  private reconcileArp(entry: InterfaceResponders, wanted: boolean): void {
    const { info } = entry;
    if (!wanted || entry.arp !== undefined) {
      if (!wanted && entry.arp !== undefined) {
        entry.arp.close();
        entry.arp = undefined;
        this.logger.info({ interface: info.name }, 'deleted ARP responder for interface');
      }
      return;
    }
    try {
      assert(info.mac !== undefined, `eligible interface ${info.name} has a MAC`);
      const responder = new ArpResponder(this.io.openArp(info), { name: info.name, mac: info.mac }, this.deps);
      responder.start();
      entry.arp = responder;
      this.logger.info({ interface: info.name }, 'created ARP responder for interface');
    } catch (err) {
      this.logger.error({ interface: info.name, error: errorMessage(err) }, 'failed to create ARP responder');
    }
  }

  private reconcileNdp(entry: InterfaceResponders, wanted: boolean): void {
    const { info } = entry;
    if (!wanted || entry.ndp !== undefined) {
      if (!wanted && entry.ndp !== undefined) {
        entry.ndp.close();
        entry.ndp = undefined;
        this.logger.info({ interface: info.name }, 'deleted NDP responder for interface');
      }
      return;
    }
    try {
      assert(info.mac !== undefined && info.ipv6LinkLocal !== undefined, `NDP-eligible interface ${info.name} has a MAC and a link-local`);
      const iface = { name: info.name, mac: info.mac, linkLocal: info.ipv6LinkLocal };
      const sockets = this.io.openNdp(info);
      const responder = new NdpResponder(sockets.conn, sockets.groups, iface, this.deps);
      responder.start();
      for (const ip of this.state.heldIps()) if (ip.family === 'IPv6') responder.watch(ip);
      entry.ndp = responder;
      this.logger.info({ interface: info.name }, 'created NDP responder for interface');
    } catch (err) {
      this.logger.error({ interface: info.name, error: errorMessage(err) }, 'failed to create NDP responder');
    }
  }

  private closeResponders(entry: InterfaceResponders): void {
    entry.arp?.close();
    entry.ndp?.close();
    entry.arp = undefined;
    entry.ndp = undefined;
  }

  /**
   * Announces `ips` for service `name` on `interfaces` ('all', or a list of names), replacing what `name`
   * announced before, and starts (or extends) a gratuitous burst for each of them.
   */
  setBalancer(name: string, ips: readonly IpAddress[], interfaces: InterfaceSelection | readonly string[]): void {
    const selection: InterfaceSelection = interfaces === 'all' ? 'all' : new Set(interfaces);
    const change = this.state.set(name, ips, selection);
    this.stopHolding(change.stopped);
    for (const ip of change.started) {
      if (ip.family === 'IPv6') for (const ndp of this.ndpResponders()) ndp.watch(ip);
    }
    for (const ip of this.state.get(name)?.ips ?? []) this.scheduler.trigger(ip);
  }

  /** Stops announcing for service `name` (IPs other services hold stay announced). No goodbye packet. */
  deleteBalancer(name: string): void {
    this.stopHolding(this.state.delete(name).stopped);
  }

  private stopHolding(ips: readonly IpAddress[]): void {
    for (const ip of ips) {
      this.scheduler.cancel(ip);
      if (ip.family === 'IPv6') for (const ndp of this.ndpResponders()) ndp.unwatch(ip);
      this.logger.info({ ip: formatIp(ip) }, 'stopped announcing');
    }
  }

  private sendGratuitous(ip: IpAddress): void {
    for (const entry of this.interfaces.values()) {
      const responder = ip.family === 'IPv4' ? entry.arp : entry.ndp;
      if (responder === undefined || this.state.policy(ip, entry.info.name) !== undefined) continue;
      responder.gratuitous(ip);
    }
  }

  private ndpResponders(): NdpResponder[] {
    return [...this.interfaces.values()].flatMap((e) => (e.ndp === undefined ? [] : [e.ndp]));
  }

  /** What service `name` announces now. */
  balancer(name: string): Balancer | undefined {
    return this.state.get(name);
  }

  isAnnounced(ip: IpAddress, ifname?: string): boolean {
    if (ifname === undefined) return this.state.isHeld(ip);
    return this.state.policy(ip, ifname) === undefined;
  }

  /** Local interface names not excluded (MetalLB `GetInterfaces`, for the `announceFailed` check). */
  localInterfaces(): string[] {
    return [...this.localNames];
  }

  /** Whether any of `interfaces` exists locally ('all' always does). */
  hasInterface(interfaces: InterfaceSelection | readonly string[]): boolean {
    if (interfaces === 'all') return true;
    const selection = new Set(interfaces);
    return this.localNames.some((n) => selectionMatches(selection, n));
  }

  arpResponder(ifname: string): ArpResponder | undefined {
    return this.interfaces.get(ifname)?.arp;
  }

  ndpResponder(ifname: string): NdpResponder | undefined {
    return this.interfaces.get(ifname)?.ndp;
  }

  /** IPs with a gratuitous burst in progress. */
  burstingIps(): string[] {
    return this.scheduler.active();
  }

  /** Stops scanning and bursts and closes every responder. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scanTimer?.cancel();
    this.scheduler.close();
    for (const entry of this.interfaces.values()) this.closeResponders(entry);
    this.interfaces.clear();
  }
}
