/**
 * `lab apply -f` and `lab delete -f`: documents read as `validate` reads them (files, directories, stdin;
 * multi-document YAML, Lists), metallb.io objects checked, defaulted and converted by the same loader as
 * `validate` (a v1beta1 BGPPeer is stored as v1beta2, as MetalLB's conversion webhook would), every other
 * kind sent as written. Namespaced objects without a namespace go to metallb-system (metallb.io kinds) or
 * default. The configuration rules across objects are not enforced here (MetalLB's webhook may be off too);
 * `metallb-ts explain` shows their effect.
 */
import type * as k8s from '@kubernetes/client-node';
import { parseDocuments, type SourceDocument } from '../../api/documents.js';
import { metallbGroup } from '../../api/kinds.js';
import { loadResources, type LoadedResources } from '../../config/load.js';
import type { SourceText } from '../../lib/input-files.js';
import { apiErrorMessage, applyObject, deleteObject, withDeadline, type LabObjectInput } from './lab-api.js';
import { metallbNamespace } from './lab-plan.js';

export interface ApplyReport {
  readonly lines: readonly string[];
  readonly errors: readonly string[];
}

const clusterScoped = new Set(['Namespace', 'Node', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `ipaddresspool.metallb.io/demo`, `service/web`: kubectl's way of naming an object. */
export function objectLabel(obj: LabObjectInput): string {
  const group = (obj.apiVersion ?? '').includes('/') ? (obj.apiVersion ?? '').split('/')[0] : '';
  return `${(obj.kind ?? '').toLowerCase()}${group === '' ? '' : `.${group}`}/${obj.metadata?.name ?? ''}`;
}

/** The checked, defaulted form of each metallb.io document the loader kept, by origin. */
function checkedByOrigin(loaded: LoadedResources): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, list] of Object.entries(loaded.resources) as [keyof LoadedResources['resources'], readonly unknown[]][]) {
    list.forEach((obj, i) => {
      const origin = loaded.origins[key][i];
      if (origin !== undefined) out.set(origin, obj);
    });
  }
  return out;
}

interface Prepared {
  readonly objects: LabObjectInput[];
  readonly errors: string[];
}

/** Documents -> the objects to send, or the problems that stop each. */
export function prepareObjects(sources: readonly SourceText[]): Prepared {
  const errors: string[] = [];
  const documents: SourceDocument[] = [];
  for (const s of sources) {
    const parsed = parseDocuments(s.name, s.text);
    if (parsed.error !== undefined) errors.push(parsed.error);
    else documents.push(...parsed.documents);
  }
  const loaded = loadResources(documents, { namespace: metallbNamespace });
  const checked = checkedByOrigin(loaded);
  const problemsByOrigin = new Map<string, string[]>();
  for (const p of loaded.problems) {
    const list = problemsByOrigin.get(p.origin) ?? [];
    list.push(`${p.origin}: ${p.kind}/${p.name}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    problemsByOrigin.set(p.origin, list);
  }
  const objects: LabObjectInput[] = [];
  for (const doc of documents) {
    const problems = problemsByOrigin.get(doc.origin);
    if (problems !== undefined) {
      errors.push(...problems);
      continue;
    }
    const value = checked.get(doc.origin) ?? doc.value;
    if (!isRecord(value) || typeof value['kind'] !== 'string' || typeof value['apiVersion'] !== 'string') {
      errors.push(`${doc.origin}: not a Kubernetes object (apiVersion and kind are required)`);
      continue;
    }
    objects.push(withNamespace(value as unknown as LabObjectInput));
  }
  return { objects, errors };
}

function withNamespace(obj: LabObjectInput): LabObjectInput {
  if (obj.metadata?.namespace !== undefined || clusterScoped.has(obj.kind ?? '')) return obj;
  const group = (obj.apiVersion ?? '').split('/')[0];
  const namespace = group === metallbGroup ? metallbNamespace : 'default';
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}

const deadlineMs = 10_000;

export async function applySources(kc: k8s.KubeConfig, sources: readonly SourceText[]): Promise<ApplyReport> {
  const { objects, errors } = prepareObjects(sources);
  const lines: string[] = [];
  for (const obj of objects) {
    try {
      const result = await withDeadline(applyObject(kc, obj), deadlineMs, `applying ${objectLabel(obj)}`);
      lines.push(`${objectLabel(obj)} ${result.action}`);
    } catch (err) {
      errors.push(`${objectLabel(obj)}: ${apiErrorMessage(err)}`);
    }
  }
  return { lines, errors };
}

export async function deleteSources(kc: k8s.KubeConfig, sources: readonly SourceText[]): Promise<ApplyReport> {
  const { objects, errors } = prepareObjects(sources);
  const lines: string[] = [];
  for (const obj of [...objects].reverse()) {
    try {
      const deleted = await withDeadline(deleteObject(kc, obj), deadlineMs, `deleting ${objectLabel(obj)}`);
      lines.push(`${objectLabel(obj)} ${deleted ? 'deleted' : 'not found'}`);
    } catch (err) {
      errors.push(`${objectLabel(obj)}: ${apiErrorMessage(err)}`);
    }
  }
  return { lines, errors };
}
