// A BGPPeer with `vrf: red` against FRR (default VRF on its side). node1's LAN interface is enslaved to a Linux
// VRF device `red` (table 10), so the default VRF of node1 has no route to the router and only a socket bound to
// `red` reaches it. On a kernel built without CONFIG_NET_VRF (`ip link add ... type vrf` fails: "Unknown device
// type"), the test says so and uses the pre-l3mdev stand-in instead: the LAN interface itself is renamed `red`,
// its routes move to table 10, and `ip rule oif red lookup 10` serves exactly the sockets bound to `red`
// (SO_BINDTODEVICE), as a VRF does; the speaker's code path (bind the socket to the device named by `vrf`) is
// the same. The speaker starts before the device exists: the session waits, then opens when `red`
// appears; the Service's /32 reaches FRR with node1's address in the VRF as next hop, and deleting the Service
// withdraws it. Then a passive session (FRR dials in) shows the VRF listener accepting, and BFD to the VRF peer
// comes Up at FRR's bfdd from sockets bound to `red`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import { buildNetwork, defaultTopology, ipIn, runIn, waitFor, type Network } from '../../src/lab/netns/index.js';
import { FrrRouter } from '../../src/lab/routers/frr-router.js';
import type { RouterConfig } from '../../src/lab/routers/router.js';
import { TcpBgpAcceptor, TcpBgpDialer } from '../../src/net/bgp-tcp.js';
import { connectTcp } from '../../src/net/tcp-socket.js';
import { netDeviceExists } from '../../src/net/net-device.js';
import { systemClock } from '../../src/lib/clock.js';
import { errorCode } from '../../src/lib/errors.js';
import { parseCidr } from '../../src/lib/ip.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BgpSessions } from '../../src/speaker/bgp/bgp-sessions.js';
import { BgpSession } from '../../src/speaker/bgp/session.js';
import { peerSpecFromConfig } from '../../src/speaker/bgp/config-peer.js';
import { bfd, configOf, peer, pool } from '../support/config-objects.js';
import { Registry } from 'prom-client';
import { BfdSessions } from '../../src/speaker/bgp/bfd-sessions.js';
import { BfdMetrics } from '../../src/speaker/bgp/bfd-metrics.js';
import { BfdUdpTransportFactory } from '../../src/net/bfd-udp.js';

const frrBfd = { receiveIntervalMs: 100, transmitIntervalMs: 100, detectMultiplier: 3 };
const routerConfig: RouterConfig = {
  asn: 64500, routerId: '10.100.0.1', holdTimeSec: 9, connectRetrySec: 1, neighbors: [{ address: '10.100.0.11', asn: 64512, bfd: frrBfd }],
};
const vipPrefix = '10.200.0.10/32';

function vrfConfig(extra: Record<string, unknown> = {}) {
  return configOf([pool('vips', ['10.200.0.0/24']), bfd('fast', { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }),
    peer('router-red', { myASN: 64512, peerASN: 64500, peerAddress: '10.100.0.1', vrf: 'red', holdTime: '9s', connectTime: '1s', ...extra })]);
}

function vrfPeers() {
  return [...vrfConfig().peers.values()];
}

/** node1's TCP connections on port 179 as `ss` prints them (a socket bound to a device shows `%dev`). */
async function bgpSockets(net: Network): Promise<string> {
  return (await runIn(net.host('node1').netns, 'ss', ['-tnH', 'state', 'established', '( sport = :179 or dport = :179 )'])).stdout;
}

/**
 * Makes VRF `red` (table 10) in node1 holding its LAN interface: a real VRF device when the kernel has them, else
 * the interface renamed `red` with its routes in table 10 behind an oif rule.
 */
async function makeVrf(net: Network, realVrf: boolean): Promise<void> {
  const { netns, ifname } = net.host('node1');
  if (realVrf) {
    await ipIn(netns, ['link', 'add', 'red', 'type', 'vrf', 'table', '10']);
    await ipIn(netns, ['link', 'set', 'red', 'up']);
    await ipIn(netns, ['link', 'set', ifname, 'master', 'red']);
    return;
  }
  await ipIn(netns, ['link', 'set', ifname, 'down']);
  await ipIn(netns, ['link', 'set', ifname, 'name', 'red']);
  await ipIn(netns, ['link', 'set', 'red', 'up']);
  await ipIn(netns, ['-4', 'route', 'flush', 'dev', 'red', 'table', 'main']);
  await ipIn(netns, ['-4', 'route', 'add', '10.100.0.0/24', 'dev', 'red', 'src', '10.100.0.11', 'table', '10']);
  await ipIn(netns, ['-4', 'rule', 'add', 'oif', 'red', 'lookup', '10']);
}

/** Whether this kernel makes VRF devices (a probe device, deleted at once). */
async function vrfDevicesWork(netns: string): Promise<boolean> {
  const ok = await ipIn(netns, ['link', 'add', 'vrfprobe', 'type', 'vrf', 'table', '99']).then(() => true, () => false);
  if (ok) await ipIn(netns, ['link', 'del', 'vrfprobe']);
  return ok;
}

describeNetwork('BGP from a Linux VRF against FRR', { binaries: ['/usr/lib/frr/bgpd', '/usr/lib/frr/bfdd', '/usr/lib/frr/zebra', 'vtysh', 'ss'] }, () => {
  let net: Network;
  let router: FrrRouter;
  let acceptor: TcpBgpAcceptor | undefined;
  let sessions: BgpSessions | undefined;
  let passive: BgpSession | undefined;
  let bfdSessions: BfdSessions | undefined;

  before(async () => {
    net = await buildNetwork(defaultTopology(runPrefix('vr'), { nodes: 1, client: false }));
    router = new FrrRouter(net, 'router', routerConfig);
    await router.start();
  });
  after(async () => {
    bfdSessions?.close();
    passive?.close();
    sessions?.close();
    await acceptor?.close();
    await (router as FrrRouter | undefined)?.stopAll();
    await (net as Network | undefined)?.close();
  });

  test('the session waits for the VRF device, comes up only through it, and announces and withdraws the Service with the VRF address as next hop', async (t) => {
    const node = net.host('node1');
    const realVrf = await vrfDevicesWork(node.netns);
    if (!realVrf) t.diagnostic('this kernel has no VRF devices (CONFIG_NET_VRF): using the interface + oif rule stand-in for VRF red, and no default-VRF listener');
    // A socket bound to a plain device shares the port bucket of the unbound [::]:179: the stand-in cannot have both.
    acceptor = await TcpBgpAcceptor.listen({ netns: node.netns, defaultVrf: realVrf });
    sessions = new BgpSessions({
      dialer: new TcpBgpDialer({ netns: node.netns }), acceptor, clock: systemClock, logger: silentLogger(),
      nodeAddresses: () => ({ IPv4: node.ipv4! }), fallbackRouterId: 1, vrfExists: (vrf) => netDeviceExists(vrf, node.netns), vrfRetryMs: 300,
    });
    sessions.setPeers(vrfPeers());
    sessions.setService('default/web', [{ prefix: parseCidr(vipPrefix)!, localPref: 0, communities: [], largeCommunities: [], peers: [] }]);
    sessions.sync();
    assert.deepEqual(sessions.waitingForVrf(), ['router-red'], 'no VRF device yet: not opened');

    await makeVrf(net, realVrf);
    const established = async () => (await router.established()).has('10.100.0.11') && sessions?.status().get('router-red')?.state === 'Established';
    await waitFor(established, { timeoutMs: 15_000, intervalMs: 200, what: 'the VRF session Established' })
      .catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${router.output()}`); });
    assert.deepEqual(sessions.waitingForVrf(), []);

    assert.match(await bgpSockets(net), /10\.100\.0\.11\]?%red:\d+\s+\[?(::ffff:)?10\.100\.0\.1\]?:\d+/, 'the connection is bound to red');
    const unbound = await connectTcp({ netns: node.netns, remote: { ip: '10.100.0.1', port: 179 }, timeoutMs: 2000 }).then((s) => { s.destroy(); return 'connected'; }, (e: unknown) => errorCode(e));
    assert.equal(unbound, 'ENETUNREACH', 'the default VRF of node1 has no route to the router');

    await waitFor(async () => (await router.paths(vipPrefix)).length === 1, { timeoutMs: 10_000, intervalMs: 200, what: 'the /32 at FRR' });
    const [path] = await router.paths(vipPrefix);
    assert.equal(path!.nextHop, '10.100.0.11', 'next hop: the session\'s local address in the VRF');
    assert.deepEqual(path!.asPath, [64512]);

    sessions.setService('default/web', undefined);
    sessions.sync();
    await waitFor(async () => (await router.paths(vipPrefix)).length === 0, { timeoutMs: 10_000, intervalMs: 200, what: 'the /32 withdrawn at FRR' });
    sessions.close();
    sessions = undefined;
  });

  test('a passive VRF session is accepted on the listener bound to the VRF device', async () => {
    const node = net.host('node1');
    const r = peerSpecFromConfig(vrfPeers()[0]!);
    assert.ok('spec' in r);
    await waitFor(async () => !(await router.established()).has('10.100.0.11'), { timeoutMs: 15_000, intervalMs: 200, what: 'FRR to see the first session gone' });
    passive = new BgpSession({
      peer: { ...r.spec, passive: true }, defaultRouterId: 1, dialer: new TcpBgpDialer({ netns: node.netns }), acceptor: acceptor!,
      clock: systemClock, logger: silentLogger(),
    });
    passive.start();
    await waitFor(async () => (await router.established()).has('10.100.0.11') && passive?.status().state === 'Established',
      { timeoutMs: 15_000, intervalMs: 200, what: 'FRR\'s connection accepted in the VRF' })
      .catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${router.output()}`); });
    assert.match(await bgpSockets(net), /10\.100\.0\.11\]?%red:179\s+\[?(::ffff:)?10\.100\.0\.1\]?:\d+/, 'accepted on port 179 in red');
  });

  test('BFD for a VRF peer runs on sockets bound to the VRF device and comes Up at FRR, with the vrf metric label', async () => {
    passive?.close();
    passive = undefined;
    const node = net.host('node1');
    const registry = new Registry();
    bfdSessions = new BfdSessions({ transports: new BfdUdpTransportFactory({ netns: node.netns }), clock: systemClock, logger: silentLogger(), metrics: new BfdMetrics(registry) });
    sessions = new BgpSessions({
      dialer: new TcpBgpDialer({ netns: node.netns }), acceptor: acceptor!, clock: systemClock, logger: silentLogger(),
      nodeAddresses: () => ({ IPv4: node.ipv4! }), fallbackRouterId: 1, vrfExists: (vrf) => netDeviceExists(vrf, node.netns), bfd: bfdSessions,
    });
    const config = vrfConfig({ bfdProfile: 'fast' });
    sessions.setPeers([...config.peers.values()], config.bfdProfiles);
    const bfdUp = async () => (await registry.getSingleMetric('metallb_bfd_session_up')?.get())?.values
      .find((v) => v.labels['peer'] === '10.100.0.1' && v.labels['vrf'] === 'red')?.value === 1;
    await waitFor(async () => (await router.bfdPeers()).some((p) => p.peer === '10.100.0.11' && p.status === 'up') && await bfdUp() &&
      sessions?.status().get('router-red')?.state === 'Established', { timeoutMs: 15_000, intervalMs: 200, what: 'BFD up on both sides and BGP Established' })
      .catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${router.output()}`); });
    const p = (await router.bfdPeers()).find((x) => x.peer === '10.100.0.11')!;
    assert.deepEqual([p['remote-receive-interval'], p['remote-transmit-interval'], p['remote-detect-multiplier']], [100, 100, 3]);
    assert.match((await runIn(node.netns, 'ss', ['-unaH', '( sport = :3784 )'])).stdout, /%red:3784/, 'the BFD socket is bound to red');
  });
});
