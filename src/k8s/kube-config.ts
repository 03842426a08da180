/**
 * Where the controller finds the API server: an explicit kubeconfig file, else $KUBECONFIG, else the
 * in-cluster service account (KUBERNETES_SERVICE_HOST and the mounted token, which client-node re-reads
 * as it rotates), else ~/.kube/config. And the namespace the Pod runs in.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function loadKubeConfig(options: { kubeconfig?: string | undefined } = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (options.kubeconfig !== undefined && options.kubeconfig !== '') kc.loadFromFile(options.kubeconfig);
  else if ((process.env['KUBECONFIG'] ?? '') === '' && (process.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** The namespace of the service account (in a Pod), if mounted. */
export function podNamespace(): string | undefined {
  if (!existsSync(serviceAccountNamespace)) return undefined;
  const ns = readFileSync(serviceAccountNamespace, 'utf8').trim();
  return ns === '' ? undefined : ns;
}
