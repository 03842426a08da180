/**
 * What the allocator needs to know about a Service, as plain data (no Kubernetes client types): the
 * controller derives it from a v1 Service (controller/service-facts.ts).
 */
import type { Labels } from '../api/label-selector.js';
import type { IpFamily } from '../lib/ip.js';

/** The family of a Service, from its clusterIPs: one IP gives its family, two give `dual`. */
export type ServiceFamily = 'IPv4' | 'IPv6' | 'dual';

/** `spec.ipFamilyPolicy`; unset means SingleStack. */
export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

/** One `spec.ports[]` entry as the allocator sees it (protocol and port: what may not clash on a shared IP). */
export interface ServicePort {
  readonly protocol: string;
  readonly port: number;
}

export interface AllocationSubject {
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly family: ServiceFamily;
  readonly ipFamilyPolicy: IpFamilyPolicy;
  /** `spec.ipFamilies[0]`, IPv4 when unset: which family PreferDualStack falls back to first. */
  readonly primaryFamily: IpFamily;
  readonly ports: readonly ServicePort[];
  /** The `allow-shared-ip` value; empty never shares. */
  readonly sharingKey: string;
  /** Empty for externalTrafficPolicy Cluster; the canonical selector string for Local. */
  readonly backendKey: string;
}

/** MetalLB's `Port.String()`: `TCP/80`. */
export function portString(p: ServicePort): string {
  return `${p.protocol}/${p.port}`;
}

/** MetalLB's `ipfamily.Family` strings, which appear in its error messages. */
export function familyWord(family: ServiceFamily | IpFamily): 'ipv4' | 'ipv6' | 'dual' {
  return family === 'IPv4' ? 'ipv4' : family === 'IPv6' ? 'ipv6' : 'dual';
}
