/**
 * Builders for MetalLB objects in tests, and `check()`: run documents through the same load + build path as
 * `validate` and return the rule codes found. Kept small on purpose: each test spells out the fields it is about.
 */
import { stringify } from 'yaml';
import type { SourceDocument } from '../../src/api/documents.js';
import { build, type BuildResult } from '../../src/config/build.js';
import { loadResources, type LoadedResources } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/problems.js';

export type Obj = Record<string, unknown>;
const ns = 'metallb-system';

function meta(name: string, labels?: Record<string, string>): Obj {
  return labels === undefined ? { name, namespace: ns } : { name, namespace: ns, labels };
}

export const pool = (name: string, addresses: string[], spec: Obj = {}, labels?: Record<string, string>): Obj =>
  ({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta(name, labels), spec: { addresses, ...spec } });

export const l2 = (name: string, spec: Obj = {}): Obj =>
  ({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: meta(name), spec });

export const bgpAd = (name: string, spec: Obj = {}): Obj =>
  ({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta(name), spec });

export const peer = (name: string, spec: Obj = {}): Obj =>
  ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: meta(name), spec: { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1', ...spec } });

/** A peer spec given whole (no defaults merged in), to test the ASN and address rules. */
export const bareBgpPeer = (name: string, spec: Obj): Obj =>
  ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: meta(name), spec });

export const bfd = (name: string, spec: Obj = {}): Obj =>
  ({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: meta(name), spec });

export const community = (name: string, aliases: [string, string][]): Obj =>
  ({ apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: meta(name), spec: { communities: aliases.map(([n, value]) => ({ name: n, value })) } });

export const secret = (name: string, type: string, stringData: Record<string, string>): Obj =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: meta(name), type, stringData });

export const node = (name: string, labels: Record<string, string> = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } });

export const namespace = (name: string, labels: Record<string, string> = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

/** Objects as one multi-document YAML text. */
export function yamlOf(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

export interface Checked {
  readonly loaded: LoadedResources;
  readonly result: BuildResult;
  /** Codes of every load problem, build error and warning. */
  readonly codes: ReadonlySet<string>;
  readonly problems: readonly (ConfigProblem | { code: string; path: string; message: string })[];
}

export function check(objects: readonly unknown[]): Checked {
  const documents: SourceDocument[] = objects.map((value, i) => ({ origin: `test#${i + 1}`, value }));
  const loaded = loadResources(documents);
  const result = build(loaded.resources);
  const problems = [...loaded.problems, ...(result.errors ?? []), ...result.warnings];
  return { loaded, result, codes: new Set(problems.map((p) => p.code)), problems };
}

/** The config of objects that must be valid; fails loudly with the problems otherwise. */
export function configOf(objects: readonly unknown[]) {
  const { result, problems } = check(objects);
  if (result.config === undefined || problems.length > 0) {
    throw new Error(`expected a valid config, got:\n${problems.map((p) => `${p.code} ${p.path}: ${p.message}`).join('\n')}`);
  }
  return result.config;
}
