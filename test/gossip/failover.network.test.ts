/**
 * Layer-2 failover end to end, in network namespaces: three speakers (gossip live set -> MetalLB's election ->
 * ARP announcer), one VIP, a client polling it over TCP. For each fault on the announcing node (kill -9 of its
 * speaker, its link cut, SIGTERM) the next node in election order must take over, and the owner must take the
 * VIP back once restored. Timing is the bench's business (bench/failover.ts); this asserts behaviour.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeNetwork } from '../support/network-tier.js';
import { FailoverLab, type Fault } from '../support/failover-lab.js';

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
      for (let i = 0; i < 2; i++) {
        const r = await l.trial(fault);
        t.diagnostic(`${fault} #${i + 1}: ${r.from} -> ${r.to} after ${r.ms.toFixed(1)} ms (${r.failedAttempts} failed connects)`);
        assert.equal(r.from, l.owner);
        assert.equal(r.to, l.successor);
      }
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
