/**
 * Why a Service has, or lacks, its addresses: the controller's own configuration build (pools, communities
 * and Namespaces, as `ControllerConfig` evaluates them), then the controller's start-up convergence as a dry
 * run on every Service of the cluster (`OfflineController`: Services holding addresses first, MetalLB's rules
 * and events). For a Service left without an address, the dry run's allocator is then asked, pool by pool,
 * why (the same `Allocator` calls the controller makes), so the answer names the precise cause.
 */
import type { V1Service } from '@kubernetes/client-node';
import { ControllerConfig } from '../k8s/controller-config.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { annotation, annotationValue } from '../controller/annotations.js';
import { OfflineController } from '../controller/offline-controller.js';
import type { ServiceEvent } from '../controller/service-event.js';
import { allocationSubject, hasClusterIp, ipFamilyPolicy, requestedIps, serviceFamily, serviceKey } from '../controller/service-facts.js';
import type { Config, Pool } from '../config/types.js';
import type { AllocationFailureCode } from '../ipam/allocation-failure.js';
import type { AllocationSubject } from '../ipam/allocation-subject.js';
import { isPoolCompatible } from '../ipam/pool-choice.js';
import { canonicalIp, formatIp, type IpAddress } from '../lib/ip.js';
import type { ClusterSnapshot } from './snapshot.js';

export type AllocationReason =
  | 'allocated' | 'notFound' | 'notLoadBalancer' | 'otherLoadBalancerClass' | 'configInvalid' | 'noPools'
  | 'noClusterIp' | 'notEnoughClusterIps' | 'invalidRequest' | 'requestedIpNotInPool' | 'requestedIpPoolRestricted'
  | 'requestMismatch' | 'sharingConflict' | 'unknownPool' | 'poolExhausted' | 'noPoolMatches' | 'poolsExhausted'
  | 'noPoolForFamily' | 'notYetAssigned' | 'wouldChange' | 'allocationFailed';

export type PoolReason = 'fits' | 'autoAssignDisabled' | 'namespaceNotAllowed' | 'serviceSelectorMismatch' | 'noAddressOfFamily' | 'exhausted';

export interface PoolVerdict {
  readonly name: string;
  readonly reason: PoolReason;
  readonly message: string;
}

export interface AllocationExplanation {
  readonly state: 'allocated' | 'pending' | 'notHandled' | 'notFound';
  readonly reason: AllocationReason;
  readonly message: string;
  /** `status.loadBalancer.ingress` now. */
  readonly ips: readonly string[];
  /** `metallb.io/ip-allocated-from-pool` now. */
  readonly pool: string | null;
  /** What the controller would give the Service now; null when it would not handle it or the config is invalid. */
  readonly dryRun: { readonly ips: readonly string[]; readonly pool: string | null; readonly events: readonly ServiceEvent[] } | null;
  /** Each pool and whether it could serve the Service (filled when the Service is pending). */
  readonly pools: readonly PoolVerdict[];
  /** The controller's configuration errors (configInvalid). */
  readonly configErrors: readonly string[];
}

const ingressIps = (svc: V1Service | undefined): string[] =>
  (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '').map((ip) => canonicalIp(ip) ?? ip);

/** The controller's configuration from the snapshot, as `ControllerConfig` builds it from its caches. */
export function controllerConfig(s: ClusterSnapshot): { config: Config } | { errors: readonly string[] } {
  const asObjects = (list: readonly unknown[]) => () => list as readonly KubeObject[];
  const result = new ControllerConfig({ pools: asObjects(s.pools), communities: asObjects(s.communities), namespaces: asObjects(s.namespaces) }).evaluate();
  return result.valid ? { config: result.config } : { errors: result.errors };
}

interface Context {
  readonly key: string;
  readonly svc: V1Service;
  readonly ips: readonly string[];
  readonly pool: string | null;
}

function base(ctx: Context, state: AllocationExplanation['state'], reason: AllocationReason, message: string): AllocationExplanation {
  return { state, reason, message, ips: ctx.ips, pool: ctx.pool, dryRun: null, pools: [], configErrors: [] };
}

export function explainAllocation(s: ClusterSnapshot, key: string): AllocationExplanation {
  const svc = s.services.find((x) => serviceKey(x) === key);
  if (svc === undefined) {
    return { state: 'notFound', reason: 'notFound', message: `there is no Service ${key}`, ips: [], pool: null, dryRun: null, pools: [], configErrors: [] };
  }
  const ctx: Context = { key, svc, ips: ingressIps(svc), pool: svc.metadata?.annotations?.[annotation.ipAllocatedFromPool] ?? null };
  if (svc.spec?.type !== 'LoadBalancer') {
    return base(ctx, 'notHandled', 'notLoadBalancer', `it is a ${svc.spec?.type ?? 'ClusterIP'} Service: only type LoadBalancer gets an address`);
  }
  const controller = new OfflineController({ loadBalancerClass: s.loadBalancerClass });
  const cls = svc.spec.loadBalancerClass ?? '';
  if (!controller.state.handles(svc)) {
    const handled = s.loadBalancerClass === '' ? 'Services without a loadBalancerClass' : `loadBalancerClass "${s.loadBalancerClass}"`;
    return base(ctx, 'notHandled', 'otherLoadBalancerClass', `its loadBalancerClass is "${cls}": MetalLB handles only ${handled}, so another load balancer must serve it`);
  }
  const built = controllerConfig(s);
  if ('errors' in built) {
    return { ...base(ctx, ctx.ips.length > 0 ? 'allocated' : 'pending', 'configInvalid',
      'the MetalLB configuration is invalid: the controller keeps running its last valid configuration and changes nothing until it is fixed'),
    configErrors: built.errors };
  }
  controller.load(s.services);
  controller.setConfig(built.config);
  const after = controller.service(key);
  const dryRun = { ips: ingressIps(after), pool: after?.metadata?.annotations?.[annotation.ipAllocatedFromPool] ?? null, events: controller.events(key) };
  const withDry = (e: AllocationExplanation): AllocationExplanation => ({ ...e, dryRun });
  if (dryRun.ips.length > 0) {
    if (ctx.ips.length === 0) {
      return withDry(base(ctx, 'pending', 'notYetAssigned',
        `the controller would assign ${dryRun.ips.join(', ')} from pool ${dryRun.pool ?? '?'} now, but has not written it: is the controller running (its ConfigurationState, its logs)?`));
    }
    if (ctx.ips.join(',') !== dryRun.ips.join(',')) {
      return withDry(base(ctx, 'allocated', 'wouldChange',
        `the controller would give it ${dryRun.ips.join(', ')} (pool ${dryRun.pool ?? '?'}) instead of ${ctx.ips.join(', ')} once it reprocesses it`));
    }
    return withDry(base(ctx, 'allocated', 'allocated', allocatedBecause(svc, dryRun.pool ?? '?', built.config)));
  }
  const pending = pendingReason(controller, built.config, ctx);
  return withDry({ ...pending, state: ctx.ips.length > 0 ? 'allocated' : 'pending' });
}

function allocatedBecause(svc: V1Service, pool: string, config: Config): string {
  const a = svc.metadata?.annotations;
  if (annotationValue(a, 'loadBalancerIPs') !== '') return `from pool ${pool}: the addresses the Service requests (${annotation.loadBalancerIPs})`;
  if ((svc.spec?.loadBalancerIP ?? '') !== '') return `from pool ${pool}: the address the Service requests (spec.loadBalancerIP)`;
  if (annotationValue(a, 'addressPool') !== '') return `from pool ${pool}, which the Service asks for (${annotation.addressPool})`;
  const p = config.pools.get(pool);
  if (p?.serviceAllocation !== undefined) {
    return `from pool ${pool}: its serviceAllocation selects this Service (priority ${p.serviceAllocation.priority}); such pools are tried before the others`;
  }
  return `from pool ${pool}: the first automatic pool (by name) with a free address of the Service's family`;
}

/** Why the dry run left the Service without an address. */
function pendingReason(controller: OfflineController, config: Config, ctx: Context): AllocationExplanation {
  const { svc, key } = ctx;
  const events = controller.events(key);
  const failure = events.filter((e) => e.type === 'Warning').map((e) => e.message).pop() ?? 'no address';
  const allocator = controller.state.allocator;
  if (config.pools.size === 0) return base(ctx, 'pending', 'noPools', 'there is no IPAddressPool in the MetalLB namespace');
  if (!hasClusterIp(svc)) return base(ctx, 'pending', 'noClusterIp', 'the Service has no cluster IP, from which MetalLB learns its IP family');
  if (ipFamilyPolicy(svc) === 'RequireDualStack' && (svc.spec?.clusterIPs ?? []).length < 2) {
    return base(ctx, 'pending', 'notEnoughClusterIps', 'it requires dual stack but has one cluster IP (is the cluster dual-stack?)');
  }
  const family = serviceFamily(svc);
  const requested = requestedIps(svc);
  if (!requested.ok) return base(ctx, 'pending', 'invalidRequest', requested.failure.message);
  const subject = allocationSubject(svc, family.ok ? family.value : 'IPv4');
  if (requested.value !== undefined) {
    const ips = requested.value.ips;
    const assigned = allocator.assign({ ...subject, key }, ips);
    if (assigned.ok) {
      allocator.unassign(key);
      return base(ctx, 'pending', 'requestMismatch', failure);
    }
    return base(ctx, 'pending', requestedReason(assigned.failure.code), requestedMessage(assigned.failure.code, assigned.failure.message, ips.map(formatIp), allocator.usersOf.bind(allocator), ips));
  }
  const wanted = annotationValue(svc.metadata?.annotations, 'addressPool');
  if (wanted !== '') {
    if (allocator.pool(wanted) === undefined) return base(ctx, 'pending', 'unknownPool', `it asks for pool "${wanted}" (${annotation.addressPool}), and there is no such IPAddressPool`);
    const verdict = poolVerdict(allocator, allocator.pool(wanted) as Pool, subject, true);
    return { ...base(ctx, 'pending', verdict.reason === 'noAddressOfFamily' ? 'noPoolForFamily' : 'poolExhausted', `it asks for pool ${wanted} (${annotation.addressPool}): ${verdict.message}`), pools: [verdict] };
  }
  const pools = allocator.pools.map((p) => poolVerdict(allocator, p, subject, false));
  const eligible = pools.filter((p) => p.reason !== 'autoAssignDisabled' && p.reason !== 'namespaceNotAllowed' && p.reason !== 'serviceSelectorMismatch');
  if (eligible.length === 0) return { ...base(ctx, 'pending', 'noPoolMatches', 'no IPAddressPool may give it an address automatically'), pools };
  if (eligible.every((p) => p.reason === 'noAddressOfFamily')) {
    return { ...base(ctx, 'pending', 'noPoolForFamily', `the pools that accept it have no ${subject.family === 'dual' ? 'IPv4 and IPv6' : subject.family} addresses`), pools };
  }
  if (eligible.every((p) => p.reason === 'exhausted' || p.reason === 'noAddressOfFamily')) {
    return { ...base(ctx, 'pending', 'poolsExhausted', `every pool that accepts it is full: ${eligible.map((p) => p.name).join(', ')}`), pools };
  }
  return { ...base(ctx, 'pending', 'allocationFailed', failure), pools };
}

function requestedReason(code: AllocationFailureCode): AllocationReason {
  switch (code) {
    case 'notInConfig': return 'requestedIpNotInPool';
    case 'poolIncompatible': return 'requestedIpPoolRestricted';
    case 'sharingKeyInUse': case 'portInUse': return 'sharingConflict';
    default: return 'requestMismatch';
  }
}

function requestedMessage(code: AllocationFailureCode, message: string, ips: string[], usersOf: (ip: IpAddress) => readonly string[],
  parsed: readonly IpAddress[]): string {
  switch (code) {
    case 'notInConfig': return `it requests ${ips.join(', ')}, which no IPAddressPool holds`;
    case 'poolIncompatible': return `it requests ${ips.join(', ')}, whose pool does not accept it (${message})`;
    case 'sharingKeyInUse':
    case 'portInUse': {
      const holders = [...new Set(parsed.flatMap((ip) => usersOf(ip)))].sort();
      return `it requests ${ips.join(', ')}, held by ${holders.join(', ') || 'another Service'} and not shareable with it: ${message} (sharing needs the same ${annotation.allowSharedIP} value, different ports, and for externalTrafficPolicy Local the same selector)`;
    }
    default: return message;
  }
}

const familyName = (f: 'IPv4' | 'IPv6' | 'dual'): string => (f === 'dual' ? 'IPv4 and IPv6' : f);

/** Whether one pool could give `subject` an address now (probed on the dry run's allocator, then undone). */
function poolVerdict(allocator: OfflineController['state']['allocator'], pool: Pool, subject: AllocationSubject, requested: boolean): PoolVerdict {
  const v = (reason: PoolReason, message: string): PoolVerdict => ({ name: pool.name, reason, message });
  if (!requested) {
    if (!pool.autoAssign) return v('autoAssignDisabled', 'autoAssign is false: only a Service asking for it (address-pool annotation or requested IP) gets its addresses');
    const sa = pool.serviceAllocation;
    if (sa !== undefined && sa.namespaces.size > 0 && !sa.namespaces.has(subject.namespace)) {
      return v('namespaceNotAllowed', `serviceAllocation admits namespaces ${[...sa.namespaces].sort().join(', ')}, not ${subject.namespace}`);
    }
    if (!isPoolCompatible(pool, subject)) return v('serviceSelectorMismatch', 'serviceAllocation.serviceSelectors match none of the Service\'s labels');
  }
  const families = new Set(pool.cidrs.map((c) => c.family));
  const needs = subject.family === 'dual' && subject.ipFamilyPolicy !== 'PreferDualStack' ? ['IPv4', 'IPv6'] : subject.family === 'dual' ? [] : [subject.family];
  const missing = needs.filter((f) => !families.has(f as 'IPv4' | 'IPv6'));
  if (missing.length > 0 || families.size === 0) return v('noAddressOfFamily', `it has no ${missing.join(' and ') || familyName(subject.family)} addresses (the Service is ${familyName(subject.family)})`);
  const probe = allocator.allocateFromPool(subject, pool.name);
  if (probe.ok) {
    allocator.unassign(subject.key);
    return v('fits', `has ${probe.value.map(formatIp).join(', ')} free for it`);
  }
  if (probe.failure.code === 'noIpForFamily') return v('noAddressOfFamily', probe.failure.message);
  const c = allocator.counters(pool.name);
  const counts = c === undefined ? '' : ` (${c.assignedIPv4} of ${c.assignedIPv4 + c.availableIPv4} IPv4 and ${c.assignedIPv6} of ${c.assignedIPv6 + c.availableIPv6} IPv6 addresses in use)`;
  return v('exhausted', `no free address${counts}`);
}
