/**
 * BIRD 2 as a router (lab-notes.md §3): one BGP protocol per neighbor, `merge paths` into the kernel (ECMP),
 * read through `birdc` text output (BIRD has no JSON).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runIn } from '../netns/command.js';
import type { Network } from '../netns/network.js';
import type { SupervisedProcess } from '../netns/supervisor.js';
import { waitFor } from '../netns/wait.js';
import { sortedStrings, type BgpRouter, type ReceivedPath, type RouterConfig, type RouterNeighbor } from './router.js';

/** A BIRD protocol name for a neighbor address. */
export function birdProtocolName(address: string): string {
  return `peer_${address.replace(/[.:]/g, '_')}`;
}

function protocolBlock(c: RouterConfig, n: RouterNeighbor): string {
  const six = n.address.includes(':');
  const ibgp = n.asn === c.asn;
  const channel = six ? 'ipv6' : 'ipv4';
  return [
    `protocol bgp ${birdProtocolName(n.address)} {`,
    `  local as ${c.asn};`,
    `  neighbor ${n.address} as ${n.asn};`,
    `  hold time ${c.holdTimeSec}; keepalive time ${Math.max(1, Math.floor(c.holdTimeSec / 3))};`,
    `  connect delay time 1; connect retry time ${c.connectRetrySec}; error wait time 1, 5;`,
    `  graceful restart ${c.gracefulRestart === true ? 'on' : 'aware'};`,
    ...(n.password === undefined ? [] : [`  password "${n.password}";`]),
    // iBGP neighbors on the same LAN: a direct session, next hops resolved on the link.
    ...(ibgp ? ['  direct;'] : []),
    `  ${channel} { import all; export none; };`,
    '}',
  ].join('\n');
}

export function renderBirdConfig(c: RouterConfig): string {
  return [
    `router id ${c.routerId};`,
    'timeformat protocol iso long ms;',
    'protocol device { scan time 10; }',
    'protocol kernel kernel4 { ipv4 { import none; export where source = RTS_BGP; }; merge paths on; }',
    'protocol kernel kernel6 { ipv6 { import none; export where source = RTS_BGP; }; merge paths on; }',
    ...c.neighbors.map((n) => protocolBlock(c, n)),
    '',
  ].join('\n');
}

/** Parses `birdc show route all <prefix>` into paths (one block per path, attribute lines start with a tab). */
export function parseBirdRoutes(text: string, addressOfProtocol: (name: string) => string): ReceivedPath[] {
  const out: ReceivedPath[] = [];
  let cur: { peer: string; attrs: Map<string, string>; stale: boolean } | undefined;
  const finish = (): void => {
    if (cur === undefined) return;
    const a = cur.attrs;
    const asPath = (a.get('BGP.as_path') ?? '').split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
    const communities = [...(a.get('BGP.community') ?? '').matchAll(/\((\d+),(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
    const large = [...(a.get('BGP.large_community') ?? '').matchAll(/\((\d+), (\d+), (\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
    const lp = a.get('BGP.local_pref');
    const nextHop = (a.get('BGP.next_hop') ?? '').split(/\s+/)[0] ?? '';
    const path: ReceivedPath = { peer: cur.peer, nextHop, asPath, communities: sortedStrings(communities), largeCommunities: sortedStrings(large), stale: cur.stale };
    out.push(lp === undefined ? path : { ...path, localPref: Number(lp) });
    cur = undefined;
  };
  for (const line of text.split('\n')) {
    const head = /^\S*\s+(?:unicast|blackhole|unreachable)\s+\[(\S+)\s[^\]]*\]/.exec(line);
    if (head !== null) {
      finish();
      cur = { peer: addressOfProtocol(head[1] ?? ''), attrs: new Map(), stale: /\bstale\b/i.test(line) };
      continue;
    }
    const attr = /^\t(BGP\.\w+):\s*(.*)$/.exec(line);
    if (attr !== null && cur !== undefined) cur.attrs.set(attr[1] ?? '', attr[2] ?? '');
  }
  finish();
  return out;
}

export class BirdRouter implements BgpRouter {
  readonly kind = 'bird' as const;
  readonly host: string;
  private readonly net: Network;
  private readonly config: RouterConfig;
  private readonly ctl: string;
  private readonly conf: string;
  private proc: SupervisedProcess | undefined;

  constructor(net: Network, host: string, config: RouterConfig) {
    this.net = net;
    this.host = host;
    this.config = config;
    this.ctl = join(net.workDir, `bird-${host}.ctl`);
    this.conf = join(net.workDir, `bird-${host}.conf`);
  }

  async start(): Promise<void> {
    writeFileSync(this.conf, renderBirdConfig(this.config));
    this.proc = this.net.start(this.host, ['bird', '-f', '-c', this.conf, '-s', this.ctl, '-P', `${this.ctl}.pid`], 'bird');
    await waitFor(async () => (await this.birdc('show status')).includes('Daemon is up'), { timeoutMs: 10_000, what: 'bird to answer' });
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

  async birdc(...args: string[]): Promise<string> {
    const { stdout } = await runIn(this.net.host(this.host).netns, 'birdc', ['-s', this.ctl, ...args]);
    return stdout;
  }

  private addressOf(protocol: string): string {
    return this.config.neighbors.find((n) => birdProtocolName(n.address) === protocol)?.address ?? protocol;
  }

  async established(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const line of (await this.birdc('show', 'protocols')).split('\n')) {
      const m = /^(peer_\S+)\s+BGP\s+\S+\s+up\s+.*Established/.exec(line);
      if (m !== null) out.add(this.addressOf(m[1] ?? ''));
    }
    return out;
  }

  async paths(prefix: string): Promise<ReceivedPath[]> {
    // `show route all PREFIX` exits non-zero when there is no route; a filter answers with nothing instead.
    return parseBirdRoutes(await this.birdc('show', 'route', 'all', 'where', 'net', '=', prefix), (p) => this.addressOf(p));
  }

  async prefixes(family: 4 | 6): Promise<string[]> {
    const text = await this.birdc('show', 'route', 'table', family === 4 ? 'master4' : 'master6');
    return [...new Set([...text.matchAll(/^(\S+\/\d+)\s/gm)].map((m) => m[1] ?? ''))];
  }

  /** BIRD keeps the neighbor's routes as a GR helper (BIRD shows no per-route stale flag). */
  async gracefulRestartActive(address: string): Promise<boolean> {
    return (await this.birdc('show', 'protocols', 'all', birdProtocolName(address))).includes('Neighbor graceful restart active');
  }

  /** `Routes: N imported` of one neighbor's protocol (BIRD answers this even with 100k routes). */
  async importedCount(address: string): Promise<number> {
    const text = await this.birdc('show', 'protocols', 'all', birdProtocolName(address));
    const m = /Routes:\s+(\d+) imported/.exec(text);
    return m === null ? 0 : Number(m[1]);
  }
}
