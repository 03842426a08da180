/**
 * MetalLB's `convergeBalancer` (controller/service.go; metallb-behaviour.md §4.1) as a function of the Service
 * and the allocator: it updates the allocator and returns what the Service should carry (ingress addresses and
 * the `metallb.io/ip-allocated-from-pool` annotation) with the events to record. No I/O; the same decisions,
 * steps and messages as MetalLB, step by step.
 */
import type { V1LoadBalancerIngress, V1Service } from '@kubernetes/client-node';
import { formatIp, type IpAddress } from '../lib/ip.js';
import { fail, ok, type AllocationResult } from '../ipam/allocation-failure.js';
import type { AllocationSubject, IpFamilyPolicy, ServiceFamily } from '../ipam/allocation-subject.js';
import { sameAddresses, type Allocator } from '../ipam/allocator.js';
import { goList, goQuote, goQuoteIps, goQuoteList } from '../ipam/go-format.js';
import { annotation, annotationValue } from './annotations.js';
import { normalEvent, warningEvent, type ServiceEvent } from './service-event.js';
import {
  allocationSubject, familyOfAddresses, hasClusterIp, ingressAddresses, ipFamilyPolicy, requestedIps, serviceFamily,
} from './service-facts.js';

export interface Convergence {
  /** MetalLB's convergeBalancer returned no error. */
  readonly ok: boolean;
  /** `status.loadBalancer.ingress` as the Service should have it (the given entries when left alone). */
  readonly ingress: readonly V1LoadBalancerIngress[];
  /** The value `metallb.io/ip-allocated-from-pool` should have; undefined: the annotation should be absent. */
  readonly allocatedFromPool: string | undefined;
  readonly events: readonly ServiceEvent[];
}

export interface ConvergeContext {
  readonly allocator: Allocator;
  /** False when the configuration has no pool at all: every Service loses its addresses. */
  readonly hasPools: boolean;
}

/** MetalLB's `serviceFamilyChanged`: the ingress family must match, except PreferDualStack may hold one family. */
function familyChanged(ingress: AllocationResult<ServiceFamily>, service: ServiceFamily, policy: IpFamilyPolicy): boolean {
  if (!ingress.ok) return true;
  if (ingress.value === service) return false;
  return !(service === 'dual' && policy === 'PreferDualStack');
}

/** One convergence in progress: the Service's fields as they will be written, and the events so far. */
class Run {
  readonly key: string;
  readonly svc: V1Service;
  readonly ctx: ConvergeContext;
  /** MetalLB's `ipfamily.ForService`, read once. */
  readonly family: AllocationResult<ServiceFamily>;
  /** What the allocator is told about the Service (the family only labels errors when it is unknown). */
  readonly subject: AllocationSubject;
  ingress: readonly V1LoadBalancerIngress[];
  pool: string | undefined;
  readonly events: ServiceEvent[] = [];

  constructor(key: string, svc: V1Service, ctx: ConvergeContext) {
    this.key = key;
    this.svc = svc;
    this.ctx = ctx;
    this.family = serviceFamily(svc);
    this.subject = { ...allocationSubject(svc, this.family.ok ? this.family.value : 'IPv4'), key };
    this.ingress = svc.status?.loadBalancer?.ingress ?? [];
    this.pool = svc.metadata?.annotations?.[annotation.ipAllocatedFromPool];
  }

  /** MetalLB's `clearServiceState`. */
  clear(): void {
    this.ctx.allocator.unassign(this.key);
    this.ingress = [];
    this.pool = undefined;
  }

  done(ok: boolean): Convergence {
    return { ok, ingress: this.ingress, allocatedFromPool: this.pool, events: this.events };
  }
}

export function convergeService(key: string, svc: V1Service, ctx: ConvergeContext): Convergence {
  const run = new Run(key, svc, ctx);
  // Not a LoadBalancer (maybe it was one): clear our state, and do not allocate.
  if (svc.spec?.type !== 'LoadBalancer') {
    run.clear();
    return run.done(true);
  }
  // Deleting every pool takes the addresses of every Service.
  if (!ctx.hasPools || !hasClusterIp(svc)) {
    run.clear();
    return run.done(false);
  }
  const policy = ipFamilyPolicy(svc);
  const clusterIPs = svc.spec.clusterIPs ?? [];
  if (policy === 'RequireDualStack' && clusterIPs.length < 2) {
    run.events.push(warningEvent('not enough clusterips', `Service requires dual stack but not enough clusterips ${goList(clusterIPs)}`));
    run.clear();
    return run.done(false);
  }
  const current = currentAddresses(run, policy);
  if (current === 'stop') return run.done(false);
  const lbIPs = keepOrReleaseCurrent(run, current);
  if (lbIPs === 'stop') return run.done(false);
  return finish(run, policy, lbIPs);
}

/** The ingress addresses, or [] when there are none or their family no longer fits (cleared then). */
function currentAddresses(run: Run, policy: IpFamilyPolicy): readonly IpAddress[] | 'stop' {
  const lbIPs = ingressAddresses(run.svc);
  if (lbIPs.length === 0) {
    run.clear();
    return [];
  }
  const lbFamily = familyOfAddresses(lbIPs);
  if (!lbFamily.ok) {
    run.events.push(warningEvent('nolbIPsIPFamily', `Failed to retrieve LBIPs IPFamily for ${goQuoteIps(lbIPs)}: ${lbFamily.failure.message}`));
  }
  const family = run.family;
  if (!family.ok) {
    const spec = run.svc.spec;
    run.events.push(warningEvent('noclusterIPsIPFamily',
      `Failed to retrieve ClusterIPs IPFamily for ${goQuoteList(spec?.clusterIPs ?? [])} ${spec?.clusterIP ?? ''}: ${family.failure.message}`));
    return 'stop';
  }
  if (familyChanged(lbFamily, family.value, policy)) {
    run.clear();
    return [];
  }
  return lbIPs as IpAddress[];
}

/**
 * The current addresses still hold when the allocator accepts them again (this rebuilds its memory after a
 * restart) and they still match the requested pool and addresses; otherwise they are released.
 */
function keepOrReleaseCurrent(run: Run, current: readonly IpAddress[]): readonly IpAddress[] | 'stop' {
  if (current.length === 0) return [];
  const { allocator } = run.ctx;
  let lbIPs = current;
  const assigned = allocator.assign(run.subject, lbIPs);
  if (!assigned.ok) {
    run.events.push(normalEvent('ClearAssignment',
      `current IP for ${goQuote(run.key)} not allowed by config, will attempt for new IP assignment: ${assigned.failure.message}`));
    run.clear();
    lbIPs = [];
  }
  const desiredPool = annotationValue(run.svc.metadata?.annotations, 'addressPool');
  if (lbIPs.length > 0 && desiredPool !== '' && allocator.poolOf(run.key) !== desiredPool) {
    run.clear();
    lbIPs = [];
  }
  const desired = requestedIps(run.svc);
  if (!desired.ok) {
    run.events.push(warningEvent('LoadBalancerFailed', `invalid requested loadbalancer IPs: ${desired.failure.message}`));
    return 'stop';
  }
  if (desired.value !== undefined && !sameAddresses(lbIPs, desired.value.ips)) {
    run.clear();
    lbIPs = [];
  }
  return lbIPs;
}

function finish(run: Run, policy: IpFamilyPolicy, held: readonly IpAddress[]): Convergence {
  const { allocator } = run.ctx;
  let lbIPs = held;
  const [only] = lbIPs;
  // MetalLB also tries this for a single-stack (one clusterIP) Service, then finds the pair of the wrong family
  // on the next pass, clears it, re-allocates one address, adds the other again... and writes the Service
  // forever. We add the other family only to a Service whose clusterIPs are dual-stack.
  const dualStack = run.family.ok && run.family.value === 'dual';
  if (lbIPs.length === 1 && only !== undefined && policy === 'PreferDualStack' && dualStack) {
    const extra = allocator.allocateAdditionalFamily(run.subject, only, allocator.poolOf(run.key) ?? '');
    if (!extra.ok) {
      run.events.push(normalEvent('AdditionalAssignFailed', `cannot assign additional IP in PreferDualStack: ${extra.failure.message}`));
    } else {
      lbIPs = [only, extra.value];
      run.events.push(normalEvent('IPAllocated', `Assigned additional IP ${goQuote(formatIp(extra.value))}`));
    }
  }
  if (lbIPs.length === 0) {
    const allocated = allocateIps(run);
    if (!allocated.ok) {
      run.events.push(warningEvent('AllocationFailed', `Failed to allocate IP for ${goQuote(run.key)}: ${allocated.failure.message}`));
      return run.done(false);
    }
    lbIPs = allocated.value;
    run.events.push(normalEvent('IPAllocated', `Assigned IP ${goQuoteIps(lbIPs)}`));
  }
  const pool = allocator.poolOf(run.key);
  if (pool === undefined || allocator.pool(pool) === undefined) {
    run.events.push(warningEvent('InternalError', 'allocated an IP that has no pool'));
    run.clear();
    return run.done(false);
  }
  run.ingress = lbIPs.map((ip) => ({ ip: formatIp(ip) }));
  run.pool = pool;
  return run.done(true);
}

/** MetalLB's `allocateIPs`: requested addresses, else the requested pool, else any pool. */
function allocateIps(run: Run): AllocationResult<readonly IpAddress[]> {
  const { allocator } = run.ctx;
  const family = run.family;
  if (!family.ok) return family;
  const desired = requestedIps(run.svc);
  if (!desired.ok) return desired;
  const subject = run.subject;
  const desiredPool = annotationValue(run.svc.metadata?.annotations, 'addressPool');
  if (desired.value !== undefined) {
    const { ips } = desired.value;
    if (desired.value.family !== family.value) {
      return fail('requestMismatch', `requested loadBalancer IP(s) ${goQuoteIps(ips)} does not match the ipFamily of the service`);
    }
    const assigned = allocator.assign(subject, ips);
    if (!assigned.ok) return assigned;
    if (desiredPool !== '' && allocator.poolOf(run.key) !== desiredPool) {
      allocator.unassign(run.key);
      return fail('requestMismatch', `requested loadBalancer IP(s) ${goQuoteIps(ips)} is not compatible with requested address pool ${desiredPool}`);
    }
    return ok(ips);
  }
  if (desiredPool !== '') return allocator.allocateFromPool(subject, desiredPool);
  return allocator.allocate(subject);
}
