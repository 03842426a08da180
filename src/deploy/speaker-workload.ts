/**
 * The speaker: a DaemonSet on the host network with exactly the capabilities its sockets need and nothing more
 * (not privileged): NET_RAW for the ARP/NDP packet sockets and binding sockets to a device, NET_ADMIN for the
 * socket and interface options of the BGP and BFD sessions, NET_BIND_SERVICE to listen on BGP's port 179. It runs as uid 0 because Kubernetes hands added capabilities
 * only to root processes (there are no ambient capabilities for non-root containers); everything else is
 * locked down: all other capabilities dropped, no privilege escalation, read-only root filesystem.
 * Tolerations, probes on 127.0.0.1 and the memberlist settings are MetalLB's (metallb-behaviour.md §7, §8).
 */
import type { V1ConfigMap, V1Container, V1DaemonSet } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { commonArgs, fieldEnv, healthProbes } from './controller-workload.js';
import { componentLabels, type InstallOptions, names, ports } from './install-options.js';

export const speakerCapabilities = ['NET_RAW', 'NET_ADMIN', 'NET_BIND_SERVICE'] as const;

const memberlistKeyDir = '/etc/ml_secret_key';

function speakerContainer(options: InstallOptions): V1Container {
  const probes = healthProbes('127.0.0.1');
  return {
    name: 'speaker',
    image: options.image,
    imagePullPolicy: options.imagePullPolicy,
    args: ['speaker', ...commonArgs(options)],
    env: [
      fieldEnv('METALLB_NODE_NAME', 'spec.nodeName'),
      fieldEnv('METALLB_POD_NAME', 'metadata.name'),
      fieldEnv('METALLB_NAMESPACE', 'metadata.namespace'),
      fieldEnv('METALLB_HOST', 'status.hostIP'),
      fieldEnv('METALLB_ML_BIND_ADDR', 'status.podIP'),
      { name: 'METALLB_ML_BIND_PORT', value: String(ports.memberlist) },
      { name: 'METALLB_ML_LABELS', value: 'app=metallb,component=speaker' },
      { name: 'METALLB_ML_SECRET_KEY_PATH', value: memberlistKeyDir },
    ],
    ports: [
      { name: 'metrics', containerPort: ports.metrics, protocol: 'TCP' },
      { name: 'memberlist-tcp', containerPort: ports.memberlist, protocol: 'TCP' },
      { name: 'memberlist-udp', containerPort: ports.memberlist, protocol: 'UDP' },
    ],
    ...probes,
    // A node under load may take a while to build the native addon's sockets and join the gossip.
    startupProbe: { ...probes.livenessProbe, initialDelaySeconds: 0, periodSeconds: 5, failureThreshold: 30 },
    resources: { requests: { cpu: '25m', memory: '96Mi' } },
    securityContext: {
      runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: [...speakerCapabilities] },
    },
    volumeMounts: [
      { name: 'memberlist', mountPath: memberlistKeyDir, readOnly: true },
      { name: 'metallb-excludel2', mountPath: '/etc/metallb', readOnly: true },
    ],
  };
}

export function speakerDaemonSet(options: InstallOptions): V1DaemonSet {
  const labels = componentLabels('speaker');
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: names.speaker, namespace: options.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: names.speaker,
          hostNetwork: true,
          terminationGracePeriodSeconds: 2,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          tolerations: [
            { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule', operator: 'Exists' },
            { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule', operator: 'Exists' },
          ],
          containers: [speakerContainer(options)],
          volumes: [
            // Optional: a speaker starts even before the controller has created the key (it gossips once it has it).
            { name: 'memberlist', secret: { secretName: names.memberlistSecret, defaultMode: 0o444, optional: true } },
            { name: 'metallb-excludel2', configMap: { name: names.excludeL2ConfigMap, defaultMode: 0o444 } },
          ],
        },
      },
    },
  };
}

/** MetalLB's `metallb-excludel2` ConfigMap: interfaces layer 2 never answers on. */
export function excludeL2ConfigMap(options: InstallOptions): V1ConfigMap {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: names.excludeL2ConfigMap, namespace: options.namespace, labels: componentLabels('speaker') },
    data: { [names.excludeL2File]: stringify({ announcedInterfacesToExclude: [...options.excludeInterfaces] }) },
  };
}
