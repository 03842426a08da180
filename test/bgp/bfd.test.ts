// BFD (RFC 5880/5881) between our speaker and FRR's bfdd, over IPv4 and IPv6 peering: BGPPeers with a BFDProfile
// of 100 ms / x3 bring up BFD sessions that FRR reports Up with our timers; when node1's link silently drops every
// packet, FRR sees BFD Down within about the 300 ms detection time, and our side ends the BGP sessions at once
// (their hold time is 30 s); when the link comes back, BFD and BGP come back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import { buildNetwork, cutLink, defaultTopology, restoreLink, waitFor, type Network } from '../../src/lab/netns/index.js';
import { FrrRouter } from '../../src/lab/routers/frr-router.js';
import type { RouterConfig } from '../../src/lab/routers/router.js';
import { peerSpecFromConfig } from '../../src/speaker/bgp/config-peer.js';
import type { BgpPeerSpec } from '../../src/speaker/bgp/peer-spec.js';
import { bfd, configOf, peer, pool } from '../support/config-objects.js';
import { LabSpeaker } from '../support/bgp-lab.js';

const frrBfd = { receiveIntervalMs: 100, transmitIntervalMs: 100, detectMultiplier: 3 };
const routerConfig: RouterConfig = {
  asn: 64500, routerId: '10.100.0.1', holdTimeSec: 30, connectRetrySec: 1,
  neighbors: [{ address: '10.100.0.11', asn: 64512, bfd: frrBfd }, { address: 'fd00:100::11', asn: 64512, bfd: frrBfd }],
};
/** Router address (our side's peer) -> node1's address (FRR's neighbor). */
const pairs = [['10.100.0.1', '10.100.0.11'], ['fd00:100::1', 'fd00:100::11']] as const;

function peerSpecs(): BgpPeerSpec[] {
  const timers = { myASN: 64512, peerASN: 64500, holdTime: '30s', connectTime: '1s', bfdProfile: 'fast' };
  const config = configOf([
    pool('vips', ['10.200.0.0/24']),
    bfd('fast', { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }),
    peer('router-v4', { peerAddress: '10.100.0.1', ...timers }),
    peer('router-v6', { peerAddress: 'fd00:100::1', ...timers }),
  ]);
  return [...config.peers.values()].map((p) => {
    const r = peerSpecFromConfig(p, config.bfdProfiles);
    assert.ok('spec' in r);
    assert.deepEqual(r.warnings, []);
    return r.spec;
  });
}

describeNetwork('BGP with BFD against FRR', { binaries: ['/usr/lib/frr/bfdd', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', 'vtysh', 'nft'] }, () => {
  let net: Network;
  let router: FrrRouter;
  let speaker: LabSpeaker | undefined;
  const registry = new Registry();

  before(async () => {
    net = await buildNetwork(defaultTopology(runPrefix('bf'), { nodes: 1, client: false }));
    router = new FrrRouter(net, 'router', routerConfig);
    await router.start();
  });
  after(async () => {
    await speaker?.close();
    await (router as FrrRouter | undefined)?.stopAll();
    await (net as Network | undefined)?.close();
  });

  const frrStatus = async () => new Map((await router.bfdPeers()).map((p) => [p.peer, p]));
  const metric = async (name: string, peerLabel: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((v) => v.labels['peer'] === peerLabel)?.value;
  const allUp = async () => {
    const [bgp, bfdPeers] = [await router.established(), await frrStatus()];
    return pairs.every(([ours, theirs]) => bgp.has(theirs) && bfdPeers.get(theirs)?.status === 'up' && speaker?.bfdState(ours) === 'Up' &&
      speaker.sessions.get(ours)?.status().state === 'Established');
  };

  test('BFD comes Up with our timers, a dead link takes BFD and BGP down in well under a second, and both come back', async (t) => {
    speaker = await LabSpeaker.start(net, 'node1', peerSpecs(), { bfd: true, registry });
    await waitFor(allUp, { timeoutMs: 20_000, intervalMs: 200, what: 'BGP Established and BFD up on both sides, both families' })
      .catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${router.output()}`); });
    const up = await frrStatus();
    for (const [ours, theirs] of pairs) {
      const p = up.get(theirs)!;
      assert.deepEqual([p['remote-receive-interval'], p['remote-transmit-interval'], p['remote-detect-multiplier']], [100, 100, 3], theirs);
      assert.equal(await metric('metallb_bfd_session_up', ours), 1);
    }

    const bgpDownAt = new Map<string, number>();
    const stops = pairs.map(([ours]) => speaker!.sessions.get(ours)!.onChange((s) => {
      if (s.state !== 'Established' && !bgpDownAt.has(ours)) bgpDownAt.set(ours, performance.now());
    }));
    const cutAt = performance.now();
    await cutLink(net, 'node1', 'silent');
    const frrDownAt = new Map<string, number>();
    const frrBgpDownAt = new Map<string, number>();
    await waitFor(async () => {
      for (const [theirs, p] of await frrStatus()) if (p.status !== 'up' && !frrDownAt.has(theirs)) frrDownAt.set(theirs, performance.now());
      const established = await router.established();
      for (const [, theirs] of pairs) if (!established.has(theirs) && !frrBgpDownAt.has(theirs)) frrBgpDownAt.set(theirs, performance.now());
      return frrDownAt.size === pairs.length && bgpDownAt.size === pairs.length && frrBgpDownAt.size === pairs.length;
    }, { timeoutMs: 5000, intervalMs: 20, what: 'BFD down at FRR and the BGP sessions down on both sides' });
    for (const stop of stops) stop();
    for (const [ours, theirs] of pairs) {
      const frrMs = Math.round(frrDownAt.get(theirs)! - cutAt);
      const oursMs = Math.round(bgpDownAt.get(ours)! - cutAt);
      const frrBgpMs = Math.round(frrBgpDownAt.get(theirs)! - cutAt);
      t.diagnostic(`${ours}: after the cut FRR saw BFD down in ${frrMs} ms and ended its BGP session in ${frrBgpMs} ms; ` +
        `our BGP session ended in ${oursMs} ms (detect time 300 ms, hold time 30 s)`);
      assert.ok(frrMs < 2000, `FRR saw BFD down after ${frrMs} ms`);
      assert.ok(frrBgpMs < 2000, `FRR ended its BGP session after ${frrBgpMs} ms`);
      assert.ok(oursMs < 2000, `our BGP session ended after ${oursMs} ms`);
      assert.equal((await frrStatus()).get(theirs)?.diagnostic, 'control detection time expired');
    }

    await restoreLink(net, 'node1');
    await waitFor(allUp, { timeoutMs: 30_000, intervalMs: 200, what: 'BGP and BFD back after the link returns' });
    for (const [ours] of pairs) {
      const [ups, downs] = [await metric('metallb_bfd_session_up_events', ours), await metric('metallb_bfd_session_down_events', ours)];
      // One Down is the cut; more would be flaps, which a starved event loop on a loaded machine can cause with
      // 100 ms timers: reported, not failed.
      if (downs !== 1) t.diagnostic(`${ours}: ${downs} BFD down events (1 expected from the cut; the rest are flaps under load)`);
      assert.ok(downs !== undefined && downs >= 1, `${ours}: the cut was counted`);
      assert.equal(ups, downs + 1, `${ours}: up again after every down`);
    }
    assert.deepEqual([...speaker.bfd!.drops], [], 'no packet of FRR\'s was dropped');
  });
});
