/**
 * The EndpointSlices a kube-controller-manager would keep for the lab's Services, pure. No real controller
 * manager runs in the lab, so the lab's kube stand-in makes them: for a Service with a selector, one slice per
 * IP family of the Service listing the Pods of its namespace that the selector matches, each endpoint on its
 * Pod's node, ready as the Pod is. Every Service port maps to the lab pod's HTTP port (the lab's one
 * container answers on every port of a Service). Services without a selector are left alone, so a user can
 * write their own EndpointSlices for them.
 */
import { podHttpPort } from './lab-plan.js';

export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedByValue = 'metallb-ts-lab';
export const serviceNameLabel = 'kubernetes.io/service-name';

interface Meta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ServiceInput {
  readonly metadata?: Meta;
  readonly spec?: {
    readonly type?: string;
    readonly selector?: Readonly<Record<string, string>> | null;
    readonly ipFamilies?: readonly string[];
    readonly externalTrafficPolicy?: string;
    readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: string }[];
  };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } };
}

export interface PodInput {
  readonly metadata?: Meta;
  readonly spec?: { readonly nodeName?: string };
  readonly status?: {
    readonly podIPs?: readonly { readonly ip?: string }[];
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
  };
}

export type AddressType = 'IPv4' | 'IPv6';

export interface SliceEndpoint {
  readonly addresses: readonly string[];
  readonly conditions: { readonly ready: boolean; readonly serving: boolean; readonly terminating: boolean };
  readonly nodeName?: string;
  readonly targetRef: { readonly kind: 'Pod'; readonly name: string; readonly namespace: string; readonly uid?: string };
}

export interface SliceObject {
  readonly apiVersion: 'discovery.k8s.io/v1';
  readonly kind: 'EndpointSlice';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly { apiVersion: 'v1'; kind: 'Service'; name: string; uid: string; controller: true }[];
  };
  readonly addressType: AddressType;
  readonly endpoints: readonly SliceEndpoint[];
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: string }[];
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function podReady(pod: PodInput): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function addressOf(pod: PodInput, family: AddressType): string | undefined {
  return (pod.status?.podIPs ?? []).map((p) => p.ip ?? '').find((ip) => ip !== '' && ip.includes(':') === (family === 'IPv6'));
}

export function sliceName(service: string, family: AddressType): string {
  return `${service}-lab-${family === 'IPv4' ? 'v4' : 'v6'}`;
}

function families(svc: ServiceInput): AddressType[] {
  const listed = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  return listed.length > 0 ? listed : ['IPv4'];
}

function sliceFor(svc: ServiceInput, pods: readonly PodInput[], family: AddressType): SliceObject {
  const name = svc.metadata?.name ?? '';
  const namespace = svc.metadata?.namespace ?? 'default';
  const endpoints: SliceEndpoint[] = [];
  for (const pod of pods) {
    const address = addressOf(pod, family);
    if (address === undefined) continue;
    const ready = podReady(pod);
    const podName = pod.metadata?.name ?? '';
    endpoints.push({
      addresses: [address],
      conditions: { ready, serving: ready, terminating: false },
      ...(pod.spec?.nodeName === undefined ? {} : { nodeName: pod.spec.nodeName }),
      targetRef: { kind: 'Pod', name: podName, namespace, ...(pod.metadata?.uid === undefined ? {} : { uid: pod.metadata.uid }) },
    });
  }
  endpoints.sort((a, b) => (a.targetRef.name < b.targetRef.name ? -1 : a.targetRef.name > b.targetRef.name ? 1 : 0));
  const uid = svc.metadata?.uid;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceName(name, family),
      namespace,
      labels: { [serviceNameLabel]: name, [managedByLabel]: managedByValue },
      ...(uid === undefined ? {} : { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid, controller: true }] }),
    },
    addressType: family,
    endpoints,
    ports: (svc.spec?.ports ?? []).map((p) => ({ name: p.name ?? '', port: podHttpPort, protocol: p.protocol ?? 'TCP' })),
  };
}

/** Every slice the lab should have, sorted by namespace/name. */
export function desiredSlices(services: readonly ServiceInput[], pods: readonly PodInput[]): SliceObject[] {
  const out: SliceObject[] = [];
  for (const svc of services) {
    const selector = svc.spec?.selector;
    if (selector === undefined || selector === null || Object.keys(selector).length === 0) continue;
    const namespace = svc.metadata?.namespace ?? 'default';
    const matching = pods.filter((p) => (p.metadata?.namespace ?? 'default') === namespace && selects(selector, p.metadata?.labels));
    for (const family of families(svc)) out.push(sliceFor(svc, matching, family));
  }
  const key = (s: SliceObject): string => `${s.metadata.namespace}/${s.metadata.name}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The fields a slice is compared on (a rewrite only when one differs). */
export function sliceContent(s: Pick<SliceObject, 'addressType' | 'endpoints' | 'ports'> & { metadata?: { labels?: Readonly<Record<string, string>> } }): string {
  return JSON.stringify({
    labels: s.metadata?.labels ?? {},
    addressType: s.addressType,
    endpoints: (s.endpoints ?? []).map((e) => ({
      addresses: e.addresses, nodeName: e.nodeName ?? '', ready: e.conditions.ready, serving: e.conditions.serving, target: e.targetRef.name,
    })),
    ports: s.ports ?? [],
  });
}
