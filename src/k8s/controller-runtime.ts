/**
 * The controller process: informers for Services, Namespaces and the MetalLB namespace's IPAddressPools and
 * Communities (run on every replica, so a new leader starts with warm caches); the metrics (9120) and health
 * (17472) endpoints; and, when leader election is on, a Lease that picks the one replica whose LeaderSession
 * assigns addresses. A replica that loses the lease drops its session (and its state) at once. `stop()` is
 * the graceful shutdown: finish the writes in flight, flush events, release the lease, close the endpoints.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { ControllerConfig } from './controller-config.js';
import { ControllerMetrics } from './controller-metrics.js';
import { EventRecorder } from './event-recorder.js';
import { serveHttp, textAnswer, type HttpEndpoint } from './http-endpoint.js';
import { Informer, type InformerOptions } from './informer.js';
import { keyOfObject, type KubeObject } from './kube-object.js';
import { LeaderElector, leaseTimingsFor } from './leader-elector.js';
import { LeaderSession } from './leader-session.js';
import type { ServiceObject } from './service-status-writer.js';

export interface ControllerRuntimeOptions {
  readonly kubeConfig: k8s.KubeConfig;
  /** The MetalLB namespace (METALLB_NAMESPACE). */
  readonly namespace: string;
  /** `--lb-class`. */
  readonly loadBalancerClass: string;
  /** This replica's name (METALLB_POD_NAME): the Lease holder identity and the events' reporting instance. */
  readonly identity: string;
  readonly memberlistSecretName: string;
  /** Leader election; undefined runs as the only replica, as MetalLB does. */
  readonly leaderElection?: { readonly leaseName: string; readonly leaseDurationMs: number };
  /** Metrics and health endpoints; undefined disables one, port 0 picks a free port. */
  readonly metrics?: { readonly host: string; readonly port: number };
  readonly health?: { readonly host: string; readonly port: number };
  /** More conditions of `/readyz` (the webhook serving), each with what to say while it is false. */
  readonly readyChecks?: readonly { readonly notReady: string; readonly ready: () => boolean }[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly relistIntervalMs?: number;
  readonly concurrency?: number;
}

const metallbGroup = 'metallb.io';

function labelsChanged(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {});
}

export class ControllerRuntime {
  readonly metrics = new ControllerMetrics();
  readonly services: Informer<ServiceObject>;
  readonly pools: Informer<KubeObject>;
  readonly communities: Informer<KubeObject>;
  readonly namespaces: Informer<KubeObject>;
  private readonly options: ControllerRuntimeOptions;
  private readonly recorder: EventRecorder;
  private readonly config: ControllerConfig;
  private readonly elector: LeaderElector | undefined;
  private readonly leases: Informer<KubeObject> | undefined;
  private current: LeaderSession | undefined;
  private transition: Promise<void> = Promise.resolve();
  private endpoints: HttpEndpoint[] = [];
  private stopping = false;

  constructor(options: ControllerRuntimeOptions) {
    this.options = options;
    const kc = options.kubeConfig;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.services = this.informer('services', '/api/v1/services', (s) => core.listServiceForAllNamespaces(s));
    this.namespaces = this.informer('namespaces', '/api/v1/namespaces', (s) => core.listNamespace(s));
    const crList = (plural: string) => (s: { labelSelector?: string; fieldSelector?: string }) =>
      custom.listNamespacedCustomObject({ group: metallbGroup, version: 'v1beta1', namespace: options.namespace, plural, ...s }) as Promise<{ items: unknown[] }>;
    this.pools = this.informer('ipaddresspools', `/apis/${metallbGroup}/v1beta1/namespaces/${options.namespace}/ipaddresspools`, crList('ipaddresspools'));
    this.communities = this.informer('communities', `/apis/${metallbGroup}/v1beta1/namespaces/${options.namespace}/communities`, crList('communities'));
    this.config = new ControllerConfig({ pools: () => this.pools.list(), communities: () => this.communities.list(), namespaces: () => this.namespaces.list() });
    this.recorder = new EventRecorder({
      events: kc.makeApiClient(k8s.EventsV1Api), reportingController: 'metallb-controller', reportingInstance: options.identity,
      clock: options.clock, logger: options.logger,
    });
    this.wireHandlers();
    this.elector = options.leaderElection === undefined ? undefined : new LeaderElector({
      coordination: kc.makeApiClient(k8s.CoordinationV1Api), namespace: options.namespace, leaseName: options.leaderElection.leaseName,
      identity: options.identity, clock: options.clock, logger: options.logger, ...leaseTimingsFor(options.leaderElection.leaseDurationMs),
      onStartedLeading: () => this.lead(), onStoppedLeading: () => this.follow(),
    });
    if (options.leaderElection !== undefined && this.elector !== undefined) {
      const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
      const elector = this.elector;
      this.leases = new Informer<KubeObject>({
        name: 'lease', kubeConfig: kc, path: `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`,
        list: (s) => coordination.listNamespacedLease({ namespace: options.namespace, ...s }),
        fieldSelector: `metadata.name=${options.leaderElection.leaseName}`, clock: options.clock, logger: options.logger,
      });
      const seen = (o: KubeObject): void => elector.observeLease(o as unknown as k8s.V1Lease);
      this.leases.on({ add: seen, update: seen });
    }
  }

  private informer<T extends KubeObject>(name: string, path: string, list: InformerOptions['list']): Informer<T> {
    const { kubeConfig, clock, logger, relistIntervalMs } = this.options;
    return new Informer<T>({ name, kubeConfig, path, list, clock, logger, ...(relistIntervalMs === undefined ? {} : { relistIntervalMs }) });
  }

  private wireHandlers(): void {
    const service = (o: ServiceObject): void => this.current?.serviceChanged(keyOfObject(o));
    this.services.on({ add: service, update: service, delete: service });
    const config = (): void => this.current?.configChanged();
    // IPAddressPool status is ours: only spec (generation) and label changes are configuration changes.
    this.pools.on({ add: config, delete: config, update: (o, old) => { if (o.metadata?.generation !== old.metadata?.generation || labelsChanged(o, old)) config(); } });
    this.communities.on({ add: config, update: config, delete: config });
    this.namespaces.on({ add: config, delete: config, update: (o, old) => { if (labelsChanged(o, old)) config(); } });
  }

  /** The active session, when this replica leads (tests and benchmarks). */
  session(): LeaderSession | undefined {
    return this.current;
  }

  isLeader(): boolean {
    return this.current !== undefined;
  }

  ready(): boolean {
    return [this.services, this.pools, this.communities, this.namespaces].every((i) => i.hasSynced());
  }

  async start(): Promise<void> {
    for (const i of [this.services, this.pools, this.communities, this.namespaces]) i.start();
    this.leases?.start();
    await this.serveEndpoints();
    if (this.elector === undefined) this.lead();
    else this.elector.start();
  }

  private async serveEndpoints(): Promise<void> {
    const { metrics, health } = this.options;
    if (metrics !== undefined) {
      this.endpoints.push(await serveHttp({ ...metrics, routes: {
        '/metrics': async () => ({ code: 200, contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }),
      } }));
    }
    if (health !== undefined) {
      this.endpoints.push(await serveHttp({ ...health, routes: {
        '/healthz': () => textAnswer(200, 'ok\n'),
        '/readyz': () => {
          if (!this.ready()) return textAnswer(503, 'informers not synced\n');
          const failing = (this.options.readyChecks ?? []).filter((c) => !c.ready()).map((c) => c.notReady);
          return failing.length === 0 ? textAnswer(200, 'ok\n') : textAnswer(503, `${failing.join('\n')}\n`);
        },
      } }));
    }
  }

  /** Ports the endpoints listen on (metrics first, then health). */
  endpointPorts(): number[] {
    return this.endpoints.map((e) => e.port);
  }

  private lead(): void {
    this.transition = this.transition.then(async () => {
      if (this.stopping || this.current !== undefined) return;
      const kc = this.options.kubeConfig;
      const session = new LeaderSession({
        synced: Promise.all([this.services, this.pools, this.communities, this.namespaces].map((i) => i.synced)),
        services: this.services, pools: this.pools, config: this.config, core: kc.makeApiClient(k8s.CoreV1Api),
        custom: kc.makeApiClient(k8s.CustomObjectsApi), recorder: this.recorder, metrics: this.metrics,
        namespace: this.options.namespace, loadBalancerClass: this.options.loadBalancerClass,
        memberlistSecretName: this.options.memberlistSecretName, clock: this.options.clock, logger: this.options.logger,
        ...(this.options.concurrency === undefined ? {} : { concurrency: this.options.concurrency }),
      });
      this.current = session;
      this.metrics.leader.set(1);
      await session.start().catch((err: unknown) => {
        this.options.logger.error({ err: errorMessage(err) }, 'starting the controller session failed; retrying as leader');
        this.current = undefined;
        this.metrics.leader.set(0);
        void session.stop();
        this.options.clock.setTimer(1000, () => { if (this.elector === undefined || this.elector.isLeader()) this.lead(); });
      });
    });
  }

  private follow(): void {
    this.transition = this.transition.then(async () => {
      const session = this.current;
      this.current = undefined;
      this.metrics.leader.set(0);
      await session?.stop();
    });
  }

  /** Graceful shutdown. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.follow();
    await this.transition;
    await this.recorder.flush();
    this.recorder.close();
    await this.elector?.stop();
    await Promise.all([this.services, this.pools, this.communities, this.namespaces, this.leases].map((i) => i?.stop()));
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}
