/**
 * FRR 8 as a router (lab-notes.md §3, option A): zebra, bgpd (and bfdd when a neighbor has BFD) started directly in the router namespace with
 * their own files, static neighbors (so MD5 can be set per neighbor), ECMP into the kernel, read through
 * `vtysh --vty_socket DIR ... json`.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runIn } from '../netns/command.js';
import type { Network } from '../netns/network.js';
import type { SupervisedProcess } from '../netns/supervisor.js';
import { waitFor } from '../netns/wait.js';
import { sortedStrings, type BgpRouter, type ReceivedPath, type RouterConfig, type RouterNeighbor } from './router.js';

/** FRR's JSON names for well-known communities. */
const frrCommunityNames: Readonly<Record<string, string>> = {
  gracefulShutdown: '65535:0', acceptOwn: '65535:1', blackhole: '65535:666', noExport: '65535:65281',
  noAdvertise: '65535:65282', localAs: '65535:65283', noPeer: '65535:65284', llgrStale: '65535:6', noLlgr: '65535:7',
};

export function renderFrrBgpd(c: RouterConfig): string {
  const lines = ['hostname router', `router bgp ${c.asn}`, ` bgp router-id ${c.routerId}`, ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast', ' no bgp network import-check', ' bgp bestpath as-path multipath-relax'];
  if (c.gracefulRestart === true) lines.push(' bgp graceful-restart', ' bgp graceful-restart stalepath-time 60');
  for (const n of c.neighbors) {
    lines.push(` neighbor ${n.address} remote-as ${n.asn}`, ` neighbor ${n.address} timers ${Math.max(1, Math.floor(c.holdTimeSec / 3))} ${c.holdTimeSec}`,
      ` neighbor ${n.address} timers connect ${c.connectRetrySec}`);
    if (n.password !== undefined) lines.push(` neighbor ${n.address} password ${n.password}`);
    if (n.bfd !== undefined) lines.push(` neighbor ${n.address} bfd`, ` neighbor ${n.address} bfd profile ${bfdProfileName(n)}`);
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    lines.push(` address-family ${family} unicast`, '  maximum-paths 8', '  maximum-paths ibgp 8');
    for (const n of c.neighbors) if (n.address.includes(':') === (family === 'ipv6')) lines.push(`  neighbor ${n.address} activate`);
    lines.push(' exit-address-family');
  }
  return `${lines.join('\n')}\n`;
}

function bfdProfileName(n: RouterNeighbor): string {
  return `p-${n.address.replace(/[.:]/g, '-')}`;
}

/** bfdd's configuration: one profile per neighbor with BFD (bgpd's `neighbor X bfd profile` refers to it). */
export function renderFrrBfdd(c: RouterConfig): string {
  const lines = ['hostname router', 'bfd'];
  for (const n of c.neighbors) {
    if (n.bfd === undefined) continue;
    lines.push(` profile ${bfdProfileName(n)}`, `  receive-interval ${n.bfd.receiveIntervalMs}`, `  transmit-interval ${n.bfd.transmitIntervalMs}`,
      `  detect-multiplier ${n.bfd.detectMultiplier}`, ' exit');
  }
  lines.push('exit');
  return `${lines.join('\n')}\n`;
}

/** One entry of `show bfd peers json`. */
export interface FrrBfdPeer {
  readonly peer: string;
  readonly status: string;
  readonly diagnostic?: string;
  readonly 'remote-diagnostic'?: string;
  readonly 'receive-interval'?: number;
  readonly 'transmit-interval'?: number;
  readonly 'detect-multiplier'?: number;
  readonly 'remote-receive-interval'?: number;
  readonly 'remote-transmit-interval'?: number;
  readonly 'remote-detect-multiplier'?: number;
  readonly 'remote-id'?: number;
  readonly id?: number;
}

interface FrrPath {
  aspath?: { segments?: { type: string; list: number[] }[] };
  locPrf?: number;
  community?: { list?: string[] };
  largeCommunity?: { list?: string[] };
  stale?: boolean;
  nexthops?: { ip: string; scope?: string }[];
  peer?: { peerId?: string };
}

export class FrrRouter implements BgpRouter {
  readonly kind = 'frr' as const;
  readonly host: string;
  private readonly net: Network;
  private readonly config: RouterConfig;
  private readonly dir: string;
  private zebra: SupervisedProcess | undefined;
  private bgpd: SupervisedProcess | undefined;
  private bfdd: SupervisedProcess | undefined;

  constructor(net: Network, host: string, config: RouterConfig) {
    this.net = net;
    this.host = host;
    this.config = config;
    this.dir = join(net.workDir, `frr-${host}`);
  }

  async start(): Promise<void> {
    // The daemons drop privileges to user frr: the directory and its parents must let it in.
    mkdirSync(this.dir, { recursive: true });
    chmodSync(this.net.workDir, 0o755);
    writeFileSync(join(this.dir, 'zebra.conf'), 'hostname router\n');
    writeFileSync(join(this.dir, 'bgpd.conf'), renderFrrBgpd(this.config));
    await run('chown', ['-R', 'frr:frr', this.dir]);
    const common = ['-z', join(this.dir, 'zserv.api'), '--vty_socket', this.dir, '-A', '127.0.0.1'];
    if (this.zebra?.running !== true) {
      this.zebra = this.net.start(this.host, ['/usr/lib/frr/zebra', '-f', join(this.dir, 'zebra.conf'), '-i', join(this.dir, 'zebra.pid'), ...common], 'zebra');
      await waitFor(() => existsSync(join(this.dir, 'zserv.api')), { timeoutMs: 10_000, what: 'zebra to listen' });
    }
    if (this.config.neighbors.some((n) => n.bfd !== undefined) && this.bfdd?.running !== true) {
      writeFileSync(join(this.dir, 'bfdd.conf'), renderFrrBfdd(this.config));
      await run('chown', ['frr:frr', join(this.dir, 'bfdd.conf')]);
      this.bfdd = this.net.start(this.host, ['/usr/lib/frr/bfdd', '-f', join(this.dir, 'bfdd.conf'), '-i', join(this.dir, 'bfdd.pid'),
        '--bfdctl', join(this.dir, 'bfdd.sock'), ...common], 'bfdd');
      await waitFor(() => existsSync(join(this.dir, 'bfdd.vty')), { timeoutMs: 10_000, what: 'bfdd to listen' });
    }
    this.bgpd = this.net.start(this.host, ['/usr/lib/frr/bgpd', '-f', join(this.dir, 'bgpd.conf'), '-i', join(this.dir, 'bgpd.pid'), ...common], 'bgpd');
    await waitFor(async () => (await this.vtysh('show bgp summary json')).includes('{'), { timeoutMs: 10_000, what: 'bgpd to answer' });
  }

  /** Stops bgpd (zebra keeps running, as when bgpd restarts alone). */
  async stop(): Promise<void> {
    await this.bgpd?.stop(5000);
  }

  /** Stops bgpd, bfdd and zebra. */
  async stopAll(): Promise<void> {
    await this.bgpd?.stop(5000);
    await this.bfdd?.stop(5000);
    await this.zebra?.stop(5000);
  }

  /** bfdd's sessions (`show bfd peers json`); empty without bfdd. */
  async bfdPeers(): Promise<FrrBfdPeer[]> {
    if (this.bfdd?.running !== true) return [];
    const text = await this.vtysh('show bfd peers json');
    return text.trim() === '' ? [] : JSON.parse(text) as FrrBfdPeer[];
  }

  running(): boolean {
    return this.bgpd?.running === true;
  }

  output(): string {
    return `${this.bgpd?.output() ?? ''}${this.bfdd?.output() ?? ''}${this.zebra?.output() ?? ''}`;
  }

  async vtysh(...commands: string[]): Promise<string> {
    const { stdout } = await runIn(this.net.host(this.host).netns, 'vtysh', ['--vty_socket', this.dir, ...commands.flatMap((c) => ['-c', c])]);
    return stdout;
  }

  async established(): Promise<Set<string>> {
    const s = JSON.parse(await this.vtysh('show bgp summary json')) as Record<string, { peers?: Record<string, { state: string }> } | undefined>;
    const out = new Set<string>();
    for (const af of ['ipv4Unicast', 'ipv6Unicast']) {
      for (const [addr, p] of Object.entries(s[af]?.peers ?? {})) if (p.state === 'Established') out.add(addr);
    }
    return out;
  }

  async paths(prefix: string): Promise<ReceivedPath[]> {
    const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
    const j = JSON.parse(await this.vtysh(`show bgp ${family} unicast ${prefix} json`)) as { prefix?: string; paths?: FrrPath[] };
    if (j.prefix !== prefix) return [];
    return (j.paths ?? []).map((p) => {
      const global = p.nexthops?.find((n) => n.scope !== 'link-local') ?? p.nexthops?.[0];
      const path: ReceivedPath = {
        peer: p.peer?.peerId ?? '',
        nextHop: global?.ip ?? '',
        asPath: (p.aspath?.segments ?? []).flatMap((s) => s.list),
        communities: sortedStrings((p.community?.list ?? []).map((c) => frrCommunityNames[c] ?? c)),
        largeCommunities: sortedStrings(p.largeCommunity?.list ?? []),
        stale: p.stale === true,
      };
      return p.locPrf === undefined ? path : { ...path, localPref: p.locPrf };
    });
  }

  async prefixes(family: 4 | 6): Promise<string[]> {
    const j = JSON.parse(await this.vtysh(`show bgp ipv${family} unicast json`)) as { routes?: Record<string, unknown> };
    return Object.keys(j.routes ?? {});
  }
}
