/**
 * Where the controller finds the API server: an explicit kubeconfig file, else $KUBECONFIG, else the
 * in-cluster service account (KUBERNETES_SERVICE_HOST and the mounted token, which client-node re-reads
 * as it rotates), else ~/.kube/config; with connections kept alive (see withKeepAlive). And the namespace the
 * Pod runs in.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function loadKubeConfig(options: { kubeconfig?: string | undefined } = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (options.kubeconfig !== undefined && options.kubeconfig !== '') kc.loadFromFile(options.kubeconfig);
  else if ((process.env['KUBECONFIG'] ?? '') === '' && (process.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') kc.loadFromCluster();
  else kc.loadFromDefault();
  return withKeepAlive(kc);
}

/** The namespace of the service account (in a Pod), if mounted. */
export function podNamespace(): string | undefined {
  if (!existsSync(serviceAccountNamespace)) return undefined;
  const ns = readFileSync(serviceAccountNamespace, 'utf8').trim();
  return ns === '' ? undefined : ns;
}

type AgentFactory = (cluster: k8s.Cluster | null, agentOptions: Record<string, unknown>) => unknown;

/**
 * client-node 1.4.0 builds a new http(s).Agent for every request (KubeConfig.createAgent), so no connection
 * is ever reused: each status write pays a TCP connect and, against a real API server, a TLS handshake.
 * This gives `kc` one keep-alive agent per distinct set of agent options (CA, client certificate...), so a
 * rotated certificate still gets a new agent. Proxies keep client-node's own agents.
 */
export function withKeepAlive(kc: k8s.KubeConfig): k8s.KubeConfig {
  const target = kc as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, unknown>();
  target.createAgent = (cluster, agentOptions) => {
    if (cluster?.proxyUrl !== undefined && cluster.proxyUrl !== '') return original(cluster, agentOptions);
    const key = JSON.stringify([cluster?.server, cluster?.skipTLSVerify, agentOptions]);
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = original(cluster, { ...agentOptions, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
  return kc;
}
