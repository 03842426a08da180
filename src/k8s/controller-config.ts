/**
 * The controller's configuration from the cluster, as MetalLB's PoolReconciler builds it: the
 * IPAddressPools and Communities of the MetalLB namespace and every Namespace (for namespaceSelectors),
 * checked against their schemas (defaults applied, as the API server does), then `config.build()`.
 * An unchanged result is reported as such, so that only a real change reprocesses every Service.
 */
import { validateObjects } from '../api/object-validator.js';
import { build } from '../config/build.js';
import { configFingerprint } from '../config/fingerprint.js';
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
      pools: validateObjects('IPAddressPool', 'v1beta1', this.inputs.pools(), schemaErrors),
      communities: validateObjects('Community', 'v1beta1', this.inputs.communities(), schemaErrors),
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
