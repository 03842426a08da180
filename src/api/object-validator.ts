/**
 * Validates metallb.io objects against their OpenAPI schemas (the same ones the CRDs carry) with ajv, applies
 * the schema defaults as the API server does, and evaluates the CEL rules offline. Returns a typed copy of the
 * object or every problem with its field path; never throws on bad input.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { brokenRules, type CelRule } from './cel-rules.js';
import { joinPath, pointerToPath } from './field-path.js';
import { findKind, metallbGroup } from './kinds.js';

export interface FieldProblem {
  /** Field path from the object root, e.g. `spec.addresses[0]`; empty for the object itself. */
  readonly path: string;
  readonly message: string;
  /** A wrong shape (type, missing or unknown field), as opposed to a wrong value (range, enum, CEL rule). */
  readonly structural: boolean;
}

/**
 * Valid: `object`. Invalid: `problems`, and when every problem is about a value (not the shape) also the
 * defaulted object, which code that re-checks those values itself (config.build) may still read.
 */
export type ObjectResult<T> =
  | { readonly object: T; readonly problems?: undefined }
  | { readonly object?: T; readonly problems: readonly FieldProblem[] };

const structuralKeywords = new Set(['type', 'required', 'additionalProperties']);

// RFC 3339 date-time, as the API server's `date-time` format.
const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, strictTypes: false });
  // The API server does not range-check integer formats either (MetalLB's localPref is uint32 under int32).
  ajv.addFormat('int32', { type: 'number', validate: () => true });
  ajv.addFormat('int64', { type: 'number', validate: () => true });
  ajv.addFormat('date-time', dateTime);
  for (const keyword of ['x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-list-map-keys']) {
    ajv.addKeyword({ keyword });
  }
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    errors: true,
    validate: function celValidate(rules: readonly CelRule[], data: unknown): boolean {
      const broken = brokenRules(rules, data);
      (celValidate as { errors?: Partial<ErrorObject>[] }).errors = broken.map((message) => ({
        keyword: 'x-kubernetes-validations', message, params: {},
      }));
      return broken.length === 0;
    },
  });
  return ajv;
}

let ajvInstance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(kind: string, version: string): ValidateFunction | undefined {
  const key = `${kind}/${version}`;
  let fn = compiled.get(key);
  if (fn === undefined) {
    const schema = findKind(kind)?.versions.find((v) => v.name === version)?.schema;
    if (schema === undefined) return undefined;
    ajvInstance ??= createAjv();
    fn = ajvInstance.compile(schema);
    compiled.set(key, fn);
  }
  return fn;
}

/** True when metallb.io serves `kind` at `version`. */
export function isServedVersion(kind: string, version: string): boolean {
  return findKind(kind)?.versions.some((v) => v.name === version) ?? false;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

const article: Readonly<Record<string, string>> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean', object: 'an object', array: 'a list',
};

function toProblem(err: ErrorObject): FieldProblem {
  return { ...describe(err), structural: structuralKeywords.has(err.keyword) };
}

function describe(err: ErrorObject): Omit<FieldProblem, 'structural'> {
  const path = pointerToPath(err.instancePath);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return { path: joinPath(path, String(params['missingProperty'])), message: 'required field is missing' };
    case 'additionalProperties':
      return { path: joinPath(path, String(params['additionalProperty'])), message: 'unknown field' };
    case 'type':
      return { path, message: `must be ${article[String(params['type'])] ?? String(params['type'])}, not ${describeType(err.data)}` };
    case 'enum':
      return { path, message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path, message: err.message ?? `fails ${err.keyword}` };
  }
}

/**
 * Validates `raw` as `metallb.io/<version>` `kind` and returns a defaulted copy typed `T`. The caller names the
 * type that matches (kind, version); `parseObject` in documents is the only place that picks it at run time.
 */
export function validateObject<T>(kind: string, version: string, raw: unknown): ObjectResult<T> {
  const validate = validatorFor(kind, version);
  if (validate === undefined) {
    return { problems: [{ path: 'apiVersion', message: `${metallbGroup}/${version} ${kind} is not served`, structural: true }] };
  }
  const copy: unknown = structuredClone(raw);
  if (validate(copy)) return { object: copy as T };
  const errors = (validate.errors ?? []).map(toProblem);
  if (errors.length === 0) return { problems: [{ path: '', message: 'invalid object', structural: true }] };
  return errors.some((e) => e.structural) ? { problems: errors } : { problems: errors, object: copy as T };
}

/**
 * Validates every object of one kind (as the API server serves them) and returns the valid, defaulted copies;
 * each problem becomes a line `Kind/name: path: message` in `errors`.
 */
export function validateObjects<T>(
  kind: string, version: string, objects: readonly { readonly metadata?: { readonly name?: string } }[], errors: string[],
): T[] {
  const out: T[] = [];
  for (const raw of objects) {
    const result = validateObject<T>(kind, version, raw);
    for (const p of result.problems ?? []) errors.push(`${kind}/${raw.metadata?.name ?? ''}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    if (result.object !== undefined) out.push(result.object);
  }
  return out;
}
