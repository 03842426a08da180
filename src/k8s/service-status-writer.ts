/**
 * Writes a Service's load-balancer status as MetalLB does (metallb-behaviour.md §3.1, §4.1 step 7): the
 * ingress IPs and the `metallb.io/ip-allocated-from-pool` annotation in one PUT to `/status` (the Service
 * status strategy keeps metadata changes), carrying the cached resourceVersion. Nothing is written when
 * the Service already says what we want. On 409 Conflict it re-reads the Service and applies the same
 * desired state to the fresh copy, a few times, then gives up (the work queue retries the key).
 */
import * as k8s from '@kubernetes/client-node';
import { MetallbError } from '../lib/errors.js';
import type { KubeObject, ObjectMeta } from './kube-object.js';

export const poolAnnotation = 'metallb.io/ip-allocated-from-pool';

/** The parts of a Service (plain JSON) the writer reads and writes. */
export interface ServiceObject extends KubeObject {
  readonly metadata?: ObjectMeta;
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } };
}

export interface DesiredLoadBalancerStatus {
  /** IPv4 first, as MetalLB orders them; empty clears the status. */
  readonly ips: readonly string[];
  /** The pool the IPs came from; undefined removes the annotation. */
  readonly pool: string | undefined;
}

export type StatusWriteOutcome = 'unchanged' | 'written' | 'gone';

export interface StatusWriteResult {
  readonly outcome: StatusWriteOutcome;
  /** The Service as the API server returned it after our write (plain JSON). */
  readonly written?: ServiceObject;
}

export function ingressIpsOf(svc: ServiceObject): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
}

/** True when the Service already carries exactly the desired IPs (in order) and pool annotation. */
export function statusMatches(svc: ServiceObject, desired: DesiredLoadBalancerStatus): boolean {
  const ips = ingressIpsOf(svc);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  return ips.length === desired.ips.length && ingress.length === ips.length && ips.every((ip, i) => ip === desired.ips[i])
    && svc.metadata?.annotations?.[poolAnnotation] === desired.pool;
}

/** The Service with the desired status and annotation applied (a new object). */
export function withDesiredStatus(svc: ServiceObject, desired: DesiredLoadBalancerStatus): ServiceObject {
  const annotations: Record<string, string> = { ...(svc.metadata?.annotations ?? {}) };
  if (desired.pool === undefined) delete annotations[poolAnnotation];
  else annotations[poolAnnotation] = desired.pool;
  const loadBalancer = desired.ips.length === 0 ? {} : { ingress: desired.ips.map((ip) => ({ ip })) };
  return { ...svc, metadata: { ...svc.metadata, annotations }, status: { ...svc.status, loadBalancer } };
}

export interface ServiceStatusWriterOptions {
  readonly core: k8s.CoreV1Api;
  /** Attempts after the first on 409 Conflict (default 3). */
  readonly conflictRetries?: number;
  /** Counts every PUT and its outcome. */
  readonly onWrite?: (outcome: 'ok' | 'conflict' | 'error') => void;
}

export class ServiceStatusWriter {
  private readonly options: ServiceStatusWriterOptions;

  constructor(options: ServiceStatusWriterOptions) {
    this.options = options;
  }

  /** Brings `svc` (as cached) to `desired`. `gone` when the Service was deleted or replaced meanwhile. */
  async write(svc: ServiceObject, desired: DesiredLoadBalancerStatus): Promise<StatusWriteResult> {
    let current = svc;
    const uid = svc.metadata?.uid;
    for (let attempt = 0; ; attempt++) {
      if (statusMatches(current, desired)) return { outcome: 'unchanged' };
      try {
        const written = await this.put(withDesiredStatus(current, desired));
        this.options.onWrite?.('ok');
        return { outcome: 'written', written };
      } catch (err) {
        const code = err instanceof k8s.ApiException ? (err.code as number) : undefined;
        this.options.onWrite?.(code === 409 ? 'conflict' : 'error');
        if (code === 404) return { outcome: 'gone' };
        if (code !== 409 || attempt >= (this.options.conflictRetries ?? 3)) throw wrap(svc, err);
      }
      const fresh = await this.read(current);
      if (fresh === undefined || fresh.metadata?.uid !== uid) return { outcome: 'gone' };
      current = fresh;
    }
  }

  private async put(body: ServiceObject): Promise<ServiceObject> {
    const { name = '', namespace = '' } = body.metadata ?? {};
    const written = await this.options.core.replaceNamespacedServiceStatus({ name, namespace, body: body as unknown as k8s.V1Service });
    return JSON.parse(JSON.stringify(written)) as ServiceObject;
  }

  private async read(svc: ServiceObject): Promise<ServiceObject | undefined> {
    const { name = '', namespace = '' } = svc.metadata ?? {};
    try {
      return JSON.parse(JSON.stringify(await this.options.core.readNamespacedService({ name, namespace }))) as ServiceObject;
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 404) return undefined;
      throw wrap(svc, err);
    }
  }
}

function wrap(svc: ServiceObject, err: unknown): MetallbError {
  const code = err instanceof k8s.ApiException ? (err.code as number) : undefined;
  const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
  return new MetallbError(code === 409 ? 'ERR_STATUS_CONFLICT' : 'ERR_STATUS_WRITE',
    `writing status of service "${key}": ${code === undefined ? String(err) : `HTTP ${code}`}`, { cause: err });
}
