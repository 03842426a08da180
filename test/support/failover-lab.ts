/**
 * The layer-2 failover lab shared by the network test and the failover bench: three nodes, a client, one VIP
 * (10.200.0.10:8080), a pod on every node answering its node name, and either our speakers (gossip + election
 * + announcer, src/lab/l2-speaker-main.ts, with a kube-proxy DNAT stand-in on every node) or keepalived
 * (Debian's, VRRP only, the VIP on the master's eth0, priorities following our election order so that the same
 * node takes over). A client process polls the VIP (anchors.md §1's method) and the lab reads its lines.
 *
 * A trial: wait until the owner answers 5 times in a row, inject a fault into the owner (kill -9 of the
 * speaker, its link cut, SIGTERM), time from the fault to the first answer from another node, restore.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KubeProxy, buildNetwork, defaultTopology, ipIn, restoreLink, runIn, runPrefix, waitFor,
  type Network, type SupervisedProcess,
} from '../../src/lab/netns/index.js';
import { sortL2Candidates } from '../../src/speaker/layer2/election.js';

export type Fault = 'kill' | 'cut' | 'term';
export type GossipProfile = 'lan' | 'fast';
export type KeepalivedVariant = 'default' | 'vrrp3-100ms';
export type Contender = { readonly kind: 'gossip'; readonly profile: GossipProfile } | { readonly kind: 'keepalived'; readonly variant: KeepalivedVariant };

export interface TrialResult {
  readonly fault: Fault;
  /** Fault to the first answer from another node. */
  readonly ms: number;
  readonly from: string;
  readonly to: string;
  /** Failed connect attempts in between. */
  readonly failedAttempts: number;
  /** When the fault was injected (epoch ms, `performance.timeOrigin + performance.now()`). */
  readonly atMs: number;
}

const dist = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const speakerMain = dist('../../src/lab/l2-speaker-main.js');
const clientMain = dist('./failover-client-main.js');
const now = (): number => performance.timeOrigin + performance.now();
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ClientLine {
  readonly t: number;
  readonly node: string;
}

/** Reads the client's log as it grows. */
class ClientTail {
  private readonly file: string;
  private position = 0;
  private partial = '';
  readonly lines: ClientLine[] = [];

  constructor(file: string) {
    this.file = file;
  }

  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(1 << 16);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.position);
        if (n <= 0) break;
        this.position += n;
        this.partial += buf.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const parts = this.partial.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) {
      const [t, node] = p.split(' ');
      if (t !== undefined && node !== undefined) this.lines.push({ t: Number(t), node });
    }
    // Keep memory bounded over long soaks.
    if (this.lines.length > 50_000) this.lines.splice(0, this.lines.length - 10_000);
  }

  since(t: number): ClientLine[] {
    this.poll();
    return this.lines.filter((l) => l.t > t);
  }

  /** Whether the last `n` attempts were all answered by `node`. */
  lastAnsweredBy(node: string, n: number): boolean {
    this.poll();
    const last = this.lines.slice(-n);
    return last.length === n && last.every((l) => l.node === node);
  }
}

export class FailoverLab {
  readonly net: Network;
  readonly nodes = ['node1', 'node2', 'node3'] as const;
  readonly vip = '10.200.0.10';
  readonly port = 8080;
  /** Our election order for the VIP: the owner first, then who takes over. */
  readonly order: readonly string[];
  readonly secret = 'bGFiLXNlY3JldC1rZXktMDE';
  private readonly tail: ClientTail;
  /**
   * `ip -batch` kept open in the switch namespace: a link is cut within a millisecond of the write, where
   * spawning `ip` per cut costs tens of milliseconds under load (time the old measurement counted as failover).
   */
  private readonly switchShell: ChildProcess;
  private contender: Contender | undefined;

  /** A node's LAN IPv4 address. */
  ipv4(node: string): string {
    const ip = this.net.host(node).ipv4;
    if (ip === undefined) throw new Error(`${node} has no IPv4 address`);
    return ip;
  }

  private readonly daemons = new Map<string, SupervisedProcess>();
  /** The daemon a restore replaced, per node. */
  private readonly previous = new Map<string, SupervisedProcess>();
  private starts = 0;

  private constructor(net: Network, tail: ClientTail) {
    this.net = net;
    this.tail = tail;
    this.switchShell = spawn('ip', ['netns', 'exec', net.switchNetns, 'ip', '-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    this.order = sortL2Candidates([...this.nodes], this.vip, new Map());
  }

  static async create(tag = 'fo'): Promise<FailoverLab> {
    // FAILOVER_KEEP_LOGS=1 keeps the speakers' and the client's logs (their directory is printed).
    const keep = process.env['FAILOVER_KEEP_LOGS'] === '1';
    const net = await buildNetwork(defaultTopology(runPrefix(tag), { nodes: 3, router: false, client: true }), { keepWorkDir: keep });
    if (keep) process.stderr.write(`failover lab logs in ${net.workDir}\n`);
    try {
      const { startPod } = await import('../../src/lab/netns/index.js');
      await Promise.all(['node1', 'node2', 'node3'].map((n) => startPod(net, n, { tcpPort: 8080 })));
      const client = net.start('client', [process.execPath, clientMain, '--ip', '10.200.0.10', '--port', '8080'], 'client');
      return new FailoverLab(net, new ClientTail(client.logFile));
    } catch (err) {
      await net.close();
      throw err;
    }
  }

  get owner(): string {
    return this.order[0] as string;
  }

  get successor(): string {
    return this.order[1] as string;
  }

  /** Runs our speakers (with the given profile) on every node. */
  async useGossip(profile: GossipProfile): Promise<void> {
    await this.stopDaemons();
    this.contender = { kind: 'gossip', profile };
    await Promise.all(this.nodes.map((n) => new KubeProxy(this.net.host(n).netns, [this.ipv4(n)]).setServices([
      { ip: this.vip, port: this.port, protocol: 'tcp', backends: [{ ip: this.ipv4(n), port: this.port }] },
    ])));
    for (const n of this.nodes) this.startDaemon(n);
    await this.settle();
  }

  /** Runs keepalived on every node: MetalLB's defaults (VRRPv2, 1 s adverts) or VRRPv3 with 100 ms adverts. */
  async useKeepalived(variant: KeepalivedVariant): Promise<void> {
    await this.stopDaemons();
    this.contender = { kind: 'keepalived', variant };
    await Promise.all(this.nodes.map((n) => new KubeProxy(this.net.host(n).netns, [this.ipv4(n)]).clear()));
    for (const n of this.nodes) this.startDaemon(n);
    await this.settle();
  }

  private priority(node: string): number {
    return [150, 100, 50][this.order.indexOf(node)] ?? 10;
  }

  private keepalivedConfig(node: string, variant: KeepalivedVariant): string {
    const v3 = variant === 'vrrp3-100ms';
    return [
      'global_defs {', `  router_id ${node}`, `  vrrp_version ${v3 ? 3 : 2}`, '}',
      'vrrp_instance VI_1 {', '  state BACKUP', '  interface eth0', '  virtual_router_id 50',
      `  priority ${this.priority(node)}`, `  advert_int ${v3 ? '0.1' : '1'}`,
      '  virtual_ipaddress {', `    ${this.vip}/24 dev eth0`, '  }', '}', '',
    ].join('\n');
  }

  private startDaemon(node: string): void {
    const c = this.contender;
    if (c === undefined) throw new Error('no contender chosen');
    const label = `${c.kind}-${++this.starts}`;
    if (c.kind === 'gossip') {
      const peers = this.nodes.filter((x) => x !== node).map((x) => this.ipv4(x)).join(',');
      this.daemons.set(node, this.net.start(node, [
        process.execPath, speakerMain, '--node', node, '--bind', this.ipv4(node), '--peers', peers, '--nodes', this.nodes.join(','),
        '--vip', this.vip, '--secret', this.secret, '--profile', c.profile,
      ], label));
      return;
    }
    const dir = this.net.workDir;
    // A killed keepalived leaves its pid files, and a new one then refuses to start ("daemon is already running").
    for (const f of ['ka', 'ka-vrrp', 'ka-checkers']) rmSync(join(dir, `${node}-${f}.pid`), { force: true });
    const conf = join(dir, `${node}-keepalived.conf`);
    writeFileSync(conf, this.keepalivedConfig(node, c.variant));
    this.daemons.set(node, this.net.start(node, [
      'keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf,
      '-p', join(dir, `${node}-ka.pid`), '-r', join(dir, `${node}-ka-vrrp.pid`), '-c', join(dir, `${node}-ka-checkers.pid`),
    ], label));
  }

  private async stopDaemons(): Promise<void> {
    await Promise.all([...this.daemons.values()].map((p) => p.stop(2000)));
    this.daemons.clear();
    await Promise.all(this.nodes.map((n) => this.dropVip(n)));
  }

  private async dropVip(node: string): Promise<void> {
    try {
      await ipIn(this.net.host(node).netns, ['addr', 'del', `${this.vip}/24`, 'dev', 'eth0']);
    } catch {
      // Not there.
    }
  }

  private async flushClientEntry(): Promise<void> {
    try {
      await ipIn(this.net.host('client').netns, ['neigh', 'del', this.vip, 'dev', 'eth0']);
    } catch {
      // No entry.
    }
  }

  /** Waits until the owner answers 5 times in a row (flushing the client's entry now and then), plus 1 s. */
  /**
   * Whether each node's daemon says it holds the VIP now: the last "announcing"/"withdrawn" line of our speaker,
   * the last MASTER/BACKUP transition of keepalived. A node still holding it keeps sending gratuitous ARP (our
   * bursts last 5 s), which would pull the client over during the next trial.
   */
  holders(): string[] {
    return this.nodes.filter((n) => {
      const log = this.daemonLog(n);
      if (this.contender?.kind === 'keepalived') {
        return log.lastIndexOf('Entering MASTER STATE') > Math.max(log.lastIndexOf('Entering BACKUP STATE'), log.lastIndexOf('Entering FAULT STATE'));
      }
      return log.lastIndexOf('"msg":"announcing') > log.lastIndexOf('"msg":"withdrawn"');
    });
  }

  /**
   * Waits until the owner alone holds the VIP (by its daemons' own account) and answers the client 5 times in a
   * row (flushing the client's neighbor entry now and then), plus 1 s.
   */
  async settle(timeoutMs = 30_000): Promise<void> {
    let lastFlush = performance.now();
    await waitFor(async () => {
      const holders = this.holders();
      if (holders.length === 1 && holders[0] === this.owner && this.tail.lastAnsweredBy(this.owner, 5)) return true;
      if (performance.now() - lastFlush > 3000) {
        lastFlush = performance.now();
        await this.flushClientEntry();
      }
      return false;
    }, { timeoutMs, intervalMs: 20, what: `${this.owner} to answer for ${this.vip}` });
    await pause(1000);
    const holders = this.holders();
    if (!this.tail.lastAnsweredBy(this.owner, 5) || holders.length !== 1 || holders[0] !== this.owner) await this.settle(timeoutMs);
  }

  /** Injects `fault` into the owner after `delayMs`, times the takeover, and restores the owner. */
  async trial(fault: Fault, delayMs = 0): Promise<TrialResult> {
    await this.settle();
    await pause(50 + delayMs);
    const from = this.owner;
    const t0 = now();
    await this.inject(fault, from);
    const hit = await waitFor(() => this.tail.since(t0).find((l) => l.node !== from && l.node !== '-'), {
      timeoutMs: 20_000, intervalMs: 5, what: `another node to answer after ${fault} of ${from}`,
    });
    const failedAttempts = this.tail.since(t0).filter((l) => l.t <= hit.t && l.node === '-').length;
    await this.restore(fault, from);
    return { fault, ms: hit.t - t0, from, to: hit.node, failedAttempts, atMs: t0 };
  }

  private async inject(fault: Fault, node: string): Promise<void> {
    // The switch port goes down: the node sees carrier loss, as `cutLink(net, node, 'carrier')` does.
    if (fault === 'cut') {
      this.switchShell.stdin?.write(`link set ${this.net.host(node).switchPort} down\n`);
      return;
    }
    const daemon = this.daemons.get(node);
    if (daemon === undefined) throw new Error(`no daemon on ${node}`);
    if (fault === 'term') {
      process.kill(daemon.pid, 'SIGTERM');
      return;
    }
    // keepalived: the VRRP child first (killing only the parent leaves the child advertising), then the parent.
    if (this.contender?.kind === 'keepalived') {
      const { readFileSync } = await import('node:fs');
      const child = Number(readFileSync(join(this.net.workDir, `${node}-ka-vrrp.pid`), 'utf8').trim());
      if (Number.isInteger(child) && child > 0) process.kill(child, 'SIGKILL');
    }
    process.kill(daemon.pid, 'SIGKILL');
  }

  private async restore(fault: Fault, node: string): Promise<void> {
    if (fault === 'cut') {
      await restoreLink(this.net, node);
      return;
    }
    const old = this.daemons.get(node);
    await old?.wait();
    if (old !== undefined) this.previous.set(node, old);
    // After a SIGKILL keepalived leaves the VIP on eth0 (anchors.md §1); a new run would remove it anyway.
    if (this.contender?.kind === 'keepalived') await this.dropVip(node);
    this.startDaemon(node);
  }

  /** Answers seen from each node since `t`. */
  answersSince(t: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const l of this.tail.since(t)) counts.set(l.node, (counts.get(l.node) ?? 0) + 1);
    return counts;
  }

  /** The speaker or keepalived log of a node so far. */
  daemonLog(node: string): string {
    return this.daemons.get(node)?.output() ?? '';
  }

  /** The log of the daemon that ran on `node` before its last restore. */
  previousDaemonLog(node: string): string {
    return this.previous.get(node)?.output() ?? '';
  }

  async exec(node: string, file: string, args: readonly string[]): Promise<string> {
    return (await runIn(this.net.host(node).netns, file, args)).stdout;
  }

  async close(): Promise<void> {
    this.switchShell.stdin?.end();
    if (this.switchShell.pid !== undefined && this.switchShell.exitCode === null) process.kill(this.switchShell.pid, 'SIGTERM');
    await this.net.close();
  }
}

export { now as epochMs };
