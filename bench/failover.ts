/**
 * Layer-2 failover, end to end, in network namespaces (needs root): our speakers (gossip + election +
 * announcer) with the default and the fast profile, and in the same run and topology keepalived (Debian's) with
 * its default advert interval and with VRRPv3 at 100 ms adverts. Faults on the announcing node: kill -9 of its
 * speaker, its link cut (carrier down), SIGTERM. Time: from the fault to the first TCP connection answered
 * through the new node (client: 50 ms connect/read timeouts, 10 ms between attempts, as anchors.md §1).
 * Optionally a soak: minutes with both cores kept busy by spinning processes, reporting any false failover.
 *
 *   npx tsc -p . && sudo node dist/bench/failover.js [--trials 20] [--only lan,fast,ka-default,ka-v3] \
 *     [--faults kill,cut,term] [--soak-minutes 10] [--soak-profile lan] [--json out.json]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { parseArgs } from 'node:util';
import { networkTierProblem } from '../test/support/network-tier.js';
import { FailoverLab, epochMs, type Contender, type Fault, type TrialResult } from '../test/support/failover-lab.js';
import { summary } from '../test/sim/swim-sim.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    only: { type: 'string', default: 'lan,fast,ka-default,ka-v3' },
    faults: { type: 'string', default: 'kill,cut,term' },
    'soak-minutes': { type: 'string', default: '0' },
    'soak-profile': { type: 'string', default: 'lan' },
    json: { type: 'string' },
  },
});

const contenders: Record<string, Contender> = {
  lan: { kind: 'gossip', profile: 'lan' },
  fast: { kind: 'gossip', profile: 'fast' },
  'ka-default': { kind: 'keepalived', variant: 'default' },
  'ka-v3': { kind: 'keepalived', variant: 'vrrp3-100ms' },
};
const labels: Record<string, string> = {
  lan: 'metallb-ts, default profile',
  fast: 'metallb-ts, fast profile',
  'ka-default': 'keepalived defaults (VRRPv2, advert 1 s)',
  'ka-v3': 'keepalived VRRPv3, advert 0.1 s',
};
const faultLabels: Record<Fault, string> = { kill: 'kill -9', cut: 'link cut', term: 'SIGTERM' };

function machine(): string {
  const cpu = cpus()[0]?.model ?? '?';
  // keepalived prints its version on stderr.
  const v = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  const keepalived = `${v.stdout}${v.stderr}`.split('\n')[0] ?? '?';
  return `${cpus().length} vCPU (${cpu}), kernel ${release()}, Node ${process.version}, ${keepalived}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

const fmt = (x: number): string => x.toFixed(1);
const failures: string[] = [];

async function runTrials(lab: FailoverLab, key: string, faults: readonly Fault[], trials: number): Promise<Map<Fault, TrialResult[]>> {
  const c = contenders[key]!;
  if (c.kind === 'gossip') await lab.useGossip(c.profile);
  else await lab.useKeepalived(c.variant);
  // The fault lands at a random point of the detector's cycle (anchors.md: uniform(0, advert_int)).
  const cycleMs = c.kind === 'gossip' ? (c.profile === 'fast' ? 100 : 160) : (c.variant === 'default' ? 1000 : 100);
  const out = new Map<Fault, TrialResult[]>();
  for (const fault of faults) {
    const results: TrialResult[] = [];
    for (let i = 0; i < trials; i++) {
      try {
        const r = await lab.trial(fault, Math.random() * cycleMs);
        results.push(r);
        process.stderr.write(`${key} ${fault} #${i + 1}: ${fmt(r.ms)} ms ${r.from} -> ${r.to}, ${r.failedAttempts} failed\n`);
      } catch (err) {
        // A trial without a failover is a result too: count it, start the contender afresh, go on.
        failures.push(`${key} ${fault} #${i + 1}: ${(err as Error).message}`);
        process.stderr.write(`${key} ${fault} #${i + 1}: FAILED ${(err as Error).message}\n`);
        if (c.kind === 'gossip') await lab.useGossip(c.profile);
        else await lab.useKeepalived(c.variant);
      }
    }
    out.set(fault, results);
  }
  return out;
}

function printTable(all: Map<string, Map<Fault, TrialResult[]>>): void {
  console.log('\n| contender | fault | n | p50 ms | p90 ms | p99 ms | max ms | failed connects (median) | new node |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [key, byFault] of all) {
    for (const [fault, results] of byFault) {
      const s = summary(results.map((r) => r.ms));
      const failed = summary(results.map((r) => r.failedAttempts)).p50;
      const to = [...new Set(results.map((r) => r.to))].join('/');
      console.log(`| ${labels[key]} | ${faultLabels[fault]} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${failed} | ${to} |`);
    }
  }
}

function printRatios(all: Map<string, Map<Fault, TrialResult[]>>): void {
  const pairs: [string, string][] = [['lan', 'ka-default'], ['lan', 'ka-v3'], ['fast', 'ka-v3']];
  console.log('\nRatios (keepalived / metallb-ts, same run, same topology):');
  for (const [ours, theirs] of pairs) {
    for (const fault of ['kill', 'cut', 'term'] as const) {
      const a = all.get(ours)?.get(fault);
      const b = all.get(theirs)?.get(fault);
      if (a === undefined || b === undefined) continue;
      const sa = summary(a.map((r) => r.ms));
      const sb = summary(b.map((r) => r.ms));
      console.log(`  ${faultLabels[fault]}: ${labels[theirs]} vs ${labels[ours]}: p50 ${fmt(sb.p50)} / ${fmt(sa.p50)} = ${(sb.p50 / sa.p50).toFixed(2)}x, p99 ${fmt(sb.p99)} / ${fmt(sa.p99)} = ${(sb.p99 / sa.p99).toFixed(2)}x`);
    }
  }
}

async function soak(lab: FailoverLab, minutes: number, profile: 'lan' | 'fast'): Promise<void> {
  await lab.useGossip(profile);
  const spinners: ChildProcess[] = [];
  for (let i = 0; i < cpus().length; i++) spinners.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const start = epochMs();
  try {
    await new Promise((resolve) => setTimeout(resolve, minutes * 60_000));
  } finally {
    for (const s of spinners) if (s.pid !== undefined) process.kill(s.pid, 'SIGKILL');
  }
  const answers = lab.answersSince(start);
  const deaths = lab.nodes.map((n) => (lab.daemonLog(n).match(/"to":"dead"/g) ?? []).length);
  const total = [...answers.values()].reduce((a, b) => a + b, 0);
  console.log(`\nSoak: ${minutes} min, profile ${profile}, ${spinners.length} spinning processes (both cores busy):`);
  console.log(`  client attempts ${total}, answered by: ${JSON.stringify(Object.fromEntries(answers))}`);
  console.log(`  members declared dead in speaker logs: ${JSON.stringify(Object.fromEntries(lab.nodes.map((n, i) => [n, deaths[i]])))}`);
  const others = [...answers.keys()].filter((n) => n !== lab.owner && n !== '-');
  console.log(`  false failovers (answers from a node other than ${lab.owner}): ${others.length === 0 ? 'none' : others.join(', ')}`);
}

const problem = networkTierProblem({ binaries: ['keepalived', 'nft'] });
if (problem !== undefined) {
  console.error(`failover bench needs the network tier: ${problem}`);
  process.exit(2);
}
console.log(`# Layer-2 failover, ${new Date().toISOString()}\n\nMachine: ${machine()}`);
const lab = await FailoverLab.create('fob');
const onSignal = (): void => {
  void lab.close().then(() => process.exit(130));
};
process.on('SIGINT', onSignal);
try {
  console.log(`VIP ${lab.vip}: election order ${lab.order.join(', ')}; faults go to ${lab.owner}, ${lab.successor} takes over`);
  const all = new Map<string, Map<Fault, TrialResult[]>>();
  const faults = values.faults.split(',') as Fault[];
  for (const key of values.only.split(',').filter((k) => k !== '')) {
    if (contenders[key] === undefined) throw new Error(`unknown contender ${key}`);
    all.set(key, await runTrials(lab, key, faults, Number(values.trials)));
  }
  printTable(all);
  printRatios(all);
  console.log(`\nTrials without a failover within 20 s: ${failures.length === 0 ? 'none' : `\n  ${failures.join('\n  ')}`}`);
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(Object.fromEntries([...all].map(([k, v]) => [k, Object.fromEntries(v)])), null, 1));
  const soakMinutes = Number(values['soak-minutes']);
  if (soakMinutes > 0) await soak(lab, soakMinutes, values['soak-profile'] === 'fast' ? 'fast' : 'lan');
} finally {
  await lab.close();
}
