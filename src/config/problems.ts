/**
 * A configuration problem names the object (kind, name, and its index in the input list of that kind, so a
 * caller can say which file it came from), the field path and the rule.
 */
import { type RuleCode, type RuleInfo, rules } from './rules.js';

export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  /** Position in the input list of that kind (`ClusterResources`). */
  readonly index: number;
}

export interface ConfigProblem extends ObjectRef {
  readonly code: RuleCode;
  readonly path: string;
  readonly message: string;
  /** A reference to an object that may not exist yet (Secret, BFDProfile, Community alias). */
  readonly transient: boolean;
  readonly severity: 'error' | 'warning';
}

/** Collects problems in the order they are found. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];

  add(code: RuleCode, at: ObjectRef, path: string, message: string): void {
    const info: RuleInfo = rules[code];
    this.items.push({
      kind: at.kind, name: at.name, index: at.index, code, path, message,
      transient: info.transient === true, severity: info.severity,
    });
  }

  get errors(): ConfigProblem[] {
    return this.items.filter((p) => p.severity === 'error');
  }

  get warnings(): ConfigProblem[] {
    return this.items.filter((p) => p.severity === 'warning');
  }
}

/** `Kind/name: path: message`, the line `validate` prints after the file name. */
export function formatProblem(p: ConfigProblem): string {
  const name = p.name === '' ? '(unnamed)' : p.name;
  const path = p.path === '' ? '' : `${p.path}: `;
  const tags = p.severity === 'warning' ? 'warning: ' : '';
  return `${p.kind}/${name}: ${path}${tags}${p.message}`;
}
