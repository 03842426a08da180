/**
 * Reads what `explain` needs from an API server (explain/snapshot.ts): every Service, the MetalLB objects of
 * the MetalLB namespace (BGPPeers at v1beta2), Nodes, Namespaces, the Secrets of the MetalLB namespace, the
 * Service's EndpointSlices and events, the speaker Pods, and the status objects. Kinds the cluster does not
 * serve (an older MetalLB without ServiceL2Status, say) read as empty. Everything is turned into plain JSON.
 */
import * as k8s from '@kubernetes/client-node';
import type { ClusterSnapshot, ServiceEventRecord } from '../explain/snapshot.js';

export interface SnapshotOptions {
  readonly namespace: string;
  readonly loadBalancerClass: string;
  readonly service: { readonly namespace: string; readonly name: string };
  /** Label selector of the speaker Pods (default `component=speaker`, MetalLB's). */
  readonly speakerSelector?: string;
}

type Json = Record<string, unknown>;

const plain = <T>(items: readonly unknown[]): T[] => JSON.parse(JSON.stringify(items)) as T[];

function isNotServed(err: unknown): boolean {
  return err instanceof k8s.ApiException && (err.code === 404 || err.code === 403);
}

async function orEmpty<T>(read: () => Promise<readonly T[]>): Promise<T[]> {
  try {
    return [...(await read())];
  } catch (err) {
    if (isNotServed(err)) return [];
    throw err;
  }
}

interface EventV1 {
  type?: string; reason?: string; note?: string; reportingController?: string; eventTime?: string;
  regarding?: { kind?: string; name?: string }; series?: { count?: number; lastObservedTime?: string }; deprecatedCount?: number;
  metadata?: { creationTimestamp?: string };
}
interface CoreEvent {
  type?: string; reason?: string; message?: string; source?: { component?: string }; count?: number; lastTimestamp?: string;
  involvedObject?: { kind?: string; name?: string }; metadata?: { creationTimestamp?: string };
}

function normaliseEvents(v1: readonly EventV1[], core: readonly CoreEvent[], name: string): ServiceEventRecord[] {
  const out: ServiceEventRecord[] = [];
  for (const e of v1) {
    if (e.regarding?.kind !== 'Service' || e.regarding.name !== name) continue;
    const lastSeen = e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp;
    out.push({ type: e.type ?? '', reason: e.reason ?? '', message: e.note ?? '', source: e.reportingController ?? '', count: e.series?.count ?? e.deprecatedCount ?? 1,
      ...(lastSeen === undefined ? {} : { lastSeen }) });
  }
  for (const e of core) {
    if (e.involvedObject?.kind !== 'Service' || e.involvedObject.name !== name) continue;
    const lastSeen = e.lastTimestamp ?? e.metadata?.creationTimestamp;
    out.push({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '', source: e.source?.component ?? '', count: e.count ?? 1,
      ...(lastSeen === undefined ? {} : { lastSeen }) });
  }
  return out.sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''));
}

export async function readClusterSnapshot(kc: k8s.KubeConfig, o: SnapshotOptions): Promise<ClusterSnapshot> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const events = kc.makeApiClient(k8s.EventsV1Api);
  const cr = (plural: string, version = 'v1beta1') => orEmpty(async () =>
    ((await custom.listNamespacedCustomObject({ group: 'metallb.io', version, namespace: o.namespace, plural })) as { items: Json[] }).items);
  const svcNs = o.service.namespace;
  const [services, namespaces, nodes, secrets, pools, l2Ads, bgpAds, peers, bfd, communities, l2s, bgps, states, slices, pods, ev1, evCore] = await Promise.all([
    core.listServiceForAllNamespaces().then((l) => l.items),
    core.listNamespace().then((l) => l.items),
    core.listNode().then((l) => l.items),
    orEmpty(async () => (await core.listNamespacedSecret({ namespace: o.namespace })).items),
    cr('ipaddresspools'), cr('l2advertisements'), cr('bgpadvertisements'), cr('bgppeers', 'v1beta2'), cr('bfdprofiles'), cr('communities'),
    cr('servicel2statuses'), cr('servicebgpstatuses'), cr('configurationstates'),
    orEmpty(async () => (await discovery.listNamespacedEndpointSlice({ namespace: svcNs, labelSelector: `kubernetes.io/service-name=${o.service.name}` })).items),
    orEmpty(async () => (await core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.speakerSelector ?? 'component=speaker' })).items),
    orEmpty(async () => (await events.listNamespacedEvent({ namespace: svcNs })).items),
    orEmpty(async () => (await core.listNamespacedEvent({ namespace: svcNs })).items),
  ]);
  return {
    namespace: o.namespace,
    loadBalancerClass: o.loadBalancerClass,
    services: plain(services),
    namespaces: plain(namespaces),
    nodes: plain(nodes),
    pools, l2Advertisements: l2Ads, bgpAdvertisements: bgpAds, peers, bfdProfiles: bfd, communities,
    secrets: plain(secrets),
    endpointSlices: plain(slices),
    speakerPods: pods.length === 0 ? undefined : plain(pods),
    l2Statuses: l2s, bgpStatuses: bgps, configurationStates: states,
    events: normaliseEvents(plain<EventV1>(ev1), plain<CoreEvent>(evCore), o.service.name),
  };
}
