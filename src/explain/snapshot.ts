/**
 * What `explain` reads of a cluster, as plain JSON in wire form (what a `kubectl get -o json` or an
 * informer holds). The reader (k8s/cluster-snapshot.ts) fills it from an API server; tests write it by hand.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { ConfigObject } from '../speaker/speaker-config.js';
import type { EndpointSliceWire, NodeWire } from '../speaker/cluster-inputs.js';

export interface PodWire {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
  };
}

/** A ServiceL2Status or ServiceBGPStatus. */
export interface StatusObjectWire {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly status?: {
    readonly node?: string;
    readonly serviceName?: string;
    readonly serviceNamespace?: string;
    readonly interfaces?: readonly { readonly name?: string }[];
    readonly peers?: readonly string[];
  };
}

export interface ConfigurationStateWire {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly status?: { readonly result?: string; readonly errorSummary?: string };
}

/** An event about the Service, from events.k8s.io/v1 or core v1, normalised. */
export interface ServiceEventRecord {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  /** The component that reported it (`metallb-controller`, `metallb-speaker`...). */
  readonly source: string;
  readonly count: number;
  /** ISO time of the last occurrence, when known. */
  readonly lastSeen?: string;
}

export interface ClusterSnapshot {
  /** The MetalLB namespace. */
  readonly namespace: string;
  /** The controller's and speakers' `--lb-class` ("" = Services without a class). */
  readonly loadBalancerClass: string;
  readonly services: readonly V1Service[];
  readonly namespaces: readonly ConfigObject[];
  readonly nodes: readonly (NodeWire & ConfigObject)[];
  readonly pools: readonly ConfigObject[];
  readonly l2Advertisements: readonly ConfigObject[];
  readonly bgpAdvertisements: readonly ConfigObject[];
  /** BGPPeers as served at v1beta2. */
  readonly peers: readonly ConfigObject[];
  readonly bfdProfiles: readonly ConfigObject[];
  readonly communities: readonly ConfigObject[];
  readonly secrets: readonly ConfigObject[];
  /** The EndpointSlices of the Service explained. */
  readonly endpointSlices: readonly EndpointSliceWire[];
  /** The speaker Pods (the gossip members); undefined when they could not be found. */
  readonly speakerPods: readonly PodWire[] | undefined;
  readonly l2Statuses: readonly StatusObjectWire[];
  readonly bgpStatuses: readonly StatusObjectWire[];
  readonly configurationStates: readonly ConfigurationStateWire[];
  /** Events about the Service explained, oldest first. */
  readonly events: readonly ServiceEventRecord[];
}
