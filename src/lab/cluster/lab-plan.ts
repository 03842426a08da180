/**
 * The plan of one lab, pure: its name, namespace prefix, hosts and addresses (the harness's default plan,
 * lab-notes.md §2), ASNs, the router daemon, and where its files live. Every later command (status, kill,
 * down...) recomputes the same plan from the name and the options recorded at `lab up`.
 *
 *   node1..N  eth0 10.100.0.11.. fd00:100::11..   AS 64512   ┐
 *   router    eth0 10.100.0.1    fd00:100::1      AS 64500   ├─ switch (bridge br0 in its own namespace)
 *   client    eth0 10.100.0.100  fd00:100::100               ┘  on-link route to the Service range
 *   router    eth1 10.99.0.1 fd00:99::1 ── outside eth0 10.99.0.2 fd00:99::2 (default via the router)
 *   Service addresses: 10.200.0.0/24 and fd00:200::/64 (on-link from the client and the router)
 */
import { join } from 'node:path';
import { MetallbError } from '../../lib/errors.js';
import { defaultPlan, defaultTopology, linkAddress, namespaceOf, type TopologySpec } from '../netns/topology.js';

export const routerKinds = ['frr', 'bird', 'gobgp', 'none'] as const;
export type RouterChoice = (typeof routerKinds)[number];

export interface LabOptions {
  readonly name: string;
  readonly nodes: number;
  readonly router: RouterChoice;
}

export const defaultLabOptions: LabOptions = { name: 'lab', nodes: 3, router: 'frr' };

/** Where labs keep their state: tmpfs, so a reboot (which also drops the namespaces) forgets them too. */
export const defaultLabRoot = '/run/metallb-ts-lab';

export const labAsn = { router: 64500, node: 64512 } as const;

/** The port the API server is reached on from inside a node namespace (a forwarder listens there). */
export const nodeApiPort = 6443;

/** The lab's HTTP "pod" on every node listens here; every port of a lab Service reaches it. */
export const podHttpPort = 8080;
export const podTcpPort = 8081;

export const metallbNamespace = 'metallb-system';
export const speakerPodLabels = { app: 'metallb', component: 'speaker' } as const;
export const webPodLabels = { app: 'web' } as const;

export interface LabHostPlan {
  readonly name: string;
  readonly netns: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly mac: string;
}

export interface LabPaths {
  readonly dir: string;
  readonly state: string;
  /** For the host (kubectl, explain, lab apply): the API server on 127.0.0.1. */
  readonly kubeconfig: string;
  /** For processes inside node namespaces: the forwarder on 127.0.0.1:6443 there. */
  readonly nodeKubeconfig: string;
  /** The API server also listens here; node forwarders connect to it (a path crosses network namespaces). */
  readonly apiSocket: string;
}

export interface LabPlan extends LabOptions {
  readonly prefix: string;
  readonly topology: TopologySpec;
  readonly nodeNames: readonly string[];
  readonly hosts: {
    readonly client: LabHostPlan;
    readonly router: LabHostPlan;
    readonly outside: LabHostPlan;
    readonly nodes: readonly LabHostPlan[];
  };
  readonly serviceRanges: readonly string[];
  readonly paths: LabPaths;
}

const labNamePattern = /^[a-z][a-z0-9]{0,9}$/;

/** Checks options as a user typed them; throws `EINVAL` with what is wrong. */
export function checkLabOptions(o: LabOptions): void {
  if (!labNamePattern.test(o.name)) throw new MetallbError('EINVAL', `lab name "${o.name}": 1-10 lowercase letters and digits, starting with a letter`);
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 8) throw new MetallbError('EINVAL', `--nodes ${o.nodes}: a lab has 1 to 8 nodes`);
  if (!(routerKinds as readonly string[]).includes(o.router)) throw new MetallbError('EINVAL', `--router ${o.router}: one of ${routerKinds.join(', ')}`);
}

export function labPaths(name: string, root = defaultLabRoot): LabPaths {
  const dir = join(root, name);
  return {
    dir,
    state: join(dir, 'state.json'),
    kubeconfig: join(dir, 'kubeconfig'),
    nodeKubeconfig: join(dir, 'kubeconfig-node'),
    apiSocket: join(dir, 'api.sock'),
  };
}

/** The namespace prefix of a lab: `mlbts-<name>` (so `ip netns` shows whose namespaces they are). */
export function labPrefix(name: string): string {
  return `mlbts-${name}`;
}

export function planLab(o: LabOptions, root = defaultLabRoot): LabPlan {
  checkLabOptions(o);
  const prefix = labPrefix(o.name);
  // The router host always exists (with `--router none` a user may run their own daemon there).
  const topology = defaultTopology(prefix, { nodes: o.nodes, router: true, outside: true, client: true, routerVipOnLink: true });
  const hostPlan = (name: string): LabHostPlan => {
    const spec = name === 'outside' ? topology.uplink?.outside : topology.hosts.find((h) => h.name === name);
    if (spec === undefined) throw new MetallbError('EINVAL', `lab plan: no host ${name}`);
    return { name, netns: namespaceOf(prefix, name), ipv4: linkAddress(spec.lan, 4) ?? '', ipv6: linkAddress(spec.lan, 6) ?? '', mac: spec.lan.mac };
  };
  const nodeNames = topology.hosts.filter((h) => h.role === 'node').map((h) => h.name);
  return {
    ...o,
    prefix,
    topology,
    nodeNames,
    hosts: { client: hostPlan('client'), router: hostPlan('router'), outside: hostPlan('outside'), nodes: nodeNames.map(hostPlan) },
    serviceRanges: [defaultPlan.vipIpv4Cidr, defaultPlan.vipIpv6Cidr],
    paths: labPaths(o.name, root),
  };
}

/** The plan's host by the name a user types (`node2`, `client`, `router`, `outside`). */
export function labHost(plan: LabPlan, name: string): LabHostPlan {
  const { client, router, outside, nodes } = plan.hosts;
  const found = [client, router, outside, ...nodes].find((h) => h.name === name);
  if (found === undefined) {
    throw new MetallbError('ENOHOST', `lab ${plan.name} has no host "${name}" (hosts: ${[...plan.nodeNames, 'client', 'router', 'outside'].join(', ')})`);
  }
  return found;
}
