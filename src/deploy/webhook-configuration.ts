/**
 * The ValidatingWebhookConfiguration, chosen so that a webhook that is down never wedges a cluster
 * (docs/deploy.md "The webhook"):
 * - `failurePolicy: Ignore` by default: when no replica answers, the write goes through and the controller,
 *   which checks the whole configuration anyway and keeps its last valid one, reports the problem in
 *   ConfigurationState/controller. MetalLB's `Fail` is what makes "failed calling webhook" block fresh installs.
 * - `timeoutSeconds: 5`: an answer is a few list calls; a hung webhook delays a write by at most this.
 * - Scoped to the metallb.io kinds and operations MetalLB checks, and the per-kind webhooks to the MetalLB
 *   namespace (`kubernetes.io/metadata.name`, set by the API server on every namespace), so nothing else in the
 *   cluster ever waits on it; a separate webhook answers CREATEs in other namespaces without reading anything.
 * - No caBundle here: the controller writes it once a replica serves, so `kubectl apply` never resets it.
 */
import type { V1ValidatingWebhook, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { metallbGroup } from '../api/kinds.js';
import { type AdmissionEndpoint, admissionEndpoints, namespaceEndpoint, webhookNames } from '../api/webhook-endpoints.js';
import type { InstallOptions } from './install-options.js';

const nameLabel = 'kubernetes.io/metadata.name';

function webhook(options: InstallOptions, name: string, path: string, inMetallbNamespace: boolean,
  rules: NonNullable<V1ValidatingWebhook['rules']>): V1ValidatingWebhook {
  return {
    name,
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name: webhookNames.service, namespace: options.namespace, path, port: webhookNames.servicePort } },
    failurePolicy: options.webhookFailurePolicy,
    matchPolicy: 'Equivalent',
    namespaceSelector: { matchExpressions: [{ key: nameLabel, operator: inMetallbNamespace ? 'In' : 'NotIn', values: [options.namespace] }] },
    rules,
    sideEffects: 'None',
    timeoutSeconds: options.webhookTimeoutSeconds,
  };
}

const kindRule = (e: AdmissionEndpoint) => ({
  apiGroups: [metallbGroup], apiVersions: [e.version], operations: [...e.operations], resources: [e.plural], scope: 'Namespaced',
});

export function validatingWebhookConfiguration(options: InstallOptions): V1ValidatingWebhookConfiguration {
  const perKind = admissionEndpoints.map((e) => webhook(options, e.webhookName, e.path, true, [kindRule(e)]));
  const elsewhere = webhook(options, namespaceEndpoint.webhookName, namespaceEndpoint.path, false, [{
    apiGroups: [metallbGroup], apiVersions: ['*'], operations: ['CREATE'], resources: admissionEndpoints.map((e) => e.plural), scope: 'Namespaced',
  }]);
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration',
    metadata: { name: webhookNames.configuration, labels: { app: 'metallb' } },
    webhooks: [...perKind, elsewhere],
  };
}
