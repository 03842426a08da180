/**
 * ARP and NDP answer rate and latency of the layer-2 responder, measured from a client namespace.
 * The responder runs as its own process in a node namespace (bench/layer2-responder-main.ts); the client is
 * this process, with packet sockets in the client namespace (L2Probe). For comparison, the same figures for
 * the node's kernel answering for its own address. Needs root. Prints figures; never fails on time.
 *
 *   npx tsc -p . && node dist/bench/layer2-arp.js [--samples 2000] [--seconds 3] [--window 32]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseIp, type IpAddress } from '../src/lib/ip.js';
import { buildNetwork, defaultTopology, runPrefix, waitFor, L2Probe, type Answer } from '../src/lab/netns/index.js';

const { values } = parseArgs({ options: { samples: { type: 'string' }, seconds: { type: 'string' }, window: { type: 'string' } } });
const samples = Number(values.samples ?? 2000);
const seconds = Number(values.seconds ?? 3);
const window = Number(values.window ?? 32);
const ip = (s: string): IpAddress => parseIp(s)!;

type Kind = 'arp' | 'ndp';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** One request at a time: the time from send to the answer, as this process sees both. */
async function latency(probe: L2Probe, kind: Kind, target: IpAddress, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const rtt = await new Promise<number>((resolve) => {
      let sentAt = 0;
      const timer = setTimeout(() => resolve(Number.NaN), 1000);
      probe.onAnswer = (a: Answer) => {
        if ((kind === 'arp' ? a.kind === 'arp-reply' : a.solicited === true) && a.atMs >= sentAt) {
          clearTimeout(timer);
          resolve(a.atMs - sentAt);
        }
      };
      sentAt = kind === 'arp' ? probe.sendArpRequest(target) : probe.sendSolicitation(target);
    });
    if (!Number.isNaN(rtt)) out.push(rtt);
  }
  probe.onAnswer = undefined;
  return out.sort((a, b) => a - b);
}

/** `window` requests in flight for `durationSec`: answers per second. */
async function rate(probe: L2Probe, kind: Kind, target: IpAddress, durationSec: number): Promise<{ sent: number; answered: number; perSec: number }> {
  let sent = 0;
  let answered = 0;
  let inFlight = 0;
  const endAt = performance.now() + durationSec * 1000;
  const send = () => {
    while (inFlight < window && performance.now() < endAt) {
      try {
        if (kind === 'arp') probe.sendArpRequest(target); else probe.sendSolicitation(target);
        sent++;
        inFlight++;
      } catch {
        break; // socket buffer full: wait for answers
      }
    }
  };
  probe.onAnswer = (a) => {
    if (kind === 'arp' ? a.kind !== 'arp-reply' : a.solicited !== true) return;
    answered++;
    inFlight = Math.max(0, inFlight - 1);
    send();
  };
  const started = performance.now();
  send();
  // Refill when answers are lost (a lost request would otherwise keep its slot forever).
  while (performance.now() < endAt) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    inFlight = Math.min(inFlight, window / 2);
    send();
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  probe.onAnswer = undefined;
  return { sent, answered, perSec: answered / ((performance.now() - started - 100) / 1000) };
}

function line(label: string, sorted: readonly number[], r: { sent: number; answered: number; perSec: number }): string {
  const f = (x: number) => x.toFixed(3);
  return `${label.padEnd(34)} p50 ${f(percentile(sorted, 50))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted.at(-1) ?? Number.NaN)} ms  ` +
    `(${sorted.length} samples) | ${Math.round(r.perSec)} answers/s (${r.answered}/${r.sent} with ${window} in flight)`;
}

const net = await buildNetwork(defaultTopology(runPrefix('lb'), { nodes: 1, router: false }));
let probe: L2Probe | undefined;
try {
  const main = fileURLToPath(new URL('./layer2-responder-main.js', import.meta.url));
  const responder = net.start('node1', [process.execPath, main, '10.200.0.10', 'fd00:200::10'], 'responder');
  await waitFor(() => responder.output().includes('ready'), { timeoutMs: 10_000, what: 'the responder' });
  const c = net.host('client');
  probe = L2Probe.open({ netns: c.netns, ifname: 'eth0', mac: c.mac, ipv4: ip(c.ipv4!), ipv6: ip(c.ipv6!) });
  probe.keepAnswers = false;
  process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, kernel veth + bridge in namespaces\n`);
  const cases: [string, Kind, IpAddress][] = [
    ['metallb-ts ARP (10.200.0.10)', 'arp', ip('10.200.0.10')],
    ['metallb-ts NDP (fd00:200::10)', 'ndp', ip('fd00:200::10')],
    ['kernel ARP, own address', 'arp', ip('10.100.0.11')],
    ['kernel NDP, own address', 'ndp', ip('fd00:100::11')],
  ];
  for (const [label, kind, target] of cases) {
    await latency(probe, kind, target, 200); // warm up
    const sorted = await latency(probe, kind, target, samples);
    const r = await rate(probe, kind, target, seconds);
    process.stdout.write(`${line(label, sorted, r)}\n`);
  }
  await responder.stop();
  process.stdout.write(responder.output().split('\n').filter((l) => l.startsWith('metallb_layer2_responses_sent')).join('\n') + '\n');
} finally {
  probe?.close();
  await net.close();
}
