/**
 * A test API server with the MetalLB namespace, and controllers (in this process, or as `metallb-ts
 * controller` child processes) talking to it over HTTP with the real client-node. Helpers create pools
 * and Services, wait for a Service's status, read events, and watch every committed change of every
 * Service for an address shown on two Services at once (the ground truth from the server's store).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ControllerRuntime, type ControllerRuntimeOptions } from '../../src/k8s/controller-runtime.js';
import { start, type ApiServer } from '../../src/lab/apiserver/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { eventually } from './test-api.js';

export const metallbNamespace = 'metallb-system';
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export type ServiceBody = k8s.V1Service;

export interface PoolSpec {
  readonly addresses: readonly string[];
  readonly autoAssign?: boolean;
  readonly avoidBuggyIPs?: boolean;
  readonly serviceAllocation?: Record<string, unknown>;
}

export class ControllerEnv {
  readonly api: ApiServer;
  readonly kc: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly custom: k8s.CustomObjectsApi;
  readonly events: k8s.EventsV1Api;
  private readonly controllers: ControllerRuntime[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly tmp = mkdtempSync(join(tmpdir(), 'metallb-ts-ctl-'));
  /** `ns/name -> ips` as last committed, and every double assignment ever seen. */
  private readonly shown = new Map<string, { ips: string[]; shareKey: string | undefined }>();
  readonly violations: string[] = [];

  private constructor(api: ApiServer) {
    this.api = api;
    this.kc = new k8s.KubeConfig();
    this.kc.loadFromOptions(api.kubeconfig('tester'));
    this.core = this.kc.makeApiClient(k8s.CoreV1Api);
    this.custom = this.kc.makeApiClient(k8s.CustomObjectsApi);
    this.events = this.kc.makeApiClient(k8s.EventsV1Api);
    api.onChange((c) => { if (c.group === '' && c.resource === 'services') this.checkUnique(c.type, c.object); });
  }

  static async create(): Promise<ControllerEnv> {
    const env = new ControllerEnv(await start({ historySize: 100_000 }));
    await env.core.createNamespace({ body: { metadata: { name: metallbNamespace } } });
    return env;
  }

  /** Every committed Service state: no address on two Services unless both share it by the same key. */
  private checkUnique(type: string, obj: Readonly<Record<string, unknown>>): void {
    const svc = obj as unknown as k8s.V1Service;
    const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    if (type === 'DELETED') {
      this.shown.delete(key);
      return;
    }
    const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
    const shareKey = svc.metadata?.annotations?.['metallb.io/allow-shared-ip'];
    this.shown.set(key, { ips, shareKey });
    for (const [other, o] of this.shown) {
      if (other === key) continue;
      for (const ip of ips) {
        if (o.ips.includes(ip) && (shareKey === undefined || shareKey === '' || shareKey !== o.shareKey)) {
          this.violations.push(`${ip} on ${key} and ${other} at resourceVersion ${svc.metadata?.resourceVersion}`);
        }
      }
    }
  }

  /** A controller in this process, authenticating as `user`. */
  async controller(user = 'controller', extra: Partial<ControllerRuntimeOptions> = {}): Promise<ControllerRuntime> {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions(this.api.kubeconfig(user));
    const runtime = new ControllerRuntime({
      kubeConfig: kc, namespace: metallbNamespace, loadBalancerClass: '', identity: user, memberlistSecretName: 'memberlist',
      clock: systemClock, logger: silentLogger(), ...extra,
    });
    this.controllers.push(runtime);
    await runtime.start();
    return runtime;
  }

  /** `metallb-ts controller` as a child process (so a test can SIGKILL it), authenticating as `user`. */
  spawnController(user: string, args: readonly string[] = []): ChildProcess {
    const kubeconfig = join(this.tmp, `${user}.yaml`);
    writeFileSync(kubeconfig, this.api.kubeconfigYaml(user));
    const main = new URL('../../src/cmd/main.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [main, 'controller', '--kubeconfig', kubeconfig, '--port', '0', '--health-probe-port', '0', '--webhook-port', '0', '--log-level', 'warn', ...args], {
      env: { ...process.env, METALLB_NAMESPACE: metallbNamespace, METALLB_POD_NAME: user }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.children.push(child);
    return child;
  }

  async close(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(this.controllers.map((c) => c.stop()));
    await this.api.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }

  async namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name, labels } } });
  }

  async pool(name: string, spec: PoolSpec, labels: Record<string, string> = {}, namespace = metallbNamespace): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      group: 'metallb.io', version: 'v1beta1', namespace, plural: 'ipaddresspools',
      body: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, labels }, spec },
    });
  }

  async patchPool(name: string, spec: Partial<PoolSpec>): Promise<void> {
    await this.custom.patchNamespacedCustomObject({
      group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'ipaddresspools', name, body: { spec },
    }, merge);
  }

  async deletePool(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'ipaddresspools', name });
  }

  async getPool(name: string): Promise<{ status?: Record<string, number> }> {
    return (await this.custom.getNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'ipaddresspools', name })) as { status?: Record<string, number> };
  }

  /** A LoadBalancer Service on port 80/TCP unless `body` says otherwise. */
  async service(name: string, body: { namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; spec?: k8s.V1ServiceSpec } = {}): Promise<k8s.V1Service> {
    return this.core.createNamespacedService({
      namespace: body.namespace ?? 'default',
      body: {
        metadata: { name, ...(body.annotations === undefined ? {} : { annotations: body.annotations }), ...(body.labels === undefined ? {} : { labels: body.labels }) },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...body.spec },
      },
    });
  }

  async patchService(name: string, body: object, namespace = 'default'): Promise<void> {
    await this.core.patchNamespacedService({ name, namespace, body }, merge);
  }

  async deleteService(name: string, namespace = 'default'): Promise<void> {
    await this.core.deleteNamespacedService({ name, namespace });
  }

  async ips(name: string, namespace = 'default'): Promise<string[]> {
    const svc = await this.core.readNamespacedService({ name, namespace });
    return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  }

  async poolAnnotation(name: string, namespace = 'default'): Promise<string | undefined> {
    return (await this.core.readNamespacedService({ name, namespace })).metadata?.annotations?.['metallb.io/ip-allocated-from-pool'];
  }

  /** Waits until the Service shows exactly `want` (in order). */
  async waitIps(name: string, want: readonly string[], namespace = 'default', timeoutMs = 10_000): Promise<void> {
    let last: string[] = [];
    try {
      await eventually(`${namespace}/${name} to show ${JSON.stringify(want)}`, async () => {
        last = await this.ips(name, namespace);
        return JSON.stringify(last) === JSON.stringify(want);
      }, timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}; it shows ${JSON.stringify(last)}`);
    }
  }

  /** `type reason note` of every event about the Service, oldest first. */
  async eventsOf(name: string, namespace = 'default'): Promise<string[]> {
    const list = await this.events.listNamespacedEvent({ namespace });
    return list.items.filter((e) => e.regarding?.name === name)
      .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)))
      .map((e) => `${e.type} ${e.reason} ${e.note}`);
  }

  async waitEvent(name: string, pattern: RegExp, namespace = 'default'): Promise<string> {
    return eventually(`an event ${pattern} about ${name}`, async () => (await this.eventsOf(name, namespace)).find((e) => pattern.test(e)), 10_000);
  }

  /** Writes (create/update/patch/delete) made by `user`, except on Leases and Events. */
  writesBy(user: string, filter: (r: { resource: string; subresource: string | undefined }) => boolean = () => true): number {
    return this.api.requests().filter((r) => r.user === user && ['create', 'update', 'patch', 'delete'].includes(r.verb)
      && r.resource !== 'leases' && r.resource !== 'events' && filter(r)).length;
  }
}

/** Waits until the controller has nothing queued or running. */
export async function settled(runtime: ControllerRuntime): Promise<void> {
  await eventually('the controller to lead', () => runtime.session() !== undefined);
  const session = runtime.session()!;
  await eventually('the initial load', () => session.initialLoadCompleted);
  await session.idle();
}
