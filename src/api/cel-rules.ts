/**
 * Offline evaluation of the CEL rules (`x-kubernetes-validations`) that the CRD schemas carry. The API server
 * evaluates the CEL text itself; `validate`, the webhook and tests use these JavaScript equivalents, one per
 * rule text. A test checks that every rule in every schema has an evaluator here or is a transition rule.
 */
import { parseGoDuration } from '../lib/duration.js';
import { serviceSelectorsVsAggregationRule } from './schema/bgp-advertisement.js';
import { connectTimeRangeRule, connectTimeWholeSecondsRule } from './schema/bgp-peer.js';

export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

type Evaluator = (self: unknown) => boolean;

const nsPerSecond = 1_000_000_000n;
const nsPerMs = 1_000_000n;

function field(self: unknown, name: string): unknown {
  return typeof self === 'object' && self !== null ? (self as Record<string, unknown>)[name] : undefined;
}

/** CEL's `duration(self)` fails evaluation on a bad string, which the API server reports as a failed rule. */
function durationNs(self: unknown): bigint | undefined {
  return typeof self === 'string' ? parseGoDuration(self) : undefined;
}

const evaluators: ReadonlyMap<string, Evaluator> = new Map<string, Evaluator>([
  [serviceSelectorsVsAggregationRule.rule, (self) => {
    const selectors = field(self, 'serviceSelectors');
    if (!Array.isArray(selectors) || selectors.length === 0) return true;
    const v4 = field(self, 'aggregationLength');
    const v6 = field(self, 'aggregationLengthV6');
    return (v4 === undefined || v4 === 32) && (v6 === undefined || v6 === 128);
  }],
  [connectTimeRangeRule.rule, (self) => {
    const ns = durationNs(self);
    if (ns === undefined) return false;
    const seconds = ns / nsPerSecond;
    return seconds >= 1n && seconds <= 65535n;
  }],
  [connectTimeWholeSecondsRule.rule, (self) => {
    const ns = durationNs(self);
    return ns !== undefined && (ns / nsPerMs) % 1000n === 0n;
  }],
]);

/** Transition rules compare with the stored object (`oldSelf`), so they only apply to updates. */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

export function hasEvaluator(rule: CelRule): boolean {
  return evaluators.has(rule.rule);
}

/**
 * The messages of the rules `self` breaks. Transition rules are skipped (there is no old object offline); a
 * rule without an evaluator is reported as broken, so a new rule cannot pass unnoticed.
 */
export function brokenRules(rules: readonly CelRule[], self: unknown): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    if (isTransitionRule(rule)) continue;
    const evaluate = evaluators.get(rule.rule);
    if (evaluate === undefined) out.push(`no offline evaluator for the rule "${rule.rule}"`);
    else if (!evaluate(self)) out.push(rule.message);
  }
  return out;
}
