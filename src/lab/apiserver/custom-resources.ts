/**
 * CustomResourceDefinitions turned into served resources, and what the real server does with a custom
 * resource's body before storing it: prune fields the structural schema does not declare, apply schema
 * defaults, and validate (types, enums, ranges, patterns, required; not CEL rules or formats).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ApiError } from './api-error.js';
import { cloneJson, isObject, type Json } from './patch.js';
import type { ResourceType } from './resource-type.js';
import type { JsonObject } from './store.js';

interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: unknown };
  subresources?: { status?: unknown };
  selectableFields?: { jsonPath?: string }[];
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[] };
  versions?: CrdVersion[];
}

/** The resource a CRD defines, or a 422 naming what is missing. */
export function resourceTypeFromCrd(crd: JsonObject): ResourceType {
  const spec = (crd['spec'] ?? {}) as CrdSpec;
  const name = String((crd['metadata'] as JsonObject | undefined)?.['name'] ?? '');
  const names = spec.names ?? {};
  const missing: { field: string; message: string }[] = [];
  if (!spec.group) missing.push({ field: 'spec.group', message: 'Required value' });
  if (!names.plural) missing.push({ field: 'spec.names.plural', message: 'Required value' });
  if (!names.kind) missing.push({ field: 'spec.names.kind', message: 'Required value' });
  const versions = (spec.versions ?? []).filter((v) => v.served !== false && typeof v.name === 'string');
  if (versions.length === 0) missing.push({ field: 'spec.versions', message: 'must have exactly one version marked as storage version' });
  if (missing.length === 0 && name !== `${names.plural}.${spec.group}`) {
    missing.push({ field: 'metadata.name', message: `must be spec.names.plural+"."+spec.group` });
  }
  if (missing.length > 0) throw ApiError.invalid('CustomResourceDefinition', name, 'apiextensions.k8s.io', missing);
  const ordered = [...versions.filter((v) => v.storage === true), ...versions.filter((v) => v.storage !== true)];
  const schemas = new Map<string, unknown>();
  for (const v of ordered) if (v.schema?.openAPIV3Schema !== undefined) schemas.set(v.name!, v.schema.openAPIV3Schema);
  const selectable = ordered.flatMap((v) => v.selectableFields ?? []).map((f) => (f.jsonPath ?? '').replace(/^\./, ''));
  return {
    group: spec.group!, versions: ordered.map((v) => v.name!), plural: names.plural!,
    singular: names.singular ?? names.kind!.toLowerCase(), kind: names.kind!, listKind: names.listKind ?? `${names.kind}List`,
    namespaced: spec.scope !== 'Cluster', shortNames: names.shortNames ?? [],
    hasStatus: ordered.some((v) => v.subresources?.status !== undefined), custom: true, nameRule: 'dns1123Subdomain',
    fieldSelectors: selectable.filter((f) => f !== ''), unconditionalUpdate: false, schemas,
  };
}

/** The CRD as the server stores it: accepted names and Established, so clients waiting on it proceed. */
export function withCrdStatus(crd: JsonObject, t: ResourceType, nowIso: string): JsonObject {
  const spec = crd['spec'] as JsonObject;
  const cond = (type: string, reason: string): Json => ({ type, status: 'True', reason, message: '', lastTransitionTime: nowIso });
  return {
    ...crd,
    status: {
      acceptedNames: cloneJson(spec['names'] ?? {}),
      conditions: [cond('NamesAccepted', 'NoConflicts'), cond('Established', 'InitialNamesAccepted')],
      storedVersions: [t.versions[0]!],
    },
  };
}

type Schema = { [key: string]: unknown };

function asSchema(v: unknown): Schema | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Schema) : undefined;
}

/** Prunes undeclared fields and fills defaults in place (structural schema rules), returning `value`. */
export function pruneAndDefault(value: Json, schema: unknown, isRoot = false): Json {
  const s = asSchema(schema);
  if (s === undefined) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = pruneAndDefault(value[i]!, s['items']);
    return value;
  }
  if (!isObject(value)) return value;
  const props = asSchema(s['properties']);
  const additional = asSchema(s['additionalProperties']);
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(value)) {
    if (isRoot && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    if (props !== undefined && key in props) value[key] = pruneAndDefault(value[key]!, props[key]);
    else if (additional !== undefined) value[key] = pruneAndDefault(value[key]!, additional);
    else if (!preserve) delete value[key];
  }
  for (const [key, sub] of Object.entries(props ?? {})) {
    const dflt = asSchema(sub)?.['default'];
    if (dflt !== undefined && (!(key in value) || (value[key] === null && asSchema(sub)?.['nullable'] !== true))) {
      value[key] = pruneAndDefault(cloneJson(dflt as Json), sub);
    }
  }
  return value;
}

const compiled = new WeakMap<object, ValidateFunction | undefined>();
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });

/** The compiled schema, or undefined when ajv cannot compile it (then only pruning and defaulting apply). */
function validatorFor(schema: object): ValidateFunction | undefined {
  if (!compiled.has(schema)) {
    try {
      compiled.set(schema, ajv.compile({ ...schema, properties: { ...(asSchema((schema as Schema)['properties']) ?? {}), metadata: {} } }));
    } catch {
      compiled.set(schema, undefined);
    }
  }
  return compiled.get(schema);
}

function fieldOf(e: ErrorObject): string {
  const path = e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
  const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty) : '';
  return [path, missing].filter((p) => p !== '').join('.');
}

/** Prunes, defaults and validates a custom resource against its version's schema (422 when invalid). */
export function admitCustomResource(t: ResourceType, version: string, obj: JsonObject): JsonObject {
  const schema = t.schemas?.get(version);
  if (schema === undefined || asSchema(schema) === undefined) return obj;
  const out = pruneAndDefault(obj, schema, true) as JsonObject;
  const validate = validatorFor(schema as object);
  if (validate !== undefined && !validate(out)) {
    const name = String((out['metadata'] as JsonObject | undefined)?.['name'] ?? '');
    const causes = (validate.errors ?? []).map((e) => ({ field: fieldOf(e), message: e.message ?? 'invalid' }));
    throw ApiError.invalid(t.kind, name, t.group, causes);
  }
  return out;
}
