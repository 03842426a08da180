/**
 * The whole install as Kubernetes objects, in the order `kubectl apply -f` needs them (namespace and CRDs
 * first, the webhook configuration last, once what it calls exists), and as one multi-document YAML text.
 * Pure: `metallb-ts manifests` prints it and `deploy/metallb-ts.yaml` is this with the default options.
 */
import type { V1Namespace } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { crdManifest } from '../api/crds.js';
import { metallbKinds } from '../api/kinds.js';
import { controllerDeployment, controllerDisruptionBudget, webhookService } from './controller-workload.js';
import type { InstallOptions } from './install-options.js';
import { rbacObjects } from './rbac.js';
import { excludeL2ConfigMap, speakerDaemonSet } from './speaker-workload.js';
import { validatingWebhookConfiguration } from './webhook-configuration.js';

export type KubeObject = { readonly apiVersion?: string; readonly kind?: string; readonly metadata?: { readonly name?: string } };

function namespaceObject(options: InstallOptions): V1Namespace {
  // The speaker needs the host network, which only the privileged Pod Security level admits (as MetalLB).
  const level = 'privileged';
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: {
      name: options.namespace,
      labels: {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/audit': level,
        'pod-security.kubernetes.io/warn': level,
      },
    },
  };
}

/** The CRDs from the schema source, their conversion webhook pointed at this install's namespace. */
export function crdObjects(options: InstallOptions): Record<string, unknown>[] {
  return metallbKinds.map((def) => {
    const crd = crdManifest(def) as { spec: { conversion?: { webhook: { clientConfig: { service: Record<string, unknown> } } } } };
    const service = crd.spec.conversion?.webhook.clientConfig.service;
    if (service !== undefined) service['namespace'] = options.namespace;
    return crd as Record<string, unknown>;
  });
}

export function installObjects(options: InstallOptions): KubeObject[] {
  return [
    namespaceObject(options),
    ...crdObjects(options),
    ...rbacObjects(options, 'controller'),
    ...rbacObjects(options, 'speaker'),
    excludeL2ConfigMap(options),
    webhookService(options),
    controllerDeployment(options),
    controllerDisruptionBudget(options),
    speakerDaemonSet(options),
    validatingWebhookConfiguration(options),
  ];
}

export function installYaml(options: InstallOptions, header: string): string {
  const docs = installObjects(options).map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `${header}${docs.map((d) => `---\n${d}`).join('')}`;
}
