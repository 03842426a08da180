/**
 * The speaker's configuration from the cluster, as MetalLB's ConfigReconciler builds it (metallb-behaviour.md
 * §1.2, §1.3): every metallb.io object of the namespace checked against its schema (defaults applied, as the API
 * server would), BGPPeers and BGPAdvertisements pre-filtered to those whose nodeSelectors are empty or match
 * *this* node (so a bad peer meant for another node does not invalidate this speaker), then `config.build()`.
 * Pools and L2Advertisements are never filtered: the layer-2 election needs every node's view. Pure.
 */
import type { V1Namespace, V1Node, V1Secret } from '@kubernetes/client-node';
import { validateObjects } from '../api/object-validator.js';
import type { LabelSelector, Labels } from '../api/label-selector.js';
import { build } from '../config/build.js';
import { selectorsAdmit } from '../config/node-selection.js';
import { formatProblem } from '../config/problems.js';
import type { ClusterResources } from '../config/resources.js';
import type { Config } from '../config/types.js';

/** A cached object, as plain JSON. */
export interface ConfigObject {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
}

export interface SpeakerConfigInputs {
  readonly pools: readonly ConfigObject[];
  readonly l2Advertisements: readonly ConfigObject[];
  readonly bgpAdvertisements: readonly ConfigObject[];
  /** Served as v1beta2. */
  readonly peers: readonly ConfigObject[];
  readonly bfdProfiles: readonly ConfigObject[];
  readonly communities: readonly ConfigObject[];
  readonly secrets: readonly ConfigObject[];
  readonly namespaces: readonly ConfigObject[];
  readonly nodes: readonly ConfigObject[];
}

export type SpeakerConfigResult =
  | { readonly config: Config; readonly warnings: readonly string[]; readonly errors?: undefined }
  | { readonly config?: undefined; readonly errors: readonly string[] };

type WithNodeSelectors = { readonly spec?: { readonly nodeSelectors?: readonly LabelSelector[] } };

function forNode<T>(objects: readonly T[], labels: Labels): T[] {
  return objects.filter((o) => selectorsAdmit((o as WithNodeSelectors).spec?.nodeSelectors ?? [], labels));
}

/** Builds this node's configuration; every error is a line `Kind/name: path: message`. */
export function buildSpeakerConfig(inputs: SpeakerConfigInputs, myNode: string): SpeakerConfigResult {
  const schema: string[] = [];
  const me = inputs.nodes.find((n) => n.metadata?.name === myNode);
  const labels = me?.metadata?.labels ?? {};
  const resources: ClusterResources = {
    pools: validateObjects('IPAddressPool', 'v1beta1', inputs.pools, schema),
    l2Advertisements: validateObjects('L2Advertisement', 'v1beta1', inputs.l2Advertisements, schema),
    bgpAdvertisements: forNode(validateObjects('BGPAdvertisement', 'v1beta1', inputs.bgpAdvertisements, schema), labels),
    peers: forNode(validateObjects('BGPPeer', 'v1beta2', inputs.peers, schema), labels),
    bfdProfiles: validateObjects('BFDProfile', 'v1beta1', inputs.bfdProfiles, schema),
    communities: validateObjects('Community', 'v1beta1', inputs.communities, schema),
    secrets: inputs.secrets as readonly V1Secret[],
    namespaces: inputs.namespaces as readonly V1Namespace[],
    nodes: inputs.nodes as readonly V1Node[],
  };
  const result = build(resources);
  if (result.errors !== undefined || schema.length > 0) {
    return { errors: [...new Set([...schema, ...(result.errors ?? []).map(formatProblem)])] };
  }
  return { config: result.config, warnings: result.warnings.map(formatProblem) };
}
