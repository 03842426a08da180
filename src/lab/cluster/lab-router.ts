/**
 * The lab's router daemon: the BGP engineer's FRR, BIRD or GoBGP wrapper (src/lab/routers/), configured with a
 * static neighbor per node address (IPv4 and IPv6), short timers, ECMP into the router's kernel. The same
 * object started by `lab up` is rebuilt by later commands to read sessions and routes through the daemon's CLI.
 */
import { BirdRouter } from '../routers/bird-router.js';
import { FrrRouter } from '../routers/frr-router.js';
import { GobgpRouter } from '../routers/gobgp-router.js';
import type { BgpRouter, RouterConfig } from '../routers/router.js';
import { Network } from '../netns/network.js';
import { labAsn, type LabPlan } from './lab-plan.js';

export function labRouterConfig(plan: LabPlan): RouterConfig {
  return {
    asn: labAsn.router,
    routerId: plan.hosts.router.ipv4,
    neighbors: plan.hosts.nodes.flatMap((n) => [{ address: n.ipv4, asn: labAsn.node }, { address: n.ipv6, asn: labAsn.node }]),
    holdTimeSec: 9,
    connectRetrySec: 2,
  };
}

/** A handle on the lab's namespaces for the harness's tools (exec, link cut...); creates nothing. */
export function labNetwork(plan: LabPlan): Network {
  return new Network(plan.topology, plan.paths.dir, true, { detached: true });
}

export type LabRouter = BgpRouter & { readonly kind: 'frr' | 'bird' | 'gobgp' };

export function labRouter(plan: LabPlan, network: Network): LabRouter | undefined {
  const config = labRouterConfig(plan);
  switch (plan.router) {
    case 'frr': return new FrrRouter(network, 'router', config);
    case 'bird': return new BirdRouter(network, 'router', config);
    case 'gobgp': return new GobgpRouter(network, 'router', config);
    case 'none': return undefined;
  }
}
