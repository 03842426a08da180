/**
 * A minimal layer-2 "speaker" for network tests: one Announcer per lab node (native sockets opened in the
 * node's namespace, all in this process), a pod and a kube-proxy stand-in per node, and a driver that runs
 * MetalLB's election over a static live set and applies the result, as the Kubernetes speaker (issue 8) will.
 */
import { Registry } from 'prom-client';
import { systemClock } from '../../src/lib/clock.js';
import { formatIp, type IpAddress } from '../../src/lib/ip.js';
import { silentLogger, type Logger } from '../../src/lib/logger.js';
import { nativeLayer2Io } from '../../src/net/layer2-io.js';
import { Announcer, type AnnouncerOptions } from '../../src/speaker/layer2/announcer.js';
import {
  announceInterfaces, shouldAnnounceL2, type ElectionEndpoint, type ElectionNode, type L2AdvertisementInput, type L2ElectionInput,
} from '../../src/speaker/layer2/election.js';
import { KubeProxy, namespaceInterfaces, startPod, type Host, type Network } from '../../src/lab/netns/index.js';

export interface LabService {
  readonly name: string;
  readonly ips: readonly IpAddress[];
  readonly port: number;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly advertisements: readonly L2AdvertisementInput[];
  readonly endpoints: readonly ElectionEndpoint[];
}

export interface LabNode {
  readonly host: Host;
  readonly announcer: Announcer;
  readonly registry: Registry;
  readonly kubeProxy: KubeProxy;
}

export interface Layer2LabOptions {
  readonly podPort?: number;
  readonly logger?: Logger;
  /** Per-node announcer options (exclusions, timings). */
  readonly announcer?: (host: Host) => Partial<Pick<AnnouncerOptions, 'excludeInterfaces' | 'scanIntervalMs' | 'gratuitous'>>;
}

export class Layer2Lab {
  readonly nodes = new Map<string, LabNode>();
  private readonly net: Network;
  private readonly podPort: number;
  private live: ReadonlySet<string>;
  private readonly services = new Map<string, LabService>();

  private constructor(net: Network, podPort: number) {
    this.net = net;
    this.podPort = podPort;
    this.live = new Set(net.hosts('node').map((h) => h.name));
  }

  static async start(net: Network, options: Layer2LabOptions = {}): Promise<Layer2Lab> {
    const lab = new Layer2Lab(net, options.podPort ?? 8080);
    try {
      for (const host of net.hosts('node')) {
        await startPod(net, host.name, { tcpPort: lab.podPort });
        const registry = new Registry();
        const announcer = new Announcer({
          io: nativeLayer2Io({ netns: host.netns, listInterfaces: namespaceInterfaces(host.netns) }),
          clock: systemClock,
          logger: (options.logger ?? silentLogger()).child({ node: host.name }),
          registry,
          ...options.announcer?.(host),
        });
        await announcer.start();
        lab.nodes.set(host.name, { host, announcer, registry, kubeProxy: new KubeProxy(host.netns, [host.ipv4!, host.ipv6!]) });
      }
    } catch (err) {
      lab.close();
      throw err;
    }
    return lab;
  }

  electionNodes(): ElectionNode[] {
    return [...this.nodes.values()].map((n) => ({ name: n.host.name, labels: { 'kubernetes.io/hostname': n.host.name }, networkUnavailable: false }));
  }

  electionInput(service: LabService): L2ElectionInput {
    return {
      service: { labels: {}, annotations: {}, externalTrafficPolicy: service.externalTrafficPolicy, ips: service.ips },
      advertisements: service.advertisements,
      nodes: this.electionNodes(),
      liveSpeakers: this.live,
      endpoints: service.endpoints,
    };
  }

  /** The node every speaker elects for `name`, if any. */
  elected(name: string): string | undefined {
    const service = this.services.get(name);
    if (service === undefined) return undefined;
    return [...this.nodes.keys()].find((n) => shouldAnnounceL2(this.electionInput(service), n).announce);
  }

  /** Adds or updates a Service: kube-proxy rules on every node (to the local pod), then the election. */
  async setService(service: LabService): Promise<void> {
    this.services.set(service.name, service);
    for (const node of this.nodes.values()) {
      await node.kubeProxy.setServices([...this.services.values()].flatMap((s) => s.ips.map((ip) => ({
        ip: formatIp(ip), port: s.port, protocol: 'tcp' as const,
        backends: [{ ip: ip.family === 'IPv4' ? node.host.ipv4! : node.host.ipv6!, port: this.podPort }],
      }))));
    }
    this.reconcile();
  }

  /** Changes the live member set every node sees and re-runs every node's decision (synchronously). */
  setLiveSet(names: readonly string[]): void {
    this.live = new Set(names);
    this.reconcile();
  }

  /** Every node decides for every Service and drives its announcer: what a speaker's reconcile does. */
  reconcile(): void {
    const nodes = this.electionNodes();
    for (const service of this.services.values()) {
      const input = this.electionInput(service);
      for (const [name, node] of this.nodes) {
        const me = nodes.find((n) => n.name === name)!;
        if (shouldAnnounceL2(input, name).announce) {
          node.announcer.setBalancer(service.name, service.ips, announceInterfaces(service.advertisements, me));
        } else {
          node.announcer.deleteBalancer(service.name);
        }
      }
    }
  }

  async metric(node: string, name: string, labels: Record<string, string>): Promise<number> {
    const registry = this.nodes.get(node)?.registry;
    const metric = (await registry?.getMetricsAsJSON())?.find((m) => m.name === name);
    const match = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
    return match?.value ?? 0;
  }

  close(): void {
    for (const node of this.nodes.values()) node.announcer.close();
  }
}
