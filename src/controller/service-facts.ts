/**
 * What convergence reads from a v1 Service (metallb-behaviour.md §3.2), each as MetalLB derives it: the family
 * from the clusterIPs, the requested addresses, the sharing and backend keys, the ports. Messages of the errors
 * are MetalLB's, because they end up in events.
 */
import type { V1Service } from '@kubernetes/client-node';
import { formatIp, parseIp, type IpAddress } from '../lib/ip.js';
import { fail, ok, type AllocationResult } from '../ipam/allocation-failure.js';
import type { AllocationSubject, IpFamilyPolicy, ServiceFamily, ServicePort } from '../ipam/allocation-subject.js';
import { goQuote, goQuoteList } from '../ipam/go-format.js';
import { annotation, annotationValue } from './annotations.js';

export type FactResult<T> = AllocationResult<T>;

export function serviceKey(svc: V1Service): string {
  return `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}

export function ipFamilyPolicy(svc: V1Service): IpFamilyPolicy {
  const p = svc.spec?.ipFamilyPolicy;
  return p === 'PreferDualStack' || p === 'RequireDualStack' ? p : 'SingleStack';
}

/** MetalLB's `ipfamily.ForAddresses`: one address gives its family, two of different families give dual. */
export function familyOfAddressTexts(texts: readonly string[]): FactResult<ServiceFamily> {
  const parsed = texts.map((t) => parseIp(t));
  switch (texts.length) {
    case 1:
    case 2:
      if (parsed.some((p) => p === undefined)) return fail('invalidAddresses', `IPFamilyForAddresses: Invalid address ${goQuoteList(texts)}`);
      if (texts.length === 1) return ok((parsed[0] as IpAddress).family);
      if (parsed[0]?.family === parsed[1]?.family) return fail('invalidAddresses', `IPFamilyForAddresses: same address family ${goQuoteList(texts)}`);
      return ok('dual');
    default:
      return fail('invalidAddresses', `IPFamilyForAddresses: invalid ips length ${texts.length} ${goQuoteList(texts)}`);
  }
}

/** MetalLB's `ipfamily.ForService`: from `spec.clusterIPs`, or `spec.clusterIP` when that list is empty. */
export function serviceFamily(svc: V1Service): FactResult<ServiceFamily> {
  const clusterIPs = svc.spec?.clusterIPs ?? [];
  return familyOfAddressTexts(clusterIPs.length > 0 ? clusterIPs : [svc.spec?.clusterIP ?? '']);
}

export function hasClusterIp(svc: V1Service): boolean {
  return (svc.spec?.clusterIPs ?? []).length > 0 || (svc.spec?.clusterIP ?? '') !== '';
}

/** The addresses in `status.loadBalancer.ingress` (entries without `ip` skipped); unparsable ones are undefined. */
export function ingressAddresses(svc: V1Service): (IpAddress | undefined)[] {
  return (svc.status?.loadBalancer?.ingress ?? []).filter((i) => (i.ip ?? '') !== '').map((i) => parseIp(i.ip as string));
}

/** MetalLB's `ForAddressesIPs` over parsed addresses (a missing one prints `<nil>` and is invalid). */
export function familyOfAddresses(ips: readonly (IpAddress | undefined)[]): FactResult<ServiceFamily> {
  return familyOfAddressTexts(ips.map((ip) => (ip === undefined ? '<nil>' : formatIp(ip))));
}

export interface RequestedIps {
  readonly ips: readonly IpAddress[];
  readonly family: ServiceFamily;
}

/**
 * MetalLB's `getDesiredLbIPs`: the `loadBalancerIPs` annotation (comma-separated, trimmed) or
 * `spec.loadBalancerIP`, never both; undefined when neither is set.
 */
export function requestedIps(svc: V1Service): FactResult<RequestedIps | undefined> {
  const listed = annotationValue(svc.metadata?.annotations, 'loadBalancerIPs');
  const single = svc.spec?.loadBalancerIP ?? '';
  if (listed === '' && single === '') return ok(undefined);
  if (listed !== '' && single !== '') {
    return fail('invalidRequest', `service can not have both ${annotation.loadBalancerIPs} and svc.Spec.LoadBalancerIP`);
  }
  if (listed !== '') {
    const ips: IpAddress[] = [];
    for (const part of listed.split(',')) {
      const ip = parseIp(part.trim());
      if (ip === undefined) return fail('invalidRequest', `invalid ${annotation.loadBalancerIPs}: ${goQuote(listed)}`);
      ips.push(ip);
    }
    const family = familyOfAddresses(ips);
    return family.ok ? ok({ ips, family: family.value }) : family;
  }
  const ip = parseIp(single);
  if (ip === undefined) return fail('invalidRequest', `invalid spec.loadBalancerIP ${goQuote(single)}`);
  return ok({ ips: [ip], family: ip.family });
}

/** MetalLB's `k8salloc.BackendKey`: the sorted `k=v,...` selector for externalTrafficPolicy Local, else "". */
export function backendKey(svc: V1Service): string {
  if (svc.spec?.externalTrafficPolicy !== 'Local') return '';
  return Object.entries(svc.spec.selector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',');
}

/** `spec.ports` as (protocol, port); the API server defaults a missing protocol to TCP. */
export function servicePorts(svc: V1Service): ServicePort[] {
  return (svc.spec?.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
}

export function allocationSubject(svc: V1Service, family: ServiceFamily): AllocationSubject {
  return {
    key: serviceKey(svc),
    namespace: svc.metadata?.namespace ?? '',
    labels: svc.metadata?.labels ?? {},
    family,
    ipFamilyPolicy: ipFamilyPolicy(svc),
    primaryFamily: svc.spec?.ipFamilies?.[0] === 'IPv6' ? 'IPv6' : 'IPv4',
    ports: servicePorts(svc),
    sharingKey: annotationValue(svc.metadata?.annotations, 'allowSharedIP'),
    backendKey: backendKey(svc),
  };
}
