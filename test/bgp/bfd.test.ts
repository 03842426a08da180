// BFD (RFC 5880/5881) between our speaker and FRR's bfdd: a BGPPeer with a BFDProfile of 100 ms / x3 brings up a
// BFD session that FRR reports Up with our timers; when node1's link silently drops every packet, FRR sees BFD
// Down within about the 300 ms detection time, and our side ends the BGP session at once (its hold time is 30 s);
// when the link comes back, BFD and BGP come back.
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

const routerConfig: RouterConfig = {
  asn: 64500, routerId: '10.100.0.1', holdTimeSec: 30, connectRetrySec: 1,
  neighbors: [{ address: '10.100.0.11', asn: 64512, bfd: { receiveIntervalMs: 100, transmitIntervalMs: 100, detectMultiplier: 3 } }],
};

function peerSpec(): BgpPeerSpec {
  const config = configOf([
    pool('vips', ['10.200.0.0/24']),
    bfd('fast', { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }),
    peer('router', { myASN: 64512, peerASN: 64500, peerAddress: '10.100.0.1', holdTime: '30s', connectTime: '1s', bfdProfile: 'fast' }),
  ]);
  const r = peerSpecFromConfig(config.peers.get('router')!, config.bfdProfiles);
  assert.ok('spec' in r);
  assert.deepEqual(r.warnings, []);
  return r.spec;
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

  const frrBfd = async () => (await router.bfdPeers()).find((p) => p.peer === '10.100.0.11');

  test('BFD comes Up with our timers, a dead link takes BFD and BGP down in well under a second, and both come back', async (t) => {
    speaker = await LabSpeaker.start(net, 'node1', [peerSpec()], { bfd: true, registry });
    const session = speaker.sessions.get('10.100.0.1')!;
    await waitFor(async () => (await router.established()).has('10.100.0.11') && (await frrBfd())?.status === 'up' && speaker?.bfdState('10.100.0.1') === 'Up',
      { timeoutMs: 20_000, intervalMs: 200, what: 'BGP Established and BFD up on both sides' })
      .catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${router.output()}`); });
    const up = (await frrBfd())!;
    assert.deepEqual([up['remote-receive-interval'], up['remote-transmit-interval'], up['remote-detect-multiplier']], [100, 100, 3]);
    assert.equal(session.status().state, 'Established');
    const upMetric = (await registry.getSingleMetric('metallb_bfd_session_up')?.get())?.values.find((v) => v.labels['peer'] === '10.100.0.1');
    assert.equal(upMetric?.value, 1);

    let bgpDownAt: number | undefined;
    const stopWatching = session.onChange((s) => { if (s.state !== 'Established' && bgpDownAt === undefined) bgpDownAt = performance.now(); });
    const cutAt = performance.now();
    await cutLink(net, 'node1', 'silent');
    let frrDownAt: number | undefined;
    await waitFor(async () => {
      if ((await frrBfd())?.status !== 'up') frrDownAt ??= performance.now();
      return frrDownAt !== undefined && bgpDownAt !== undefined;
    }, { timeoutMs: 5000, intervalMs: 20, what: 'BFD down at FRR and our BGP session down' });
    stopWatching();
    const frrMs = Math.round(frrDownAt! - cutAt);
    const oursMs = Math.round(bgpDownAt! - cutAt);
    t.diagnostic(`after the cut: FRR saw BFD down in ${frrMs} ms, our BGP session ended in ${oursMs} ms (detect time 300 ms, hold time 30 s)`);
    assert.ok(frrMs < 1500, `FRR saw BFD down after ${frrMs} ms`);
    assert.ok(oursMs < 1500, `our BGP session ended after ${oursMs} ms`);
    assert.equal((await frrBfd())?.diagnostic, 'control detection time expired');

    await restoreLink(net, 'node1');
    await waitFor(async () => (await router.established()).has('10.100.0.11') && (await frrBfd())?.status === 'up' && session.status().state === 'Established',
      { timeoutMs: 30_000, intervalMs: 200, what: 'BGP and BFD back after the link returns' });
    await waitFor(() => speaker?.bfdState('10.100.0.1') === 'Up', { timeoutMs: 5000, what: 'our BFD side Up again' });
    const events = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values.find((v) => v.labels['peer'] === '10.100.0.1')?.value;
    assert.deepEqual([await events('metallb_bfd_session_up_events'), await events('metallb_bfd_session_down_events')], [2, 1], 'one Down (the cut), no flaps');
    assert.deepEqual([...speaker.bfd!.drops], [], 'no packet of FRR\'s was dropped');
  });
});
