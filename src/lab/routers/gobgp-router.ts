/**
 * GoBGP 3.10 as a router (lab-notes.md §3): gobgpd with static neighbors and multipath, read through
 * `gobgp -j`. gobgpd does not touch the kernel, and its zebra client panics against FRR 8.4's zebra
 * (`interfaceUpdateBody` decode, ZAPI 6), so `syncKernel` plays zebra: it installs GoBGP's paths as
 * `proto bgp` ECMP routes, so forwarding through a GoBGP router can be tested too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipIn, runIn } from '../netns/command.js';
import type { Network } from '../netns/network.js';
import type { SupervisedProcess } from '../netns/supervisor.js';
import { waitFor } from '../netns/wait.js';
import { sortedStrings, type BgpRouter, type ReceivedPath, type RouterConfig } from './router.js';

export function renderGobgpConfig(c: RouterConfig): string {
  const lines = ['[global.config]', `  as = ${c.asn}`, `  router-id = "${c.routerId}"`, '[global.use-multiple-paths.config]', '  enabled = true'];
  for (const n of c.neighbors) {
    lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n.address}"`, `    peer-as = ${n.asn}`);
    if (n.password !== undefined) lines.push(`    auth-password = "${n.password}"`);
    lines.push('  [neighbors.timers.config]', `    connect-retry = ${c.connectRetrySec}`, `    hold-time = ${c.holdTimeSec}`,
      `    keepalive-interval = ${Math.max(1, Math.floor(c.holdTimeSec / 3))}`);
    if (c.gracefulRestart === true) lines.push('  [neighbors.graceful-restart.config]', '    enabled = true', '    restart-time = 120');
    lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${n.address.includes(':') ? 'ipv6' : 'ipv4'}-unicast"`);
    if (c.gracefulRestart === true) lines.push('    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true');
  }
  return `${lines.join('\n')}\n`;
}

interface GobgpAttr {
  type: number;
  value?: unknown;
  as_paths?: { asns?: number[] }[];
  nexthop?: string;
  communities?: number[];
}
interface GobgpPath { attrs?: GobgpAttr[]; 'neighbor-ip'?: string; stale?: boolean; best?: boolean }

export class GobgpRouter implements BgpRouter {
  readonly kind = 'gobgp' as const;
  readonly host: string;
  private readonly net: Network;
  private readonly config: RouterConfig;
  private readonly conf: string;
  private readonly apiPort: number;
  private proc: SupervisedProcess | undefined;

  constructor(net: Network, host: string, config: RouterConfig, apiPort = 50051) {
    this.net = net;
    this.host = host;
    this.config = config;
    this.apiPort = apiPort;
    this.conf = join(net.workDir, `gobgpd-${host}.toml`);
  }

  async start(): Promise<void> {
    writeFileSync(this.conf, renderGobgpConfig(this.config));
    this.proc = this.net.start(this.host, ['gobgpd', '-f', this.conf, '-p', '--pprof-disable', '--api-hosts', `127.0.0.1:${this.apiPort}`], 'gobgpd');
    await waitFor(async () => (await this.gobgp('-j', 'neighbor')).startsWith('['), { timeoutMs: 15_000, what: 'gobgpd to answer' });
  }

  async stop(): Promise<void> {
    await this.proc?.stop(5000);
  }

  running(): boolean {
    return this.proc?.running === true;
  }

  output(): string {
    return this.proc?.output() ?? '';
  }

  async gobgp(...args: string[]): Promise<string> {
    const { stdout } = await runIn(this.net.host(this.host).netns, 'gobgp', ['-p', String(this.apiPort), ...args]);
    return stdout;
  }

  async established(): Promise<Set<string>> {
    const rows = JSON.parse(await this.gobgp('-j', 'neighbor')) as { conf: { neighbor_address: string }; state: { session_state: number } }[];
    return new Set(rows.filter((r) => r.state.session_state === 6).map((r) => r.conf.neighbor_address));
  }

  private async rib(family: 4 | 6, prefix?: string): Promise<Record<string, GobgpPath[]>> {
    const text = await this.gobgp('-j', 'global', 'rib', '-a', `ipv${family}`, ...(prefix === undefined ? [] : [prefix]));
    return text.trim() === '' ? {} : (JSON.parse(text) as Record<string, GobgpPath[]>);
  }

  async paths(prefix: string): Promise<ReceivedPath[]> {
    const rib = await this.rib(prefix.includes(':') ? 6 : 4, prefix);
    return (rib[prefix] ?? []).map((p) => {
      const attrs = p.attrs ?? [];
      const byType = (t: number): GobgpAttr | undefined => attrs.find((a) => a.type === t);
      const large = (byType(32)?.value as { ASN?: number; asn?: number; LocalData1?: number; local_data1?: number; LocalData2?: number; local_data2?: number }[] | undefined) ?? [];
      const path: ReceivedPath = {
        peer: p['neighbor-ip'] ?? '',
        nextHop: byType(3)?.nexthop ?? byType(14)?.nexthop ?? '',
        asPath: (byType(2)?.as_paths ?? []).flatMap((s) => s.asns ?? []),
        communities: sortedStrings((byType(8)?.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`)),
        largeCommunities: sortedStrings(large.map((l) => `${l.ASN ?? l.asn}:${l.LocalData1 ?? l.local_data1}:${l.LocalData2 ?? l.local_data2}`)),
        stale: p.stale === true,
      };
      const lp = byType(5)?.value;
      return typeof lp === 'number' ? { ...path, localPref: lp } : path;
    });
  }

  async prefixes(family: 4 | 6): Promise<string[]> {
    return Object.keys(await this.rib(family));
  }

  /** Installs every prefix of the RIB into the router's kernel as ECMP over its paths' next hops; removes the rest. */
  async syncKernel(): Promise<void> {
    const netns = this.net.host(this.host).netns;
    for (const family of [4, 6] as const) {
      const wanted = new Map<string, string[]>();
      for (const prefix of Object.keys(await this.rib(family))) {
        const hops = [...new Set((await this.paths(prefix)).map((p) => p.nextHop).filter((h) => h !== ''))].sort();
        if (hops.length > 0) wanted.set(prefix, hops);
      }
      const { stdout } = await ipIn(netns, [`-${family}`, '-j', 'route', 'show', 'proto', 'bgp']);
      for (const r of JSON.parse(stdout === '' ? '[]' : stdout) as { dst: string }[]) {
        const dst = r.dst.includes('/') ? r.dst : `${r.dst}/${family === 4 ? 32 : 128}`;
        if (!wanted.has(dst)) await ipIn(netns, [`-${family}`, 'route', 'del', dst, 'proto', 'bgp']);
      }
      for (const [prefix, hops] of wanted) {
        const via = hops.length === 1 ? ['via', hops[0] as string] : hops.flatMap((h) => ['nexthop', 'via', h]);
        await ipIn(netns, [`-${family}`, 'route', 'replace', prefix, 'proto', 'bgp', ...via]);
      }
    }
  }
}
