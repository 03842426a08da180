/**
 * Selector lists in the CRs: validated (syntax, duplicate expressions, duplicate selectors) and converted to
 * `LabelSelector`, with a field path for every problem.
 */
import { type LabelSelector, type LabelSelectorRequirement, selectorKey, selectorProblems } from '../api/label-selector.js';
import { joinPath } from '../api/field-path.js';
import type { ObjectRef, ProblemList } from './problems.js';

/** A label selector as the schema types it (operator is any string until checked). */
export interface RawSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

function requirementKey(r: LabelSelectorRequirement): string {
  return `${r.key} ${r.operator} ${[...(r.values ?? [])].sort().join(',')}`;
}

/** Checks one selector; returns it typed (operators are checked by `selectorProblems`). */
export function checkSelector(raw: RawSelector, at: ObjectRef, path: string, problems: ProblemList): LabelSelector {
  const selector = raw as LabelSelector;
  for (const p of selectorProblems(selector)) problems.add('selector-syntax', at, `${path}.${p.path}`, p.message);
  const seen = new Set<string>();
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const key = requirementKey(req);
    if (seen.has(key)) problems.add('selector-syntax', at, joinPath(`${path}.matchExpressions`, i), 'duplicate match expression');
    seen.add(key);
  });
  return selector;
}

/** Checks a selector list (undefined = empty) and returns it typed. */
export function checkSelectorList(
  list: readonly RawSelector[] | undefined,
  at: ObjectRef,
  path: string,
  problems: ProblemList,
): LabelSelector[] {
  const out: LabelSelector[] = [];
  const seen = new Map<string, number>();
  (list ?? []).forEach((raw, i) => {
    const itemPath = joinPath(path, i);
    const selector = checkSelector(raw, at, itemPath, problems);
    const key = selectorKey(selector);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add('selector-duplicate', at, itemPath, `duplicate of ${joinPath(path, first)}`);
    } else {
      seen.set(key, i);
    }
    out.push(selector);
  });
  return out;
}

/** Reports duplicate strings in a list (ipAddressPools, communities, peers, namespaces). */
export function checkNoDuplicates(
  list: readonly string[] | undefined,
  code: 'list-duplicate' | 'pool-namespaces-duplicate',
  at: ObjectRef,
  path: string,
  problems: ProblemList,
): void {
  const seen = new Set<string>();
  (list ?? []).forEach((item, i) => {
    if (seen.has(item)) problems.add(code, at, joinPath(path, i), `duplicate entry "${item}"`);
    seen.add(item);
  });
}
