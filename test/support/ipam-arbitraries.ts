/** fast-check arbitraries for allocation properties: small pools over a fixed set of disjoint CIDRs, and Services. */
import fc from 'fast-check';
import type { V1Service } from '@kubernetes/client-node';
import type { Pool } from '../../src/config/types.js';
import { pool } from './ipam.js';
import { service } from './services.js';

/** Disjoint CIDRs to deal into pools: small ones, ones that end on .255 or start on .0, a /23, IPv6. */
export const candidateCidrs = ['10.0.0.0/29', '10.0.0.248/29', '10.0.1.0/30', '10.0.2.0/23', '10.0.4.255/32', '10.0.5.0/32',
  '1000::/126', '1000::1:0/125', '1000::2:0/127'];

export const poolsArb: fc.Arbitrary<Pool[]> = fc.tuple(
  fc.array(fc.constantFrom(-1, 0, 0, 1, 1, 2), { minLength: candidateCidrs.length, maxLength: candidateCidrs.length }),
  fc.array(fc.record({
    autoAssign: fc.constantFrom(true, true, true, false), avoidBuggyIPs: fc.boolean(),
    restrict: fc.constantFrom('none', 'none', 'none', 'ns', 'label', 'prio'), priority: fc.integer({ min: 0, max: 3 }),
  }), { minLength: 3, maxLength: 3 }),
).map(([owners, opts]) => opts.flatMap((o, i) => {
  const cidrs = candidateCidrs.filter((_, j) => owners[j] === i);
  if (cidrs.length === 0) return [];
  const restriction = o.restrict === 'ns' ? { namespaces: ['a'], priority: o.priority }
    : o.restrict === 'label' ? { serviceSelectors: [{ matchLabels: { team: 'x' } }], priority: o.priority }
      : o.restrict === 'prio' ? { priority: o.priority } : {};
  return [pool(`p${i}`, cidrs, { autoAssign: o.autoAssign, avoidBuggyIPs: o.avoidBuggyIPs, ...restriction })];
}));

const requestArb = fc.constantFrom(undefined, undefined, undefined, undefined, undefined, undefined, '10.0.0.1', '10.0.0.255', '10.0.2.7', '1000::1', '10.0.1.1,1000::1:1', '10.9.9.9');

/** A Service as a user would write it (no status), among 8 names in 2 namespaces. */
export const serviceArb: fc.Arbitrary<V1Service> = fc.record({
  n: fc.integer({ min: 0, max: 7 }), ns: fc.constantFrom('a', 'b'), label: fc.boolean(),
  family: fc.constantFrom('v4', 'v4', 'v4', 'v6', 'dual'),
  policy: fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack' as const),
  port: fc.constantFrom('tcp/80', 'tcp/443', 'udp/80', 'tcp/53', 'udp/53'), sharing: fc.constantFrom(undefined, 'k1', 'k1', 'k1', 'k1', 'k1', 'k2'),
  local: fc.constantFrom(false, false, false, true), app: fc.constantFrom('x', 'y'), request: requestArb, viaSpec: fc.boolean(),
  poolName: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, 'p0', 'p1', 'nope'), type: fc.constantFrom('LoadBalancer', 'LoadBalancer', 'LoadBalancer', 'LoadBalancer', 'NodePort'),
}).map((r) => {
  const annotations: Record<string, string> = {};
  if (r.sharing !== undefined) annotations['metallb.io/allow-shared-ip'] = r.sharing;
  if (r.poolName !== undefined) annotations['metallb.io/address-pool'] = r.poolName;
  if (r.request !== undefined && !(r.viaSpec && !r.request.includes(','))) annotations['metallb.io/loadBalancerIPs'] = r.request;
  const clusterIPs = r.family === 'v4' ? ['10.96.0.1'] : r.family === 'v6' ? ['fd00::1'] : ['10.96.0.1', 'fd00::1'];
  return service(`${r.ns}/s${r.n}`, {
    type: r.type, clusterIPs, annotations, labels: r.label ? { team: 'x' } : {},
    ...(r.family === 'dual' && { policy: r.policy }),
    ...(r.request !== undefined && r.viaSpec && !r.request.includes(',') && { loadBalancerIP: r.request }),
    ...(r.local && { externalTrafficPolicy: 'Local' as const, selector: { app: r.app } }),
    ports: [r.port],
  });
});
