/**
 * The speaker's configuration from the cluster, as MetalLB's ConfigReconciler builds it (metallb-behaviour.md
 * §1.2, §1.3): every metallb.io object of the namespace checked against its schema (defaults applied, as the API
 * server would), BGPPeers and BGPAdvertisements pre-filtered to those whose nodeSelectors are empty or match
 * *this* node (so a bad peer meant for another node does not invalidate this speaker), then `config.build()`.
 * Pools and L2Advertisements are never filtered: the layer-2 election needs every node's view. Pure.
 */
import type { V1Namespace, V1Node, V1Secret } from '@kubernetes/client-node';
import { validateObject } from '../api/object-validator.js';
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

function checked<T>(kind: string, version: string, objects: readonly ConfigObject[], errors: string[]): T[] {
  const out: T[] = [];
  for (const raw of objects) {
    const result = validateObject<T>(kind, version, raw);
    for (const p of result.problems ?? []) errors.push(`${kind}/${raw.metadata?.name ?? ''}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    if (result.object !== undefined) out.push(result.object);
  }
  return out;
}

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
    pools: checked('IPAddressPool', 'v1beta1', inputs.pools, schema),
    l2Advertisements: checked('L2Advertisement', 'v1beta1', inputs.l2Advertisements, schema),
    bgpAdvertisements: forNode(checked('BGPAdvertisement', 'v1beta1', inputs.bgpAdvertisements, schema), labels),
    peers: forNode(checked('BGPPeer', 'v1beta2', inputs.peers, schema), labels),
    bfdProfiles: checked('BFDProfile', 'v1beta1', inputs.bfdProfiles, schema),
    communities: checked('Community', 'v1beta1', inputs.communities, schema),
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

/** A stable text of a Config (Maps, Sets and bigints included): MetalLB ignores a rebuild that changes nothing. */
export function configFingerprint(config: Config): string {
  return JSON.stringify(config, (_key, value: unknown) => {
    if (value instanceof Map) return { map: [...value.entries()] };
    if (value instanceof Set) return { set: [...value.values()] };
    if (typeof value === 'bigint') return `${value}n`;
    return value;
  });
}
