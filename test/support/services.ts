/** v1 Service builders for controller and plan tests: plain objects shaped as the API server returns them. */
import type { V1Service } from '@kubernetes/client-node';

export interface ServiceOptions {
  readonly type?: string;
  readonly clusterIPs?: readonly string[];
  /** Sets only `spec.clusterIP` (old objects without clusterIPs). */
  readonly clusterIP?: string;
  readonly ingress?: readonly string[];
  readonly ingressEntries?: readonly { ip?: string; hostname?: string }[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly policy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  readonly ipFamilies?: readonly string[];
  readonly loadBalancerIP?: string;
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  readonly selector?: Readonly<Record<string, string>>;
  /** `tcp/80` style. Defaults to TCP/80. */
  readonly ports?: readonly string[];
  readonly loadBalancerClass?: string;
  readonly created?: string;
}

/** A LoadBalancer Service `namespace/name` with clusterIP 10.96.0.1 unless told otherwise. */
export function service(key: string, o: ServiceOptions = {}): V1Service {
  const [namespace, name] = key.includes('/') ? key.split('/') as [string, string] : ['default', key];
  const ingress = o.ingressEntries ?? (o.ingress ?? []).map((ip) => ({ ip }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name, namespace,
      ...(o.annotations && { annotations: { ...o.annotations } }),
      ...(o.labels && { labels: { ...o.labels } }),
      ...(o.created && { creationTimestamp: new Date(o.created) }),
    },
    spec: {
      type: o.type ?? 'LoadBalancer',
      ...(o.clusterIP !== undefined ? { clusterIP: o.clusterIP } : { clusterIPs: [...(o.clusterIPs ?? ['10.96.0.1'])], clusterIP: (o.clusterIPs ?? ['10.96.0.1'])[0] ?? '' }),
      ...(o.policy && { ipFamilyPolicy: o.policy }),
      ...(o.ipFamilies && { ipFamilies: [...o.ipFamilies] }),
      ...(o.loadBalancerIP && { loadBalancerIP: o.loadBalancerIP }),
      ...(o.externalTrafficPolicy && { externalTrafficPolicy: o.externalTrafficPolicy }),
      ...(o.selector && { selector: { ...o.selector } }),
      ...(o.loadBalancerClass && { loadBalancerClass: o.loadBalancerClass }),
      ports: (o.ports ?? ['tcp/80']).map((p) => {
        const [protocol, port] = p.split('/');
        return { protocol: (protocol as string).toUpperCase(), port: Number(port) };
      }),
    },
    status: ingress.length > 0 ? { loadBalancer: { ingress: ingress.map((i) => ({ ...i })) } } : {},
  };
}

export function ingressOf(svc: V1Service | undefined): string[] {
  return (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? `hostname:${i.hostname ?? ''}`);
}

export function poolAnnotationOf(svc: V1Service | undefined): string | undefined {
  return svc?.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'];
}
