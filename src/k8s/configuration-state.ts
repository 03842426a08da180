/**
 * A MetalLB ConfigurationState object (metallb-behaviour.md §2.7), as the controller (`controller`,
 * `poolReconcilerValid`) and each speaker (`speaker-<node>`, `configReconcilerValid`) keep theirs: `result` Valid
 * or Invalid, `errorSummary` the error lines, one condition (reasons `Reconciled` / `ConfigurationError`) whose
 * transition time changes only when it flips.
 */
import * as k8s from '@kubernetes/client-node';

const group = 'metallb.io';
const version = 'v1beta1';
const plural = 'configurationstates';

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface ConfigurationStateStatus {
  result?: string;
  errorSummary?: string;
  conditions?: Condition[];
}

export interface ConfigurationStateObject {
  metadata?: { name?: string; resourceVersion?: string };
  status?: ConfigurationStateStatus;
}

function rfc3339(wallMs: number): string {
  return new Date(wallMs).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The status for `errors` (empty = valid), keeping the transition time when the condition did not flip. */
export function desiredState(conditionType: string, errors: readonly string[], current: ConfigurationStateStatus | undefined, wallMs: number): ConfigurationStateStatus {
  const valid = errors.length === 0;
  const status = valid ? 'True' : 'False';
  const old = current?.conditions?.find((c) => c.type === conditionType);
  const summary = errors.join('\n');
  const condition: Condition = {
    type: conditionType, status, reason: valid ? 'Reconciled' : 'ConfigurationError', message: summary,
    lastTransitionTime: old !== undefined && old.status === status ? old.lastTransitionTime : rfc3339(wallMs),
  };
  return { result: valid ? 'Valid' : 'Invalid', conditions: [condition], ...(valid ? {} : { errorSummary: summary }) };
}

/** Whether the object already shows `want` (nothing to write). */
export function sameState(have: ConfigurationStateStatus | undefined, want: ConfigurationStateStatus): boolean {
  const h = have ?? {};
  return h.result === want.result && (h.errorSummary ?? '') === (want.errorSummary ?? '')
    && JSON.stringify(h.conditions ?? []) === JSON.stringify(want.conditions);
}

/** Reads the object `name`, creating it (with `labels`, no status) when absent; a creation race reads again. */
export async function readOrCreateState(
  custom: k8s.CustomObjectsApi, namespace: string, name: string, labels: Readonly<Record<string, string>>,
): Promise<ConfigurationStateObject> {
  const ref = { group, version, namespace, plural, name };
  try {
    return (await custom.getNamespacedCustomObject(ref)) as ConfigurationStateObject;
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
  }
  try {
    return (await custom.createNamespacedCustomObject({
      group, version, namespace, plural,
      body: { apiVersion: `${group}/${version}`, kind: 'ConfigurationState', metadata: { name, namespace, labels } },
    })) as ConfigurationStateObject;
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
    return (await custom.getNamespacedCustomObject(ref)) as ConfigurationStateObject;
  }
}
