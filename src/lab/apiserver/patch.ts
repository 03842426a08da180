/**
 * The patch formats the API server accepts, on plain JSON: JSON Patch (RFC 6902, with `test`), JSON Merge
 * Patch (RFC 7386), and server-side apply approximated as a recursive merge that never deletes (no field
 * ownership; see docs/test-apiserver.md). Errors are ApiErrors: 400 for a malformed patch, 422 when it
 * does not apply.
 */
import { ApiError } from './api-error.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function cloneJson<T>(v: T): T {
  return structuredClone(v);
}

/** Sets a key as an own property, so `__proto__` from a request body stays data and never a prototype. */
export function setKey(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** RFC 7386 §2: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setKey(out, key, mergePatch(Object.hasOwn(out, key) ? out[key]! : null, value));
  }
  return out;
}

/** Apply approximated: like a merge patch, but `null` is a value and nothing absent is removed. */
export function applyMerge(target: Json, patch: Json): Json {
  if (!isObject(patch) || !isObject(target)) return cloneJson(patch);
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) setKey(out, key, Object.hasOwn(out, key) ? applyMerge(out[key]!, value) : cloneJson(value));
  return out;
}

interface Operation {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: Json;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw ApiError.badRequest(`invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

/** The container holding the last token of `path` and that token. */
function locate(doc: Json, tokens: string[], path: string): { parent: Json; key: string } {
  let cur = doc;
  for (const token of tokens.slice(0, -1)) {
    const next = Array.isArray(cur) ? cur[Number(token)] : isObject(cur) && Object.hasOwn(cur, token) ? cur[token] : undefined;
    if (next === undefined) throw unprocessable(`doc is missing path: "${path}"`);
    cur = next;
  }
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function arrayIndex(arr: Json[], key: string, path: string, forInsert: boolean): number {
  if (forInsert && key === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) throw unprocessable(`invalid array index "${key}" in "${path}"`);
  const i = Number(key);
  if (i > arr.length || (!forInsert && i === arr.length)) throw unprocessable(`index out of range in "${path}"`);
  return i;
}

function getAt(doc: Json, path: string): Json {
  let cur: Json | undefined = doc;
  for (const token of decodePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(token)] : isObject(cur) && Object.hasOwn(cur, token) ? cur[token] : undefined;
    if (cur === undefined) throw unprocessable(`doc is missing path: "${path}"`);
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = decodePointer(path);
  if (tokens.length === 0) throw unprocessable('cannot remove the whole document');
  const { parent, key } = locate(doc, tokens, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, path, false), 1)[0]!;
  if (!isObject(parent) || !Object.hasOwn(parent, key)) throw unprocessable(`unable to remove nonexistent key: ${key}: missing value`);
  const old = parent[key]!;
  delete parent[key];
  return old;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return cloneJson(value);
  const { parent, key } = locate(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, path, !replace);
    parent.splice(i, replace ? 1 : 0, cloneJson(value));
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, key)) throw unprocessable(`replace operation does not apply: doc is missing key: ${path}`);
    setKey(parent, key, cloneJson(value));
  } else {
    throw unprocessable(`doc is missing path: "${path}"`);
  }
  return doc;
}

function applyOperation(doc: Json, op: Operation): Json {
  switch (op.op) {
    case 'add': return addAt(doc, op.path, requireValue(op), false);
    case 'replace': return addAt(doc, op.path, requireValue(op), true);
    case 'remove': removeAt(doc, op.path); return doc;
    case 'move': { const v = removeAt(doc, requireFrom(op)); return addAt(doc, op.path, v, false); }
    case 'copy': return addAt(doc, op.path, getAt(doc, requireFrom(op)), false);
    case 'test':
      if (JSON.stringify(canonical(getAt(doc, op.path))) !== JSON.stringify(canonical(requireValue(op)))) {
        throw unprocessable(`testing value ${op.path} failed: test failed`);
      }
      return doc;
    default: throw ApiError.badRequest(`unexpected kind of JSON patch operation: "${op.op}"`);
  }
}

function requireValue(op: Operation): Json {
  if (!('value' in op)) throw ApiError.badRequest(`JSON patch operation "${op.op}" on "${op.path}" has no value`);
  return op.value!;
}

function requireFrom(op: Operation): string {
  if (typeof op.from !== 'string') throw ApiError.badRequest(`JSON patch operation "${op.op}" has no "from"`);
  return op.from;
}

function canonical(v: Json): Json {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) setKey(out, k, canonical(v[k]!));
  return out;
}

/** RFC 6902: applies every operation in order to a copy of `doc`, all or nothing. */
export function jsonPatch(doc: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw ApiError.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out = cloneJson(doc);
  for (const op of patch) {
    if (!isObject(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') {
      throw ApiError.badRequest('invalid JSON patch operation');
    }
    out = applyOperation(out, op as unknown as Operation);
  }
  return out;
}
