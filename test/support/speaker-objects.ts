/**
 * Cluster objects the speaker tests and the bench write through the real client: Nodes with addresses and
 * conditions, speaker Pods (the gossip seeds), MetalLB objects, LoadBalancer Services with their status (what
 * the controller would write) and EndpointSlices. Each helper creates or replaces, so tests can call it again
 * to change an object.
 */
import * as k8s from '@kubernetes/client-node';

export const metallbNamespace = 'metallb-system';
const group = 'metallb.io';

export interface ClusterClients {
  readonly core: k8s.CoreV1Api;
  readonly discovery: k8s.DiscoveryV1Api;
  readonly custom: k8s.CustomObjectsApi;
  readonly events: k8s.EventsV1Api;
}

export function clients(kc: k8s.KubeConfig): ClusterClients {
  return {
    core: kc.makeApiClient(k8s.CoreV1Api), discovery: kc.makeApiClient(k8s.DiscoveryV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi), events: kc.makeApiClient(k8s.EventsV1Api),
  };
}

const isCode = (err: unknown, code: number): boolean => err instanceof k8s.ApiException && err.code === code;

export async function ensureNamespace(c: ClusterClients, name: string): Promise<void> {
  await c.core.createNamespace({ body: { metadata: { name } } }).catch((err: unknown) => { if (!isCode(err, 409)) throw err; });
}

export interface NodeSpec {
  readonly labels?: Record<string, string>;
  readonly internalIps?: readonly string[];
  readonly networkUnavailable?: boolean;
}

/** Creates or replaces a Node with its labels, addresses and NetworkUnavailable condition. */
export async function putNode(c: ClusterClients, name: string, spec: NodeSpec = {}): Promise<void> {
  const labels = { 'kubernetes.io/hostname': name, ...spec.labels };
  const status = {
    addresses: (spec.internalIps ?? []).map((address) => ({ type: 'InternalIP', address })),
    conditions: [{ type: 'NetworkUnavailable', status: spec.networkUnavailable === true ? 'True' : 'False' }],
  };
  let node: k8s.V1Node;
  try {
    node = await c.core.readNode({ name });
    node.metadata = { ...node.metadata, labels };
    node = await c.core.replaceNode({ name, body: node });
  } catch (err) {
    if (!isCode(err, 404)) throw err;
    node = await c.core.createNode({ body: { metadata: { name, labels } } });
  }
  await c.core.replaceNodeStatus({ name, body: { ...node, status } });
}

/** A speaker Pod of the DaemonSet on `node` (host network: its IP is the node's). */
export async function putSpeakerPod(c: ClusterClients, node: string, podIp: string): Promise<k8s.V1Pod> {
  const name = `speaker-${node}`;
  await c.core.deleteNamespacedPod({ name, namespace: metallbNamespace }).catch((err: unknown) => { if (!isCode(err, 404)) throw err; });
  const pod = await c.core.createNamespacedPod({
    namespace: metallbNamespace,
    body: {
      metadata: { name, labels: { app: 'metallb', component: 'speaker' } },
      spec: { nodeName: node, hostNetwork: true, containers: [{ name: 'speaker', image: 'metallb-ts' }] },
    },
  });
  return c.core.replaceNamespacedPodStatus({ name, namespace: metallbNamespace, body: { ...pod, status: { phase: 'Running', podIP: podIp, podIPs: [{ ip: podIp }] } } });
}

const plurals: Record<string, string> = {
  IPAddressPool: 'ipaddresspools', L2Advertisement: 'l2advertisements', BGPAdvertisement: 'bgpadvertisements',
  BGPPeer: 'bgppeers', BFDProfile: 'bfdprofiles', Community: 'communities',
};

/** Creates or replaces MetalLB objects (as built by test/support/config-objects.ts). */
export async function putMetallbObjects(c: ClusterClients, objects: readonly Record<string, unknown>[]): Promise<void> {
  for (const obj of objects) {
    const kind = obj['kind'] as string;
    const plural = plurals[kind];
    if (plural === undefined) throw new Error(`not a MetalLB config kind: ${kind}`);
    const version = (obj['apiVersion'] as string).split('/')[1] as string;
    const name = (obj['metadata'] as { name: string }).name;
    const ref = { group, version, namespace: metallbNamespace, plural };
    try {
      const old = await c.custom.getNamespacedCustomObject({ ...ref, name }) as { metadata: { resourceVersion: string } };
      const body = { ...obj, metadata: { ...(obj['metadata'] as object), resourceVersion: old.metadata.resourceVersion } };
      await c.custom.replaceNamespacedCustomObject({ ...ref, name, body });
    } catch (err) {
      if (!isCode(err, 404)) throw err;
      await c.custom.createNamespacedCustomObject({ ...ref, body: obj });
    }
  }
}

export async function deleteMetallbObject(c: ClusterClients, kind: string, name: string, version = 'v1beta1'): Promise<void> {
  await c.custom.deleteNamespacedCustomObject({ group, version, namespace: metallbNamespace, plural: plurals[kind] as string, name })
    .catch((err: unknown) => { if (!isCode(err, 404)) throw err; });
}

export interface ServiceSpec {
  readonly ips: readonly string[];
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly port?: number;
  /**
   * `written` (default): the status is written here, as the controller would; `controller`: a running controller
   * is asked for `ips` (annotation `metallb.io/loadBalancerIPs`); `none`: no addresses yet.
   */
  readonly addresses?: 'written' | 'controller' | 'none';
}

function familiesOf(ips: readonly string[]): Partial<k8s.V1ServiceSpec> {
  if (ips.length > 1) return { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ips.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4')) };
  return { ipFamilyPolicy: 'SingleStack', ipFamilies: [ips[0]?.includes(':') === true ? 'IPv6' : 'IPv4'] };
}

/** Creates or updates a LoadBalancer Service with its addresses (written here, or requested from the controller). */
export async function putService(c: ClusterClients, namespace: string, name: string, spec: ServiceSpec): Promise<k8s.V1Service> {
  const annotations = { ...spec.annotations, ...(spec.addresses === 'controller' ? { 'metallb.io/loadBalancerIPs': spec.ips.join(',') } : {}) };
  const metadata = { name, ...(spec.labels === undefined ? {} : { labels: spec.labels }), ...(Object.keys(annotations).length === 0 ? {} : { annotations }) };
  const body: k8s.V1Service = {
    metadata,
    spec: {
      type: 'LoadBalancer', externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster', selector: { app: name },
      ports: [{ port: spec.port ?? 80, protocol: 'TCP' }], ...familiesOf(spec.ips),
    },
  };
  let svc: k8s.V1Service;
  try {
    const old = await c.core.readNamespacedService({ name, namespace });
    svc = await c.core.replaceNamespacedService({ name, namespace, body: { ...old, metadata: { ...old.metadata, ...metadata }, spec: { ...old.spec, ...body.spec } } });
  } catch (err) {
    if (!isCode(err, 404)) throw err;
    svc = await c.core.createNamespacedService({ namespace, body });
  }
  return (spec.addresses ?? 'written') === 'written' ? setIngress(c, svc, spec.ips) : svc;
}

export async function setIngress(c: ClusterClients, svc: k8s.V1Service, ips: readonly string[]): Promise<k8s.V1Service> {
  const { name = '', namespace = '' } = svc.metadata ?? {};
  const fresh = await c.core.readNamespacedService({ name, namespace });
  return c.core.replaceNamespacedServiceStatus({
    name, namespace, body: { ...fresh, status: { loadBalancer: ips.length === 0 ? {} : { ingress: ips.map((ip) => ({ ip })) } } },
  });
}

export interface EndpointSpec {
  readonly node: string;
  readonly address: string;
  readonly ready?: boolean;
}

/** Replaces the Service's one EndpointSlice (one per address family present). */
export async function putEndpoints(c: ClusterClients, namespace: string, service: string, endpoints: readonly EndpointSpec[]): Promise<void> {
  for (const family of ['IPv4', 'IPv6'] as const) {
    const name = `${service}-${family.toLowerCase()}`;
    const mine = endpoints.filter((e) => e.address.includes(':') === (family === 'IPv6'));
    await c.discovery.deleteNamespacedEndpointSlice({ name, namespace }).catch((err: unknown) => { if (!isCode(err, 404)) throw err; });
    if (mine.length === 0) continue;
    await c.discovery.createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: { name, labels: { 'kubernetes.io/service-name': service } },
        addressType: family,
        endpoints: mine.map((e) => ({ addresses: [e.address], nodeName: e.node, conditions: { ready: e.ready ?? true, serving: e.ready ?? true } })),
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    });
  }
}

export interface StatusObjectView {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly owner: string | undefined;
  readonly status: { node?: string; serviceName?: string; serviceNamespace?: string; interfaces?: { name: string }[]; peers?: string[] };
}

/** Every ServiceL2Status or ServiceBGPStatus in the MetalLB namespace. */
export async function statusObjects(c: ClusterClients, kind: 'ServiceL2Status' | 'ServiceBGPStatus'): Promise<StatusObjectView[]> {
  const plural = kind === 'ServiceL2Status' ? 'servicel2statuses' : 'servicebgpstatuses';
  const list = await c.custom.listNamespacedCustomObject({ group, version: 'v1beta1', namespace: metallbNamespace, plural }) as {
    items: { metadata: { name: string; labels?: Record<string, string>; ownerReferences?: { name: string }[] }; status?: StatusObjectView['status'] }[];
  };
  return list.items.map((o) => ({ name: o.metadata.name, labels: o.metadata.labels ?? {}, owner: o.metadata.ownerReferences?.[0]?.name, status: o.status ?? {} }));
}

/** The `nodeAssigned` and `announceFailed` events about one Service: `reason node note`. */
export async function speakerEvents(c: ClusterClients, namespace: string, service: string): Promise<k8s.EventsV1Event[]> {
  const list = await c.events.listNamespacedEvent({ namespace });
  return list.items.filter((e) => e.regarding?.name === service && e.reportingController === 'metallb-speaker');
}
