/**
 * The lab's stand-in for what a real cluster runs besides MetalLB, in one process on the host: the
 * EndpointSlice controller (slices for the lab's Services, endpoint-slices.ts), kube-proxy on every node (nft
 * DNAT from Service IPs to the endpoints, honouring externalTrafficPolicy Local, proxy-rules.ts), the kubelet's
 * Pod readiness (a speaker or web Pod is Ready while its process runs), and, for a GoBGP router, the FIB sync
 * GoBGP lacks. It follows the API with informers and re-checks processes every second.
 *
 * When the API server is frozen (`lab kill api`) it keeps the last rules, as kube-proxy does.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock, Timer } from '../../lib/clock.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { Informer } from '../../k8s/informer.js';
import type { KubeObject } from '../../k8s/kube-object.js';
import { KubeProxy, renderRuleset } from '../netns/kube-proxy.js';
import { desiredSlices, managedByLabel, managedByValue, sliceContent, type PodInput, type ServiceInput, type SliceObject } from './endpoint-slices.js';
import { labNodeLabel, podStatus, speakerPodName, webPodName } from './lab-objects.js';
import { metallbNamespace, type LabPlan } from './lab-plan.js';
import { readLabState } from './lab-state.js';
import { isAlive } from './processes.js';
import { proxyRulesFor, type SliceInput } from './proxy-rules.js';

export interface KubeAgentOptions {
  readonly kubeConfig: k8s.KubeConfig;
  readonly plan: LabPlan;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called every tick when the router is GoBGP (installs its paths into the router's kernel). */
  readonly syncRouterFib?: () => Promise<void>;
}

type Wire<T> = T & KubeObject;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const tickMs = 1000;

export class KubeAgent {
  private readonly o: KubeAgentOptions;
  private readonly services: Informer<Wire<ServiceInput>>;
  private readonly slices: Informer<Wire<SliceInput>>;
  private readonly pods: Informer<Wire<PodInput>>;
  private readonly discovery: k8s.DiscoveryV1Api;
  private readonly core: k8s.CoreV1Api;
  private readonly proxies = new Map<string, { proxy: KubeProxy; applied: string }>();
  private timer: Timer | undefined;
  private ticker: Timer | undefined;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(o: KubeAgentOptions) {
    this.o = o;
    const kc = o.kubeConfig;
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const informer = <T extends KubeObject>(name: string, path: string, list: (s: { labelSelector?: string; fieldSelector?: string }) => Promise<{ items: unknown[] }>) =>
      new Informer<T>({ name, kubeConfig: kc, path, list, clock: o.clock, logger: o.logger, relistIntervalMs: 60_000 });
    this.services = informer('services', '/api/v1/services', (s) => this.core.listServiceForAllNamespaces(s));
    this.slices = informer('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', (s) => this.discovery.listEndpointSliceForAllNamespaces(s));
    this.pods = informer('pods', '/api/v1/pods', (s) => this.core.listPodForAllNamespaces(s));
    for (const node of o.plan.hosts.nodes) this.proxies.set(node.name, { proxy: new KubeProxy(node.netns, [node.ipv4, node.ipv6]), applied: '' });
    const changed = (): void => this.schedule();
    for (const i of [this.services, this.slices, this.pods]) i.on({ add: changed, update: changed, delete: changed });
  }

  start(): void {
    for (const i of [this.services, this.slices, this.pods]) i.start();
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.ticker?.cancel();
    await Promise.all([this.services, this.slices, this.pods].map((i) => i.stop()));
  }

  private tick(): void {
    if (this.stopped) return;
    this.schedule();
    this.ticker = this.o.clock.setTimer(tickMs, () => this.tick());
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = this.o.clock.setTimer(20, () => {
      this.timer = undefined;
      void this.reconcile();
    });
  }

  /** One pass; passes never overlap (a change during a pass runs one more). */
  private async reconcile(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      const synced = [this.services, this.slices, this.pods].every((i) => i.hasSynced());
      if (synced) {
        await this.step('kubelet', () => this.podReadiness());
        await this.step('endpointslices', () => this.syncSlices());
        await this.step('kube-proxy', () => this.syncProxies());
      }
      if (this.o.syncRouterFib !== undefined) await this.step('router fib', this.o.syncRouterFib);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  private async step(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.o.logger.warn({ err: errorMessage(err) }, `${what}: will retry`);
    }
  }

  private async syncSlices(): Promise<void> {
    const desired = desiredSlices(this.services.list(), this.pods.list());
    const wanted = new Map(desired.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
    const managed = this.slices.list().filter((s) => s.metadata?.labels?.[managedByLabel] === managedByValue);
    for (const have of managed) {
      const key = `${have.metadata?.namespace ?? ''}/${have.metadata?.name ?? ''}`;
      if (wanted.has(key)) continue;
      await this.discovery.deleteNamespacedEndpointSlice({ name: have.metadata?.name ?? '', namespace: have.metadata?.namespace ?? '' }).catch(ignoreNotFound);
    }
    for (const [key, want] of wanted) {
      const have = managed.find((s) => `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}` === key);
      if (have === undefined) {
        await this.discovery.createNamespacedEndpointSlice({ namespace: want.metadata.namespace, body: want as unknown as k8s.V1EndpointSlice });
      } else if (sliceContent(have as unknown as SliceObject) !== sliceContent(want)) {
        const body = { ...want, metadata: { ...want.metadata, resourceVersion: have.metadata?.resourceVersion } };
        await this.discovery.replaceNamespacedEndpointSlice({ name: want.metadata.name, namespace: want.metadata.namespace, body: body as unknown as k8s.V1EndpointSlice });
      }
    }
  }

  private async syncProxies(): Promise<void> {
    const services = this.services.list();
    const slices = this.slices.list();
    for (const [node, p] of this.proxies) {
      const rules = proxyRulesFor(node, services, slices);
      const text = renderRuleset('ip', rules) + renderRuleset('ip6', rules);
      if (text === p.applied) continue;
      await p.proxy.setServices(rules);
      p.applied = text;
      this.o.logger.info({ node, rules: rules.length }, 'kube-proxy rules installed');
    }
  }

  /** The kubelet's part: a lab Pod is Ready while the process behind it runs. */
  private async podReadiness(): Promise<void> {
    const state = readLabState(this.o.plan.paths.state);
    if (state === undefined) return;
    const nowIso = new Date(this.o.clock.wallMs()).toISOString();
    for (const node of this.o.plan.hosts.nodes) {
      const checks: [string, string, string][] = [
        [metallbNamespace, speakerPodName(node.name), `speaker/${node.name}`],
        ['default', webPodName(node.name), `pod/${node.name}`],
      ];
      for (const [namespace, name, role] of checks) {
        const pod = this.pods.get(namespace, name);
        if (pod === undefined) continue;
        const rec = state.processes[role];
        const ready = rec !== undefined && isAlive(rec);
        const now = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
        if (now === ready) continue;
        await this.core.patchNamespacedPodStatus({ name, namespace, body: { status: podStatus(node, ready, nowIso) } }, mergePatch);
        this.o.logger.info({ pod: `${namespace}/${name}`, ready, node: pod.metadata?.labels?.[labNodeLabel] ?? node.name }, 'pod readiness changed');
      }
    }
  }
}

function ignoreNotFound(err: unknown): void {
  if (err instanceof k8s.ApiException && err.code === 404) return;
  throw err;
}
