// One convergence per case from a fresh controller (MetalLB's TestControllerMutation family): what the Service
// ends up with, whether convergence failed, and the exact events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { ControllerState, type ServiceUpdate } from './controller-state.js';
import type { ServiceEvent } from './service-event.js';
import { config, pool } from '../../test/support/ipam.js';
import { service, type ServiceOptions } from '../../test/support/services.js';

const team = [{ matchLabels: { team: 'metallb' } }];
// MetalLB's controller test pools, with pool5 moved off pool1/pool3 (our config forbids overlapping CIDRs).
export const controllerTestConfig = config(
  pool('pool1', ['1.2.3.0/31']),
  pool('pool2', ['3.4.5.6/32'], { autoAssign: false }),
  pool('pool3', ['1000::/127']),
  pool('pool4', ['2000::1/128'], { autoAssign: false }),
  pool('pool5', ['1.2.4.0/31', '1001::/127']),
  pool('pool6', ['7.8.9.0/31'], { namespaces: ['test-ns1'], priority: 10 }),
  pool('pool7', ['10.11.12.0/31'], { namespaces: ['test-ns1'], priority: 11 }),
  pool('pool8', ['13.14.15.0/31'], { serviceSelectors: team, priority: 9 }),
  pool('pool9', ['16.17.18.0/31'], { namespaces: ['test-ns2'] }),
  pool('pool10', ['19.20.21.0/31'], { serviceSelectors: team, priority: 8 }),
  pool('pool11', ['22.23.24.0/31'], { namespaces: ['test-ns1'], serviceSelectors: team, priority: 8 }),
  pool('pool12', ['25.26.27.0/31'], { namespaces: ['test-ns1'], serviceSelectors: team, priority: 5 }),
);

export function converge(svc: V1Service, times = 1): ServiceUpdate {
  const state = new ControllerState();
  state.setConfig(controllerTestConfig);
  state.completeInitialLoad();
  let current = svc;
  let update: ServiceUpdate | undefined;
  for (let i = 0; i < times; i++) {
    update = state.reconcile(`${svc.metadata?.namespace}/${svc.metadata?.name}`, current);
    if (update.changed) {
      current = { ...current, status: { loadBalancer: { ingress: [...update.ingress] } },
        metadata: { ...current.metadata, annotations: { ...current.metadata?.annotations, ...(update.allocatedFromPool && { 'metallb.io/ip-allocated-from-pool': update.allocatedFromPool }) } } };
    }
  }
  return update as ServiceUpdate;
}

const info = (reason: string, message: string): ServiceEvent => ({ type: 'Normal', reason, message });
const warn = (reason: string, message: string): ServiceEvent => ({ type: 'Warning', reason, message });
const failed = (message: string): ServiceEvent => warn('AllocationFailed', `Failed to allocate IP for "default/test": ${message}`);
const assigned = (...ips: string[]): ServiceEvent => info('IPAllocated', `Assigned IP [${ips.map((i) => `"${i}"`).join(' ')}]`);

interface Case {
  readonly desc: string;
  readonly svc: ServiceOptions & { key?: string };
  /** Ingress IPs wanted; undefined: the Service is left as it was. */
  readonly want?: readonly string[];
  readonly pool?: string | undefined;
  readonly ok?: boolean;
  readonly events?: readonly ServiceEvent[];
  /** Converge this many times (each on the previous result), checking the last. */
  readonly times?: number;
}

const dual = ['10.96.0.1', 'fd00::1'];
const v6 = ['fd00::1'];

const cases: Case[] = [
  { desc: 'a non-LoadBalancer Service is left alone', svc: { type: 'ClusterIP' }, ok: true, events: [] },
  { desc: 'a LoadBalancer gets the lowest address', svc: {}, want: ['1.2.3.0'], pool: 'pool1', ok: true, events: [assigned('1.2.3.0')] },
  { desc: 'spec.loadBalancerIP is honoured', svc: { loadBalancerIP: '1.2.3.1' }, want: ['1.2.3.1'], pool: 'pool1', events: [assigned('1.2.3.1')] },
  { desc: 'the loadBalancerIPs annotation is honoured', svc: { annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1' } }, want: ['1.2.3.1'], events: [assigned('1.2.3.1')] },
  { desc: 'the annotation and spec.loadBalancerIP together are refused', svc: { annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1' }, loadBalancerIP: '1.2.3.2' }, ok: false,
    events: [failed('service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP')] },
  { desc: 'an unparsable spec.loadBalancerIP is refused', svc: { loadBalancerIP: 'please sir may I have an IP address thank you' }, ok: false,
    events: [failed('invalid spec.loadBalancerIP "please sir may I have an IP address thank you"')] },
  { desc: 'invalid requested IPs on a Service holding an address keep the address', svc: { ingress: ['1.2.3.0'], loadBalancerIP: '1.2.3.1', annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1', 'metallb.io/ip-allocated-from-pool': 'pool1' } },
    ok: false, events: [warn('LoadBalancerFailed', 'invalid requested loadbalancer IPs: service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP')] },
  { desc: 'a requested IP outside the requested pool is refused', svc: { annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1', 'metallb.io/address-pool': 'pool2' } }, ok: false,
    events: [failed('requested loadBalancer IP(s) ["1.2.3.1"] is not compatible with requested address pool pool2')] },
  { desc: 'an unparsable annotation is refused', svc: { annotations: { 'metallb.io/loadBalancerIPs': 'nope' } }, ok: false, events: [failed('invalid metallb.io/loadBalancerIPs: "nope"')] },
  { desc: 'two requested IPs of one family are refused', svc: { annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1, 1.2.3.0' } }, ok: false,
    events: [failed('IPFamilyForAddresses: same address family ["1.2.3.1" "1.2.3.0"]')] },
  { desc: 'an infeasible requested IP clears the current one', svc: { loadBalancerIP: '1.2.3.4', ingress: ['1.2.3.1'] }, want: [], ok: false,
    events: [failed('["1.2.3.4"] is not allowed in config')] },
  { desc: 'the address-pool annotation picks the pool', svc: { annotations: { 'metallb.io/address-pool': 'pool1' } }, want: ['1.2.3.0'], pool: 'pool1' },
  { desc: 'switching the address-pool annotation moves the Service', svc: { annotations: { 'metallb.io/address-pool': 'pool2' }, ingress: ['1.2.3.0'] }, want: ['3.4.5.6'], pool: 'pool2',
    events: [assigned('3.4.5.6')] },
  { desc: 'an unknown pool is refused', svc: { annotations: { 'metallb.io/address-pool': 'does-not-exist' } }, ok: false, events: [failed('unknown pool "does-not-exist"')] },
  { desc: 'an address outside every pool is replaced', svc: { ingress: ['2.3.4.5'] }, want: ['1.2.3.0'], ok: true,
    events: [info('ClearAssignment', 'current IP for "default/test" not allowed by config, will attempt for new IP assignment: ["2.3.4.5"] is not allowed in config'), assigned('1.2.3.0')] },
  { desc: 'a hostname ingress entry is ignored and the bad address replaced', svc: { ingressEntries: [{ hostname: 'foo.bar.local' }, { ip: '10.10.10.10' }] }, want: ['1.2.3.0'],
    events: [info('ClearAssignment', 'current IP for "default/test" not allowed by config, will attempt for new IP assignment: ["10.10.10.10"] is not allowed in config'), assigned('1.2.3.0')] },
  { desc: 'a former LoadBalancer, now NodePort, loses its address', svc: { type: 'NodePort', ingress: ['1.2.3.0'], annotations: { 'metallb.io/ip-allocated-from-pool': 'pool1' } }, want: [], pool: undefined, ok: true, events: [] },
  { desc: 'an autoAssign false pool serves an explicit request', svc: { loadBalancerIP: '3.4.5.6' }, want: ['3.4.5.6'], pool: 'pool2' },
  { desc: 'externalTrafficPolicy Local changes nothing for a lone Service', svc: { loadBalancerIP: '3.4.5.6', externalTrafficPolicy: 'Local', selector: { app: 'x' } }, want: ['3.4.5.6'] },
  { desc: 'no clusterIP: nothing to do, and an error', svc: { clusterIP: '' }, ok: false, events: [] },
  { desc: 'an IPv4 request for an IPv6 Service is refused', svc: { clusterIPs: v6, loadBalancerIP: '1.2.3.1' }, ok: false,
    events: [failed('requested loadBalancer IP(s) ["1.2.3.1"] does not match the ipFamily of the service')] },
  { desc: 'an IPv4 annotation for an IPv6 Service is refused', svc: { clusterIPs: v6, annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1' } }, ok: false },
  { desc: 'an IPv6 request for an IPv4 Service is refused', svc: { loadBalancerIP: '1000::' }, ok: false,
    events: [failed('requested loadBalancer IP(s) ["1000::"] does not match the ipFamily of the service')] },
  { desc: 'an IPv6 annotation for an IPv4 Service is refused', svc: { annotations: { 'metallb.io/loadBalancerIPs': '1000::' } }, ok: false },
  { desc: 'an IPv6 address held by an IPv4 Service is replaced silently', svc: { ingress: ['1000::'] }, want: ['1.2.3.0'], events: [assigned('1.2.3.0')] },
  { desc: 'an IPv4 address held by an IPv6 Service is replaced', svc: { clusterIPs: v6, ingress: ['1.2.3.0'] }, want: ['1000::'], pool: 'pool3' },
  { desc: 'RequireDualStack gets a pair, IPv4 first', svc: { clusterIPs: dual, policy: 'RequireDualStack' }, want: ['1.2.4.0', '1001::'], pool: 'pool5', events: [assigned('1.2.4.0', '1001::')] },
  { desc: 'RequireDualStack from a named dual pool', svc: { clusterIPs: dual, policy: 'RequireDualStack', annotations: { 'metallb.io/address-pool': 'pool5' } }, want: ['1.2.4.0', '1001::'] },
  { desc: 'PreferDualStack gets a pair when a pool has both', svc: { clusterIPs: dual, policy: 'PreferDualStack' }, want: ['1.2.4.0', '1001::'] },
  { desc: 'PreferDualStack with one clusterIP from a pinned IPv4 pool', svc: { key: 'test-ns1/test', policy: 'PreferDualStack' }, want: ['7.8.9.0'], pool: 'pool6', times: 2 },
  { desc: 'PreferDualStack from a named dual pool', svc: { clusterIPs: dual, policy: 'PreferDualStack', annotations: { 'metallb.io/address-pool': 'pool5' } }, want: ['1.2.4.0', '1001::'] },
  { desc: 'PreferDualStack from a named IPv4 pool keeps one address and says why each time', svc: { clusterIPs: dual, policy: 'PreferDualStack', annotations: { 'metallb.io/address-pool': 'pool1' } },
    want: ['1.2.3.0'], times: 2, events: [info('AdditionalAssignFailed', 'cannot assign additional IP in PreferDualStack: ["1.2.3.0" "<nil>"] is not allowed in config')] },
  { desc: 'PreferDualStack from a named IPv6 pool with an IPv6 clusterIP', svc: { clusterIPs: v6, policy: 'PreferDualStack', annotations: { 'metallb.io/address-pool': 'pool3' } }, want: ['1000::'] },
  { desc: 'PreferDualStack with one clusterIP takes one address from a dual pool, and keeps it', svc: { policy: 'PreferDualStack', annotations: { 'metallb.io/address-pool': 'pool5' } }, want: ['1.2.4.0'], times: 3, events: [] },
  { desc: 'RequireDualStack with one clusterIP is refused', svc: { policy: 'RequireDualStack', annotations: { 'metallb.io/address-pool': 'pool5' } }, ok: false,
    events: [warn('not enough clusterips', 'Service requires dual stack but not enough clusterips [10.96.0.1]')] },
  { desc: 'one requested IPv4 for a dual-stack Service is refused', svc: { clusterIPs: dual, loadBalancerIP: '1.2.3.1' }, ok: false },
  { desc: 'one annotated IPv4 for a dual-stack Service is refused', svc: { clusterIPs: dual, annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1' } }, ok: false },
  { desc: 'an annotated pair for a dual-stack Service', svc: { clusterIPs: dual, policy: 'RequireDualStack', annotations: { 'metallb.io/loadBalancerIPs': '1.2.4.0,1001::' } }, want: ['1.2.4.0', '1001::'] },
  { desc: 'a dual-stack Service holding only IPv6 gets a fresh pair', svc: { clusterIPs: ['fd00::1', '10.96.0.1'], policy: 'RequireDualStack', ingressEntries: [{ hostname: 'foo.bar.local' }, { ip: '1001::' }] },
    want: ['1.2.4.0', '1001::'], events: [assigned('1.2.4.0', '1001::')] },
  { desc: 'an annotated pair for a single-stack Service is refused', svc: { annotations: { 'metallb.io/loadBalancerIPs': '1.2.4.0,1001::' } }, ok: false,
    events: [failed('requested loadBalancer IP(s) ["1.2.4.0" "1001::"] does not match the ipFamily of the service')] },
  { desc: 'a namespace-pinned pool serves its namespace', svc: { key: 'test-ns1/test' }, want: ['7.8.9.0'], pool: 'pool6' },
  { desc: 'a pinned pool without priority serves its namespace', svc: { key: 'test-ns2/test' }, want: ['16.17.18.0'], pool: 'pool9' },
  { desc: 'a label-pinned pool serves a labelled Service', svc: { labels: { team: 'metallb' } }, want: ['19.20.21.0'], pool: 'pool10' },
  { desc: 'a pool pinned by namespace and label serves a Service with both', svc: { key: 'test-ns1/test', labels: { team: 'metallb' } }, want: ['25.26.27.0'], pool: 'pool12' },
  { desc: 'three ingress addresses cannot make a family: warned, replaced', svc: { ingress: ['1.2.3.0', '1.2.3.1', '1.2.3.2'] }, want: ['1.2.3.0'], ok: true,
    events: [warn('nolbIPsIPFamily', 'Failed to retrieve LBIPs IPFamily for ["1.2.3.0" "1.2.3.1" "1.2.3.2"]: IPFamilyForAddresses: invalid ips length 3 ["1.2.3.0" "1.2.3.1" "1.2.3.2"]'), assigned('1.2.3.0')] },
  { desc: 'a legacy annotation works and draws a deprecation warning when the Service is written', svc: { annotations: { 'metallb.universe.tf/address-pool': 'pool2' } }, want: ['3.4.5.6'], pool: 'pool2',
    events: [assigned('3.4.5.6'), warn('deprecatedAnnotation', 'Service uses deprecated annotation metallb.universe.tf/address-pool')] },
  { desc: 'the current annotation wins over the legacy one, even empty', svc: { annotations: { 'metallb.io/address-pool': '', 'metallb.universe.tf/address-pool': 'pool2' } }, want: ['1.2.3.0'], pool: 'pool1' },
  { desc: 'a Service that needs no write draws no deprecation warning', svc: { ingress: ['3.4.5.6'], annotations: { 'metallb.universe.tf/address-pool': 'pool2', 'metallb.io/ip-allocated-from-pool': 'pool2' } }, want: ['3.4.5.6'], ok: true, events: [] },
];

for (const c of cases) {
  test(`converge: ${c.desc}`, () => {
    const svc = service(c.svc.key ?? 'default/test', c.svc);
    const update = converge(svc, c.times ?? 1);
    if (c.want !== undefined) assert.deepEqual(update.ingress.map((i) => i.ip), c.want);
    else assert.equal(update.changed, false, 'the Service must be left alone');
    if ('pool' in c) assert.equal(update.allocatedFromPool, c.pool);
    if (c.ok !== undefined) assert.equal(update.outcome === 'success', c.ok, `outcome ${update.outcome}`);
    if (c.events !== undefined) assert.deepEqual(update.events, c.events);
  });
}
