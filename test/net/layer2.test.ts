// Layer 2 against the Linux kernel: three nodes run our ARP/NDP responders (in their own namespaces), a client
// namespace talks to the VIP through its kernel, and the election moves the VIP when the live set changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import { Layer2Lab, type LabService } from '../support/layer2-lab.js';
import {
  buildNetwork, defaultTopology, addresses, neighbors, tcpRequest, waitFor, L2Probe, NeighborMonitor, wallNowMs, type Network,
} from '../../src/lab/netns/index.js';
import { parseIp } from '../../src/lib/ip.js';
import { encodeEthernet } from '../../src/protocol/ethernet/ethernet.js';
import { solicitedNodeAddress, multicastMac } from '../../src/protocol/ndp/ipv6-addresses.js';
import { encodeNdpPacket } from '../../src/protocol/ndp/ndp-frame.js';
import { sourceLinkLayerOption } from '../../src/protocol/ndp/ndp-options.js';

const ip = (s: string) => parseIp(s)!;
const vip4 = ip('10.200.0.10');
const vip6 = ip('fd00:200::10');
const allNodes = [{ conditions: { ready: true } }];
const everywhere = { nodeSelectors: [], interfaces: [], serviceSelectors: [], preferredNodeSelectors: [] };

const web: LabService = {
  name: 'default/web', ips: [vip4, vip6], port: 80, externalTrafficPolicy: 'Cluster',
  advertisements: [everywhere], endpoints: allNodes,
};

describeNetwork('layer 2 against the kernel', { binaries: ['nft', 'socat'] }, () => {
  const prefix = runPrefix('l2');
  let net: Network;
  let lab: Layer2Lab;
  let probe: L2Probe;
  const mac = (node: string) => net.host(node).mac;
  const client = () => net.host('client').netns;
  const neighborOf = async (target: string) => (await neighbors(client())).find((n) => n.ip === target)?.lladdr;

  before(async () => {
    net = await buildNetwork(defaultTopology(prefix, { nodes: 3, router: false }));
    // node1 excludes eth0 from announcing, as MetalLB's exclusion list would exclude, say, a veth.
    lab = await Layer2Lab.start(net, { announcer: (h) => (h.name === 'node1' ? { excludeInterfaces: ['^eth0$'] } : {}) });
    const c = net.host('client');
    probe = L2Probe.open({ netns: c.netns, ifname: 'eth0', mac: c.mac, ipv4: ip(c.ipv4!), ipv6: ip(c.ipv6!) });
    await lab.setService(web);
  });
  after(async () => {
    (probe as L2Probe | undefined)?.close();
    (lab as Layer2Lab | undefined)?.close();
    await (net as Network | undefined)?.close();
  });

  test('TCP from the client to the VIP reaches the elected node over IPv4 and IPv6, and the VIP is on no interface', async () => {
    const elected = lab.elected('default/web');
    assert.equal(elected, 'node3', 'sha256 order for 10.200.0.10 is node3, node2, node1');
    assert.equal(await tcpRequest(client(), '10.200.0.10', 80), 'node3 from 10.100.0.100\n');
    assert.equal(await tcpRequest(client(), 'fd00:200::10', 80), 'node3 from fd00:100::100\n');
    assert.equal(await neighborOf('10.200.0.10'), mac('node3'));
    assert.equal(await neighborOf('fd00:200::10'), mac('node3'));
    for (const node of net.hosts('node')) {
      const onNode = (await addresses(node.netns)).map((a) => a.address);
      assert.ok(!onNode.includes('10.200.0.10') && !onNode.includes('fd00:200::10'), `${node.name}: ${onNode.join(' ')}`);
    }
    assert.ok(await lab.metric('node3', 'metallb_layer2_responses_sent', { ip: '10.200.0.10' }) >= 1);
    assert.ok(await lab.metric('node3', 'metallb_layer2_gratuitous_sent', { ip: 'fd00:200::10' }) >= 1);
  });

  test('when the elected node leaves the live set, the new node\'s gratuitous ARP/NA moves the client within 100 ms', async (t) => {
    const monitor = await NeighborMonitor.start(client(), 'eth0');
    try {
      const decidedAt = performance.now();
      const decidedAtWall = wallNowMs();
      lab.setLiveSet(['node1', 'node2']);
      assert.equal(lab.elected('default/web'), 'node2');
      const moves = await waitFor(() => {
        const v4 = monitor.firstMove('10.200.0.10', mac('node2'), decidedAtWall);
        const v6 = monitor.firstMove('fd00:200::10', mac('node2'), decidedAtWall);
        return v4 !== undefined && v6 !== undefined ? [v4, v6] : undefined;
      }, { timeoutMs: 3000, what: 'the client kernel to move both neighbor entries to node2' });
      const [v4Ms, v6Ms] = moves.map((e) => e.atWallMs - decidedAtWall) as [number, number];
      const garp = probe.answersFor(vip4, decidedAt, ['arp-request', 'arp-reply']).filter((a) => a.mac === mac('node2'));
      const na = probe.answersFor(vip6, decidedAt, ['na']).filter((a) => a.mac === mac('node2') && a.override === true && a.solicited === false);
      assert.ok(garp.length >= 2 && na.length >= 1, 'gratuitous ARP request+reply and an unsolicited NA with Override');
      t.diagnostic(`decision -> client kernel neighbor entry moved: IPv4 ${v4Ms.toFixed(2)} ms, IPv6 ${v6Ms.toFixed(2)} ms`);
      assert.ok(v4Ms <= 100 && v6Ms <= 100, `entries moved after ${v4Ms.toFixed(2)} / ${v6Ms.toFixed(2)} ms`);
      assert.equal(await neighborOf('10.200.0.10'), mac('node2'));
      assert.equal(await tcpRequest(client(), '10.200.0.10', 80), 'node2 from 10.100.0.100\n');
      assert.equal(await tcpRequest(client(), 'fd00:200::10', 80), 'node2 from fd00:100::100\n');
    } finally {
      monitor.stop();
    }
  });

  test('the old node stops answering: only the new node replies to ARP and NS for the VIP', async () => {
    const droppedBefore = await lab.metric('node3', 'metallb_layer2_frames_dropped', { protocol: 'arp', reason: 'notAnnounced' });
    const sent = probe.sendArpRequest(vip4);
    await waitFor(async () => (await lab.metric('node3', 'metallb_layer2_frames_dropped', { protocol: 'arp', reason: 'notAnnounced' })) > droppedBefore,
      { what: 'node3 to see and refuse the request' });
    await waitFor(() => probe.answersFor(vip4, sent, ['arp-reply']).length > 0, { what: 'the new node\'s reply' });
    assert.deepEqual([...new Set(probe.answersFor(vip4, sent, ['arp-reply']).map((a) => a.mac))], [mac('node2')]);
    const solicited = probe.sendSolicitation(vip6);
    await waitFor(() => probe.answersFor(vip6, solicited, ['na']).some((a) => a.solicited === true), { what: 'the new node\'s NA' });
    assert.deepEqual([...new Set(probe.answersFor(vip6, solicited, ['na']).filter((a) => a.solicited === true).map((a) => a.mac))], [mac('node2')]);
  });

  test('DAD probes, requests for IPs not announced and requests on excluded interfaces get no answer', async () => {
    const count = (node: string, protocol: string, reason: string) =>
      lab.metric(node, 'metallb_layer2_frames_dropped', { protocol, reason });
    const dadBefore = await count('node2', 'ndp', 'noSourceLinkLayer');
    const dadAt = probe.sendSolicitation(vip6, { dad: true });
    await waitFor(async () => (await count('node2', 'ndp', 'noSourceLinkLayer')) > dadBefore, { what: 'node2 to ignore the DAD probe' });
    assert.equal(probe.answersFor(vip6, dadAt, ['na']).filter((a) => a.solicited === true).length, 0);

    const strangerBefore = await count('node2', 'arp', 'notAnnounced');
    const strangerAt = probe.sendArpRequest(ip('10.200.0.99'));
    await waitFor(async () => (await count('node2', 'arp', 'notAnnounced')) > strangerBefore, { what: 'node2 to refuse 10.200.0.99' });
    assert.equal(probe.answersFor(ip('10.200.0.99'), strangerAt).length, 0);

    // 10.200.0.20 elects node1, whose announcer excludes eth0: it holds the IP but has no responder there.
    await lab.setService({ ...web, name: 'default/excluded', ips: [ip('10.200.0.20')] });
    assert.equal(lab.elected('default/excluded'), 'node1');
    assert.equal(lab.nodes.get('node1')!.announcer.arpResponder('eth0'), undefined);
    assert.equal(lab.nodes.get('node1')!.announcer.isAnnounced(ip('10.200.0.20')), true);
    // Only listed interfaces answer: an advertisement for eth1 alone leaves eth0 silent.
    await lab.setService({ ...web, name: 'default/eth1only', ips: [ip('10.200.0.30')], advertisements: [{ ...everywhere, interfaces: ['eth1'] }] });
    assert.equal(lab.elected('default/eth1only'), 'node2');
    const notMatchedBefore = await count('node2', 'arp', 'interfaceNotMatched');
    const excludedAt = probe.sendArpRequest(ip('10.200.0.20'));
    const unlistedAt = probe.sendArpRequest(ip('10.200.0.30'));
    await waitFor(async () => (await count('node2', 'arp', 'interfaceNotMatched')) > notMatchedBefore, { what: 'node2 to refuse 10.200.0.30 on eth0' });
    // node2 also saw (and refused) the request for 10.200.0.20, sent before: node1 has no socket to see it with.
    await waitFor(async () => (await count('node2', 'arp', 'notAnnounced')) > strangerBefore + 1, { what: 'node2 to refuse 10.200.0.20' });
    assert.equal(probe.answersFor(ip('10.200.0.20'), excludedAt).length, 0);
    assert.equal(probe.answersFor(ip('10.200.0.30'), unlistedAt).length, 0);
  });

  test('malformed frames that pass the kernel filter are dropped and counted, and the responders keep answering', async () => {
    const count = (protocol: string) => lab.metric('node2', 'metallb_layer2_frames_dropped', { protocol, reason: 'malformed' });
    const [arpBefore, ndpBefore] = [await count('arp'), await count('ndp')];
    const c = net.host('client');
    // An ARP request whose hardware length is 7: the BPF filter checks type and operation, the codec refuses it.
    const badArp = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0x64, 0x08, 0x06,
      0, 1, 0x08, 0, 7, 4, 0, 1, ...new Array<number>(40).fill(0)]);
    probe.sendRaw(badArp);
    // A Neighbor Solicitation for the VIP with a broken checksum.
    const group = solicitedNodeAddress(vip6);
    const ns = encodeNdpPacket({ source: ip(c.ipv6!), destination: group, message: { type: 135, targetAddress: vip6, options: [sourceLinkLayerOption(c.mac)] } });
    ns[42] = (ns[42] as number) ^ 0xff;
    probe.sendRaw(encodeEthernet({ destination: multicastMac(group), source: c.mac, etherType: 0x86dd, payload: ns }));
    await waitFor(async () => (await count('arp')) > arpBefore && (await count('ndp')) > ndpBefore, { what: 'both malformed frames to be counted' });
    const sent = probe.sendArpRequest(vip4);
    await waitFor(() => probe.answersFor(vip4, sent, ['arp-reply']).length > 0, { what: 'an answer after the malformed frames' });
  });
});
