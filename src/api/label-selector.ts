/**
 * Kubernetes label selectors (metav1.LabelSelector): shape, validation and matching, as the API server and
 * apimachinery's `LabelSelectorAsSelector` define them. Pure: used by config, ipam and the speaker alike.
 */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems with a label key (`prefix/name`), empty when valid. */
export function labelKeyProblems(key: string): string[] {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const problems: string[] = [];
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !dnsSubdomain.test(prefix)) {
      problems.push(`label key prefix "${prefix}" must be a DNS subdomain`);
    }
  }
  if (name.length === 0 || name.length > 63 || !qualifiedNamePart.test(name)) {
    problems.push(`label key "${key}" must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`);
  }
  return problems;
}

/** Problems with a label value, empty when valid (the empty string is a valid value). */
export function labelValueProblems(value: string): string[] {
  if (value === '') return [];
  if (value.length > 63 || !qualifiedNamePart.test(value)) {
    return [`label value "${value}" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`];
  }
  return [];
}

export interface SelectorProblem {
  /** Path below the selector, e.g. `matchExpressions[0].values`. */
  readonly path: string;
  readonly message: string;
}

/** Every reason `selector` is not a valid LabelSelector, with a field path for each. */
export function selectorProblems(selector: LabelSelector): SelectorProblem[] {
  const out: SelectorProblem[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    for (const m of labelKeyProblems(key)) out.push({ path: `matchLabels.${key}`, message: m });
    for (const m of labelValueProblems(value)) out.push({ path: `matchLabels.${key}`, message: m });
  }
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const at = `matchExpressions[${i}]`;
    for (const m of labelKeyProblems(req.key)) out.push({ path: `${at}.key`, message: m });
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) out.push({ path: `${at}.values`, message: `for operator ${req.operator} values must be non-empty` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) out.push({ path: `${at}.values`, message: `for operator ${req.operator} values must be empty` });
        break;
      default:
        out.push({ path: `${at}.operator`, message: `"${String(req.operator)}" is not a valid label selector operator` });
    }
    values.forEach((v, j) => {
      for (const m of labelValueProblems(v)) out.push({ path: `${at}.values[${j}]`, message: m });
    });
    if (new Set(values).size !== values.length) {
      out.push({ path: `${at}.values`, message: 'duplicate values' });
    }
  });
  return out;
}

/** True when `labels` satisfy every requirement. The empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Labels | undefined): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, req.key);
    const value = have[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!present || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/** True when any selector matches (MetalLB's OR over selector lists). An empty list matches nothing. */
export function anySelectorMatches(selectors: readonly LabelSelector[], labels: Labels | undefined): boolean {
  return selectors.some((s) => selectorMatches(s, labels));
}

/**
 * A canonical string for a selector, equal for selectors that select the same way regardless of key or
 * value order (apimachinery's `Selector.String()`, e.g. `a=b,c in (d,e),!f`). Used to find duplicates.
 */
export function selectorKey(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push(`${key}=${value}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(',');
    switch (req.operator) {
      case 'In': parts.push(`${req.key} in (${values})`); break;
      case 'NotIn': parts.push(`${req.key} notin (${values})`); break;
      case 'Exists': parts.push(req.key); break;
      case 'DoesNotExist': parts.push(`!${req.key}`); break;
    }
  }
  return parts.sort().join(',');
}
