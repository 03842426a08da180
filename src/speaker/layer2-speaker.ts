/**
 * The layer-2 speaker without Kubernetes: the gossip live set feeds MetalLB's election for every Service, and
 * the winner's announcer answers ARP/NDP for the Service's IPs (with a gratuitous burst when it takes over).
 * Everything it reads comes in through `setNodes`/`setServices` and the live set, so the Kubernetes speaker
 * feeds it from informers and the lab from a static description.
 *
 * An election won is announced, one lost is withdrawn at once. Like MetalLB (which reprocesses every Service
 * on each membership event, and each SetBalancer starts a gratuitous burst), the owner re-asserts its IPs with
 * a new burst whenever the live set changes: after a partition heals, clients that followed another node's
 * burst meanwhile come back. Changes of Services or Nodes that keep the owner do not re-announce. A planned
 * stop is `leave` on the member list first (peers elect the next node and send their burst), then `stop()`.
 */
import { formatIp, type IpAddress } from '../lib/ip.js';
import type { Logger } from '../lib/logger.js';
import type { ElectionEndpoint, ElectionNode, ElectionService, L2AdvertisementInput, L2Decision } from './layer2/election.js';
import { announceInterfaces, shouldAnnounceL2 } from './layer2/election.js';

/** The live member set as the election consumes it (`MemberList` is one). */
export interface LiveMembers {
  readonly members: readonly string[];
  onChange(listener: (members: readonly string[]) => void): () => void;
}

/** What this composition drives (`Announcer` is one). */
export interface Layer2Announce {
  setBalancer(name: string, ips: readonly IpAddress[], interfaces: 'all' | readonly string[]): void;
  deleteBalancer(name: string): void;
}

/** One Service as the layer-2 election sees it. */
export interface Layer2ServiceInput {
  /** `namespace/name`: the balancer name given to the announcer. */
  readonly key: string;
  readonly service: ElectionService;
  /** The L2Advertisements of the Service's pool. */
  readonly advertisements: readonly L2AdvertisementInput[];
  readonly endpoints: readonly ElectionEndpoint[];
}

export interface Layer2SpeakerOptions {
  readonly nodeName: string;
  readonly members: LiveMembers;
  readonly announcer: Layer2Announce;
  readonly logger: Logger;
  /** MetalLB `--ignore-exclude-lb`. */
  readonly ignoreExcludeLabel?: boolean;
  /** Called with every decision that changed what this node announces (for logs, status and tests). */
  readonly onChange?: (key: string, decision: L2Decision) => void;
}

interface Announced {
  readonly ips: string;
  readonly interfaces: string;
}

export class Layer2Speaker {
  private readonly o: Layer2SpeakerOptions;
  private nodes: readonly ElectionNode[] = [];
  private services = new Map<string, Layer2ServiceInput>();
  private readonly announced = new Map<string, Announced>();
  private readonly decisions = new Map<string, L2Decision>();
  private unsubscribe: (() => void) | undefined;

  constructor(o: Layer2SpeakerOptions) {
    this.o = o;
  }

  /**
   * Follows the live set from now on, and decides for what is known already. Start it once the member list has
   * tried to join: before that a node sees only itself and would announce everything.
   */
  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.o.members.onChange(() => this.reconcile(true));
    this.reconcile(false);
  }

  setNodes(nodes: readonly ElectionNode[]): void {
    this.nodes = nodes;
    this.reconcile(false);
  }

  /** The whole set of layer-2 Services (declarative: Services not listed are withdrawn). */
  setServices(services: readonly Layer2ServiceInput[]): void {
    this.services = new Map(services.map((s) => [s.key, s]));
    this.reconcile(false);
  }

  /**
   * Adds or replaces `changed` and drops `removed`, deciding for those Services only: with thousands of Services,
   * one that changes must not cost an election for every other.
   */
  updateServices(changed: readonly Layer2ServiceInput[], removed: readonly string[] = []): void {
    for (const s of changed) this.services.set(s.key, s);
    for (const key of removed) this.services.delete(key);
    this.reconcile(false, [...changed.map((s) => s.key), ...removed]);
  }

  /** The last decision for a Service. */
  decision(key: string): L2Decision | undefined {
    return this.decisions.get(key);
  }

  /** Whether this node announces the Service now. */
  isAnnouncing(key: string): boolean {
    return this.announced.has(key);
  }

  /** Stops following the live set and withdraws everything. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const key of [...this.announced.keys()]) this.withdraw(key, 'stopped');
  }

  /** `reassert`: announce again what is already announced (a new gratuitous burst). `only`: these keys alone. */
  private reconcile(reassert: boolean, only?: readonly string[]): void {
    if (this.unsubscribe === undefined) return;
    const live = new Set(this.o.members.members);
    const subset = only === undefined ? this.services.values() : only.flatMap((k) => this.services.get(k) ?? []);
    for (const s of subset) {
      const decision = shouldAnnounceL2({
        service: s.service, advertisements: s.advertisements, nodes: this.nodes, liveSpeakers: live, endpoints: s.endpoints,
        ...(this.o.ignoreExcludeLabel === undefined ? {} : { ignoreExcludeLabel: this.o.ignoreExcludeLabel }),
      }, this.o.nodeName);
      this.decisions.set(s.key, decision);
      if (decision.announce) this.announce(s, decision, reassert);
      else if (this.announced.has(s.key)) {
        this.withdraw(s.key, decision.reason);
        this.o.onChange?.(s.key, decision);
      }
    }
    for (const key of only ?? [...this.announced.keys(), ...this.decisions.keys()]) {
      if (this.services.has(key)) continue;
      this.decisions.delete(key);
      if (this.announced.has(key)) this.withdraw(key, 'serviceGone');
    }
  }

  private announce(s: Layer2ServiceInput, decision: L2Decision, reassert: boolean): void {
    const me = this.nodes.find((n) => n.name === this.o.nodeName);
    if (me === undefined) return;
    const interfaces = announceInterfaces(decision.election.advertisements, me);
    const next: Announced = { ips: s.service.ips.map(formatIp).join(','), interfaces: interfaces === 'all' ? 'all' : interfaces.join(',') };
    const prev = this.announced.get(s.key);
    const same = prev !== undefined && prev.ips === next.ips && prev.interfaces === next.interfaces;
    if (same && !reassert) return;
    this.o.announcer.setBalancer(s.key, s.service.ips, interfaces);
    this.announced.set(s.key, next);
    if (same) return;
    this.o.logger.info({ service: s.key, ips: next.ips, candidates: decision.election.candidates }, 'announcing: this node won the layer-2 election');
    this.o.onChange?.(s.key, decision);
  }

  private withdraw(key: string, reason: string): void {
    this.o.announcer.deleteBalancer(key);
    this.announced.delete(key);
    this.o.logger.info({ service: key, reason }, 'withdrawn');
  }
}
