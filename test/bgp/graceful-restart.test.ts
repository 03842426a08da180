// Graceful restart (RFC 4724) with FRR and BIRD as the router: when our speaker process dies, the router keeps
// forwarding on the stale routes until the restarted speaker's End-of-RIB, which also removes what the new
// speaker no longer announces; when the router restarts, the session comes back with every route re-announced.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import {
  buildNetwork, defaultTopology, startPod, KubeProxy, tcpRequest, waitFor, addresses, type Network, type SupervisedProcess,
} from '../../src/lab/netns/index.js';
import { FrrRouter } from '../../src/lab/routers/frr-router.js';
import { BirdRouter } from '../../src/lab/routers/bird-router.js';
import { kernelNextHops, type BgpRouter, type RouterConfig } from '../../src/lab/routers/router.js';
import type { BgpPeerSpec } from '../../src/speaker/bgp/peer-spec.js';
import type { AdSpec } from '../support/bgp-lab.js';

const agentMain = fileURLToPath(new URL('../support/bgp-agent.js', import.meta.url));
const routerConfig: RouterConfig = {
  asn: 64500, routerId: '10.100.0.1', holdTimeSec: 9, connectRetrySec: 1, gracefulRestart: true,
  neighbors: [{ address: '10.100.0.11', asn: 64512 }, { address: 'fd00:100::11', asn: 64500 }],
};
const peers: BgpPeerSpec[] = [
  { name: 'router-v4', peerAddress: '10.100.0.1', myAsn: 64512, peerAsn: 64500, holdTimeSec: 9, connectTimeSec: 1, enableGracefulRestart: true },
  { name: 'router-v6', peerAddress: 'fd00:100::1', myAsn: 64500, peerAsn: 64500, holdTimeSec: 9, connectTimeSec: 1, enableGracefulRestart: true },
];
const kept: AdSpec[] = [{ prefix: '10.200.0.10/32' }, { prefix: 'fd00:200::10/128' }];
const dropped: AdSpec = { prefix: '10.200.0.21/32' };

describeNetwork('BGP graceful restart', { binaries: ['bird', 'birdc', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', 'vtysh', 'nft', 'socat'] }, () => {
  let net: Network;
  let linkLocal: string | undefined;

  before(async () => {
    net = await buildNetwork(defaultTopology(runPrefix('mg'), { nodes: 1, client: false }));
    const node1 = net.host('node1');
    await startPod(net, 'node1', { tcpPort: 8080 });
    await new KubeProxy(node1.netns, [node1.ipv4!, node1.ipv6!]).setServices([
      { ip: '10.200.0.10', port: 80, protocol: 'tcp', backends: [{ ip: node1.ipv4!, port: 8080 }] },
    ]);
    linkLocal = (await addresses(node1.netns)).find((a) => a.ifname === 'eth0' && a.address.startsWith('fe80:'))?.address;
  });
  after(async () => {
    await (net as Network | undefined)?.close();
  });

  function startAgent(prefixes: readonly AdSpec[], defer: boolean): SupervisedProcess {
    const config = { peers, routerId: 0x0a64000b, prefixes, defer, ...(linkLocal === undefined ? {} : { linkLocal }) };
    return net.start('node1', [process.execPath, agentMain, JSON.stringify(config)], 'agent');
  }

  const routeTo = async (router: BgpRouter, prefix: string) => (await router.paths(prefix))[0];
  const bothUp = async (router: BgpRouter) => { const up = await router.established(); return up.has('10.100.0.11') && up.has('fd00:100::11'); };

  for (const kind of ['frr', 'bird'] as const) {
    describe(`with ${kind} as the router`, () => {
      let router: BgpRouter;
      let agent: SupervisedProcess | undefined;

      before(async () => {
        router = kind === 'frr' ? new FrrRouter(net, 'router', routerConfig) : new BirdRouter(net, 'router', routerConfig);
        await router.start();
      });
      after(async () => {
        await agent?.stop(1000);
        await router.stop();
        if (router instanceof FrrRouter) await router.stopAll();
      });

      test('a killed speaker leaves its routes stale and forwarding until the restarted speaker\'s End-of-RIB', async () => {
        agent = startAgent([...kept, dropped], false);
        await waitFor(async () => (await bothUp(router)) && (await routeTo(router, '10.200.0.21/32')) !== undefined && (await routeTo(router, 'fd00:200::10/128')) !== undefined,
          { timeoutMs: 20_000, intervalMs: 200, what: 'the sessions and routes' }).catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${agent?.output() ?? ''}`); });
        const outside = net.host('outside').netns;
        assert.equal(await tcpRequest(outside, '10.200.0.10', 80), 'node1 from 10.99.0.2\n');

        process.kill(agent.pid, 'SIGKILL');
        await agent.wait();
        await waitFor(async () => !(await router.established()).has('10.100.0.11'), { timeoutMs: 10_000, what: 'the router to see the session go' });
        const stale = await routeTo(router, '10.200.0.10/32');
        assert.ok(stale !== undefined, 'the route is kept after the crash');
        if (kind === 'frr') assert.equal(stale.stale, true, 'and marked stale');
        if (router instanceof BirdRouter) assert.ok(await router.gracefulRestartActive('10.100.0.11'), 'BIRD acts as GR helper for the peer');
        assert.deepEqual(await kernelNextHops(net.host('router').netns, '10.200.0.10/32'), ['10.100.0.11'], 'the kernel keeps forwarding');
        assert.equal(await tcpRequest(outside, '10.200.0.10', 80), 'node1 from 10.99.0.2\n', 'traffic still reaches the service');

        agent = startAgent(kept, true);
        await waitFor(() => bothUp(router), { timeoutMs: 20_000, intervalMs: 200, what: 'the restarted speaker\'s sessions' });
        assert.ok((await routeTo(router, '10.200.0.21/32')) !== undefined, 'no End-of-RIB yet: the dropped prefix is still held');
        assert.ok((await routeTo(router, '10.200.0.10/32')) !== undefined);
        assert.equal(await tcpRequest(outside, '10.200.0.10', 80), 'node1 from 10.99.0.2\n');

        process.kill(agent.pid, 'SIGUSR2');
        await waitFor(async () => (await routeTo(router, '10.200.0.21/32')) === undefined, { timeoutMs: 10_000, what: 'End-of-RIB to sweep the dropped prefix' });
        const fresh = await routeTo(router, '10.200.0.10/32');
        assert.equal(fresh?.stale, false, 're-announced, no longer stale');
        assert.ok((await routeTo(router, 'fd00:200::10/128')) !== undefined);
        assert.deepEqual(await kernelNextHops(net.host('router').netns, '10.200.0.10/32'), ['10.100.0.11']);
      });

      test('a restarted router gets the sessions back with every route re-announced', async () => {
        await router.stop();
        await router.start();
        await waitFor(async () => (await bothUp(router)) && (await routeTo(router, '10.200.0.10/32')) !== undefined && (await routeTo(router, 'fd00:200::10/128')) !== undefined,
          { timeoutMs: 30_000, intervalMs: 200, what: 'the sessions and every route after the router restart' });
        await waitFor(async () => (await kernelNextHops(net.host('router').netns, '10.200.0.10/32')).length === 1, { timeoutMs: 10_000, what: 'the kernel route' });
        assert.equal(await tcpRequest(net.host('outside').netns, '10.200.0.10', 80), 'node1 from 10.99.0.2\n');
      });
    });
  }
});
