/**
 * A stand-in for kube-proxy in iptables mode (lab-notes.md §4): nft DNAT in a node's namespace from a
 * service IP and port to backends. The service IP is on no interface, so only the layer-2 responder (or a
 * BGP route) brings its traffic to the node. Backends on other nodes are masqueraded, as kube-proxy does for
 * `externalTrafficPolicy: Cluster`; for `Local` the caller passes only this node's backends, and traffic
 * for a service with no backend is dropped.
 */
import { runIn, sysctlIn } from './command.js';

export interface Backend {
  readonly ip: string;
  readonly port: number;
}

export interface ServiceRule {
  /** The load-balancer IP (IPv4 or IPv6). */
  readonly ip: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  readonly backends: readonly Backend[];
}

const tableName = 'mlbts_kube_proxy';

const isIpv6 = (ip: string): boolean => ip.includes(':');

function target(rule: ServiceRule): string {
  const [only] = rule.backends;
  if (rule.backends.length === 1 && only !== undefined) {
    return isIpv6(only.ip) ? `dnat to [${only.ip}]:${only.port}` : `dnat to ${only.ip}:${only.port}`;
  }
  const entries = rule.backends.map((b, i) => `${i} : ${b.ip} . ${b.port}`).join(', ');
  return `dnat to numgen random mod ${rule.backends.length} map { ${entries} }`;
}

function ruleLine(rule: ServiceRule): string {
  const family = isIpv6(rule.ip) ? 'ip6' : 'ip';
  const match = `${family} daddr ${rule.ip} ${rule.protocol} dport ${rule.port}`;
  return rule.backends.length === 0 ? `${match} drop` : `${match} ${target(rule)}`;
}

/** The whole ruleset for one family, replacing the previous one atomically. */
export function renderRuleset(family: 'ip' | 'ip6', rules: readonly ServiceRule[]): string {
  const lines = rules.filter((r) => isIpv6(r.ip) === (family === 'ip6')).map((r) => `    ${ruleLine(r)}`);
  return [
    `add table ${family} ${tableName}`,
    `delete table ${family} ${tableName}`,
    `table ${family} ${tableName} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...lines,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    '    ct status dnat masquerade',
    '  }',
    '}',
    '',
  ].join('\n');
}

export class KubeProxy {
  readonly netns: string;
  /** The node's own addresses: backends elsewhere need forwarding on. */
  private readonly localIps: ReadonlySet<string>;

  constructor(netns: string, localIps: readonly string[]) {
    this.netns = netns;
    this.localIps = new Set(localIps);
  }

  /** Replaces every service rule of this node. */
  async setServices(rules: readonly ServiceRule[]): Promise<void> {
    const remote = rules.some((r) => r.backends.some((b) => !this.localIps.has(b.ip)));
    if (remote) await sysctlIn(this.netns, { 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1 });
    const input = renderRuleset('ip', rules) + renderRuleset('ip6', rules);
    await runIn(this.netns, 'nft', ['-f', '-'], { input });
  }

  async clear(): Promise<void> {
    await this.setServices([]);
  }
}
