/**
 * Rules the real server applies to every write, independent of the resource: server-owned metadata,
 * resourceVersion preconditions, which parts a write to the main resource or to `/status` may change,
 * generation bumps, and the finalizer rules of graceful deletion.
 */
import { ApiError } from './api-error.js';
import { cloneJson, isObject, type Json } from './patch.js';
import type { ResourceType } from './resource-type.js';
import { metadataOf, type JsonObject } from './store.js';

const serverOwnedMetadata = ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'];

export function nameOf(obj: JsonObject): string {
  const n = metadataOf(obj)['name'];
  return typeof n === 'string' ? n : '';
}

export function finalizersOf(obj: JsonObject): string[] {
  const f = metadataOf(obj)['finalizers'];
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

export function isDeleting(obj: JsonObject): boolean {
  return typeof metadataOf(obj)['deletionTimestamp'] === 'string';
}

/** JSON without `metadata` and `status`: what a generation counts. */
function specPart(obj: JsonObject): string {
  const rest: JsonObject = { ...obj };
  delete rest['metadata'];
  delete rest['status'];
  delete rest['apiVersion'];
  delete rest['kind'];
  return JSON.stringify(rest);
}

/** Deep equality of two JSON values, ignoring key order. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Stale `metadata.resourceVersion` in a write is 409; none is 422 where unconditional updates are refused. */
export function checkResourceVersion(t: ResourceType, incoming: JsonObject, current: JsonObject, requireRv: boolean): void {
  const rv = metadataOf(incoming)['resourceVersion'];
  const name = nameOf(current);
  if (rv === undefined || rv === null || rv === '') {
    if (requireRv && !t.unconditionalUpdate) {
      throw ApiError.invalid(t.kind, name, t.group, [{ field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    return;
  }
  if (String(rv) !== metadataOf(current)['resourceVersion']) {
    throw ApiError.conflict(t.plural, name, t.group, 'the object has been modified; please apply your changes to the latest version and try again');
  }
}

/**
 * The object a write stores: `incoming` for the main resource (keeping the old `.status` when the kind has
 * a status subresource), or the old object with the new `.status` for a `/status` write (built-ins also
 * keep metadata changes there, as the Service status strategy does). Server-owned metadata is kept.
 */
export function mergeWrite(t: ResourceType, incoming: JsonObject, current: JsonObject, toStatus: boolean): JsonObject {
  let next: JsonObject;
  if (toStatus) {
    next = cloneJson(current);
    if (incoming['status'] === undefined) delete next['status'];
    else next['status'] = cloneJson(incoming['status']);
    if (!t.custom) next['metadata'] = cloneJson(metadataOf(incoming));
  } else {
    next = cloneJson(incoming);
    if (t.hasStatus) {
      if (current['status'] === undefined) delete next['status'];
      else next['status'] = cloneJson(current['status']);
    }
  }
  const meta = metadataOf(next);
  const oldMeta = metadataOf(current);
  for (const key of serverOwnedMetadata) {
    if (oldMeta[key] === undefined) delete meta[key];
    else meta[key] = cloneJson(oldMeta[key]);
  }
  meta['name'] = oldMeta['name']!;
  if (oldMeta['namespace'] !== undefined) meta['namespace'] = oldMeta['namespace'];
  next['metadata'] = meta;
  if (specPart(next) !== specPart(current)) meta['generation'] = Number(oldMeta['generation'] ?? 1) + 1;
  return next;
}

/** While an object is being deleted no finalizer may be added (422, as the real server). */
export function checkFinalizers(t: ResourceType, next: JsonObject, current: JsonObject): void {
  if (!isDeleting(current)) return;
  const had = new Set(finalizersOf(current));
  const added = finalizersOf(next).filter((f) => !had.has(f));
  if (added.length > 0) {
    throw ApiError.invalid(t.kind, nameOf(current), t.group, [{ field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
  }
}

/** The request body's identity must agree with the URL (400 otherwise, as the real server). */
export function checkIdentity(t: ResourceType, version: string, body: JsonObject, namespace: string | undefined, name?: string): void {
  const apiVersion = t.group === '' ? version : `${t.group}/${version}`;
  if (body['kind'] !== undefined && body['kind'] !== t.kind) {
    throw ApiError.badRequest(`the kind of the object (${String(body['kind'])}) does not match the kind on the URL (${t.kind})`);
  }
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersion) {
    throw ApiError.badRequest(`the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${apiVersion})`);
  }
  const meta = metadataOf(body);
  if (t.namespaced && meta['namespace'] !== undefined && meta['namespace'] !== '' && meta['namespace'] !== namespace) {
    throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (name !== undefined && meta['name'] !== undefined && meta['name'] !== name) {
    throw ApiError.badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
  }
}
