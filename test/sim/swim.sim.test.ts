/**
 * Seeded multi-node simulations of SWIM on an in-memory network with a fake clock: no sleeps, and every run
 * with the same seed is the same run. Times asserted here are simulated milliseconds (deterministic), not
 * wall-clock ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSwimConfig, fastSwimConfig } from '../../src/protocol/swim/config.js';
import type { SwimConfig } from '../../src/protocol/swim/config.js';
import { PacketBuilder } from '../../src/protocol/swim/packet.js';
import { SimNetwork, summary } from './swim-sim.js';
import type { SimNode } from './swim-sim.js';

function convergedCluster(seed: number, count: number, config: SwimConfig = defaultSwimConfig(), lossRate = 0): { net: SimNetwork; nodes: SimNode[] } {
  // Timers fire up to 3 ms early, as Node's can.
  const net = new SimNetwork({ seed, config, lossRate, earlyTimerMs: 3 });
  const nodes = net.cluster(count);
  const took = net.runUntil(() => net.converged(), 60_000, 5);
  assert.ok(took !== undefined, `${count} nodes did not converge`);
  return { net, nodes };
}

/**
 * Fails one member at a random moment, killed (its process gone: its kernel refuses connections) or cut off (its
 * link down: nothing answers), and returns how long until every survivor holds it dead.
 */
function detectionMs(seed: number, count: number, config: SwimConfig, how: 'kill' | 'cut' = 'kill'): number {
  const { net, nodes } = convergedCluster(seed, count, config);
  net.run(1000 + net.random() * 1000);
  const victim = nodes[Math.floor(net.random() * nodes.length)]!;
  if (how === 'kill') victim.stop();
  else net.isolate(victim.name);
  const survivors = nodes.filter((n) => n !== victim);
  const took = net.runUntil(() => survivors.every((n) => n.view(victim.name) === 'dead'), 10_000, 1);
  assert.ok(took !== undefined, `seed ${seed}: ${victim.name} was never declared dead by everyone`);
  return took;
}

function deathsOf(net: SimNetwork, sinceMs: number, names?: readonly string[]): number {
  return net.transitions.filter((t) => t.atMs >= sinceMs && t.to === 'dead' && (names === undefined || names.includes(t.member))).length;
}

test('three nodes that join through one seed converge within a second', () => {
  const net = new SimNetwork({ seed: 1, config: defaultSwimConfig() });
  net.cluster(3);
  const took = net.runUntil(() => net.converged(), 5000, 1);
  assert.ok(took !== undefined && took < 1000, `took ${took} ms`);
});

test('a killed member is declared dead by every survivor within 250 ms with the defaults (3 nodes, 100 trials)', (t) => {
  const s = summary(Array.from({ length: 100 }, (_, i) => detectionMs(100 + i, 3, defaultSwimConfig())));
  t.diagnostic(`default profile, 3 nodes, kill, detection ms: ${JSON.stringify(s)}`);
  assert.ok(s.max < 250, `max ${s.max} ms`);
  assert.ok(s.p50 > 20, 'detection is not instantaneous: the numbers are real');
});

test('a member cut off (nothing answers, not even its kernel) is declared dead within 400 ms with the defaults', (t) => {
  const s = summary(Array.from({ length: 100 }, (_, i) => detectionMs(400 + i, 3, defaultSwimConfig(), 'cut')));
  t.diagnostic(`default profile, 3 nodes, link cut, detection ms: ${JSON.stringify(s)}`);
  assert.ok(s.max < 400, `max ${s.max} ms`);
});

test('the fast profile detects a killed member within 150 ms and a cut-off one within 250 ms (3 nodes, 100 trials)', (t) => {
  const kill = summary(Array.from({ length: 100 }, (_, i) => detectionMs(300 + i, 3, fastSwimConfig())));
  const cut = summary(Array.from({ length: 100 }, (_, i) => detectionMs(600 + i, 3, fastSwimConfig(), 'cut')));
  t.diagnostic(`fast profile, 3 nodes, detection ms: kill ${JSON.stringify(kill)}, cut ${JSON.stringify(cut)}`);
  assert.ok(kill.max < 150, `kill max ${kill.max} ms`);
  assert.ok(cut.max < 250, `cut max ${cut.max} ms`);
});

test('ten nodes detect a cut-off member within a second (30 trials)', (t) => {
  const s = summary(Array.from({ length: 30 }, (_, i) => detectionMs(500 + i, 10, defaultSwimConfig(), 'cut')));
  t.diagnostic(`default profile, 10 nodes, link cut, detection ms: ${JSON.stringify(s)}`);
  assert.ok(s.max < 1000, `max ${s.max} ms`);
});

test('no member is declared dead at 5% packet loss: 3 nodes for 20 minutes, 10 nodes for 5 minutes', (t) => {
  for (const [count, minutes] of [[3, 20], [10, 5]] as const) {
    const { net } = convergedCluster(7 + count, count);
    net.lossRate = 0.05;
    const start = net.clock.nowMs();
    net.run(minutes * 60_000, 50);
    const suspicions = net.transitions.filter((x) => x.atMs >= start && x.to === 'suspect').length;
    t.diagnostic(`${count} nodes, ${minutes} min at 5% loss: ${suspicions} suspicions, all refuted`);
    assert.equal(deathsOf(net, start), 0);
    assert.ok(suspicions > 0, 'the loss did cause suspicions, so refutation was exercised');
    net.lossRate = 0;
    net.run(2000);
    assert.ok(net.converged());
  }
});

test('a partition is detected on both sides and heals by itself', () => {
  const { net, nodes } = convergedCluster(21, 6);
  const left = nodes.slice(0, 3).map((n) => n.name);
  const right = nodes.slice(3).map((n) => n.name);
  net.partition(left, right);
  const split = net.runUntil(() => nodes.every((n) => {
    const other = left.includes(n.name) ? right : left;
    return other.every((o) => n.view(o) === 'dead');
  }), 10_000, 5);
  assert.ok(split !== undefined, 'each side declares the other dead');
  net.heal();
  const healed = net.runUntil(() => net.converged(), 30_000, 10);
  assert.ok(healed !== undefined && healed <= 2 * defaultSwimConfig().reconnectIntervalMs, `healed in ${healed} ms`);
});

test('an isolated node that comes back does not bury the members it lost sight of', () => {
  let falseDeaths = 0;
  for (let seed = 0; seed < 20; seed++) {
    const { net, nodes } = convergedCluster(200 + seed, 3);
    const [a, b, isolated] = nodes as [SimNode, SimNode, SimNode];
    net.isolate(isolated.name);
    assert.ok(net.runUntil(() => a.view(isolated.name) === 'dead' && isolated.view(a.name) === 'dead' && isolated.view(b.name) === 'dead', 10_000, 5) !== undefined);
    const healedAt = net.clock.nowMs();
    net.heal();
    assert.ok(net.runUntil(() => net.converged(), 20_000, 5) !== undefined, `seed ${seed}: healed`);
    falseDeaths += net.transitions.filter((t) => t.atMs >= healedAt && t.observer !== isolated.name && t.to === 'dead').length;
  }
  assert.equal(falseDeaths, 0);
});

test('a member that stops answering for a moment is suspected, refutes, and is never declared dead', () => {
  const { net, nodes } = convergedCluster(31, 3);
  const victim = nodes[1]!;
  const before = victim.state.incarnation;
  const start = net.clock.nowMs();
  // Stalls for 110 ms at random moments until one stall swallows a whole probe period and someone suspects it.
  let tries = 0;
  while (net.transitionsOf(victim.name, 'suspect', start).length === 0 && tries++ < 50) {
    victim.stallOnce(110);
    net.run(200 + Math.floor(net.random() * 400), 1);
  }
  assert.ok(net.transitionsOf(victim.name, 'suspect', start).length > 0, 'the stall caused a suspicion');
  net.run(3000);
  assert.ok(victim.state.incarnation > before, 'the member refuted with a higher incarnation');
  assert.equal(net.transitionsOf(victim.name, 'dead', start).length, 0);
  assert.ok(net.converged());
});

test('a forged suspicion is refuted everywhere', () => {
  const { net, nodes } = convergedCluster(41, 5);
  const [a, b, c] = nodes as [SimNode, SimNode, SimNode];
  const forged = new PacketBuilder(c.name, 1400).add({ type: 'suspect', incarnation: b.state.incarnation, name: b.name, from: c.name }).finish();
  const start = net.clock.nowMs();
  a.run({ type: 'packet', nowMs: start, from: c.address, body: forged });
  assert.equal(a.view(b.name), 'suspect');
  net.run(2000);
  assert.equal(net.transitionsOf(b.name, 'dead', start).length, 0);
  assert.ok(nodes.every((n) => n.state.members.get(b.name)?.incarnation === b.state.incarnation && n.view(b.name) === 'alive'));
});

test('fifty nodes converge, see no false death in a minute at 1% loss, and all detect a killed member', (t) => {
  const { net, nodes } = convergedCluster(51, 50);
  net.lossRate = 0.01;
  const start = net.clock.nowMs();
  net.run(60_000, 20);
  assert.equal(deathsOf(net, start), 0);
  const victim = nodes[17]!;
  victim.stop();
  const survivors = nodes.filter((n) => n !== victim);
  const took = net.runUntil(() => survivors.every((n) => n.view(victim.name) === 'dead'), 10_000, 2);
  const cut = nodes[33]!;
  net.isolate(cut.name);
  const others = survivors.filter((n) => n !== cut);
  const tookCut = net.runUntil(() => others.every((n) => n.view(cut.name) === 'dead'), 10_000, 2);
  t.diagnostic(`50 nodes: all survivors hold a killed member dead after ${took} ms, a cut-off one after ${tookCut} ms`);
  assert.ok(took !== undefined && took < 2000, `took ${took} ms`);
  assert.ok(tookCut !== undefined && tookCut < 2000, `took ${tookCut} ms`);
  const observersOfOthers = net.transitions.filter((x) => x.atMs >= start && x.to === 'dead' && x.observer !== cut.name && x.member !== victim.name && x.member !== cut.name);
  assert.equal(observersOfOthers.length, 0, 'nobody else died');
});

function slowNodeRun(config: SwimConfig): { accusedBySlow: number; healthyDeaths: number; slowDeaths: number; slowAwareness: number } {
  const { net, nodes } = convergedCluster(61, 5, config);
  const slow = nodes[0]!;
  // Every packet waits 100 ms before the slow node reads it; its timers stay on time.
  slow.inboundDelayMs = 100;
  const start = net.clock.nowMs();
  let maxAwareness = 0;
  for (let i = 0; i < 120; i++) {
    net.run(1000, 20);
    maxAwareness = Math.max(maxAwareness, slow.state.awareness);
  }
  const healthy = nodes.slice(1).map((n) => n.name);
  return {
    accusedBySlow: net.transitions.filter((x) => x.atMs >= start && x.observer === slow.name && x.to === 'suspect').length,
    healthyDeaths: deathsOf(net, start, healthy),
    slowDeaths: deathsOf(net, start, [slow.name]),
    slowAwareness: maxAwareness,
  };
}

test('a slow node doubts itself instead of accusing others (Lifeguard), where plain SWIM accuses', (t) => {
  // Listener checks off in both runs, to see Lifeguard's part alone.
  const withLifeguard = slowNodeRun({ ...defaultSwimConfig(), listenerChecks: false });
  const plain = slowNodeRun({ ...defaultSwimConfig(), listenerChecks: false, lifeguard: false });
  t.diagnostic(`2 min with one node reading packets 100 ms late: lifeguard ${JSON.stringify(withLifeguard)}, plain SWIM ${JSON.stringify(plain)}`);
  assert.equal(withLifeguard.healthyDeaths, 0);
  assert.ok(withLifeguard.accusedBySlow <= 5, `the slow node accused ${withLifeguard.accusedBySlow} times`);
  assert.ok(withLifeguard.slowAwareness >= 2, 'its local health score rose');
  assert.ok(plain.accusedBySlow > 100 && plain.healthyDeaths > 0, 'without Lifeguard the same slow node accuses healthy members');
});

test('a slow node whose kernel still answers is never declared dead, and buries nobody (the defaults)', (t) => {
  const r = slowNodeRun(defaultSwimConfig());
  t.diagnostic(`2 min with one node reading packets 100 ms late, defaults: ${JSON.stringify(r)}`);
  assert.equal(r.healthyDeaths, 0);
  assert.equal(r.slowDeaths, 0);
});

test('a member silent for longer than any suspicion, but whose kernel answers, is not declared dead; a hung one is, after the grace', () => {
  const { net, nodes } = convergedCluster(65, 3);
  const victim = nodes[2]!;
  const start = net.clock.nowMs();
  victim.stallOnce(1500);
  net.run(3000, 5);
  assert.equal(net.transitionsOf(victim.name, 'dead', start).length, 0, 'a 1.5 s stall is survived');
  victim.stallOnce(60_000);
  const hungAt = net.clock.nowMs();
  const took = net.runUntil(() => nodes.slice(0, 2).every((n) => n.view(victim.name) === 'dead'), 10_000, 5);
  assert.ok(took !== undefined && took >= defaultSwimConfig().unresponsiveGraceMs, `declared dead after ${took} ms`);
  assert.ok(took! < defaultSwimConfig().unresponsiveGraceMs + 1000);
  assert.ok(net.transitionsOf(victim.name, 'dead', hungAt).length > 0);
});

test('a node whose event loop stalls reads the replies that came in before it judges anyone', () => {
  // A slower network (2-8 ms each way) leaves replies in flight when a stall starts.
  const net = new SimNetwork({ seed: 71, config: defaultSwimConfig(), latencyMs: { min: 2, max: 8 } });
  const nodes = net.cluster(5);
  assert.ok(net.runUntil(() => net.converged(), 60_000, 5) !== undefined);
  const slow = nodes[0]!;
  slow.setStall({ periodMs: 700, stallMs: 90 });
  const start = net.clock.nowMs();
  net.run(5 * 60_000, 20);
  const accused = net.transitions.filter((x) => x.atMs >= start && x.observer === slow.name && x.to === 'suspect');
  assert.equal(accused.length, 0);
  assert.equal(deathsOf(net, start), 0);
  assert.ok((slow.counters.get('verdictDeferred') ?? 0) > 0, 'late verdicts were deferred');
});

test('a graceful leave reaches every member within a millisecond', () => {
  const { net, nodes } = convergedCluster(81, 5);
  const leaver = nodes[2]!;
  leaver.run({ type: 'leave', nowMs: net.clock.nowMs() });
  const others = nodes.filter((n) => n !== leaver);
  const took = net.runUntil(() => others.every((n) => n.view(leaver.name) === 'left'), 1000, 0.1);
  assert.ok(took !== undefined && took <= 1, `took ${took} ms`);
  net.runUntil(() => leaver.leaveDone, 1000, 1);
  assert.ok(leaver.leaveDone);
});

test('a killed member that restarts with a newer incarnation is alive everywhere again', () => {
  const { net, nodes } = convergedCluster(91, 4);
  const victim = nodes[3]!;
  victim.stop();
  net.runUntil(() => nodes.slice(0, 3).every((n) => n.view(victim.name) === 'dead'), 5000, 5);
  // The new run starts from incarnation 0 again (as a node without a clock would), below its death notice.
  const restarted = net.restart(victim.name, 0);
  net.join(restarted, [nodes[0]!.address]);
  const took = net.runUntil(() => net.converged(), 5000, 5);
  assert.ok(took !== undefined, 'rejoined');
  assert.ok(restarted.state.incarnation > 0, 'it outlived the death notice of its previous run');
});
