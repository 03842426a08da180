/**
 * A declarative description of a lab network, and the default address plan (lab-notes.md §2):
 *
 *   node1..N  eth0 10.100.0.11.. fd00:100::11..  ┐
 *   router    eth0 10.100.0.1    fd00:100::1     ├─ switch namespace: bridge br0, one port per host
 *   client    eth0 10.100.0.100  fd00:100::100   ┘  (+ on-link routes to the VIP space)
 *   router    eth1 10.99.0.1 fd00:99::1 ── outside eth0 10.99.0.2 fd00:99::2 (default via the router)
 *
 * VIP space: 10.200.0.0/24 and fd00:200::/64. Every address and MAC is explicit in the description, so tests
 * can assert on them; `defaultTopology` fills them in from the plan (MAC last byte = the host's IPv4 last octet).
 */
export type HostRole = 'node' | 'router' | 'client' | 'outside';

export interface LinkSpec {
  /** Interface name inside the host namespace. */
  readonly ifname: string;
  readonly mac: string;
  /** Addresses with prefix length, e.g. `10.100.0.11/24`, `fd00:100::11/64`. */
  readonly addresses: readonly string[];
}

export interface HostSpec {
  /** Short name, unique in the topology (`node1`, `router`); the namespace is `<prefix>-<name>`. */
  readonly name: string;
  readonly role: HostRole;
  /** The interface on the LAN (attached to the switch); the outside host's link goes to the router instead. */
  readonly lan: LinkSpec;
  /** Default gateways (IPv4 and/or IPv6 address). */
  readonly gateways: readonly string[];
  /** Prefixes routed on-link out of the LAN interface (the client's route to the VIP space). */
  readonly onLinkRoutes: readonly string[];
  /** Extra sysctls for this namespace. */
  readonly sysctls: Readonly<Record<string, string | number>>;
}

export interface RouterUplinkSpec {
  /** The router's interface towards the outside host. */
  readonly router: LinkSpec;
  /** The outside host; its `lan` link is the other end of the uplink. */
  readonly outside: HostSpec;
}

export interface TopologySpec {
  /** Every namespace name starts with `<prefix>-` (see `runPrefix()`). */
  readonly prefix: string;
  /** Hosts on the LAN, in creation order. */
  readonly hosts: readonly HostSpec[];
  /** A second link from the router host to an outside host. */
  readonly uplink?: RouterUplinkSpec;
  /** Linux bridge multicast snooping in the switch (default on, as in a real switch). */
  readonly multicastSnooping?: boolean;
}

export interface DefaultTopologyOptions {
  readonly nodes?: number;
  readonly router?: boolean;
  /** An outside host behind the router (needs `router`). */
  readonly outside?: boolean;
  readonly client?: boolean;
  /** Also give the router on-link routes to the VIP space (layer-2 reachability from outside). */
  readonly routerVipOnLink?: boolean;
}

export const defaultPlan = {
  lanIpv4: '10.100.0.',
  lanIpv6: 'fd00:100::',
  lanIpv4PrefixLength: 24,
  lanIpv6PrefixLength: 64,
  outsideIpv4: '10.99.0.',
  outsideIpv6: 'fd00:99::',
  vipIpv4Cidr: '10.200.0.0/24',
  vipIpv6Cidr: 'fd00:200::/64',
  routerHost: 1,
  firstNodeHost: 11,
  clientHost: 100,
} as const;

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** `02:00:00:00:<group>:<host>`: locally administered, unicast, readable in neighbor tables. */
export function planMac(group: number, host: number): string {
  return `02:00:00:00:${hex2(group)}:${hex2(host)}`;
}

function lanLink(host: number): LinkSpec {
  const p = defaultPlan;
  return {
    ifname: 'eth0',
    mac: planMac(0, host),
    addresses: [`${p.lanIpv4}${host}/${p.lanIpv4PrefixLength}`, `${p.lanIpv6}${host}/${p.lanIpv6PrefixLength}`],
  };
}

function lanHost(name: string, role: HostRole, host: number, extra: Partial<HostSpec> = {}): HostSpec {
  return { name, role, lan: lanLink(host), gateways: [], onLinkRoutes: [], sysctls: {}, ...extra };
}

const routerSysctls = {
  'net.ipv4.ip_forward': 1,
  'net.ipv6.conf.all.forwarding': 1,
  'net.ipv4.fib_multipath_hash_policy': 1,
  'net.ipv6.fib_multipath_hash_policy': 1,
} as const;

/** The default plan with `nodes` nodes (default 3), a router with an outside host, and a client. */
export function defaultTopology(prefix: string, options: DefaultTopologyOptions = {}): TopologySpec {
  const p = defaultPlan;
  const withRouter = options.router ?? true;
  const gateways = withRouter ? [`${p.lanIpv4}${p.routerHost}`, `${p.lanIpv6}${p.routerHost}`] : [];
  const vips = [p.vipIpv4Cidr, p.vipIpv6Cidr];
  const hosts: HostSpec[] = [];
  for (let i = 0; i < (options.nodes ?? 3); i++) {
    hosts.push(lanHost(`node${i + 1}`, 'node', p.firstNodeHost + i, { gateways }));
  }
  if (withRouter) {
    hosts.push(lanHost('router', 'router', p.routerHost, {
      sysctls: routerSysctls,
      onLinkRoutes: options.routerVipOnLink === true ? vips : [],
    }));
  }
  if (options.client ?? true) hosts.push(lanHost('client', 'client', p.clientHost, { gateways, onLinkRoutes: vips }));
  if (!withRouter || options.outside === false) return { prefix, hosts };
  const uplink: RouterUplinkSpec = {
    router: { ifname: 'eth1', mac: planMac(0x63, 1), addresses: [`${p.outsideIpv4}1/24`, `${p.outsideIpv6}1/64`] },
    outside: {
      name: 'outside',
      role: 'outside',
      lan: { ifname: 'eth0', mac: planMac(0x63, 2), addresses: [`${p.outsideIpv4}2/24`, `${p.outsideIpv6}2/64`] },
      gateways: [`${p.outsideIpv4}1`, `${p.outsideIpv6}1`],
      onLinkRoutes: [],
      sysctls: {},
    },
  };
  return { prefix, hosts, uplink };
}

/** The namespace of host `name` in a topology with `prefix`. */
export function namespaceOf(prefix: string, name: string): string {
  return `${prefix}-${name}`;
}

/** The address of a link without its prefix length, by family. */
export function linkAddress(link: LinkSpec, family: 4 | 6): string | undefined {
  const found = link.addresses.find((a) => (family === 6) === a.includes(':'));
  return found?.split('/')[0];
}
