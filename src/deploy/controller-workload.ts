/**
 * The controller: a Deployment of `controllerReplicas` pods (one holds the Lease and allocates; every replica
 * serves the webhook, so the webhook stays up through a leader change), the webhook Service in front of them,
 * and a PodDisruptionBudget that keeps one replica through node drains. Non-root, read-only root, no
 * capabilities (MetalLB's security context, metallb-behaviour.md §1.1).
 */
import type { V1Container, V1Deployment, V1PodDisruptionBudget, V1Service } from '@kubernetes/client-node';
import { webhookNames } from '../api/webhook-endpoints.js';
import { componentLabels, type InstallOptions, names, ports } from './install-options.js';

export function commonArgs(options: InstallOptions): string[] {
  return [`--log-level=${options.logLevel}`, ...(options.lbClass === undefined ? [] : [`--lb-class=${options.lbClass}`])];
}

export const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** Probes on the health port (MetalLB's timings: 10 s delay and period, 1 s timeout, 3 failures). */
export function healthProbes(host: string | undefined) {
  const probe = (path: string) => ({
    httpGet: { path, port: ports.health, ...(host === undefined ? {} : { host }) },
    initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3,
  });
  return { livenessProbe: probe('/healthz'), readinessProbe: probe('/readyz') };
}

function controllerContainer(options: InstallOptions): V1Container {
  return {
    name: 'controller',
    image: options.image,
    imagePullPolicy: options.imagePullPolicy,
    args: ['controller', ...commonArgs(options)],
    env: [
      fieldEnv('METALLB_NAMESPACE', 'metadata.namespace'),
      fieldEnv('METALLB_POD_NAME', 'metadata.name'),
      { name: 'METALLB_ML_SECRET_NAME', value: names.memberlistSecret },
      { name: 'METALLB_DEPLOYMENT', value: names.controller },
    ],
    ports: [
      { name: 'metrics', containerPort: ports.metrics, protocol: 'TCP' },
      { name: 'health', containerPort: ports.health, protocol: 'TCP' },
      { name: 'webhook-server', containerPort: ports.webhook, protocol: 'TCP' },
    ],
    // Ready means the webhook serves with a certificate the API server trusts (not leadership): the webhook
    // Service sends calls only to ready replicas.
    ...healthProbes(undefined),
    resources: { requests: { cpu: '25m', memory: '96Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

export function controllerDeployment(options: InstallOptions): V1Deployment {
  const labels = componentLabels('controller');
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: names.controller, namespace: options.namespace, labels },
    spec: {
      replicas: options.controllerReplicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: labels },
      // A new replica is ready before an old one goes: the webhook always has someone to answer.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: names.controller,
          terminationGracePeriodSeconds: 10,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } },
              }],
            },
          },
          containers: [controllerContainer(options)],
          volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }],
        },
      },
    },
  };
}

export function webhookService(options: InstallOptions): V1Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: webhookNames.service, namespace: options.namespace, labels: componentLabels('controller') },
    spec: {
      ports: [{ name: 'webhook', port: webhookNames.servicePort, targetPort: 'webhook-server', protocol: 'TCP' }],
      selector: componentLabels('controller'),
    },
  };
}

export function controllerDisruptionBudget(options: InstallOptions): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: names.controller, namespace: options.namespace, labels: componentLabels('controller') },
    spec: { maxUnavailable: 1, selector: { matchLabels: componentLabels('controller') } },
  };
}
