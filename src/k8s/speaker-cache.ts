/**
 * What the speaker watches (metallb-behaviour.md §1.2): Services, EndpointSlices (indexed by their Service),
 * Nodes and Namespaces cluster-wide; in the MetalLB namespace the metallb.io configuration objects, Secrets (BGP
 * passwords, the memberlist key), the speaker Pods (gossip seeds, our owner) and this node's status objects. The
 * caches are the speaker's memory of the cluster: an informer that loses the API server keeps its cache and
 * retries, so everything built on this view keeps its last known state through an outage (fail-static).
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import {
  endpointsFromSlices, nodeAvailabilityChanged, nodeFromObject, sameLabels, serviceFromObject, sliceServiceKey,
  type EndpointSliceWire, type NodeWire, type ServiceWire, type SpeakerEndpoint, type SpeakerNode, type SpeakerService,
} from '../speaker/cluster-inputs.js';
import type { SpeakerConfigInputs } from '../speaker/speaker-config.js';
import type { ClusterView } from '../speaker/speaker.js';
import { serviceOfStatus, statusLabels, type StatusKind, type StatusObject } from '../speaker/status-objects.js';
import { Informer, type InformerOptions } from './informer.js';
import { keyOfObject, type KubeObject } from './kube-object.js';

export interface SpeakerCacheOptions {
  readonly kubeConfig: k8s.KubeConfig;
  readonly namespace: string;
  readonly nodeName: string;
  /** Speaker Pods to watch (METALLB_ML_LABELS); undefined watches the Pods on this node only. */
  readonly podLabelSelector?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly relistIntervalMs?: number;
}

export interface SpeakerCacheHandlers {
  service(key: string): void;
  nodes(): void;
  configInputs(): void;
  pods(): void;
  secrets(): void;
  statusObject(kind: StatusKind, serviceKey: string): void;
  /** Whether every informer currently reaches the API server. */
  reachability(reachable: boolean): void;
}

const group = 'metallb.io';

export interface PodWire extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly podIP?: string; readonly podIPs?: readonly { readonly ip?: string }[] };
}

export interface SecretWire extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
}

export class SpeakerCache implements ClusterView {
  readonly services: Informer<ServiceWire & KubeObject>;
  readonly slices: Informer<EndpointSliceWire & KubeObject>;
  readonly nodeInformer: Informer<NodeWire & KubeObject>;
  readonly namespaces: Informer<KubeObject>;
  readonly secrets: Informer<SecretWire>;
  readonly pods: Informer<PodWire>;
  readonly config: Record<keyof Omit<SpeakerConfigInputs, 'secrets' | 'namespaces' | 'nodes'>, Informer<KubeObject>>;
  readonly statuses: Record<StatusKind, Informer<StatusObject & KubeObject>>;
  private readonly o: SpeakerCacheOptions;
  private readonly bySlice = new Map<string, Map<string, EndpointSliceWire>>();
  private readonly serviceMemo = new Map<string, SpeakerService>();
  private nodeMemo: SpeakerNode[] | undefined;
  private readonly health = new Map<string, boolean>();
  private reachable = true;
  private handlers: SpeakerCacheHandlers | undefined;

  constructor(o: SpeakerCacheOptions) {
    this.o = o;
    const kc = o.kubeConfig;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const ns = o.namespace;
    this.services = this.informer('services', '/api/v1/services', (s) => core.listServiceForAllNamespaces(s));
    this.slices = this.informer('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', (s) => discovery.listEndpointSliceForAllNamespaces(s));
    this.nodeInformer = this.informer('nodes', '/api/v1/nodes', (s) => core.listNode(s));
    this.namespaces = this.informer('namespaces', '/api/v1/namespaces', (s) => core.listNamespace(s));
    this.secrets = this.informer('secrets', `/api/v1/namespaces/${ns}/secrets`, (s) => core.listNamespacedSecret({ namespace: ns, ...s }));
    this.pods = this.informer('pods', `/api/v1/namespaces/${ns}/pods`, (s) => core.listNamespacedPod({ namespace: ns, ...s }),
      o.podLabelSelector === undefined ? { fieldSelector: `spec.nodeName=${o.nodeName}` } : { labelSelector: o.podLabelSelector });
    const cr = (plural: string, version = 'v1beta1', selectors: { labelSelector?: string } = {}) => this.informer<KubeObject>(plural,
      `/apis/${group}/${version}/namespaces/${ns}/${plural}`,
      (s) => custom.listNamespacedCustomObject({ group, version, namespace: ns, plural, ...s }) as Promise<{ items: unknown[] }>, selectors);
    this.config = {
      pools: cr('ipaddresspools'), l2Advertisements: cr('l2advertisements'), bgpAdvertisements: cr('bgpadvertisements'),
      peers: cr('bgppeers', 'v1beta2'), bfdProfiles: cr('bfdprofiles'), communities: cr('communities'),
    };
    const mine = { labelSelector: `${statusLabels.node}=${o.nodeName}` };
    this.statuses = { ServiceL2Status: cr('servicel2statuses', 'v1beta1', mine), ServiceBGPStatus: cr('servicebgpstatuses', 'v1beta1', mine) };
  }

  private informer<T extends KubeObject>(name: string, path: string, list: InformerOptions['list'], selectors: { labelSelector?: string; fieldSelector?: string } = {}): Informer<T> {
    const { kubeConfig, clock, logger, relistIntervalMs } = this.o;
    this.health.set(name, true);
    return new Informer<T>({
      name, kubeConfig, path, list, clock, logger, ...selectors,
      ...(relistIntervalMs === undefined ? {} : { relistIntervalMs }),
      onHealth: (healthy) => this.noteHealth(name, healthy),
    });
  }

  private all(): Informer<KubeObject>[] {
    return [this.services, this.slices, this.nodeInformer, this.namespaces, this.secrets, this.pods,
      ...Object.values(this.config), ...Object.values(this.statuses)] as Informer<KubeObject>[];
  }

  private noteHealth(name: string, healthy: boolean): void {
    this.health.set(name, healthy);
    const reachable = [...this.health.values()].every(Boolean);
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.handlers?.reachability(reachable);
  }

  isReachable(): boolean {
    return this.reachable;
  }

  /** Wires the handlers and starts every informer. */
  start(handlers: SpeakerCacheHandlers): void {
    this.handlers = handlers;
    this.wire(handlers);
    for (const i of this.all()) i.start();
  }

  /** Resolves once every informer has its first list. */
  async synced(): Promise<void> {
    await Promise.all(this.all().map((i) => i.synced));
  }

  hasSynced(): boolean {
    return this.all().every((i) => i.hasSynced());
  }

  private wire(h: SpeakerCacheHandlers): void {
    const service = (o: KubeObject): void => {
      const key = keyOfObject(o);
      this.serviceMemo.delete(key);
      h.service(key);
    };
    this.services.on({ add: service, update: service, delete: service });
    this.slices.on({
      add: (s) => this.indexSlice(s, undefined, h),
      update: (s, old) => this.indexSlice(s, old, h),
      delete: (s) => this.indexSlice(undefined, s, h),
    });
    const nodesChanged = (): void => {
      this.nodeMemo = undefined;
      h.nodes();
      h.configInputs();
    };
    this.nodeInformer.on({
      add: nodesChanged, delete: nodesChanged,
      update: (n, old) => {
        const [a, b] = [nodeFromObject(n), nodeFromObject(old)];
        if (!nodeAvailabilityChanged(a, b)) return;
        this.nodeMemo = undefined;
        h.nodes();
        if (!sameLabels(a.labels, b.labels)) h.configInputs();
      },
    });
    this.namespaces.on({
      add: () => h.configInputs(), delete: () => h.configInputs(),
      update: (n, old) => { if (!sameLabels(n.metadata?.labels ?? {}, old.metadata?.labels ?? {})) h.configInputs(); },
    });
    this.secrets.on({ add: () => { h.configInputs(); h.secrets(); }, update: () => { h.configInputs(); h.secrets(); }, delete: () => { h.configInputs(); h.secrets(); } });
    this.pods.on({ add: () => h.pods(), update: () => h.pods(), delete: () => h.pods() });
    for (const i of Object.values(this.config)) i.on({ add: () => h.configInputs(), update: () => h.configInputs(), delete: () => h.configInputs() });
    for (const [kind, informer] of Object.entries(this.statuses) as [StatusKind, Informer<StatusObject & KubeObject>][]) {
      const status = (o: StatusObject): void => {
        const svc = serviceOfStatus(o);
        if (svc !== undefined) h.statusObject(kind, `${svc.namespace}/${svc.name}`);
      };
      informer.on({ add: status, update: status, delete: status });
    }
  }

  private indexSlice(now: (EndpointSliceWire & KubeObject) | undefined, old: (EndpointSliceWire & KubeObject) | undefined, h: SpeakerCacheHandlers): void {
    const touched = new Set<string>();
    if (old !== undefined) {
      const key = sliceServiceKey(old);
      if (key !== undefined) {
        this.bySlice.get(key)?.delete(keyOfObject(old));
        if (this.bySlice.get(key)?.size === 0) this.bySlice.delete(key);
        touched.add(key);
      }
    }
    if (now !== undefined) {
      const key = sliceServiceKey(now);
      if (key !== undefined) {
        let slices = this.bySlice.get(key);
        if (slices === undefined) this.bySlice.set(key, slices = new Map());
        slices.set(keyOfObject(now), now);
        touched.add(key);
      }
    }
    for (const key of touched) h.service(key);
  }

  // ClusterView

  service(key: string): SpeakerService | undefined {
    const memo = this.serviceMemo.get(key);
    if (memo !== undefined) return memo;
    const slash = key.indexOf('/');
    const obj = this.services.get(key.slice(0, slash), key.slice(slash + 1));
    if (obj === undefined) return undefined;
    const svc = serviceFromObject(obj);
    this.serviceMemo.set(key, svc);
    return svc;
  }

  serviceKeys(): Iterable<string> {
    return this.services.list().map(keyOfObject);
  }

  endpoints(key: string): readonly SpeakerEndpoint[] {
    return endpointsFromSlices(this.bySlice.get(key)?.values() ?? []);
  }

  nodes(): readonly SpeakerNode[] {
    this.nodeMemo ??= this.nodeInformer.list().map(nodeFromObject);
    return this.nodeMemo;
  }

  /** The configuration objects as last seen. */
  configInputs(): SpeakerConfigInputs {
    return {
      pools: this.config.pools.list(), l2Advertisements: this.config.l2Advertisements.list(), bgpAdvertisements: this.config.bgpAdvertisements.list(),
      peers: this.config.peers.list(), bfdProfiles: this.config.bfdProfiles.list(), communities: this.config.communities.list(),
      secrets: this.secrets.list(), namespaces: this.namespaces.list(), nodes: this.nodeInformer.list(),
    };
  }

  /** This node's status objects of `kind` for one Service. */
  statusObjects(kind: StatusKind): (StatusObject & KubeObject)[] {
    return this.statuses[kind].list();
  }

  secret(name: string): SecretWire | undefined {
    return this.secrets.get(this.o.namespace, name);
  }

  podList(): PodWire[] {
    return this.pods.list();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }
}
