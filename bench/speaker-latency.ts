/**
 * How fast `metallb-ts speaker` acts on a Service's status (needs root): the speaker lab (three speaker
 * processes in node namespaces, FRR in the router namespace, the test API server in this process; no controller,
 * the bench writes the status itself, as the controller would). Per trial, a fresh Service (its endpoints and DNAT
 * rules in place beforehand) gets `status.loadBalancer.ingress` written; the clock starts when the status PUT is
 * sent and stops:
 *  - layer 2: when a TCP connection from the client (opened right after the PUT, retried) reaches the VIP; the
 *    client's kernel queues the SYN until ARP resolves, so this is ARP answered + DNAT + the pod;
 *  - BGP: when the router's kernel gets the route (`ip -ts monitor route`, as zebra installs it).
 * Prints p50, p90, p99 and max per family. Goals: p99 under 300 ms (layer 2) and under 500 ms (BGP).
 *
 *   npx tsc -p . && sudo node dist/bench/speaker-latency.js [--trials 40] [--json out.json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { waitFor } from '../src/lab/netns/index.js';
import { connectTcp } from '../src/net/tcp-socket.js';
import { networkTierProblem } from '../test/support/network-tier.js';
import { SpeakerLab, labNodes } from '../test/support/speaker-lab.js';
import { setIngress } from '../test/support/speaker-objects.js';
import type { V1Service } from '@kubernetes/client-node';
import { summary } from '../test/sim/swim-sim.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '40' }, json: { type: 'string' } } });
const trials = Number(values.trials);
/** Within this process: the monotonic clock. */
const now = (): number => performance.now();
/**
 * Against other processes' timestamps (`ip -ts`, the speakers' log lines): the wall clock, read at the same
 * moment; `performance.timeOrigin + now()` drifts from it over minutes while NTP slews the system clock.
 */
const wallNow = (): number => Date.now();

function machine(): string {
  return `${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), kernel ${release()}, Node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

/** `ip -ts monitor route` in a namespace: the wall time each prefix first appears. */
class RouteMonitor {
  private readonly child: ChildProcess;
  private readonly firstSeen = new Map<string, number>();

  constructor(netns: string) {
    this.child = spawn('ip', ['-n', netns, '-ts', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\]\s+(\S+)/.exec(line);
      if (m === null || m[3] === 'Deleted') return;
      const prefix = (m[3] as string).replace(/\/(32|128)$/, '');
      if (!this.firstSeen.has(prefix)) this.firstSeen.set(prefix, Date.parse(m[1] as string) + Number(m[2]) / 1000);
    });
  }

  seenAt(prefix: string): number | undefined {
    return this.firstSeen.get(prefix);
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

/** Connects from the client namespace until a connection to `ip:80` is established; resolves with the time. */
async function firstConnect(lab: SpeakerLab, ip: string, deadlineMs: number): Promise<number> {
  const netns = lab.net.host('client').netns;
  while (now() < deadlineMs) {
    try {
      const socket = await connectTcp({ remote: { ip, port: 80 }, netns, timeoutMs: Math.max(100, deadlineMs - now()) });
      const at = now();
      socket.destroy();
      return at;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  throw new Error(`${ip}:80 not reached`);
}

/** A Service with endpoints and DNAT rules but no address yet; the speakers have seen it. */
async function prepare(lab: SpeakerLab, name: string, ip: string): Promise<V1Service> {
  const svc = await lab.putService({ name, ips: [ip] }, { status: false });
  await new Promise((r) => setTimeout(r, 200));
  return svc;
}

/** Service name -> when its status PUT was sent (epoch ms), to find the speakers' decisions in their logs. */
const sentAt = new Map<string, number>();

async function layer2Trial(lab: SpeakerLab, i: number, family: 4 | 6): Promise<number> {
  const ip = family === 4 ? `10.200.0.${i}` : `fd00:200::${(i).toString(16)}`;
  const svc = await prepare(lab, `l2-${family}-${i}`, ip);
  const t0 = now();
  sentAt.set(`l2-${family}-${i}`, wallNow());
  const write = setIngress(lab.c, svc, [ip]);
  const reached = await firstConnect(lab, ip, t0 + 10_000);
  await write;
  return reached - t0;
}

async function bgpTrial(lab: SpeakerLab, monitor: RouteMonitor, i: number, family: 4 | 6): Promise<number> {
  const ip = family === 4 ? `10.200.0.${128 + i}` : `fd00:200::1:${(i).toString(16)}`;
  const svc = await prepare(lab, `bgp-${family}-${i}`, ip);
  const t0 = wallNow();
  sentAt.set(`bgp-${family}-${i}`, t0);
  await setIngress(lab.c, svc, [ip]);
  const deadline = now() + 10_000;
  while (monitor.seenAt(ip) === undefined && now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const at = monitor.seenAt(ip);
  if (at === undefined) throw new Error(`no route to ${ip} in the router`);
  return at - t0;
}

/** From each status PUT to the first speaker's "announcing" log line for it (pino's ms timestamps). */
function decisionDelays(lab: SpeakerLab): Record<string, number[]> {
  const first = new Map<string, number>();
  for (const node of labNodes) {
    for (const text of lab.speakerLog(node).split('\n')) {
      if (!text.includes('service has IP, announcing')) continue;
      const entry = JSON.parse(text) as { time: number; service: string };
      const name = entry.service.split('/')[1] ?? '';
      if (sentAt.has(name) && (first.get(name) ?? Infinity) > entry.time) first.set(name, entry.time);
    }
  }
  const out: Record<string, number[]> = { 'layer 2, IPv4': [], 'layer 2, IPv6': [], 'BGP, IPv4': [], 'BGP, IPv6': [] };
  for (const [name, at] of first) {
    const [proto, family] = name.split('-');
    out[`${proto === 'l2' ? 'layer 2' : 'BGP'}, IPv${family}`]?.push(at - (sentAt.get(name) ?? at));
  }
  return out;
}

function line(label: string, ms: readonly number[]): string {
  const s = summary(ms);
  return `| ${label} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p90.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} |`;
}

async function main(): Promise<void> {
  const problem = networkTierProblem({ binaries: ['nft', 'socat', 'vtysh', '/usr/lib/frr/bgpd'] });
  if (problem !== undefined) throw new Error(`speaker-latency needs the network tier: ${problem}`);
  console.log(`# Speaker latency, ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
  const lab = await SpeakerLab.create('slb');
  const monitor = new RouteMonitor(lab.net.host('router').netns);
  let decided: Record<string, number[]> = {};
  const results: Record<string, number[]> = { 'layer 2, IPv4': [], 'layer 2, IPv6': [], 'BGP, IPv4': [], 'BGP, IPv6': [] };
  try {
    await waitFor(async () => (await lab.router.established()).size === 6, { timeoutMs: 60_000, what: 'the six BGP sessions' });
    for (let i = 1; i <= Math.min(trials, 60); i++) {
      results['layer 2, IPv4']!.push(await layer2Trial(lab, i, 4));
      results['layer 2, IPv6']!.push(await layer2Trial(lab, i, 6));
      results['BGP, IPv4']!.push(await bgpTrial(lab, monitor, i, 4));
      results['BGP, IPv6']!.push(await bgpTrial(lab, monitor, i, 6));
    }
    decided = decisionDelays(lab);
  } finally {
    monitor.stop();
    await lab.close();
  }
  console.log('From the Service status PUT to the client reaching the VIP (layer 2) or the route in the router\'s kernel (BGP), ms:\n');
  console.log('| path | trials | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|');
  for (const [label, ms] of Object.entries(results)) console.log(line(label, ms));
  console.log('\nOf which, from the PUT to the first speaker deciding to announce (its log line; ms resolution):\n');
  console.log('| path | trials | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|');
  for (const [label, ms] of Object.entries(decided)) console.log(line(label, ms));
  console.log(`\nGoals: p99 under 300 ms (layer 2), under 500 ms (BGP). Load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ machine: machine(), results, decided }, null, 2));
}

await main();
