/**
 * Talking to a lab's API server from the host: `kubectl apply`'s create-or-update and delete for any kind
 * (through client-node's discovery-driven object API), status writes for the objects a kubelet would keep,
 * and a deadline on every call (a frozen API server must not hang a command forever).
 */
import * as k8s from '@kubernetes/client-node';
import { MetallbError } from '../../lib/errors.js';
import type { LabObject } from './lab-objects.js';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface AppliedObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly action: ApplyAction;
}

export interface LabObjectInput {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: unknown;
}

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export function kubeConfigFrom(file: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** Rejects with `ETIMEDOUT` when `promise` has not settled within `ms` (the request itself is left behind). */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new MetallbError('ETIMEDOUT', `${what}: no answer from the API server within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof k8s.ApiException && err.code === 404;
}

/** The API server's message of a failed call (its Status `message`), else the error's. */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof k8s.ApiException) {
    const body = err.body as unknown;
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: string };
        if (parsed.message !== undefined) return `${err.code}: ${parsed.message}`;
      } catch {
        return `${err.code}: ${body}`;
      }
    }
    if (typeof body === 'object' && body !== null && 'message' in body) return `${err.code}: ${String((body as { message: unknown }).message)}`;
    return `${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** True when every field `want` sets has the same value in `have` (fields the server added are ignored). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (typeof want === 'object' && want !== null) {
    if (typeof have !== 'object' || have === null || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => v === undefined || isSubset(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}

/**
 * `kubectl apply` without the last-applied bookkeeping: create, or replace the object's spec, labels and
 * annotations keeping its resourceVersion (a Service keeps its status and cluster IPs). `unchanged` when the
 * object already reads the same.
 */
export async function applyObject(kc: k8s.KubeConfig, obj: LabObjectInput): Promise<AppliedObject> {
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const spec = obj as unknown as k8s.KubernetesObject & { metadata: k8s.V1ObjectMeta };
  const ref = { kind: obj.kind ?? '', name: obj.metadata?.name ?? '', ...(obj.metadata?.namespace === undefined ? {} : { namespace: obj.metadata.namespace }) };
  let existing: (k8s.KubernetesObject & { metadata: k8s.V1ObjectMeta }) | undefined;
  try {
    const header = { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '', metadata: { name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) } };
    existing = await api.read(header) as typeof existing;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (existing === undefined) {
    await api.create(spec);
    return { ...ref, action: 'created' };
  }
  const plainExisting = JSON.parse(JSON.stringify(existing)) as Record<string, unknown>;
  const { status: _status, ...wanted } = obj as LabObjectInput & { status?: unknown };
  if (isSubset(JSON.parse(JSON.stringify(wanted)), plainExisting)) return { ...ref, action: 'unchanged' };
  const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: existing.metadata.resourceVersion } };
  await api.replace(body as unknown as k8s.KubernetesObject);
  return { ...ref, action: 'configured' };
}

/** Deletes an object; false when it did not exist. */
export async function deleteObject(kc: k8s.KubeConfig, obj: LabObjectInput): Promise<boolean> {
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  try {
    await api.delete(obj as unknown as k8s.KubernetesObject);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Writes the status of a Node or Pod the lab made (what a kubelet reports). */
export async function writeStatus(kc: k8s.KubeConfig, obj: LabObject): Promise<void> {
  if (obj.status === undefined) return;
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const body = { status: obj.status };
  if (obj.kind === 'Node') await core.patchNodeStatus({ name: obj.metadata.name, body }, mergePatch);
  else if (obj.kind === 'Pod') await core.patchNamespacedPodStatus({ name: obj.metadata.name, namespace: obj.metadata.namespace ?? 'default', body }, mergePatch);
}
