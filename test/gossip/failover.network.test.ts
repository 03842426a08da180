/**
 * Layer-2 failover end to end, in network namespaces: three speakers (gossip live set -> MetalLB's election ->
 * ARP announcer), one VIP, a client polling it over TCP. For each fault on the announcing node (kill -9 of its
 * speaker, its link cut, SIGTERM) the next node in election order must take over, and the owner must take the
 * VIP back once restored. Each fault is tried FAILOVER_TRIALS times (20 by default) and the time from the fault to
 * the client's first answer through the new node is printed as a distribution; the comparison with keepalived and
 * the soak are the bench's business (bench/failover.ts). This asserts behaviour, not time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeNetwork } from '../support/network-tier.js';
import { FailoverLab, type Fault } from '../support/failover-lab.js';
import { summary } from '../sim/swim-sim.js';

const trials = Number(process.env['FAILOVER_TRIALS'] ?? 20);

describeNetwork('layer-2 failover with gossip membership', { binaries: ['nft'] }, () => {
  let lab: FailoverLab | undefined;
  before(async () => {
    lab = await FailoverLab.create('fot');
    await lab.useGossip('lan');
  });
  after(async () => {
    await lab?.close();
  });

  for (const fault of ['kill', 'cut', 'term'] as const satisfies readonly Fault[]) {
    test(`after ${fault === 'kill' ? 'kill -9 of' : fault === 'cut' ? 'a link cut of' : 'SIGTERM to'} the announcing speaker the next node in election order takes over, and the owner comes back`, async (t) => {
      const l = lab!;
      const ms: number[] = [];
      for (let i = 0; i < trials; i++) {
        const r = await l.trial(fault);
        t.diagnostic(`${fault} #${i + 1}: ${r.from} -> ${r.to} after ${r.ms.toFixed(1)} ms (${r.failedAttempts} failed connects)`);
        assert.equal(r.from, l.owner);
        assert.equal(r.to, l.successor);
        ms.push(r.ms);
      }
      const s = summary(ms);
      t.diagnostic(`${fault}: fault -> first answer through ${l.successor}, n=${s.n}: p50 ${s.p50.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`);
      // trial() restored the owner; it answers for the VIP again.
      await l.settle();
    });
  }

  test('a speaker stopped with SIGTERM leaves the gossip and exits cleanly', async () => {
    const l = lab!;
    const r = await l.trial('term');
    assert.equal(r.to, l.successor);
    await l.settle();
    assert.match(l.previousDaemonLog(l.owner), /"msg":"stopped"/);
  });
});
