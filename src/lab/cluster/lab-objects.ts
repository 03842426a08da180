/**
 * The Kubernetes objects a lab starts with, pure: what a kubelet and an installer would have put in a real
 * cluster. A Node per node (InternalIP v4 and v6, Ready), a speaker Pod per node (host network, in
 * metallb-system: the gossip seeds and the owner of the speaker's status objects), a web Pod per node (the
 * HTTP "pod" answering its node name; the lab's EndpointSlices list them), and, with a router, one BGPPeer per
 * router address. Status is written separately (the API server drops `.status` on create).
 */
import { labAsn, metallbNamespace, podHttpPort, speakerPodLabels, webPodLabels, type LabHostPlan, type LabPlan } from './lab-plan.js';

export interface LabObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
}

export const labNodeLabel = 'metallb-ts.lab/node';

function readyCondition(ready: boolean, nowIso: string): Record<string, string> {
  return { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: nowIso, reason: ready ? 'LabProcessRunning' : 'LabProcessStopped' };
}

export function nodeObject(node: LabHostPlan, nowIso: string): LabObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', [labNodeLabel]: node.name } },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: node.ipv4 },
        { type: 'InternalIP', address: node.ipv6 },
        { type: 'Hostname', address: node.name },
      ],
      conditions: [{ ...readyCondition(true, nowIso), reason: 'KubeletReady', lastHeartbeatTime: nowIso }],
    },
  };
}

export function speakerPodName(node: string): string {
  return `speaker-${node}`;
}

export function webPodName(node: string): string {
  return `web-${node}`;
}

/** The status a Running host-network Pod on `node` has; `ready` follows the process behind it. */
export function podStatus(node: LabHostPlan, ready: boolean, nowIso: string): Record<string, unknown> {
  return {
    phase: 'Running',
    hostIP: node.ipv4,
    hostIPs: [{ ip: node.ipv4 }, { ip: node.ipv6 }],
    podIP: node.ipv4,
    podIPs: [{ ip: node.ipv4 }, { ip: node.ipv6 }],
    conditions: [readyCondition(ready, nowIso), { ...readyCondition(ready, nowIso), type: 'ContainersReady' }],
  };
}

export function speakerPod(node: LabHostPlan, nowIso: string): LabObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: speakerPodName(node.name), namespace: metallbNamespace, labels: { ...speakerPodLabels } },
    spec: { nodeName: node.name, hostNetwork: true, containers: [{ name: 'speaker', image: 'metallb-ts' }] },
    status: podStatus(node, true, nowIso),
  };
}

export function webPod(node: LabHostPlan, nowIso: string): LabObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: webPodName(node.name), namespace: 'default', labels: { ...webPodLabels, [labNodeLabel]: node.name } },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      containers: [{ name: 'web', image: 'metallb-ts-lab-web', ports: [{ name: 'http', containerPort: podHttpPort, protocol: 'TCP' }] }],
    },
    status: podStatus(node, true, nowIso),
  };
}

/** The BGPPeer names a lab router gets (one per address family of the router). */
export const labPeerNames = { ipv4: 'router', ipv6: 'router-v6' } as const;

export function bgpPeers(plan: LabPlan): LabObject[] {
  const peer = (name: string, address: string): LabObject => ({
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name, namespace: metallbNamespace, labels: { 'metallb-ts.lab/router': plan.router } },
    // Short timers, as in the lab's router configs: a lost session shows within seconds.
    spec: { myASN: labAsn.node, peerASN: labAsn.router, peerAddress: address, holdTime: '9s', keepaliveTime: '3s', connectTime: '2s' },
  });
  return [peer(labPeerNames.ipv4, plan.hosts.router.ipv4), peer(labPeerNames.ipv6, plan.hosts.router.ipv6)];
}

export function namespaceObject(name: string): LabObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** Everything `lab up` creates, in creation order (Namespaces first). */
export function labObjects(plan: LabPlan, nowIso: string): LabObject[] {
  return [
    namespaceObject(metallbNamespace),
    ...plan.hosts.nodes.map((n) => nodeObject(n, nowIso)),
    ...plan.hosts.nodes.map((n) => speakerPod(n, nowIso)),
    ...plan.hosts.nodes.map((n) => webPod(n, nowIso)),
    ...(plan.router === 'none' ? [] : bgpPeers(plan)),
  ];
}
