/**
 * The verbs on objects (get, list, create, update, patch, delete, deletecollection) with the real server's
 * semantics, over the store. Synchronous: no request can interleave between a read and the write it checks.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from './api-error.js';
import { ClusterIpAllocator, defaultNamespace, defaultSecret, defaultService } from './builtin-defaults.js';
import { admitCustomResource, resourceTypeFromCrd, withCrdStatus } from './custom-resources.js';
import { generateName, nameProblems } from './names.js';
import {
  checkFinalizers, checkIdentity, checkResourceVersion, finalizersOf, isDeleting, jsonEqual, mergeWrite, nameOf,
} from './object-rules.js';
import { applyMerge, cloneJson, isObject, jsonPatch, mergePatch, type Json } from './patch.js';
import type { Registry } from './registry.js';
import { apiVersionOf, typeKey, type ResourceType } from './resource-type.js';
import { fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { metadataOf, type JsonObject, type ObjectStore } from './store.js';

export interface Target {
  readonly type: ResourceType;
  readonly version: string;
  readonly namespace: string | undefined;
  readonly name?: string;
  readonly subresource?: string;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface ListOptions {
  readonly labelSelector?: string | null;
  readonly fieldSelector?: string | null;
  readonly limit?: number;
  readonly continueToken?: string | null;
}

export class ResourceApi {
  private readonly registry: Registry;
  private readonly store: ObjectStore;
  private readonly clusterIps = new ClusterIpAllocator();

  constructor(registry: Registry, store: ObjectStore) {
    this.registry = registry;
    this.store = store;
  }

  /** The object as served at `version`: `apiVersion` and `kind` filled in. */
  present(t: ResourceType, version: string, obj: JsonObject): JsonObject {
    return { apiVersion: apiVersionOf(t.group, version), kind: t.kind, ...withoutTypeMeta(obj) };
  }

  get(target: Target): JsonObject {
    const { type: t, version } = target;
    return this.present(t, version, this.mustGet(target));
  }

  list(target: Target, options: ListOptions): JsonObject {
    const { type: t, version, namespace } = target;
    const matches = this.selectorFor(t, options.labelSelector, options.fieldSelector);
    let items = this.store.listShared(typeKey(t), namespace).filter(matches);
    const start = options.continueToken ? Number(Buffer.from(options.continueToken, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw ApiError.badRequest('invalid continue token');
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
    const more = start + limit < items.length;
    items = items.slice(start, start + limit);
    const metadata: JsonObject = { resourceVersion: String(this.store.currentRv()) };
    if (more) metadata['continue'] = Buffer.from(String(start + limit)).toString('base64');
    return {
      kind: t.listKind, apiVersion: apiVersionOf(t.group, version), metadata,
      // Typed lists of built-ins carry no per-item kind/apiVersion on a real server; custom ones do.
      items: items.map((o) => (t.custom ? this.present(t, version, o) : withoutTypeMeta(cloneJson(o)))),
    };
  }

  /** A predicate for list and watch; 400 for a field the resource cannot be selected by. */
  selectorFor(t: ResourceType, labelSelector?: string | null, fieldSelector?: string | null): (o: JsonObject) => boolean {
    const labels = parseLabelSelector(labelSelector);
    const fields = parseFieldSelector(fieldSelector);
    const allowed = new Set(['metadata.name', 'metadata.namespace', ...t.fieldSelectors]);
    for (const f of fields) {
      if (!allowed.has(f.path)) {
        throw ApiError.badRequest(t.custom ? `"${f.path}" is not a known field selector: only "metadata.name", "metadata.namespace"`
          : `field label not supported: ${f.path}`);
      }
    }
    return (o) => labelsMatch(labels, metadataOf(o)['labels'] as Record<string, string> | undefined) && fieldsMatch(fields, o);
  }

  create(target: Target, body: Json, nowIso: string): JsonObject {
    const { type: t, version, namespace } = target;
    if (!isObject(body)) throw ApiError.badRequest('the body of the request was in an unknown format');
    checkIdentity(t, version, body, namespace);
    const obj = cloneJson(body);
    const meta = metadataOf(obj);
    obj['metadata'] = meta;
    if (t.namespaced) {
      meta['namespace'] = namespace!;
      if (this.store.get('/namespaces', undefined, namespace!) === undefined) throw ApiError.notFound('namespaces', namespace!, '');
    } else {
      delete meta['namespace'];
    }
    this.assignName(t, meta);
    const name = meta['name'] as string;
    if (this.store.get(typeKey(t), namespace, name) !== undefined) throw ApiError.alreadyExists(t.plural, name, t.group);
    Object.assign(meta, { uid: randomUUID(), creationTimestamp: nowIso.replace(/\.\d+Z$/, 'Z'), generation: 1 });
    for (const k of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete meta[k];
    if (t.hasStatus) delete obj['status'];
    const admitted = this.admit(target, obj, undefined, nowIso);
    return this.present(t, version, this.store.commit(typeKey(t), 'ADDED', withoutTypeMeta(admitted)));
  }

  private assignName(t: ResourceType, meta: JsonObject): void {
    const causes: { field: string; message: string }[] = [];
    const prefix = meta['generateName'];
    if (typeof prefix === 'string' && prefix !== '') {
      for (const m of nameProblems(prefix, t.nameRule, true)) causes.push({ field: 'metadata.generateName', message: `Invalid value: "${prefix}": ${m}` });
      if ((meta['name'] ?? '') === '' && causes.length === 0) {
        let name = generateName(prefix);
        while (this.store.get(typeKey(t), meta['namespace'] as string | undefined, name) !== undefined) name = generateName(prefix);
        meta['name'] = name;
      }
    }
    const name = meta['name'];
    if (typeof name !== 'string' || name === '') {
      if (causes.length === 0) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
    } else {
      for (const m of nameProblems(name, t.nameRule)) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${m}` });
    }
    if (causes.length > 0) throw ApiError.invalid(t.kind, typeof name === 'string' ? name : '', t.group, causes);
  }

  /** Kind-specific admission: defaulting of built-ins, CRD registration, custom resource schemas. */
  private admit(target: Target, obj: JsonObject, old: JsonObject | undefined, nowIso: string): JsonObject {
    const { type: t, version } = target;
    if (t.group === '' && t.plural === 'services') defaultService(obj, old, this.clusterIps);
    if (t.group === '' && t.plural === 'namespaces') defaultNamespace(obj);
    if (t.group === '' && t.plural === 'secrets') defaultSecret(obj);
    if (t.custom) return admitCustomResource(t, version, this.present(t, version, obj));
    if (t.group === 'apiextensions.k8s.io' && t.plural === 'customresourcedefinitions') {
      const defined = resourceTypeFromCrd(obj);
      const existing = this.registry.byKey(typeKey(defined));
      if (existing !== undefined && !existing.custom) throw ApiError.alreadyExists(defined.plural, defined.plural, defined.group);
      this.registry.add(defined);
      return withCrdStatus(obj, defined, nowIso);
    }
    return obj;
  }

  update(target: Target, body: Json, nowIso: string): JsonObject {
    const { type: t, version, namespace, name } = target;
    if (!isObject(body)) throw ApiError.badRequest('the body of the request was in an unknown format');
    checkIdentity(t, version, body, namespace, name);
    const current = this.mustGet(target);
    checkResourceVersion(t, body, current, true);
    return this.write(target, body, current, nowIso);
  }

  patch(target: Target, patchType: PatchType, body: Json, fieldManager: string | undefined, nowIso: string): JsonObject {
    const { type: t } = target;
    if (patchType === 'strategic' && t.custom) {
      throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    }
    if (patchType === 'apply' && (fieldManager === undefined || fieldManager === '')) {
      throw ApiError.badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
    }
    const existing = this.store.get(typeKey(t), target.namespace, target.name!);
    if (existing === undefined && patchType === 'apply' && target.subresource === undefined) {
      return this.create(target, body, nowIso);
    }
    const current = existing ?? this.mustGet(target);
    const served = this.present(t, target.version, current);
    let patched: Json;
    switch (patchType) {
      case 'json': patched = jsonPatch(served, body); break;
      case 'merge': case 'strategic': patched = mergePatch(served, isObject(body) ? body : null); break;
      case 'apply': patched = applyMerge(served, body); break;
    }
    if (!isObject(patched)) throw new ApiError(422, 'Invalid', 'patched object is not an object');
    checkIdentity(t, target.version, patched, target.namespace, target.name);
    checkResourceVersion(t, patched, current, false);
    return this.write(target, patched, current, nowIso);
  }

  /** The common end of update and patch: merge rules, finalizers, admission, no-op detection, commit. */
  private write(target: Target, incoming: JsonObject, current: JsonObject, nowIso: string): JsonObject {
    const { type: t, version } = target;
    const toStatus = target.subresource === 'status';
    let next = mergeWrite(t, incoming, current, toStatus);
    checkFinalizers(t, next, current);
    next = toStatus && t.custom ? this.present(t, version, next) : this.admit(target, next, current, nowIso);
    if (t.custom && toStatus) next = admitCustomResource(t, version, next);
    next = withoutTypeMeta(next);
    metadataOf(next)['resourceVersion'] = metadataOf(current)['resourceVersion']!;
    if (isDeleting(next) && finalizersOf(next).length === 0) {
      return this.present(t, version, this.remove(t, next));
    }
    if (jsonEqual(next, withoutTypeMeta(current))) return this.present(t, version, current);
    return this.present(t, version, this.store.commit(typeKey(t), 'MODIFIED', next, current));
  }

  delete(target: Target, preconditions: JsonObject | undefined, nowIso: string): { status: number; body: JsonObject } {
    const { type: t, version } = target;
    const current = this.mustGet(target);
    const meta = metadataOf(current);
    if (preconditions !== undefined) {
      if (preconditions['uid'] !== undefined && preconditions['uid'] !== meta['uid']) {
        throw ApiError.conflict(t.plural, nameOf(current), t.group, `Precondition failed: UID in precondition: ${String(preconditions['uid'])}, UID in object meta: ${String(meta['uid'])}`);
      }
      if (preconditions['resourceVersion'] !== undefined && preconditions['resourceVersion'] !== meta['resourceVersion']) {
        throw ApiError.conflict(t.plural, nameOf(current), t.group, 'the object has been modified; please apply your changes to the latest version and try again');
      }
    }
    if (finalizersOf(current).length > 0) {
      if (isDeleting(current)) return { status: 200, body: this.present(t, version, current) };
      const next = cloneJson(current);
      Object.assign(metadataOf(next), { deletionTimestamp: nowIso.replace(/\.\d+Z$/, 'Z'), deletionGracePeriodSeconds: 0 });
      return { status: 200, body: this.present(t, version, this.store.commit(typeKey(t), 'MODIFIED', next, current)) };
    }
    this.remove(t, current);
    return {
      status: 200,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: nameOf(current), group: t.group, kind: t.plural, uid: meta['uid'] ?? '' } },
    };
  }

  deleteCollection(target: Target, options: ListOptions, nowIso: string): JsonObject {
    const { type: t } = target;
    const matches = this.selectorFor(t, options.labelSelector, options.fieldSelector);
    const victims = this.store.listShared(typeKey(t), target.namespace).filter(matches).map(nameOf);
    for (const name of victims) this.delete({ ...target, name }, undefined, nowIso);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  }

  /** Removes an object now, with the cascades the real server's controllers would do. */
  private remove(t: ResourceType, obj: JsonObject): JsonObject {
    const name = nameOf(obj);
    if (t.group === '' && t.plural === 'namespaces') this.removeNamespaceContents(name);
    if (t.group === 'apiextensions.k8s.io' && t.plural === 'customresourcedefinitions') {
      const defined = resourceTypeFromCrd(obj);
      for (const o of [...this.store.listShared(typeKey(defined))]) this.store.commit(typeKey(defined), 'DELETED', o);
      this.registry.remove(defined.group, defined.plural);
    }
    return this.store.commit(typeKey(t), 'DELETED', obj);
  }

  private removeNamespaceContents(namespace: string): void {
    for (const t of this.registry.all().filter((r) => r.namespaced)) {
      for (const o of [...this.store.listShared(typeKey(t), namespace)]) this.store.commit(typeKey(t), 'DELETED', o);
    }
  }

  private mustGet(target: Target): JsonObject {
    const { type: t, namespace, name } = target;
    const obj = this.store.get(typeKey(t), namespace, name!);
    if (obj === undefined) throw ApiError.notFound(t.plural, name!, t.group);
    return obj;
  }
}

function withoutTypeMeta(obj: JsonObject): JsonObject {
  const rest: JsonObject = { ...obj };
  delete rest['apiVersion'];
  delete rest['kind'];
  return rest;
}
