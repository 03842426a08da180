/**
 * Label and field selectors in their query-string form, as the API server parses them
 * (apimachinery `labels.Parse` and `fields.ParseSelector`): `a=b,c!=d,e in (f,g),h notin (i),j,!k` and
 * `metadata.name=x,spec.type!=y`. Matching is on plain JSON objects.
 */
import { ApiError } from './api-error.js';

export type LabelRequirement =
  | { readonly op: 'eq' | 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'notexists'; readonly key: string };

export interface FieldRequirement {
  readonly op: 'eq' | 'neq';
  readonly path: string;
  readonly value: string;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const setTerm = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const eqTerm = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const keyTerm = /^(!?)([^\s!=(),]+)$/;

function parseLabelTerm(term: string): LabelRequirement {
  const set = setTerm.exec(term);
  if (set !== null) {
    const values = set[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1]!, values };
  }
  const eq = eqTerm.exec(term);
  if (eq !== null) return { op: eq[2] === '!=' ? 'neq' : 'eq', key: eq[1]!, value: eq[3]! };
  const key = keyTerm.exec(term);
  if (key !== null) return { op: key[1] === '!' ? 'notexists' : 'exists', key: key[2]! };
  throw ApiError.badRequest(`unable to parse requirement: found '${term}', expected: identifier`);
}

export function parseLabelSelector(text: string | null | undefined): LabelRequirement[] {
  if (text === null || text === undefined || text.trim() === '') return [];
  return splitTerms(text).map(parseLabelTerm);
}

export function labelsMatch(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  const have = labels ?? {};
  return requirements.every((r) => {
    const present = Object.hasOwn(have, r.key);
    const value = have[r.key];
    switch (r.op) {
      case 'eq': return present && value === r.value;
      case 'neq': return !present || value !== r.value;
      case 'in': return present && r.values.includes(value!);
      case 'notin': return !present || !r.values.includes(value!);
      case 'exists': return present;
      case 'notexists': return !present;
    }
  });
}

export function parseFieldSelector(text: string | null | undefined): FieldRequirement[] {
  if (text === null || text === undefined || text.trim() === '') return [];
  return text.split(',').map((t) => t.trim()).filter((t) => t !== '').map((term) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (m === null) throw ApiError.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { op: m[2] === '!=' ? 'neq' : 'eq', path: m[1]!, value: m[3]! };
  });
}

/** The value of a dotted path as the API server's field-selector functions render it ('' when absent). */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

export function fieldsMatch(requirements: readonly FieldRequirement[], obj: unknown): boolean {
  return requirements.every((r) => (fieldValue(obj, r.path) === r.value) === (r.op === 'eq'));
}
