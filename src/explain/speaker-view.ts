/**
 * The speakers' inputs from a snapshot, exactly as the speaker process derives them (cluster-inputs.ts,
 * speaker-config.ts): the Service, its endpoints, the Nodes, each node's own configuration (BGPPeers and
 * BGPAdvertisements filtered by that node's labels), and the gossip member set as the speaker Pods' readiness
 * shows it.
 */
import type { Config } from '../config/types.js';
import {
  endpointsFromSlices, nodeFromObject, serviceFromObject, type ServiceWire, type SpeakerEndpoint, type SpeakerNode, type SpeakerService,
} from '../speaker/cluster-inputs.js';
import { buildSpeakerConfig, type SpeakerConfigInputs } from '../speaker/speaker-config.js';
import type { ClusterSnapshot } from './snapshot.js';

export type NodeConfig = { readonly config: Config; readonly errors?: undefined } | { readonly config?: undefined; readonly errors: readonly string[] };

export interface SpeakerView {
  readonly service: SpeakerService | undefined;
  readonly endpoints: readonly SpeakerEndpoint[];
  readonly nodes: readonly SpeakerNode[];
  /** Each node's configuration, as its speaker builds it. */
  readonly configs: ReadonlyMap<string, NodeConfig>;
  /** A configuration every node shares for pools and L2Advertisements (the first node's that builds). */
  readonly shared: NodeConfig;
  /** Nodes with a Ready speaker Pod, or `everyNode` when the speaker Pods are unknown. */
  readonly liveSpeakers: ReadonlySet<string> | 'everyNode';
}

function inputsOf(s: ClusterSnapshot): SpeakerConfigInputs {
  return {
    pools: s.pools, l2Advertisements: s.l2Advertisements, bgpAdvertisements: s.bgpAdvertisements, peers: s.peers,
    bfdProfiles: s.bfdProfiles, communities: s.communities, secrets: s.secrets, namespaces: s.namespaces, nodes: s.nodes,
  };
}

function liveSpeakersOf(s: ClusterSnapshot): ReadonlySet<string> | 'everyNode' {
  if (s.speakerPods === undefined) return 'everyNode';
  return new Set(s.speakerPods
    .filter((p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.spec?.nodeName ?? '')
    .filter((n) => n !== ''));
}

export function speakerView(s: ClusterSnapshot, key: string): SpeakerView {
  const obj = s.services.find((x) => `${x.metadata?.namespace ?? ''}/${x.metadata?.name ?? ''}` === key);
  const nodes = s.nodes.map(nodeFromObject).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const inputs = inputsOf(s);
  const configs = new Map<string, NodeConfig>(nodes.map((n) => {
    const built = buildSpeakerConfig(inputs, n.name);
    return [n.name, built.config === undefined ? { errors: built.errors } : { config: built.config }];
  }));
  const shared = [...configs.values()].find((c) => c.config !== undefined)
    ?? [...configs.values()][0]
    ?? ((): NodeConfig => { const b = buildSpeakerConfig(inputs, ''); return b.config === undefined ? { errors: b.errors } : { config: b.config }; })();
  return {
    service: obj === undefined ? undefined : serviceFromObject(obj as ServiceWire),
    endpoints: endpointsFromSlices(s.endpointSlices),
    nodes,
    configs,
    shared,
    liveSpeakers: liveSpeakersOf(s),
  };
}
