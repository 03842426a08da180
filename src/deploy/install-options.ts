/**
 * What `metallb-ts manifests` can change about an install, with the defaults the committed `deploy/metallb-ts.yaml`
 * is rendered with. Everything else is fixed (MetalLB's names, ports and labels), so that objects, probes,
 * RBAC and the webhook configuration always agree.
 */
import type { LogLevel } from '../lib/logger.js';
import { defaultExcludedInterfaces } from '../speaker/layer2/interfaces.js';

export type FailurePolicy = 'Ignore' | 'Fail';
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface InstallOptions {
  /** The MetalLB namespace. */
  readonly namespace: string;
  /** The one image of both components (`metallb-ts controller|speaker`). */
  readonly image: string;
  readonly imagePullPolicy: PullPolicy;
  readonly logLevel: LogLevel;
  /** Serve only Services of this loadBalancerClass (unset: Services without a class). */
  readonly lbClass: string | undefined;
  /** Controller replicas; one holds the Lease and allocates, every one serves the webhook. */
  readonly controllerReplicas: number;
  /** Ignore by default: a webhook that is down must never block writes (docs/deploy.md). */
  readonly webhookFailurePolicy: FailurePolicy;
  readonly webhookTimeoutSeconds: number;
  /** `announcedInterfacesToExclude` of the `metallb-excludel2` ConfigMap (regular expressions). */
  readonly excludeInterfaces: readonly string[];
}

export const ports = {
  metrics: 9120,
  health: 17472,
  webhook: 9443,
  memberlist: 7946,
} as const;

export const names = {
  controller: 'controller',
  speaker: 'speaker',
  excludeL2ConfigMap: 'metallb-excludel2',
  excludeL2File: 'excludel2.yaml',
  memberlistSecret: 'memberlist',
  leaseName: 'metallb-controller',
} as const;

export function defaultInstallOptions(version: string): InstallOptions {
  return {
    namespace: 'metallb-system',
    image: `metallb-ts:${version}`,
    imagePullPolicy: 'IfNotPresent',
    logLevel: 'info',
    lbClass: undefined,
    controllerReplicas: 2,
    webhookFailurePolicy: 'Ignore',
    webhookTimeoutSeconds: 5,
    excludeInterfaces: defaultExcludedInterfaces,
  };
}

/** Labels of each component's pods (MetalLB's: `app: metallb`, `component: ...`). */
export function componentLabels(component: 'controller' | 'speaker'): Record<string, string> {
  return { app: 'metallb', component };
}
