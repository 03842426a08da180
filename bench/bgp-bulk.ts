/**
 * Bulk advertisement bench (anchors.md §2): N /32 prefixes from a speaker in node1 to a fresh BIRD 2 receiver in
 * the router namespace, timed from the receiver's own Established timestamp to the first control-socket answer
 * that shows all N imported. Speakers, in the same run and alternating: metallb-ts (its own process, the desired
 * set declared before the session starts) and gobgpd (RIB loaded first with `gobgp mrt inject global`, checked
 * to hold all N, then the neighbor added). Prints each trial, the medians, the ratio and each speaker's RSS.
 *   node dist/bench/bgp-bulk.js [--prefixes 100000] [--trials 3]   (root; uses network namespaces)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNetwork, defaultTopology, runPrefix, waitFor, type Network, type SupervisedProcess } from '../src/lab/netns/index.js';
import { BirdControl } from './bird-control.js';
import { mrtTableDump } from './mrt.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const n = arg('prefixes', 100_000);
const trials = arg('trials', 3);
const speakerMain = fileURLToPath(new URL('./bgp-bulk-speaker.js', import.meta.url));

interface Trial { speaker: string; seconds: number; rssMiB: number; hwmMiB: number }

const receiverConf = `router id 10.100.0.1;
timeformat protocol iso long ms;
protocol device {}
protocol bgp spk {
  local 10.100.0.1 as 64500; neighbor 10.100.0.11 as 64512;
  passive on;
  ipv4 { import all; export none; };
}
`;

function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

/** BIRD prints local time as `2026-11-26 05:52:48.116`. */
function birdTimeMs(text: string): number {
  return new Date(text.replace(' ', 'T')).getTime();
}

async function startReceiver(net: Network, trial: string): Promise<{ proc: SupervisedProcess; ctl: BirdControl }> {
  const conf = join(net.workDir, 'recv.conf');
  const sock = join(net.workDir, `recv-${trial}.ctl`);
  writeFileSync(conf, receiverConf);
  const proc = net.start('router', ['bird', '-f', '-c', conf, '-s', sock, '-P', `${sock}.pid`], `bird-${trial}`);
  const ctl = new BirdControl(sock);
  await waitFor(async () => { await ctl.open(); return true; }, { timeoutMs: 10_000, what: 'the receiver control socket' });
  return { proc, ctl };
}

/** Polls the receiver until all N are imported; returns seconds from its Established timestamp. */
async function timeToAll(ctl: BirdControl): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const text = await ctl.command('show protocols all spk');
    const imported = /Routes:\s+(\d+) imported/.exec(text);
    if (process.env['BENCH_TRACE'] === '1') {
      const since = /spk\s+BGP\s+\S+\s+\S+\s+(\S+ \S+)\s+(\S+)/.exec(text);
      console.log(Date.now(), since?.[1], since?.[2], imported?.[1]);
    }
    if (imported !== null && Number(imported[1]) >= n) {
      const doneMs = Date.now();
      const since = /spk\s+BGP\s+\S+\s+up\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\s+Established/.exec(text);
      if (since === null) throw new Error(`no Established timestamp in:\n${text}`);
      return (doneMs - birdTimeMs(since[1] ?? '')) / 1000;
    }
    if (Date.now() > deadline) throw new Error(`receiver never held ${n} routes:\n${text}`);
    // anchors.md §2 polls every 5 ms: BIRD answers the CLI between its BGP work, so a tighter loop would slow it.
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function runOurs(net: Network, trial: string): Promise<Trial> {
  const { proc: bird, ctl } = await startReceiver(net, trial);
  const speaker = net.start('node1', [process.execPath, speakerMain, String(n), '10.100.0.1'], `ours-${trial}`);
  try {
    await waitFor(() => speaker.output().includes('ready'), { timeoutMs: 60_000, what: 'our speaker to prepare' });
    const seconds = await timeToAll(ctl);
    await new Promise((r) => setTimeout(r, 500));
    if (process.env['BENCH_TRACE'] === '1') console.log(speaker.output());
    return { speaker: 'metallb-ts', seconds, rssMiB: statusMiB(speaker.pid, 'VmRSS'), hwmMiB: statusMiB(speaker.pid, 'VmHWM') };
  } finally {
    ctl.close();
    await speaker.stop(2000);
    await bird.stop(2000);
  }
}

async function runGobgp(net: Network, trial: string, mrtFile: string): Promise<Trial> {
  const { proc: bird, ctl } = await startReceiver(net, trial);
  const toml = join(net.workDir, 'gobgpd.toml');
  writeFileSync(toml, '[global.config]\n  as = 64512\n  router-id = "10.100.0.11"\n  local-address-list = ["10.100.0.11"]\n');
  const gobgpd = net.start('node1', ['gobgpd', '-f', toml, '-p', '--pprof-disable', '--api-hosts', '127.0.0.1:50051'], `gobgpd-${trial}`);
  const gobgp = async (...a: string[]): Promise<string> => (await net.exec('node1', 'gobgp', a, { timeoutMs: 120_000 })).stdout;
  try {
    await waitFor(async () => (await gobgp('neighbor')).length >= 0, { timeoutMs: 15_000, what: 'gobgpd to answer' });
    await gobgp('mrt', 'inject', 'global', mrtFile);
    const summary = await gobgp('global', 'rib', 'summary', '-a', 'ipv4');
    const held = /Destination:\s*(\d+)/.exec(summary);
    if (held === null || Number(held[1]) !== n) throw new Error(`gobgpd holds ${held?.[1] ?? '?'} of ${n} after mrt inject:\n${summary}`);
    await gobgp('neighbor', 'add', '10.100.0.1', 'as', '64500');
    const seconds = await timeToAll(ctl);
    await new Promise((r) => setTimeout(r, 500));
    return { speaker: 'gobgpd', seconds, rssMiB: statusMiB(gobgpd.pid, 'VmRSS'), hwmMiB: statusMiB(gobgpd.pid, 'VmHWM') };
  } finally {
    ctl.close();
    await gobgpd.stop(2000);
    await bird.stop(2000);
  }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] ?? NaN; };

const net = await buildNetwork(defaultTopology(runPrefix('bb'), { nodes: 1, client: false, outside: false }));
try {
  const prefixes = Array.from({ length: n }, (_, i) => ({ family: 'IPv4' as const, base: BigInt(0x0ac80000 + i), prefixLength: 32 }));
  const mrtFile = join(net.workDir, `routes-${n}-pad.mrt`);
  writeFileSync(mrtFile, mrtTableDump(prefixes, 2000));
  const results: Trial[] = [];
  for (let t = 0; t < trials; t++) {
    const order = t % 2 === 0 ? ['ours', 'gobgp'] : ['gobgp', 'ours'];
    for (const which of order) {
      const r = which === 'ours' ? await runOurs(net, `${t}o`) : await runGobgp(net, `${t}g`, mrtFile);
      results.push(r);
      console.log(`trial ${t + 1} ${r.speaker.padEnd(10)} Established -> all ${n} in BIRD: ${r.seconds.toFixed(3)} s   RSS ${r.rssMiB.toFixed(1)} MiB (peak ${r.hwmMiB.toFixed(1)})`);
    }
  }
  const of = (s: string) => results.filter((r) => r.speaker === s);
  const ours = of('metallb-ts');
  const gob = of('gobgpd');
  const tOurs = median(ours.map((r) => r.seconds));
  const tGob = median(gob.map((r) => r.seconds));
  console.log(`\nN = ${n}, ${trials} trials each, medians (${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
  console.log(`  metallb-ts  ${tOurs.toFixed(3)} s   RSS ${median(ours.map((r) => r.rssMiB)).toFixed(1)} MiB`);
  console.log(`  gobgpd      ${tGob.toFixed(3)} s   RSS ${median(gob.map((r) => r.rssMiB)).toFixed(1)} MiB`);
  console.log(`  ratio metallb-ts / gobgpd: ${(tOurs / tGob).toFixed(2)} (goal <= 0.50)`);
} finally {
  await net.close();
}
