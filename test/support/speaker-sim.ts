/**
 * A cluster of speakers without Kubernetes or sockets, for the speaker's unit tests: a settable cluster view
 * shared by every node, a gossip live set, an announcer that records balancers, and the real `BgpSessions`
 * over an in-memory network where no router answers (what is delivered to a peer does not depend on the
 * session being up). Each node's speaker is the real `Speaker`.
 */
import type { V1Service } from '@kubernetes/client-node';
import { FakeClock } from '../../src/lib/clock.js';
import type { IpAddress } from '../../src/lib/ip.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Config } from '../../src/config/types.js';
import type { AnnouncementChange } from '../../src/speaker/announcement.js';
import { BgpSessions } from '../../src/speaker/bgp/bgp-sessions.js';
import {
  nodeFromObject, serviceFromObject, type NodeWire, type ServiceWire, type SpeakerEndpoint, type SpeakerNode, type SpeakerService,
} from '../../src/speaker/cluster-inputs.js';
import type { InterfaceSelection } from '../../src/speaker/layer2/announcements.js';
import type { AnnounceFailure } from '../../src/speaker/layer2/interface-guard.js';
import type { LiveMembers } from '../../src/speaker/layer2-speaker.js';
import { Speaker, type ClusterView, type SpeakerAnnouncer } from '../../src/speaker/speaker.js';
import { MemoryNetwork } from './bgp-memory-net.js';

export class SimCluster implements ClusterView {
  private readonly svcs = new Map<string, SpeakerService>();
  private readonly eps = new Map<string, SpeakerEndpoint[]>();
  private nodeList: SpeakerNode[] = [];

  service(key: string): SpeakerService | undefined {
    return this.svcs.get(key);
  }

  serviceKeys(): Iterable<string> {
    return this.svcs.keys();
  }

  endpoints(key: string): readonly SpeakerEndpoint[] {
    return this.eps.get(key) ?? [];
  }

  nodes(): readonly SpeakerNode[] {
    return this.nodeList;
  }

  setService(svc: V1Service | ServiceWire): string {
    const s = serviceFromObject(svc as ServiceWire);
    this.svcs.set(s.key, s);
    return s.key;
  }

  deleteService(key: string): void {
    this.svcs.delete(key);
  }

  setEndpoints(key: string, endpoints: SpeakerEndpoint[]): void {
    this.eps.set(key, endpoints);
  }

  setNodes(nodes: readonly NodeWire[]): void {
    this.nodeList = nodes.map(nodeFromObject);
  }
}

/** A ready endpoint on `node` (address made up). */
export function endpointOn(node: string, ready = true): SpeakerEndpoint {
  return { nodeName: node, addresses: ['10.244.0.1'], conditions: { ready } };
}

export class SimMembers implements LiveMembers {
  members: readonly string[];
  private readonly listeners = new Set<(m: readonly string[]) => void>();

  constructor(initial: readonly string[]) {
    this.members = [...initial].sort();
  }

  onChange(l: (m: readonly string[]) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  set(m: readonly string[]): void {
    this.members = [...m].sort();
    for (const l of [...this.listeners]) l(this.members);
  }
}

export class RecordingAnnouncer implements SpeakerAnnouncer {
  readonly balancers = new Map<string, { ips: readonly IpAddress[]; interfaces: InterfaceSelection }>();
  /** Every setBalancer call (re-asserts included), as `name`. */
  readonly sets: string[] = [];
  localInterfaces: string[] = ['eth0'];

  setBalancer(name: string, ips: readonly IpAddress[], interfaces: InterfaceSelection | readonly string[]): void {
    this.sets.push(name);
    this.balancers.set(name, { ips, interfaces: interfaces === 'all' ? 'all' : new Set(interfaces) });
  }

  deleteBalancer(name: string): void {
    this.balancers.delete(name);
  }

  hasInterface(interfaces: InterfaceSelection | readonly string[]): boolean {
    if (interfaces === 'all') return true;
    return [...interfaces].some((i) => this.localInterfaces.includes(i));
  }

  balancer(name: string): { ips: readonly IpAddress[]; interfaces: InterfaceSelection } | undefined {
    return this.balancers.get(name);
  }
}

export interface SimNode {
  readonly name: string;
  readonly speaker: Speaker;
  readonly announcer: RecordingAnnouncer;
  readonly bgp: BgpSessions;
  readonly changes: AnnouncementChange[];
  readonly failures: { key: string; failure: AnnounceFailure }[];
}

export interface SimOptions {
  readonly loadBalancerClass?: string;
  readonly ignoreExcludeLabel?: boolean;
  /** Default: a shared live set of every node. */
  readonly members?: LiveMembers | 'everyNode';
}

export class SpeakerSim {
  readonly clock = new FakeClock();
  readonly cluster = new SimCluster();
  readonly net = new MemoryNetwork();
  readonly members: SimMembers;
  readonly nodes = new Map<string, SimNode>();

  constructor(names: readonly string[], options: SimOptions = {}) {
    this.members = new SimMembers(names);
    this.cluster.setNodes(names.map((name) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } })));
    for (const name of names) {
      const announcer = new RecordingAnnouncer();
      const address = `10.0.0.${this.nodes.size + 11}`;
      const { dialer } = this.net.host(address);
      const bgp = new BgpSessions({ dialer, clock: this.clock, logger: silentLogger(), nodeAddresses: () => ({ IPv4: address }), fallbackRouterId: 1 });
      const changes: AnnouncementChange[] = [];
      const failures: { key: string; failure: AnnounceFailure }[] = [];
      const speaker = new Speaker({
        nodeName: name, loadBalancerClass: options.loadBalancerClass ?? '', ignoreExcludeLabel: options.ignoreExcludeLabel ?? false,
        cluster: this.cluster, members: options.members ?? this.members, announcer, bgp, clock: this.clock, logger: silentLogger(),
        onChange: (c) => changes.push(c), onAnnounceFailed: (key, failure) => failures.push({ key, failure }),
      });
      speaker.start();
      this.nodes.set(name, { name, speaker, announcer, bgp, changes, failures });
    }
  }

  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (n === undefined) throw new Error(`no node ${name}`);
    return n;
  }

  /** Gives every node the config; returns the refusals by node. */
  setConfig(config: Config): Map<string, string> {
    const refused = new Map<string, string>();
    for (const n of this.nodes.values()) {
      const r = n.speaker.setConfig(config);
      if (!r.accepted) refused.set(n.name, r.error);
    }
    this.run();
    return refused;
  }

  setNodes(nodes: readonly NodeWire[]): void {
    this.cluster.setNodes(nodes);
    for (const n of this.nodes.values()) n.speaker.nodesChanged();
    this.run();
  }

  changed(key: string): void {
    for (const n of this.nodes.values()) n.speaker.serviceChanged(key);
    this.run();
  }

  /** Lets batched work run (the speakers' zero-delay timers). */
  run(): void {
    this.clock.advance(0);
  }

  /** Nodes announcing `key` over layer 2, sorted. */
  l2Announcers(key: string): string[] {
    return [...this.nodes.values()].filter((n) => n.speaker.layer2Announcement(key) !== undefined).map((n) => n.name).sort();
  }

  bgpAnnouncers(key: string): string[] {
    return [...this.nodes.values()].filter((n) => n.speaker.bgpAnnouncement(key) !== undefined).map((n) => n.name).sort();
  }

  close(): void {
    for (const n of this.nodes.values()) {
      n.speaker.stop();
      n.bgp.close();
    }
  }
}
