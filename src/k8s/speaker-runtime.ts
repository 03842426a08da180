/**
 * The speaker process on Kubernetes: the caches (speaker-cache.ts) feed the node's `Speaker`; the metallb.io
 * objects are rebuilt into a configuration on every change (invalid: the last good one keeps running, the stale
 * gauge and ConfigurationState say so; one that would orphan an announced IP: refused and retried with backoff);
 * the speaker Pods are the gossip seeds and the `memberlist` Secret its key; announcement changes become
 * status objects, `nodeAssigned` events (on change only) and metrics; `/metrics`, `/healthz`, `/readyz`.
 *
 * Fail-static: when the API server goes away, the caches keep what they had, the speaker keeps announcing it
 * and the election keeps following the live gossip members; writes (status, events, ConfigurationState) are
 * retried or dropped, never waited for. `/healthz` never fails because of the API server: a kubelet restarting
 * the speaker would drop the very announcements fail-static keeps.
 */
import * as k8s from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { Backoff } from '../lib/backoff.js';
import type { Clock, Timer } from '../lib/clock.js';
import { formatIp } from '../lib/ip.js';
import type { Logger } from '../lib/logger.js';
import { isAssignment, type AnnouncementChange } from '../speaker/announcement.js';
import type { BgpSessions } from '../speaker/bgp/bgp-sessions.js';
import type { AnnounceFailure } from '../speaker/layer2/interface-guard.js';
import type { LiveMembers } from '../speaker/layer2-speaker.js';
import { Speaker, type SpeakerAnnouncer } from '../speaker/speaker.js';
import { configFingerprint } from '../config/fingerprint.js';
import { buildSpeakerConfig } from '../speaker/speaker-config.js';
import { SpeakerMetrics } from '../speaker/speaker-metrics.js';
import { bgpStatusBody, layer2StatusBody, type OwnerPod } from '../speaker/status-objects.js';
import { EventRecorder } from './event-recorder.js';
import { serveHttp, textAnswer, type HttpEndpoint } from './http-endpoint.js';
import { SpeakerCache } from './speaker-cache.js';
import { SpeakerConfigurationState } from './speaker-configuration-state.js';
import { StatusObjectWriter } from './status-object-writer.js';

/** The gossip member list as the runtime drives it (`MemberList` is one). */
export interface SpeakerMembers extends LiveMembers {
  start(): void;
  /** Joins through `seeds`; resolves with how many answered. */
  join(seeds: readonly { ip: string; port: number }[]): Promise<number>;
  setSeeds(seeds: readonly { ip: string; port: number }[]): void;
  setSecret(secret: string): void;
  leave(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface MemberlistWiring {
  /** Pods of the speakers (METALLB_ML_LABELS). */
  readonly labelSelector: string;
  readonly port: number;
  /** Our own gossip address (METALLB_ML_BIND_ADDR): never a seed. */
  readonly bindAddress: string;
  /** The Secret holding `secretkey` (METALLB_ML_SECRET_NAME). */
  readonly secretName: string;
  /** The key read from METALLB_ML_SECRET_KEY_PATH, when mounted. */
  readonly secretFromFile: string | undefined;
  readonly create: (secret: string | undefined) => Promise<SpeakerMembers>;
}

export interface SpeakerRuntimeOptions {
  readonly kubeConfig: k8s.KubeConfig;
  readonly namespace: string;
  readonly nodeName: string;
  /** METALLB_POD_NAME: our Pod (owner of the status objects, events' reporting instance). */
  readonly podName: string | undefined;
  readonly loadBalancerClass: string;
  readonly ignoreExcludeLabel: boolean;
  /** Undefined: memberlist disabled, every Node counts as a speaker (MetalLB's fallback). */
  readonly memberlist?: MemberlistWiring;
  readonly announcer: SpeakerAnnouncer & { close(): void };
  readonly bgp: BgpSessions;
  readonly registry: Registry;
  readonly metricsEndpoint?: { readonly host: string; readonly port: number };
  readonly healthEndpoint?: { readonly host: string; readonly port: number };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly relistIntervalMs?: number;
  /** The longest the first join of the other speakers may hold back announcing (default 3 s). */
  readonly initialJoinMs?: number;
}

export class SpeakerRuntime {
  readonly cache: SpeakerCache;
  readonly metrics: SpeakerMetrics;
  private readonly o: SpeakerRuntimeOptions;
  private readonly recorder: EventRecorder;
  private readonly state: SpeakerConfigurationState;
  private readonly statusWriter: StatusObjectWriter;
  private readonly configBackoff = new Backoff({ initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 });
  private speakerCore: Speaker | undefined;
  private members: SpeakerMembers | undefined;
  private memberSecret: string | undefined;
  private seeds = '';
  private fingerprint: string | undefined;
  private reported: string | undefined;
  private configTimer: Timer | undefined;
  private endpoints: HttpEndpoint[] = [];
  private ready = false;
  private stopping = false;

  constructor(o: SpeakerRuntimeOptions) {
    this.o = o;
    this.metrics = new SpeakerMetrics(o.registry, o.nodeName);
    this.metrics.apiReachable.set(1);
    this.cache = new SpeakerCache({
      kubeConfig: o.kubeConfig, namespace: o.namespace, nodeName: o.nodeName, clock: o.clock, logger: o.logger,
      ...(o.memberlist === undefined ? {} : { podLabelSelector: o.memberlist.labelSelector }),
      ...(o.relistIntervalMs === undefined ? {} : { relistIntervalMs: o.relistIntervalMs }),
    });
    const custom = o.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.recorder = new EventRecorder({
      events: o.kubeConfig.makeApiClient(k8s.EventsV1Api), reportingController: 'metallb-speaker',
      reportingInstance: o.podName ?? o.nodeName, clock: o.clock, logger: o.logger,
    });
    this.state = new SpeakerConfigurationState({ custom, namespace: o.namespace, nodeName: o.nodeName, clock: o.clock, logger: o.logger });
    this.statusWriter = new StatusObjectWriter({
      custom, namespace: o.namespace, nodeName: o.nodeName, clock: o.clock, logger: o.logger,
      cached: (kind) => this.cache.statusObjects(kind),
      desired: (kind, svc) => {
        const key = `${svc.namespace}/${svc.name}`;
        return kind === 'ServiceL2Status'
          ? layer2StatusBody(o.nodeName, svc, this.speakerCore?.layer2Announcement(key))
          : bgpStatusBody(o.nodeName, svc, this.speakerCore?.bgpAnnouncement(key));
      },
      owner: () => this.ownerPod(),
      onWrite: (ok) => { if (!ok) this.metrics.updateErrors.inc(); },
    });
  }

  /** The node's speaker, once the caches have synced. */
  get speaker(): Speaker | undefined {
    return this.speakerCore;
  }

  isReady(): boolean {
    return this.ready;
  }

  /** Serves the endpoints, waits for the first full view of the cluster, then starts announcing. */
  async start(): Promise<void> {
    this.cache.start({
      service: (key) => this.speakerCore?.serviceChanged(key),
      nodes: () => this.speakerCore?.nodesChanged(),
      configInputs: () => this.scheduleConfig(0),
      pods: () => this.updateSeeds(),
      secrets: () => this.updateSecret(),
      statusObject: (kind, key) => this.statusWriter.enqueue(kind, key),
      reachability: (reachable) => this.reachability(reachable),
    });
    await this.serveEndpoints();
    await this.cache.synced();
    if (this.stopping) return;
    this.members = await this.createMembers();
    this.members?.start();
    await this.initialJoin();
    this.speakerCore = new Speaker({
      nodeName: this.o.nodeName, loadBalancerClass: this.o.loadBalancerClass, ignoreExcludeLabel: this.o.ignoreExcludeLabel,
      cluster: this.cache, members: this.members ?? 'everyNode', announcer: this.o.announcer, bgp: this.o.bgp,
      clock: this.o.clock, logger: this.o.logger, metrics: this.metrics,
      onChange: (c) => this.announcementChanged(c),
      onAnnounceFailed: (key, f) => this.announceFailed(key, f),
    });
    this.speakerCore.start();
    this.updateSeeds();
    this.rebuildConfig();
    this.statusWriter.start();
    for (const kind of ['ServiceL2Status', 'ServiceBGPStatus'] as const) {
      for (const obj of this.cache.statusObjects(kind)) {
        const l = obj.metadata?.labels ?? {};
        this.statusWriter.enqueue(kind, `${l['metallb.io/service-namespace'] ?? ''}/${l['metallb.io/service-name'] ?? ''}`);
      }
    }
    this.ready = true;
    this.o.logger.info({ node: this.o.nodeName, gossip: this.members !== undefined }, 'speaker started');
  }

  private async createMembers(): Promise<SpeakerMembers | undefined> {
    const ml = this.o.memberlist;
    if (ml === undefined) return undefined;
    this.memberSecret = ml.secretFromFile ?? this.secretFromCache();
    return await ml.create(this.memberSecret);
  }

  private secretFromCache(): string | undefined {
    const ml = this.o.memberlist;
    const data = ml === undefined ? undefined : this.cache.secret(ml.secretName)?.data?.['secretkey'];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  }

  private updateSecret(): void {
    if (this.members === undefined) return;
    const secret = this.secretFromCache();
    if (secret === undefined || secret === '' || secret === this.memberSecret) return;
    this.memberSecret = secret;
    this.members.setSecret(secret);
    this.o.logger.info('memberlist secret changed: gossip key rotated');
  }

  /** The other speakers' Pod IPs (host network: their nodes' addresses). */
  private seedIps(bindAddress: string): string[] {
    return [...new Set(this.cache.podList()
      .filter((p) => p.metadata?.name !== this.o.podName)
      .map((p) => p.status?.podIP ?? '')
      .filter((ip) => ip !== '' && ip !== bindAddress))].sort();
  }

  /**
   * Joins the other speakers before deciding anything, for at most `initialJoinMs`: a speaker that believed
   * itself alone would announce every layer-2 IP for a moment, next to their real owners.
   */
  private async initialJoin(): Promise<void> {
    const ml = this.o.memberlist;
    if (this.members === undefined || ml === undefined) return;
    const ips = this.seedIps(ml.bindAddress);
    this.seeds = ips.join(',');
    if (ips.length === 0) return;
    let timer: Timer | undefined;
    const joined = await Promise.race([
      this.members.join(ips.map((ip) => ({ ip, port: ml.port }))),
      new Promise<number>((resolve) => { timer = this.o.clock.setTimer(this.o.initialJoinMs ?? 3000, () => resolve(-1)); }),
    ]);
    timer?.cancel();
    this.o.logger.info({ seeds: ips, answered: joined < 0 ? 'timeout' : joined, members: this.members.members }, 'joined the other speakers');
  }

  private updateSeeds(): void {
    const ml = this.o.memberlist;
    if (this.members === undefined || ml === undefined) return;
    const ips = this.seedIps(ml.bindAddress);
    const text = ips.join(',');
    if (text === this.seeds) return;
    this.seeds = text;
    this.members.setSeeds(ips.map((ip) => ({ ip, port: ml.port })));
  }

  private ownerPod(): OwnerPod | undefined {
    const pods = this.cache.podList();
    const pod = pods.find((p) => p.metadata?.name === this.o.podName) ?? (this.o.podName === undefined ? pods.find((p) => p.spec?.nodeName === this.o.nodeName) : undefined);
    const name = pod?.metadata?.name;
    const uid = pod?.metadata?.uid;
    return name === undefined || uid === undefined ? undefined : { name, uid };
  }

  private scheduleConfig(delayMs: number): void {
    if (this.speakerCore === undefined || this.stopping) return;
    if (this.configTimer !== undefined && delayMs > 0) return;
    this.configTimer?.cancel();
    this.configTimer = this.o.clock.setTimer(delayMs, () => {
      this.configTimer = undefined;
      this.rebuildConfig();
    });
  }

  private report(errors: readonly string[]): void {
    const text = errors.join('\n');
    if (text === this.reported) return;
    this.reported = text;
    this.state.report(errors);
  }

  private rebuildConfig(): void {
    const speaker = this.speakerCore;
    if (speaker === undefined) return;
    this.metrics.updates.inc();
    const result = buildSpeakerConfig(this.cache.configInputs(), this.o.nodeName);
    if (result.errors !== undefined) {
      this.metrics.configStale.set(1);
      this.o.logger.error({ errors: result.errors }, 'failed to parse the configuration: keeping the last good one');
      this.report(result.errors);
      return;
    }
    for (const w of result.warnings) this.o.logger.warn({ warning: w }, 'configuration warning');
    const fingerprint = configFingerprint(result.config);
    if (fingerprint !== this.fingerprint) {
      const applied = speaker.setConfig(result.config);
      if (!applied.accepted) {
        this.metrics.configStale.set(1);
        this.metrics.updateErrors.inc();
        const delayMs = this.configBackoff.next();
        this.o.logger.error({ error: applied.error, retryInMs: delayMs }, 'new configuration rejected: it would orphan an announced IP');
        this.report([applied.error]);
        this.scheduleConfig(delayMs);
        return;
      }
      this.fingerprint = fingerprint;
      this.o.logger.info('config reloaded');
    }
    this.configBackoff.reset();
    this.metrics.configLoaded.set(1);
    this.metrics.configStale.set(0);
    this.report([]);
  }

  private announcementChanged(change: AnnouncementChange): void {
    this.statusWriter.enqueue(change.protocol === 'layer2' ? 'ServiceL2Status' : 'ServiceBGPStatus', change.key);
    if (!isAssignment(change)) return;
    const subject = this.subject(change.key);
    if (subject === undefined) return;
    this.recorder.record(subject, 'Normal', 'nodeAssigned', 'Announce', `announcing from node "${this.o.nodeName}" with protocol "${change.protocol}"`);
  }

  private announceFailed(key: string, failure: AnnounceFailure): void {
    const subject = this.subject(key);
    if (subject === undefined) return;
    for (const ip of failure.ips) {
      this.recorder.record(subject, 'Warning', 'announceFailed', 'Announce',
        `the interfaces specified by LB IP "${formatIp(ip)}" doesn't exist in assigned node "${this.o.nodeName}" with protocol "layer2"`);
    }
  }

  private subject(key: string): { apiVersion: string; kind: string; namespace: string; name: string; uid?: string } | undefined {
    const svc = this.cache.service(key);
    if (svc === undefined) return undefined;
    return { apiVersion: 'v1', kind: 'Service', namespace: svc.namespace, name: svc.name, ...(svc.uid === undefined ? {} : { uid: svc.uid }) };
  }

  private reachability(reachable: boolean): void {
    this.metrics.apiReachable.set(reachable ? 1 : 0);
    if (reachable) this.o.logger.info('API server reachable again: caches resync');
    else this.o.logger.warn('API server unreachable: announcing from the last known state (fail-static)');
  }

  private async serveEndpoints(): Promise<void> {
    const { metricsEndpoint, healthEndpoint, registry } = this.o;
    if (metricsEndpoint !== undefined) {
      this.endpoints.push(await serveHttp({ ...metricsEndpoint, routes: {
        '/metrics': async () => ({ code: 200, contentType: registry.contentType, body: await registry.metrics() }),
      } }));
    }
    if (healthEndpoint !== undefined) {
      this.endpoints.push(await serveHttp({ ...healthEndpoint, routes: {
        '/healthz': () => textAnswer(200, 'ok\n'),
        '/readyz': () => (this.ready ? textAnswer(200, 'ok\n') : textAnswer(503, 'waiting for the first view of the cluster\n')),
      } }));
    }
  }

  /** Ports the endpoints listen on (metrics first, then health). */
  endpointPorts(): number[] {
    return this.endpoints.map((e) => e.port);
  }

  /** Waits until the status objects are written (tests). */
  statusIdle(): Promise<void> {
    return this.statusWriter.idle();
  }

  /**
   * A planned stop: leave the gossip (the other nodes take over at once), withdraw, close the sessions (kept by
   * peers with graceful restart), flush events, stop watching.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.configTimer?.cancel();
    await this.members?.leave(1000).catch(() => undefined);
    this.speakerCore?.stop();
    this.o.bgp.close({ graceful: true });
    this.o.announcer.close();
    await this.members?.close();
    this.state.stop();
    await Promise.race([this.recorder.flush(), new Promise((resolve) => this.o.clock.setTimer(1000, () => resolve(undefined)))]);
    this.recorder.close();
    await this.statusWriter.stop();
    await this.cache.stop();
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}
