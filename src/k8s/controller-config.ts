/**
 * The controller's configuration from the cluster, as MetalLB's PoolReconciler builds it: the
 * IPAddressPools and Communities of the MetalLB namespace and every Namespace (for namespaceSelectors),
 * checked against their schemas (defaults applied, as the API server does), then `config.build()`.
 * An unchanged result is reported as such, so that only a real change reprocesses every Service.
 */
import { validateObject } from '../api/object-validator.js';
import { build } from '../config/build.js';
import { formatProblem } from '../config/problems.js';
import type { ClusterResources } from '../config/resources.js';
import type { Config } from '../config/types.js';
import type { KubeObject } from './kube-object.js';

export type ConfigEvaluation =
  | { readonly valid: true; readonly config: Config; readonly changed: boolean; readonly warnings: readonly string[] }
  | { readonly valid: false; readonly errors: readonly string[] };

export interface ConfigInputs {
  readonly pools: () => readonly KubeObject[];
  readonly communities: () => readonly KubeObject[];
  readonly namespaces: () => readonly KubeObject[];
}

/** A stable text of a Config (Maps, Sets and bigints included) to tell a real change from a rebuild. */
export function configFingerprint(config: Config): string {
  return JSON.stringify(config, (_key, value: unknown) => {
    if (value instanceof Map) return { map: [...value.entries()] };
    if (value instanceof Set) return { set: [...value.values()] };
    if (typeof value === 'bigint') return `${value}n`;
    return value;
  });
}

function checked<T>(kind: string, objects: readonly KubeObject[], errors: string[]): T[] {
  const out: T[] = [];
  for (const raw of objects) {
    const result = validateObject<T>(kind, 'v1beta1', raw);
    for (const p of result.problems ?? []) errors.push(`${kind}/${raw.metadata?.name ?? ''}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    if (result.object !== undefined) out.push(result.object);
  }
  return out;
}

export class ControllerConfig {
  private readonly inputs: ConfigInputs;
  private fingerprint: string | undefined;

  constructor(inputs: ConfigInputs) {
    this.inputs = inputs;
  }

  /** Builds the configuration from the caches now. */
  evaluate(): ConfigEvaluation {
    const schemaErrors: string[] = [];
    const resources: Partial<ClusterResources> = {
      pools: checked('IPAddressPool', this.inputs.pools(), schemaErrors),
      communities: checked('Community', this.inputs.communities(), schemaErrors),
      namespaces: this.inputs.namespaces() as unknown as ClusterResources['namespaces'],
    };
    const result = build(resources);
    if (result.errors !== undefined || schemaErrors.length > 0) {
      const buildErrors = (result.errors ?? []).map(formatProblem);
      return { valid: false, errors: [...new Set([...schemaErrors, ...buildErrors])] };
    }
    const fingerprint = configFingerprint(result.config);
    const changed = fingerprint !== this.fingerprint;
    this.fingerprint = fingerprint;
    return { valid: true, config: result.config, changed, warnings: result.warnings.map(formatProblem) };
  }
}
