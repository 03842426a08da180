/**
 * The speaker lab for the network tier and the bench: three node namespaces each running `metallb-ts speaker`
 * as a real process (as a host-network DaemonSet Pod runs it), a client on the LAN, FRR in the router namespace
 * (eBGP over IPv4 and IPv6 with every node) with an outside host behind it, and the test API server in this
 * process, reached by the speakers at 10.100.0.1:6443 through a forwarder in the router namespace that can take
 * the API away. A pod on every node answers its node name; a kube-proxy stand-in DNATs each Service IP to the
 * node's own pod (for `Local`, only on nodes with an endpoint), so an answer names the node the traffic reached.
 * `metallb-ts controller` runs in the router namespace and assigns the addresses the tests ask for
 * (`metallb.io/loadBalancerIPs`); without it (the bench) the lab writes each Service's status itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { start as startApiServer, type ApiServer } from '../../src/lab/apiserver/index.js';
import {
  KubeProxy, buildNetwork, defaultTopology, runIn, runPrefix, startPod, tcpRequest, waitFor, type Network, type SupervisedProcess,
} from '../../src/lab/netns/index.js';
import { FrrRouter } from '../../src/lab/routers/frr-router.js';
import { kernelNextHops } from '../../src/lab/routers/router.js';
import { ApiProxy } from './api-proxy.js';
import { bgpAd, l2, peer, pool } from './config-objects.js';
import {
  clients, ensureNamespace, metallbNamespace, putEndpoints, putMetallbObjects, putNode, putService, putSpeakerPod, type ClusterClients,
} from './speaker-objects.js';

export const labNodes = ['node1', 'node2', 'node3'] as const;
export const appNamespace = 'apps';
export const routerAsn = 64500;
export const nodeAsn = 64512;
const podPort = 8080;
const mainJs = fileURLToPath(new URL('../../src/cmd/main.js', import.meta.url));

export interface LabService {
  readonly name: string;
  readonly ips: readonly string[];
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** Nodes with a ready endpoint (default every node). */
  readonly endpointNodes?: readonly string[];
  readonly port?: number;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** The MetalLB objects every lab run starts with: an L2 pool and a BGP pool, each dual-stack, and two peers. */
export function baseConfig(): Record<string, unknown>[] {
  const timers = { holdTime: '9s', keepaliveTime: '3s' };
  return [
    pool('l2-pool', ['10.200.0.0/26', 'fd00:200::/120']), l2('l2', { ipAddressPools: ['l2-pool'] }),
    pool('bgp-pool', ['10.200.0.128/26', 'fd00:200::1:0/120']), bgpAd('bgp', { ipAddressPools: ['bgp-pool'] }),
    peer('router-v4', { myASN: nodeAsn, peerASN: routerAsn, peerAddress: '10.100.0.1', ...timers }),
    peer('router-v6', { myASN: nodeAsn, peerASN: routerAsn, peerAddress: 'fd00:100::1', ...timers }),
  ];
}

export class SpeakerLab {
  readonly net: Network;
  readonly api: ApiServer;
  readonly proxy: ApiProxy;
  readonly c: ClusterClients;
  readonly router: FrrRouter;
  readonly speakers = new Map<string, SupervisedProcess>();
  /** `metallb-ts controller` in the router namespace (the control plane), when the lab runs one. */
  controller: SupervisedProcess | undefined;
  private readonly services = new Map<string, LabService>();
  private readonly proxies = new Map<string, KubeProxy>();
  private starts = 0;

  private constructor(net: Network, api: ApiServer, proxy: ApiProxy, router: FrrRouter) {
    this.net = net;
    this.api = api;
    this.proxy = proxy;
    this.router = router;
    this.c = clients(kubeConfigFor(api.url));
  }

  /**
   * `controller`: run `metallb-ts controller` (in the router namespace, through the forwarder, so it loses the
   * API server with the speakers); without it the lab writes each Service's status itself.
   */
  static async create(tag: string, options: { gossipProfile?: string; controller?: boolean } = {}): Promise<SpeakerLab> {
    // SPEAKER_LAB_KEEP=1 keeps the logs (speakers, FRR) after the run, for a failure's post-mortem.
    const keepWorkDir = process.env['SPEAKER_LAB_KEEP'] === '1';
    const net = await buildNetwork(defaultTopology(runPrefix(tag), { nodes: 3, router: true, client: true, outside: true }), { keepWorkDir });
    if (keepWorkDir) process.stderr.write(`speaker lab logs: ${net.workDir}\n`);
    let api: ApiServer | undefined;
    let proxy: ApiProxy | undefined;
    try {
      api = await startApiServer({ port: 0, recordRequests: false });
      proxy = await ApiProxy.start({ listen: { ip: '10.100.0.1', port: 6443 }, netns: net.host('router').netns, target: { host: '127.0.0.1', port: api.port } });
      const router = new FrrRouter(net, 'router', {
        asn: routerAsn, routerId: '10.100.0.1', holdTimeSec: 9, connectRetrySec: 1,
        neighbors: labNodes.flatMap((n) => [net.host(n).ipv4!, net.host(n).ipv6!]).map((address) => ({ address, asn: nodeAsn })),
      });
      const lab = new SpeakerLab(net, api, proxy, router);
      await lab.seed();
      await router.start();
      for (const n of labNodes) {
        await startPod(net, n, { tcpPort: podPort });
        lab.proxies.set(n, new KubeProxy(net.host(n).netns, [net.host(n).ipv4!, net.host(n).ipv6!]));
      }
      if (options.controller === true) await lab.startController();
      for (const n of labNodes) lab.startSpeaker(n, options.gossipProfile);
      await Promise.all(labNodes.map((n) => lab.waitStarted(n)));
      return lab;
    } catch (err) {
      await proxy?.stop();
      await api?.close();
      await net.close();
      throw err;
    }
  }

  private async seed(): Promise<void> {
    await ensureNamespace(this.c, metallbNamespace);
    await ensureNamespace(this.c, appNamespace);
    for (const n of labNodes) {
      const h = this.net.host(n);
      await putNode(this.c, n, { internalIps: [h.ipv4!, h.ipv6!] });
      await putSpeakerPod(this.c, n, h.ipv4!);
    }
    await this.c.core.createNamespacedSecret({ namespace: metallbNamespace, body: { metadata: { name: 'memberlist' }, stringData: { secretkey: 'bGFiLXNwZWFrZXIta2V5' } } });
    await putMetallbObjects(this.c, baseConfig());
    for (const n of labNodes) writeFileSync(this.kubeconfigFile(n), kubeconfigYaml(this.proxy.url, n));
  }

  private kubeconfigFile(node: string): string {
    return join(this.net.workDir, `${node}-kubeconfig.yaml`);
  }

  private async startController(): Promise<void> {
    const kubeconfig = join(this.net.workDir, 'controller-kubeconfig.yaml');
    writeFileSync(kubeconfig, kubeconfigYaml(this.proxy.url, 'controller'));
    const proc = this.net.start('router', [
      process.execPath, mainJs, 'controller', '--kubeconfig', kubeconfig, '--namespace', metallbNamespace, '--no-leader-elect',
      '--webhook-mode', 'disabled', '--port', '0', '--health-probe-port', '0', '--log-level', 'info',
    ], 'controller', { ...process.env, METALLB_POD_NAME: 'controller' });
    this.controller = proc;
    await waitFor(() => {
      if (!proc.running) throw new Error(`the controller exited: ${proc.output().slice(-2000)}`);
      return proc.output().includes('controller started');
    }, { timeoutMs: 60_000, intervalMs: 50, what: 'the controller to start' });
  }

  /** Starts `metallb-ts speaker` in the node's namespace, as the DaemonSet would (MetalLB's env and flags). */
  startSpeaker(node: string, gossipProfile = 'lan'): SupervisedProcess {
    const h = this.net.host(node);
    const proc = this.net.start(node, [
      process.execPath, mainJs, 'speaker', '--node', node, '--kubeconfig', this.kubeconfigFile(node), '--log-level', 'info',
      '--gossip-profile', gossipProfile, '--excludel2-file', join(this.net.workDir, 'no-excludel2.yaml'),
    ], `speaker-${++this.starts}`, {
      ...process.env, METALLB_NAMESPACE: metallbNamespace, METALLB_POD_NAME: `speaker-${node}`,
      METALLB_ML_BIND_ADDR: h.ipv4!, METALLB_ML_BIND_PORT: '7946', METALLB_ML_LABELS: 'app=metallb,component=speaker', METALLB_HOST: h.ipv4!,
    });
    this.speakers.set(node, proc);
    return proc;
  }

  async waitStarted(node: string, timeoutMs = 30_000): Promise<void> {
    const proc = this.speakers.get(node);
    await waitFor(() => {
      if (proc === undefined || !proc.running) throw new Error(`speaker on ${node} exited: ${proc?.output().slice(-2000) ?? ''}`);
      return proc.output().includes('"msg":"speaker started"');
    }, { timeoutMs, intervalMs: 50, what: `the speaker on ${node} to start` });
  }

  /** SIGKILL (a crash) or SIGTERM (a planned stop) of a node's speaker; resolves once it has exited. */
  async stopSpeaker(node: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const proc = this.speakers.get(node);
    if (proc === undefined || !proc.running) return;
    process.kill(proc.pid, signal);
    await proc.wait();
  }

  speakerLog(node: string): string {
    return this.speakers.get(node)?.output() ?? '';
  }

  /**
   * Creates or changes a Service (addresses from the controller, or written here as it would), its endpoints and
   * the DNAT rules. `status: false` leaves the Service without addresses (the bench writes them, timed).
   */
  async putService(s: LabService, options: { status?: boolean } = {}): Promise<k8s.V1Service> {
    this.services.set(s.name, s);
    const endpointNodes = s.endpointNodes ?? labNodes;
    const status = options.status ?? true;
    const svc = await putService(this.c, appNamespace, s.name, {
      ips: s.ips, externalTrafficPolicy: s.externalTrafficPolicy ?? 'Cluster', port: s.port ?? 80,
      addresses: !status ? 'none' : this.controller === undefined ? 'written' : 'controller',
      ...(s.labels === undefined ? {} : { labels: s.labels }), ...(s.annotations === undefined ? {} : { annotations: s.annotations }),
    });
    if (status && this.controller !== undefined) await this.waitIngress(s.name, s.ips);
    const v4 = s.ips.some((ip) => !ip.includes(':'));
    const v6 = s.ips.some((ip) => ip.includes(':'));
    await putEndpoints(this.c, appNamespace, s.name, endpointNodes.flatMap((n) => [
      ...(v4 ? [{ node: n, address: this.net.host(n).ipv4! }] : []), ...(v6 ? [{ node: n, address: this.net.host(n).ipv6! }] : []),
    ]));
    await this.syncProxies();
    return svc;
  }

  /** Waits until the controller has written the addresses. */
  async waitIngress(name: string, ips: readonly string[], timeoutMs = 20_000): Promise<void> {
    let last = '';
    await waitFor(async () => {
      const svc = await this.c.core.readNamespacedService({ name, namespace: appNamespace });
      last = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).join(',');
      return last === ips.join(',');
    }, { timeoutMs, intervalMs: 50, what: `the controller to give ${name} ${ips.join(',')} (last: ${last || 'none'})` });
  }

  private async syncProxies(): Promise<void> {
    await Promise.all(labNodes.map((n) => {
      const h = this.net.host(n);
      const rules = [...this.services.values()].flatMap((s) => s.ips.map((ip) => {
        const local = (s.externalTrafficPolicy ?? 'Cluster') === 'Cluster' || (s.endpointNodes ?? labNodes).includes(n);
        const backend = { ip: ip.includes(':') ? h.ipv6! : h.ipv4!, port: podPort };
        return { ip, port: s.port ?? 80, protocol: 'tcp' as const, backends: local ? [backend] : [] };
      }));
      return this.proxies.get(n)!.setServices(rules);
    }));
  }

  /** The node whose pod answered a TCP connection to `ip:port` from `from` (client on the LAN, outside via the router). */
  async whoAnswers(ip: string, port = 80, from: 'client' | 'outside' = 'client', timeoutMs = 1500): Promise<string | undefined> {
    try {
      const line = await tcpRequest(this.net.host(from).netns, ip, port, timeoutMs);
      return line.split(' ')[0]?.trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** Polls until `ip:port` is answered by `node` (or by any node when undefined). */
  async waitAnswer(ip: string, node: string | undefined, o: { port?: number; from?: 'client' | 'outside'; timeoutMs?: number } = {}): Promise<string> {
    let last: string | undefined;
    return waitFor(async () => {
      last = await this.whoAnswers(ip, o.port ?? 80, o.from ?? 'client');
      return last !== undefined && (node === undefined || last === node) ? last : undefined;
    }, { timeoutMs: o.timeoutMs ?? 15_000, intervalMs: 100, what: `${ip}:${o.port ?? 80} to be answered by ${node ?? 'any node'} (last: ${last ?? 'none'})` });
  }

  /** The router kernel's next hops for a prefix (ECMP gives several). */
  nextHops(prefix: string): Promise<string[]> {
    return kernelNextHops(this.net.host('router').netns, prefix);
  }

  async waitNextHops(prefix: string, want: readonly string[], timeoutMs = 20_000): Promise<void> {
    const expected = [...want].sort().join(',');
    let last = '';
    await waitFor(async () => (last = (await this.nextHops(prefix)).join(',')) === expected,
      { timeoutMs, intervalMs: 100, what: `router next hops for ${prefix} to be [${expected}] (last: [${last}])` });
  }

  /** An HTTP GET from inside a node's namespace (the speaker's metrics and health endpoints). */
  async httpGet(node: string, ip: string, port: number, path: string): Promise<{ status: number; body: string }> {
    const { stdout } = await runIn(this.net.host(node).netns, 'socat', ['-T', '2', '-', `TCP:${ip}:${port},connect-timeout=2`],
      { input: `GET ${path} HTTP/1.0\r\nHost: ${ip}\r\n\r\n`, timeoutMs: 4000 });
    const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(stdout)?.[1] ?? '0');
    return { status, body: stdout.slice(stdout.indexOf('\r\n\r\n') + 4) };
  }

  async metrics(node: string): Promise<string> {
    return (await this.httpGet(node, this.net.host(node).ipv4!, 9120, '/metrics')).body;
  }

  async close(): Promise<void> {
    await this.proxy.stop();
    await this.net.close();
    await this.api.close();
  }
}

function kubeConfigFor(url: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'lab', server: url, skipTLSVerify: true }], users: [{ name: 'admin', token: 'admin' }],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'admin' }], currentContext: 'lab',
  });
  return kc;
}

function kubeconfigYaml(server: string, user: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'current-context: lab',
    'clusters:', `- name: lab`, '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'users:', `- name: ${user}`, '  user:', `    token: ${user}`,
    'contexts:', '- name: lab', '  context:', '    cluster: lab', `    user: ${user}`, '',
  ].join('\n');
}
