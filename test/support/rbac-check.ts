/**
 * Compares recorded API requests with the RBAC rules of a component (src/deploy/rbac.ts), both ways: requests
 * that no rule allows (the component would get 403 in a real cluster) and granted (verb, resource) pairs that no
 * request used (more privilege than the code needs).
 */
import type { ComponentPermissions, PermissionRule } from '../../src/deploy/rbac.js';

export interface ApiCall {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

const resourceOf = (c: ApiCall): string => (c.subresource === undefined ? c.resource : `${c.resource}/${c.subresource}`);

function allows(rule: PermissionRule, call: ApiCall, verb: string = call.verb): boolean {
  if (rule.group !== call.group || !rule.resources.includes(resourceOf(call)) || !rule.verbs.includes(verb)) return false;
  if (rule.resourceNames === undefined) return true;
  return call.name !== undefined && rule.resourceNames.includes(call.name);
}

/** Which rules a call may use: namespaced rules only inside the MetalLB namespace, cluster rules anywhere. */
function candidateRules(perms: ComponentPermissions, call: ApiCall, namespace: string): readonly PermissionRule[] {
  return call.namespace === namespace ? [...perms.namespaced, ...perms.cluster] : perms.cluster;
}

export function describeCall(c: ApiCall): string {
  const where = c.namespace === undefined ? 'cluster-wide' : `in ${c.namespace}`;
  return `${c.verb} ${c.group === '' ? 'core' : c.group}/${resourceOf(c)}${c.name === undefined ? '' : ` "${c.name}"`} ${where}`;
}

/** Requests no rule allows. */
export function uncoveredCalls(calls: readonly ApiCall[], perms: ComponentPermissions, namespace: string): string[] {
  const out = new Set<string>();
  for (const c of calls) {
    if (!candidateRules(perms, c, namespace).some((r) => allows(r, c))) out.add(describeCall(c));
  }
  return [...out].sort();
}

/** Granted (scope, group, resource, verb) that no request used. */
export function unusedGrants(calls: readonly ApiCall[], perms: ComponentPermissions, namespace: string): string[] {
  const out: string[] = [];
  for (const [scope, rules] of [['Role', perms.namespaced], ['ClusterRole', perms.cluster]] as const) {
    for (const rule of rules) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          const used = calls.some((c) => resourceOf(c) === resource && c.verb === verb && allows(rule, c, verb) &&
            (scope === 'ClusterRole' || c.namespace === namespace));
          if (!used) out.push(`${scope} ${rule.group === '' ? 'core' : rule.group}/${resource} ${verb} (${rule.why})`);
        }
      }
    }
  }
  return out;
}
