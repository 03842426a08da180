/**
 * Which nodes a list of node selectors picks. MetalLB's rule everywhere: an empty list means every node,
 * otherwise a node is picked when any selector matches its labels. Pure, for config/ and speaker/ alike.
 */
import { anySelectorMatches, type LabelSelector, type Labels } from '../api/label-selector.js';

export interface NodeLabels {
  readonly name: string;
  readonly labels: Labels;
}

/** True when `selectors` (empty = all) admit a node with these labels. */
export function selectorsAdmit(selectors: readonly LabelSelector[], labels: Labels | undefined): boolean {
  return selectors.length === 0 || anySelectorMatches(selectors, labels);
}

/** Names of the nodes `selectors` (empty = all) pick. */
export function selectedNodeNames(selectors: readonly LabelSelector[], nodes: readonly NodeLabels[]): Set<string> {
  return new Set(nodes.filter((n) => selectorsAdmit(selectors, n.labels)).map((n) => n.name));
}

/**
 * Whether two selector lists pick a common node. With no nodes known, only two lists that both pick every
 * node are known to share one (any cluster has a node); anything else cannot be decided and counts as not
 * sharing, unless `unknownShares` says otherwise (MetalLB's FRR peer rules assume sharing).
 */
export function selectorsShareNode(
  a: readonly LabelSelector[],
  b: readonly LabelSelector[],
  nodes: readonly NodeLabels[],
  unknownShares: boolean,
): boolean {
  if (nodes.length === 0) return unknownShares || (a.length === 0 && b.length === 0);
  return nodes.some((n) => selectorsAdmit(a, n.labels) && selectorsAdmit(b, n.labels));
}
