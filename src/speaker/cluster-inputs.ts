/**
 * The cluster objects the speaker reads (Services, EndpointSlices, Nodes, in the plain JSON wire form an
 * informer caches) reduced to the plain inputs its decisions take. Pure: no client, no I/O. Only the fields
 * MetalLB's speaker reads are kept (metallb-behaviour.md §3.2, §5.1, §6.2).
 */
import type { Labels } from '../api/label-selector.js';
import type { BgpEndpoint } from './bgp/advertisements.js';
import type { ElectionNode } from './layer2/election.js';

/** The metadata every kind shares, as the wire carries it. */
interface WireMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ServiceWire {
  readonly metadata?: WireMeta;
  readonly spec?: {
    readonly type?: string;
    readonly loadBalancerClass?: string;
    readonly externalTrafficPolicy?: string;
  };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } };
}

export interface EndpointSliceWire {
  readonly metadata?: WireMeta;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[];
    readonly nodeName?: string;
    readonly conditions?: { readonly ready?: boolean | null; readonly serving?: boolean | null };
  }[] | null;
}

export interface NodeWire {
  readonly metadata?: WireMeta;
  readonly status?: {
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
    readonly addresses?: readonly { readonly type?: string; readonly address?: string }[];
  };
}

/** A Service as the speaker decides on it. */
export interface SpeakerService {
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly type: string;
  readonly loadBalancerClass: string | undefined;
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** `status.loadBalancer.ingress[].ip` in order, as written (parsed later, so a bad one can be reported). */
  readonly ingressIps: readonly string[];
}

/** An endpoint of one of the Service's EndpointSlices: what the layer-2 election and the BGP rules read. */
export type SpeakerEndpoint = BgpEndpoint;

/** A Node as the decisions read it, plus its addresses (BGP router ID and next hops). */
export interface SpeakerNode extends ElectionNode {
  readonly internalIps: readonly string[];
}

/** The label EndpointSlices carry to name their Service (slices without it are ignored, as MetalLB does). */
export const serviceNameLabel = 'kubernetes.io/service-name';

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function serviceFromObject(obj: ServiceWire): SpeakerService {
  const namespace = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  return {
    key: serviceKey(namespace, name),
    namespace,
    name,
    uid: obj.metadata?.uid,
    type: obj.spec?.type ?? 'ClusterIP',
    loadBalancerClass: obj.spec?.loadBalancerClass,
    labels: obj.metadata?.labels ?? {},
    annotations: obj.metadata?.annotations ?? {},
    externalTrafficPolicy: obj.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    ingressIps: (obj.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ''),
  };
}

/** The Service key an EndpointSlice belongs to, or undefined when it has no `kubernetes.io/service-name`. */
export function sliceServiceKey(slice: EndpointSliceWire): string | undefined {
  const service = slice.metadata?.labels?.[serviceNameLabel];
  if (service === undefined || service === '') return undefined;
  return serviceKey(slice.metadata?.namespace ?? '', service);
}

export function endpointsFromSlices(slices: Iterable<EndpointSliceWire>): SpeakerEndpoint[] {
  const out: SpeakerEndpoint[] = [];
  for (const slice of slices) {
    for (const e of slice.endpoints ?? []) {
      out.push({ nodeName: e.nodeName, addresses: e.addresses ?? [], conditions: { ready: e.conditions?.ready, serving: e.conditions?.serving } });
    }
  }
  return out;
}

export function nodeFromObject(obj: NodeWire): SpeakerNode {
  const conditions = obj.status?.conditions ?? [];
  return {
    name: obj.metadata?.name ?? '',
    labels: obj.metadata?.labels ?? {},
    networkUnavailable: conditions.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True'),
    internalIps: (obj.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && a.address !== undefined).map((a) => a.address as string),
  };
}

/** What a Node change means to the speaker (MetalLB's NodeReconciler: labels or NetworkUnavailable). */
export function nodeAvailabilityChanged(a: SpeakerNode, b: SpeakerNode): boolean {
  return a.networkUnavailable !== b.networkUnavailable || !sameLabels(a.labels, b.labels)
    || a.internalIps.join(',') !== b.internalIps.join(',');
}

export function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
