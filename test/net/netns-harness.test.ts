// The network-namespace harness against the real kernel: the default topology is built, hosts reach each
// other and the outside host through the router, the kube-proxy stand-in and the pod answer, processes are
// supervised by PID, links are cut and restored, and closing leaves no namespace or process behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import {
  buildNetwork, defaultTopology, namespacesWithPrefix, namespacePids, ping, tcpRequest, addresses, neighborMac,
  startPod, KubeProxy, cutLink, restoreLink, waitFor, ipIn, type Network,
} from '../../src/lab/netns/index.js';

describeNetwork('lab network harness', { binaries: ['ping', 'nft', 'socat'] }, () => {
  const prefix = runPrefix('mh');
  let net: Network;

  before(async () => {
    net = await buildNetwork(defaultTopology(prefix, { nodes: 3 }));
  });
  after(async () => {
    await (net as Network | undefined)?.close();
  });

  test('every host has the declared MAC and addresses, with no tentative IPv6 address', async () => {
    const node2 = net.host('node2');
    assert.equal(node2.mac, '02:00:00:00:00:0c');
    const { stdout } = await ipIn(node2.netns, ['-j', 'addr', 'show', 'dev', 'eth0']);
    const [link] = JSON.parse(stdout) as { address: string; addr_info: { local: string; tentative?: boolean }[] }[];
    assert.equal(link?.address, '02:00:00:00:00:0c');
    const locals = link!.addr_info.map((a) => a.local);
    assert.ok(locals.includes('10.100.0.12') && locals.includes('fd00:100::12'), locals.join(' '));
    assert.ok(link!.addr_info.every((a) => a.tentative !== true), 'no address is tentative');
  });

  test('the client reaches every node over IPv4 and IPv6 through the switch', async () => {
    for (const node of net.hosts('node')) {
      assert.ok(await ping(net.host('client').netns, node.ipv4!), `ping ${node.ipv4}`);
      assert.ok(await ping(net.host('client').netns, node.ipv6!), `ping ${node.ipv6}`);
    }
    assert.equal(await neighborMac(net.host('client').netns, '10.100.0.11'), '02:00:00:00:00:0b');
  });

  test('the outside host reaches the nodes through the forwarding router', async () => {
    assert.ok(await ping(net.host('outside').netns, '10.100.0.13'));
    assert.ok(await ping(net.host('outside').netns, 'fd00:100::13'));
  });

  test('the kube-proxy stand-in forwards a service IP to the pod, which names its node', async () => {
    const node1 = net.host('node1');
    await startPod(net, 'node1', { tcpPort: 8080 });
    const proxy = new KubeProxy(node1.netns, [node1.ipv4!, node1.ipv6!]);
    await proxy.setServices([
      { ip: '10.200.0.10', port: 80, protocol: 'tcp', backends: [{ ip: node1.ipv4!, port: 8080 }] },
      { ip: 'fd00:200::10', port: 80, protocol: 'tcp', backends: [{ ip: node1.ipv6!, port: 8080 }] },
    ]);
    // No layer-2 responder here: the client routes the service IPs via node1 explicitly.
    const client = net.host('client').netns;
    await ipIn(client, ['route', 'replace', '10.200.0.10/32', 'via', node1.ipv4!]);
    await ipIn(client, ['route', 'replace', 'fd00:200::10/128', 'via', node1.ipv6!]);
    assert.equal(await tcpRequest(client, '10.200.0.10', 80), 'node1 from 10.100.0.100\n');
    assert.equal(await tcpRequest(client, 'fd00:200::10', 80), 'node1 from fd00:100::100\n');
    const onNode = await addresses(node1.netns);
    assert.ok(!onNode.some((a) => a.address.startsWith('10.200.') || a.address.startsWith('fd00:200:')), 'the VIP is on no interface');
    await proxy.clear();
    await assert.rejects(tcpRequest(client, '10.200.0.10', 80, 1000));
  });

  test('a supervised process is known by PID, logs to its file and stops by PID', async () => {
    const proc = net.start('node2', ['sh', '-c', 'echo started; exec sleep 600'], 'sleeper');
    await waitFor(() => proc.output().includes('started'), { what: 'the sleeper to start' });
    assert.ok((await namespacePids(net.host('node2').netns)).includes(proc.pid));
    const status = await proc.stop(1000);
    assert.equal(status.signal, 'SIGTERM');
    assert.ok(!(await namespacePids(net.host('node2').netns)).includes(proc.pid));
  });

  test('a cut link stops traffic to the node and a restored one carries it again', async () => {
    const client = net.host('client').netns;
    for (const mode of ['carrier', 'silent'] as const) {
      await cutLink(net, 'node3', mode);
      assert.equal(await ping(client, '10.100.0.13', 1), false, `${mode} cut`);
      await restoreLink(net, 'node3');
      await waitFor(() => ping(client, '10.100.0.13', 1), { timeoutMs: 5000, what: `node3 back after a ${mode} cut` });
    }
  });

  test('closing removes every namespace and every process, and is idempotent', async () => {
    const sleeper = net.start('router', ['sleep', '600'], 'sleeper');
    const namespaces = net.namespaces();
    assert.equal((await namespacesWithPrefix(prefix)).length, namespaces.length);
    await net.close();
    await net.close();
    assert.deepEqual(await namespacesWithPrefix(prefix), []);
    assert.equal(sleeper.running, false);
    for (const ns of namespaces) assert.deepEqual(await namespacePids(ns), []);
  });
});
