// Our BGP speaker on three lab nodes against FRR, BIRD 2 and GoBGP as the router, one after the other on one
// topology. What each node announces comes from MetalLB objects through config.build() and the speaker's
// per-Service rules (advertisements.ts): sessions over IPv4 (eBGP) and IPv6 (iBGP) peering, routes with their
// attributes (communities through a Community alias, large communities, LOCAL_PREF on iBGP, AS path on eBGP,
// aggregation), ECMP in the router's kernel, traffic from the outside host to the service, and withdrawal when
// the Service goes. node3's IPv4 session uses TCP MD5 with every router; with FRR a wrong key never comes up.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import {
  buildNetwork, defaultTopology, startPod, KubeProxy, tcpRequest, waitFor, type Network,
} from '../../src/lab/netns/index.js';
import { FrrRouter } from '../../src/lab/routers/frr-router.js';
import { BirdRouter } from '../../src/lab/routers/bird-router.js';
import { GobgpRouter } from '../../src/lab/routers/gobgp-router.js';
import { kernelNextHops, type BgpRouter, type RouterConfig, type RouterKind } from '../../src/lab/routers/router.js';
import type { BgpPeerSpec } from '../../src/speaker/bgp/peer-spec.js';
import { parseIp } from '../../src/lib/ip.js';
import type { Config } from '../../src/config/types.js';
import { advertisementsPerPeer, bgpDecision, peersForNode, type BgpNode, type BgpService } from '../../src/speaker/bgp/advertisements.js';
import { peerSpecFromConfig } from '../../src/speaker/bgp/config-peer.js';
import type { Advertisement } from '../../src/speaker/bgp/advertisement.js';
import { bgpAd, community, configOf, node, peer, pool } from '../support/config-objects.js';
import { LabSpeaker } from '../support/bgp-lab.js';

const nodes = ['node1', 'node2', 'node3'] as const;
const nodeV4 = ['10.100.0.11', '10.100.0.12', '10.100.0.13'];
const nodeV6 = ['fd00:100::11', 'fd00:100::12', 'fd00:100::13'];
const routerAsn = 64500;
const nodeAsn = 64512;
const md5Key = 's3cret';

/**
 * The MetalLB objects: IPv4 peering is eBGP (nodes AS 64512), IPv6 peering iBGP (localASN: the router's AS), so
 * both kinds are covered; node3 has its own IPv4 BGPPeer with an MD5 password. Two advertisements: the Service
 * IPs themselves with communities and LOCAL_PREF, and the /24 and /64 aggregates.
 */
function clusterConfig(password = md5Key): Config {
  const timers = { holdTime: '9s', connectTime: '2s' };
  const node3 = [{ matchLabels: { 'kubernetes.io/hostname': 'node3' } }];
  const notNode3 = [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['node3'] }] }];
  return configOf([
    ...nodes.map((n) => node(n)),
    pool('vips', ['10.200.0.0/24', 'fd00:200::/64']),
    peer('router-v4', { myASN: nodeAsn, peerASN: routerAsn, peerAddress: '10.100.0.1', nodeSelectors: notNode3, ...timers }),
    peer('router-v4-md5', { myASN: nodeAsn, peerASN: routerAsn, peerAddress: '10.100.0.1', nodeSelectors: node3, password, ...timers }),
    // One AS per node (config's rule), so the IPv6 session presents the router's AS with localASN: iBGP.
    peer('router-v6', { myASN: nodeAsn, localASN: routerAsn, peerASN: routerAsn, peerAddress: 'fd00:100::1', ...timers }),
    community('aliases', [['edge', '65000:100']]),
    bgpAd('hosts', { localPref: 150, communities: ['edge', '65535:65282', 'large:64512:1:2'] }),
    bgpAd('aggregates', { aggregationLength: 24, aggregationLengthV6: 64 }),
  ]);
}

const labNode = (name: string): BgpNode => ({ name, labels: { 'kubernetes.io/hostname': name }, networkUnavailable: false });
const webService: BgpService = { labels: { app: 'web' }, externalTrafficPolicy: 'Cluster', ips: [parseIp('10.200.0.10')!, parseIp('fd00:200::10')!], pool: 'vips' };
const webEndpoints = nodes.map((n, i) => ({ nodeName: n, addresses: [nodeV4[i]!], conditions: { ready: true } }));

/** What `node` announces to each of its peers, with `services` present. */
function desiredFor(config: Config, node: string, services: readonly BgpService[]): Map<string, Advertisement[]> {
  const n = labNode(node);
  const prefixes = services.flatMap((svc) => { const d = bgpDecision(config, n, svc, webEndpoints); return d.announce ? d.prefixes : []; });
  return advertisementsPerPeer(prefixes, peersForNode(config, n).map((p) => p.name));
}

/** The session specs of `node` from the config, with the router under test. */
function peerSpecs(config: Config, node: string, gracefulRestart: boolean): BgpPeerSpec[] {
  return peersForNode(config, labNode(node)).map((p) => {
    const r = peerSpecFromConfig(p);
    if ('unsupported' in r) throw new Error(r.unsupported);
    return { ...r.spec, enableGracefulRestart: gracefulRestart };
  });
}

/** The router's side of the same sessions. */
function routerConfig(gracefulRestart: boolean): RouterConfig {
  return {
    asn: routerAsn, routerId: '10.100.0.1', holdTimeSec: 9, connectRetrySec: 1, gracefulRestart,
    neighbors: [
      ...nodeV4.map((address, i) => ({ address, asn: nodeAsn, ...(i === 2 ? { password: md5Key } : {}) })),
      ...nodeV6.map((address) => ({ address, asn: routerAsn })),
    ],
  };
}

function makeRouter(kind: RouterKind, net: Network, gracefulRestart: boolean): BgpRouter {
  const config = routerConfig(gracefulRestart);
  switch (kind) {
    case 'frr': return new FrrRouter(net, 'router', config);
    case 'bird': return new BirdRouter(net, 'router', config);
    case 'gobgp': return new GobgpRouter(net, 'router', config);
  }
}

describeNetwork('BGP speaker against real routers', {
  binaries: ['bird', 'birdc', 'gobgpd', 'gobgp', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', 'vtysh', 'nft', 'socat'],
}, () => {
  let net: Network;

  before(async () => {
    net = await buildNetwork(defaultTopology(runPrefix('mb'), { nodes: 3, client: false }));
    for (const [i, node] of nodes.entries()) {
      await startPod(net, node, { tcpPort: 8080 });
      const proxy = new KubeProxy(net.host(node).netns, [nodeV4[i]!, nodeV6[i]!]);
      await proxy.setServices([
        { ip: '10.200.0.10', port: 80, protocol: 'tcp', backends: [{ ip: nodeV4[i]!, port: 8080 }] },
        { ip: 'fd00:200::10', port: 80, protocol: 'tcp', backends: [{ ip: nodeV6[i]!, port: 8080 }] },
      ]);
    }
  });
  after(async () => {
    await (net as Network | undefined)?.close();
  });

  // BGP_ROUTERS=bird,frr narrows the run while working on one router.
  const kinds = (process.env['BGP_ROUTERS']?.split(',') ?? ['frr', 'bird', 'gobgp']) as RouterKind[];
  for (const kind of kinds) {
    describe(`with ${kind} as the router`, () => {
      let router: BgpRouter;
      const speakers: LabSpeaker[] = [];
      const allPeers = [...nodeV4, ...nodeV6];
      const syncKernel = async (): Promise<void> => { if (router instanceof GobgpRouter) await router.syncKernel(); };

      const config = clusterConfig();
      const announce = (services: readonly BgpService[]): void => {
        for (const s of speakers) s.advertisePerPeer(desiredFor(config, s.node, services));
      };

      before(async () => {
        router = makeRouter(kind, net, false);
        await router.start();
        for (const node of nodes) speakers.push(await LabSpeaker.start(net, node, peerSpecs(config, node, false)));
        announce([webService]);
      });
      after(async () => {
        for (const s of speakers) await s.close();
        await router.stop();
      });

      test('every session comes up over IPv4 and IPv6 peering', async () => {
        await waitFor(async () => { const up = await router.established(); return allPeers.every((a) => up.has(a)); }, {
          timeoutMs: 30_000, intervalMs: 200, what: `${kind} to establish all six sessions`,
        }).catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${router.output().slice(-3000)}`); });
        await waitFor(() => speakers.every((s) => s.allEstablished()), { timeoutMs: 10_000, what: 'our sessions to be Established' });
      });

      test('the IPv4 /32 arrives from every node with communities, large communities and our AS path (eBGP)', async () => {
        const paths = await waitFor(async () => { const p = await router.paths('10.200.0.10/32'); return p.length === 3 ? p : undefined; },
          { timeoutMs: 10_000, what: 'three paths to 10.200.0.10/32' });
        assert.deepEqual(paths.map((p) => p.nextHop).sort(), nodeV4);
        for (const p of paths) {
          assert.deepEqual(p.asPath, [nodeAsn]);
          assert.deepEqual(p.communities, ['65000:100', '65535:65282'], 'the Community alias resolved, and no-advertise');
          assert.deepEqual(p.largeCommunities, ['64512:1:2']);
        }
        const aggregate = await router.paths('10.200.0.0/24');
        assert.equal(aggregate.length, 3, 'the aggregate /24 arrives too');
        assert.deepEqual(aggregate[0]!.communities, [], 'with the aggregate advertisement\'s (no) communities');
      });

      test('the IPv6 /128 arrives over iBGP with LOCAL_PREF 150 and an empty AS path', async () => {
        const paths = await waitFor(async () => { const p = await router.paths('fd00:200::10/128'); return p.length === 3 ? p : undefined; },
          { timeoutMs: 10_000, what: 'three paths to fd00:200::10/128' });
        assert.deepEqual(paths.map((p) => p.nextHop).sort(), nodeV6);
        for (const p of paths) {
          assert.deepEqual(p.asPath, []);
          assert.equal(p.localPref, 150);
          assert.deepEqual(p.communities, ['65000:100', '65535:65282']);
          assert.deepEqual(p.largeCommunities, ['64512:1:2']);
        }
        assert.equal((await router.paths('fd00:200::/64')).length, 3, 'the aggregate /64 arrives too');
      });

      test('the router installs ECMP routes across the three nodes and the outside host reaches the service', async () => {
        const routerNs = net.host('router').netns;
        await waitFor(async () => { await syncKernel(); return (await kernelNextHops(routerNs, '10.200.0.10/32')).length === 3; },
          { timeoutMs: 10_000, what: 'an IPv4 ECMP route with three next hops' });
        assert.deepEqual(await kernelNextHops(routerNs, '10.200.0.10/32'), nodeV4);
        await waitFor(async () => (await kernelNextHops(routerNs, 'fd00:200::10/128')).length === 3, { timeoutMs: 10_000, what: 'an IPv6 ECMP route' });
        const outside = net.host('outside').netns;
        const answers = new Set<string>();
        for (let i = 0; i < 12 && answers.size < 2; i++) answers.add((await tcpRequest(outside, '10.200.0.10', 80)).split(' ')[0] ?? '');
        assert.ok(answers.size >= 2, `connections spread over nodes: ${[...answers].join(', ')}`);
        assert.match(await tcpRequest(outside, 'fd00:200::10', 80), /^node[123] from fd00:99::2\n$/);
      });

      if (kind === 'frr') {
        test('MD5: the right key gives a session, a wrong key never does', async () => {
          const node3 = speakers[2]!;
          assert.ok((await router.established()).has('10.100.0.13'), 'node3 peers with the key');
          const v4 = (c: Config) => peerSpecs(c, 'node3', false).find((p) => p.name === 'router-v4-md5')!;
          await node3.replace(v4(clusterConfig('wrong')));
          await waitFor(async () => !(await router.established()).has('10.100.0.13'), { timeoutMs: 15_000, what: 'the old session to end' });
          const deadline = performance.now() + 6000;
          while (performance.now() < deadline) {
            assert.ok(!(await router.established()).has('10.100.0.13'), 'a wrong key must never bring the session up');
            assert.notEqual(node3.sessions.get('10.100.0.1')!.status().state, 'Established');
            await new Promise((r) => setTimeout(r, 250));
          }
          await node3.replace(v4(config));
          node3.advertisePerPeer(desiredFor(config, 'node3', [webService]));
          await waitFor(async () => (await router.established()).has('10.100.0.13'), { timeoutMs: 20_000, what: 'the session with the right key' });
        });
      }

      test('deleting the Service withdraws its routes from the router and its kernel', async () => {
        announce([]);
        await waitFor(async () => (await router.paths('10.200.0.10/32')).length === 0 && (await router.paths('fd00:200::10/128')).length === 0,
          { timeoutMs: 10_000, what: 'the routes to be withdrawn' });
        await syncKernel();
        assert.deepEqual(await kernelNextHops(net.host('router').netns, '10.200.0.10/32'), []);
        await waitFor(async () => (await kernelNextHops(net.host('router').netns, 'fd00:200::10/128')).length === 0, { timeoutMs: 5000 });
      });
    });
  }
});
