/**
 * The checks MetalLB's speaker makes on a Service before asking any protocol (metallb-behaviour.md §5.1,
 * `speaker/main.go` SetBalancer): a LoadBalancer of our class, with ingress IPs that parse and that all lie in
 * one configured pool. Each failure is a withdraw with MetalLB's reason. Pure.
 */
import type { Config } from '../config/types.js';
import { parseIp, type IpAddress } from '../lib/ip.js';
import { poolOfIps } from './bgp/advertisements.js';
import type { SpeakerService } from './cluster-inputs.js';

/**
 * MetalLB's reasons, plus `otherLoadBalancerClass` (metallb-ts): MetalLB ignores such a Service without a
 * reason, which is the same as never announcing it.
 */
export type ServiceWithdrawReason = 'serviceDeleted' | 'notLoadBalancer' | 'otherLoadBalancerClass' | 'noIPAllocated' | 'invalidIP' | 'ipNotAllowed';

export type ServiceCheck =
  | { readonly ok: true; readonly ips: readonly IpAddress[]; readonly pool: string }
  | { readonly ok: false; readonly reason: ServiceWithdrawReason; readonly detail?: string };

/** `--lb-class`: "" handles only Services without a class, anything else only that class (§3.2). */
export function handlesClass(service: Pick<SpeakerService, 'loadBalancerClass'>, loadBalancerClass: string): boolean {
  const cls = service.loadBalancerClass ?? '';
  return cls === loadBalancerClass;
}

export function checkService(service: SpeakerService | undefined, config: Pick<Config, 'pools'>, loadBalancerClass: string): ServiceCheck {
  if (service === undefined) return { ok: false, reason: 'serviceDeleted' };
  if (service.type !== 'LoadBalancer') return { ok: false, reason: 'notLoadBalancer' };
  if (!handlesClass(service, loadBalancerClass)) return { ok: false, reason: 'otherLoadBalancerClass' };
  if (service.ingressIps.length === 0) return { ok: false, reason: 'noIPAllocated' };
  const ips: IpAddress[] = [];
  for (const text of service.ingressIps) {
    const ip = parseIp(text);
    if (ip === undefined) return { ok: false, reason: 'invalidIP', detail: `invalid LoadBalancer IP ${JSON.stringify(text)}` };
    ips.push(ip);
  }
  const pool = poolOfIps(config, ips);
  if (pool === undefined) return { ok: false, reason: 'ipNotAllowed', detail: 'IP allocated by controller not allowed by config' };
  return { ok: true, ips, pool };
}
