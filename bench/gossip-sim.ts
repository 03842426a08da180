/**
 * Gossip figures from the seeded simulation (test/sim): bandwidth per node at 3, 10 and 50 members, and the
 * trade-off between detection time, false positives and bandwidth across probe settings. Prints tables;
 * passes or fails nothing.
 *
 *   npx tsc -p . && node dist/bench/gossip-sim.js [bandwidth|tradeoff|all]
 */
import { defaultSwimConfig, fastSwimConfig } from '../src/protocol/swim/config.js';
import type { SwimConfig } from '../src/protocol/swim/config.js';
import { SimNetwork, summary } from '../test/sim/swim-sim.js';

function converged(seed: number, n: number, config: SwimConfig, lossRate = 0): SimNetwork {
  const net = new SimNetwork({ seed, config, lossRate });
  net.cluster(n);
  if (net.runUntil(() => net.converged(), 120_000, 5) === undefined) throw new Error(`${n} nodes did not converge`);
  return net;
}

/** Steady-state bytes and packets each node sends per second (datagrams and push-pull streams). */
function bandwidth(config: SwimConfig, n: number, seconds: number): { udpBps: number; streamBps: number; pps: number } {
  const net = converged(1, n, config);
  net.run(20_000, 20);
  const nodes = [...net.nodes.values()];
  const before = nodes.map((x) => ({ b: x.sentBytes, p: x.sentPackets, s: x.streamBytes }));
  net.run(seconds * 1000, 20);
  let b = 0;
  let p = 0;
  let s = 0;
  nodes.forEach((x, i) => {
    b += x.sentBytes - before[i]!.b;
    p += x.sentPackets - before[i]!.p;
    s += x.streamBytes - before[i]!.s;
  });
  return { udpBps: b / n / seconds, streamBps: s / n / seconds, pps: p / n / seconds };
}

/** Kill (process gone, kernel refuses) or cut (nothing answers) one member; time until every survivor holds it dead. */
function detection(config: SwimConfig, n: number, trials: number, how: 'kill' | 'cut'): ReturnType<typeof summary> {
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const net = converged(1000 + t, n, config);
    net.run(1000 + net.random() * 1000);
    const nodes = [...net.nodes.values()];
    const victim = nodes[Math.floor(net.random() * n)]!;
    if (how === 'kill') victim.stop();
    else net.isolate(victim.name);
    const survivors = nodes.filter((x) => x !== victim);
    const took = net.runUntil(() => survivors.every((x) => x.view(victim.name) === 'dead'), 30_000, 1);
    if (took === undefined) throw new Error('never detected');
    times.push(took);
  }
  return summary(times);
}

/** False deaths and suspicions per node-hour at a given loss rate. */
function falsePositives(config: SwimConfig, n: number, lossRate: number, minutes: number): { deathsPerHour: number; suspicionsPerHour: number } {
  const net = converged(7, n, config);
  net.lossRate = lossRate;
  const start = net.clock.nowMs();
  net.run(minutes * 60_000, 50);
  const tr = net.transitions.filter((t) => t.atMs >= start);
  const hours = (minutes / 60) * n;
  return {
    deathsPerHour: tr.filter((t) => t.to === 'dead').length / hours,
    suspicionsPerHour: tr.filter((t) => t.to === 'suspect').length / hours,
  };
}

const kib = (bps: number): string => (bps / 1024).toFixed(2);

function printBandwidth(): void {
  console.log('\n## Gossip bandwidth per node, steady state (simulated, 60 s after convergence)\n');
  console.log('| profile | members | datagrams/s sent | UDP KiB/s sent | push-pull KiB/s sent |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [profile, config] of [['default', defaultSwimConfig()], ['fast', fastSwimConfig()]] as const) {
    for (const n of [3, 10, 50]) {
      const b = bandwidth(config, n, 60);
      console.log(`| ${profile} | ${n} | ${b.pps.toFixed(1)} | ${kib(b.udpBps)} | ${kib(b.streamBps)} |`);
    }
  }
}

function printTradeoff(): void {
  console.log('\n## Detection time against false positives and bandwidth (3 members, simulated)\n');
  console.log('detection: fault -> every survivor holds the member dead, 100 trials each (kill: its kernel refuses connections; cut: nothing answers);');
  console.log('false positives: 3 members, 60 simulated minutes per loss rate, counted per node-hour\n');
  console.log('| probe interval / timeout / suspicion min (ms) | kill p50 / p99 | cut p50 / p99 / max | UDP KiB/s per node | suspicions/h at 5% loss | false deaths/h at 5% | at 10% | at 20% |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const base = defaultSwimConfig();
  const rows: [string, SwimConfig][] = [
    ['25 / 10 / 40', { ...base, probeIntervalMs: 25, probeTimeoutMs: 10, suspicionMinMs: 40, suspicionMaxMs: 160, gossipIntervalMs: 15 }],
    ['50 / 20 / 80 (fast)', fastSwimConfig()],
    ['80 / 30 / 120 (default)', base],
    ['100 / 40 / 150', { ...base, probeIntervalMs: 100, probeTimeoutMs: 40, suspicionMinMs: 150, suspicionMaxMs: 600, gossipIntervalMs: 50 }],
    ['200 / 80 / 300', { ...base, probeIntervalMs: 200, probeTimeoutMs: 80, suspicionMinMs: 300, suspicionMaxMs: 1200, gossipIntervalMs: 100 }],
    ['1000 / 400 / 4000 (memberlist-like)', { ...base, probeIntervalMs: 1000, probeTimeoutMs: 400, suspicionMinMs: 4000, suspicionMaxMs: 24_000, gossipIntervalMs: 200, lateToleranceMs: 50, unresponsiveGraceMs: 10_000 }],
    ['80 / 30 / 120, no listener checks', { ...base, listenerChecks: false }],
    ['80 / 30 / 120, no Lifeguard, no listener checks', { ...base, listenerChecks: false, lifeguard: false }],
  ];
  for (const [label, config] of rows) {
    const kill = detection(config, 3, 100, 'kill');
    const cut = detection(config, 3, 100, 'cut');
    const b = bandwidth(config, 3, 30);
    const f5 = falsePositives(config, 3, 0.05, 60);
    const f10 = falsePositives(config, 3, 0.1, 60);
    const f20 = falsePositives(config, 3, 0.2, 60);
    console.log(`| ${label} | ${kill.p50.toFixed(0)} / ${kill.p99.toFixed(0)} | ${cut.p50.toFixed(0)} / ${cut.p99.toFixed(0)} / ${cut.max.toFixed(0)} | ${kib(b.udpBps)} | ${f5.suspicionsPerHour.toFixed(1)} | ${f5.deathsPerHour.toFixed(2)} | ${f10.deathsPerHour.toFixed(2)} | ${f20.deathsPerHour.toFixed(2)} |`);
  }
}

const what = process.argv[2] ?? 'all';
const t0 = performance.now();
if (what === 'bandwidth' || what === 'all') printBandwidth();
if (what === 'tradeoff' || what === 'all') printTradeoff();
console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s of wall time)`);
