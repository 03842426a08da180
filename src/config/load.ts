/**
 * Documents -> `ClusterResources`, as `validate` and `plan` read their input: each metallb.io object checked
 * against its schema (defaults applied; v1beta1 BGPPeers converted to v1beta2), the Nodes, Namespaces and
 * Secrets kept, every other kind counted and skipped. Pure; problems carry the document they came from.
 */
import type { V1Namespace, V1Node, V1Secret } from '@kubernetes/client-node';
import { bgpPeerToV1beta2 } from '../api/bgp-peer-conversion.js';
import type { SourceDocument } from '../api/documents.js';
import { metallbGroup } from '../api/kinds.js';
import { isServedVersion, type ObjectResult, validateObject } from '../api/object-validator.js';
import type { BGPPeerV1beta1 } from '../api/schema/bgp-peer.js';
import type { RuleCode } from './rules.js';
import { type ClusterResources, emptyResources, resourceKinds } from './resources.js';

export const defaultNamespace = 'metallb-system';

export interface LoadProblem {
  readonly origin: string;
  /** Position of the document in the input, to print problems in input order. */
  readonly sequence: number;
  readonly kind: string;
  readonly name: string;
  readonly code: RuleCode;
  readonly path: string;
  readonly message: string;
}

type ResourceKey = keyof ClusterResources;
type Mutable = { -readonly [K in ResourceKey]: unknown[] };

export interface LoadedResources {
  readonly resources: ClusterResources;
  /** For each list of `resources`, the origin of each object (same index). */
  readonly origins: { readonly [K in ResourceKey]: readonly string[] };
  /** The same, as document positions in the input. */
  readonly sequences: { readonly [K in ResourceKey]: readonly number[] };
  readonly problems: readonly LoadProblem[];
  /** Objects of kinds build() does not read (status kinds included), by kind. */
  readonly skipped: ReadonlyMap<string, number>;
  /** The documents of those other kinds (Services, EndpointSlices... for `plan`), unchecked. */
  readonly others: readonly SourceDocument[];
  readonly documents: number;
}

const keyOfKind = new Map<string, ResourceKey>(
  Object.entries(resourceKinds).map(([key, kind]) => [kind, key as ResourceKey]),
);

const removedKinds: Readonly<Record<string, string>> = {
  AddressPool: 'AddressPool was removed in MetalLB v0.14: use IPAddressPool with an L2Advertisement or BGPAdvertisement',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): boolean {
  return value === undefined || (isRecord(value) && Object.values(value).every((v) => typeof v === 'string'));
}

class Loader {
  readonly lists: Mutable = { ...emptyResources() } as Mutable;
  readonly origins: { [K in ResourceKey]: string[] } = {
    pools: [], l2Advertisements: [], bgpAdvertisements: [], peers: [], bfdProfiles: [], communities: [],
    secrets: [], namespaces: [], nodes: [],
  };
  readonly sequences: { [K in ResourceKey]: number[] } = {
    pools: [], l2Advertisements: [], bgpAdvertisements: [], peers: [], bfdProfiles: [], communities: [],
    secrets: [], namespaces: [], nodes: [],
  };
  readonly problems: LoadProblem[] = [];
  readonly skipped = new Map<string, number>();
  sequence = 0;

  private readonly namespace: string;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  problem(doc: SourceDocument, kind: string, name: string, code: RuleCode, path: string, message: string): void {
    this.problems.push({ origin: doc.origin, sequence: this.sequence, kind, name, code, path, message });
  }

  readonly others: SourceDocument[] = [];

  skip(kind: string, doc?: SourceDocument): void {
    this.skipped.set(kind, (this.skipped.get(kind) ?? 0) + 1);
    if (doc !== undefined) this.others.push(doc);
  }

  keep(key: ResourceKey, doc: SourceDocument, obj: unknown): void {
    this.lists[key].push(obj);
    this.origins[key].push(doc.origin);
    this.sequences[key].push(this.sequence);
  }

  load(doc: SourceDocument): void {
    const value = doc.value;
    if (!isRecord(value)) {
      this.problem(doc, '', '', 'object-kind', '', 'not a Kubernetes object (expected a mapping with apiVersion and kind)');
      return;
    }
    const { apiVersion, kind } = value;
    const meta = isRecord(value['metadata']) ? value['metadata'] : {};
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
      this.problem(doc, typeof kind === 'string' ? kind : '', name, 'object-kind', typeof apiVersion === 'string' ? 'kind' : 'apiVersion', 'required field is missing');
      return;
    }
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    if (group === metallbGroup) this.loadMetallb(doc, value, kind, version, name);
    else if (group === '' && version === 'v1' && (kind === 'Node' || kind === 'Namespace' || kind === 'Secret')) this.loadCore(doc, value, kind, name);
    else this.skip(kind, doc);
  }

  private loadMetallb(doc: SourceDocument, value: Record<string, unknown>, kind: string, version: string, name: string): void {
    if (!isServedVersion(kind, version)) {
      this.problem(doc, kind, name, 'object-kind', 'apiVersion', removedKinds[kind] ?? `${metallbGroup}/${version} ${kind} is not a kind MetalLB serves`);
      return;
    }
    const checked = kind === 'BGPPeer' && version === 'v1beta1'
      ? this.convertPeer(value)
      : validateObject<{ metadata?: { namespace?: string } }>(kind, version, value);
    if (checked.problems !== undefined) {
      for (const p of checked.problems) this.problem(doc, kind, name, 'schema', p.path, p.message);
    }
    // Objects whose only schema problems are values still go to build(), which re-checks them and finds
    // the other problems too; the caller drops build's duplicates of the schema's (same document and path).
    if (checked.object === undefined) return;
    const namespace = checked.object.metadata?.namespace;
    if (namespace !== undefined && namespace !== this.namespace) {
      this.problem(doc, kind, name, 'object-namespace', 'metadata.namespace',
        `"${namespace}" is not the MetalLB namespace "${this.namespace}" (MetalLB reads only its own namespace)`);
      return;
    }
    const key = keyOfKind.get(kind);
    if (key === undefined) this.skip(kind, doc);
    else this.keep(key, doc, checked.object);
  }

  private convertPeer(value: unknown): ObjectResult<{ metadata?: { namespace?: string } }> {
    const v1 = validateObject<BGPPeerV1beta1>('BGPPeer', 'v1beta1', value);
    if (v1.object === undefined) return v1;
    const v2 = validateObject<{ metadata?: { namespace?: string } }>('BGPPeer', 'v1beta2', bgpPeerToV1beta2(v1.object));
    if (v1.problems === undefined) return v2;
    const problems = [...v1.problems, ...(v2.problems ?? [])];
    return v2.object === undefined ? { problems } : { problems, object: v2.object };
  }

  private loadCore(doc: SourceDocument, value: Record<string, unknown>, kind: 'Node' | 'Namespace' | 'Secret', name: string): void {
    const meta = isRecord(value['metadata']) ? value['metadata'] : {};
    if (name === '') {
      this.problem(doc, kind, name, 'schema', 'metadata.name', 'required field is missing');
      return;
    }
    if (!isStringMap(meta['labels'])) {
      this.problem(doc, kind, name, 'schema', 'metadata.labels', 'must map label keys to strings');
      return;
    }
    if (kind === 'Node') this.keep('nodes', doc, value as V1Node);
    else if (kind === 'Namespace') this.keep('namespaces', doc, value as V1Namespace);
    else this.loadSecret(doc, value, meta, name);
  }

  private loadSecret(doc: SourceDocument, value: Record<string, unknown>, meta: Record<string, unknown>, name: string): void {
    const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : this.namespace;
    if (namespace !== this.namespace) {
      this.skip('Secret');
      return;
    }
    for (const field of ['data', 'stringData'] as const) {
      if (!isStringMap(value[field])) {
        this.problem(doc, 'Secret', name, 'schema', field, 'must map keys to strings');
        return;
      }
    }
    // The API server folds stringData into data (base64) on write; files often use stringData.
    const data: Record<string, string> = { ...(value['data'] as Record<string, string> | undefined) };
    for (const [k, v] of Object.entries((value['stringData'] as Record<string, string> | undefined) ?? {})) {
      data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    const secret: V1Secret = { ...(value as V1Secret), data };
    delete secret.stringData;
    this.keep('secrets', doc, secret);
  }
}

export function loadResources(documents: readonly SourceDocument[], options: { readonly namespace?: string } = {}): LoadedResources {
  const loader = new Loader(options.namespace ?? defaultNamespace);
  for (const doc of documents) {
    loader.load(doc);
    loader.sequence++;
  }
  return {
    resources: loader.lists as unknown as ClusterResources,
    origins: loader.origins,
    sequences: loader.sequences,
    problems: loader.problems,
    skipped: loader.skipped,
    others: loader.others,
    documents: documents.length,
  };
}
