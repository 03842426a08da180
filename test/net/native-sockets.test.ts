// The native addon against the real kernel, inside namespaces of its own: typed errno codes, AF_PACKET
// sockets opened in another namespace (filtered, polled on the event loop, sending and receiving), IPv6
// group joins the kernel reports, and TCP with MD5 signatures and TTL between two namespaces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import { buildNetwork, defaultTopology, ipIn, runIn, waitFor, type Network } from '../../src/lab/netns/index.js';
import { nativeAddon } from '../../src/net/native.js';
import { NativePacketConn } from '../../src/net/native-packet-conn.js';
import { arpRequestFilter } from '../../src/net/bpf.js';
import { Ipv6GroupMembership } from '../../src/net/ipv6-groups.js';
import { openSocket, closeSocket, getIntOption, setUnicastTtl } from '../../src/net/sockopt.js';
import { SOL, IP } from '../../src/net/constants.js';
import { connectTcp, listenTcp } from '../../src/net/tcp-socket.js';
import { parseIp } from '../../src/lib/ip.js';

const readAll = (socket: Socket): Promise<string> => new Promise((resolve, reject) => {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => { text += d; });
  socket.on('end', () => resolve(text));
  socket.on('error', reject);
});

/** A broadcast ARP request for `target` from the client (built by hand: the addon knows no protocol). */
function arpRequest(op: number, target: number[]): Uint8Array {
  return Uint8Array.from([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 100, 0x08, 0x06,
    0, 1, 0x08, 0, 6, 4, 0, op, 2, 0, 0, 0, 0, 100, 10, 100, 0, 100, 0, 0, 0, 0, 0, 0, ...target,
  ]);
}

describeNetwork('native sockets', { binaries: ['ip'] }, () => {
  const prefix = runPrefix('ns');
  let net: Network;
  const node = () => net.host('node1');
  const client = () => net.host('client');

  before(async () => {
    net = await buildNetwork(defaultTopology(prefix, { nodes: 1, router: false }));
  });
  after(async () => {
    await (net as Network | undefined)?.close();
  });

  test('failed syscalls become errors with the errno name as code', () => {
    const addon = nativeAddon();
    assert.throws(() => addon.ifNameToIndex('nosuch0', `/run/netns/${node().netns}`), { code: 'ENODEV', syscall: 'if_nametoindex' });
    assert.throws(() => addon.socket(12345, 1, 0), { code: 'EAFNOSUPPORT' });
    assert.throws(() => NativePacketConn.open({ ifname: 'eth0', ethertype: 0x0806, netns: `${prefix}-missing` }), { code: 'ENOENT' });
    assert.throws(() => NativePacketConn.open({ ifname: 'nosuch0', ethertype: 0x0806, netns: node().netns }),
      (e: Error & { code?: string }) => e.code === 'ENODEV' && e.message.startsWith('opening packet socket on "nosuch0"'));
  });

  test('a filtered packet socket in a node namespace receives ARP requests and sends frames to the client', async () => {
    const rx = NativePacketConn.open({ ifname: 'eth0', ethertype: 0x0806, netns: node().netns, filter: arpRequestFilter() });
    const tx = NativePacketConn.open({ ifname: 'eth0', ethertype: 0x0806, netns: client().netns });
    try {
      assert.deepEqual([...rx.mac], [2, 0, 0, 0, 0, 0x0b]);
      const atNode: Uint8Array[] = [];
      rx.start((f) => atNode.push(Uint8Array.from(f)));
      const atClient: Uint8Array[] = [];
      tx.start((f) => atClient.push(Uint8Array.from(f)));
      tx.send(arpRequest(2, [10, 200, 0, 1]));   // a reply: the node's filter drops it
      tx.send(arpRequest(1, [10, 200, 0, 2]));   // a request: it arrives
      await waitFor(() => atNode.length >= 1, { what: 'the ARP request at the node' });
      assert.deepEqual([...atNode[0]!.subarray(38, 42)], [10, 200, 0, 2]);
      assert.equal(atNode.length, 1);
      assert.equal(atClient.length, 0, 'our own frames are not looped back');
      rx.send(arpRequest(1, [10, 200, 0, 3]));
      await waitFor(() => atClient.some((f) => f[41] === 3), { what: 'the node\'s frame at the client' });
      rx.joinMulticastMac(Uint8Array.of(0x33, 0x33, 0xff, 0, 0, 0x10));
      rx.leaveMulticastMac(Uint8Array.of(0x33, 0x33, 0xff, 0, 0, 0x10));
    } finally {
      rx.close();
      rx.close();
      tx.close();
    }
  });

  test('joining the solicited-node group of an address shows in the kernel\'s multicast list', async () => {
    const groups = Ipv6GroupMembership.open('eth0', node().netns);
    const group = parseIp('ff02::1:ff00:10')!;
    try {
      groups.join(group);
      assert.throws(() => groups.join(group), { code: 'EADDRINUSE' });
      const shown = await ipIn(node().netns, ['maddr', 'show', 'dev', 'eth0']);
      assert.match(shown.stdout, /ff02::1:ff00:10/);
      groups.leave(group);
      assert.doesNotMatch((await ipIn(node().netns, ['maddr', 'show', 'dev', 'eth0'])).stdout, /ff02::1:ff00:10/);
    } finally {
      groups.close();
    }
  });

  test('TCP with a matching MD5 key connects across namespaces; a wrong or missing key never does', async () => {
    const listener = await listenTcp({
      local: { ip: '::', port: 1790 },
      netns: node().netns,
      md5: [{ peer: parseIp('10.100.0.100')!, key: 's3cret' }, { peer: parseIp('fd00:100::100')!, key: 's3cret' }],
    }, (socket) => socket.end('hello\n'));
    try {
      for (const remote of ['10.100.0.11', 'fd00:100::11']) {
        const socket = await connectTcp({ remote: { ip: remote, port: 1790 }, netns: client().netns, md5Key: 's3cret', ttl: 255 });
        assert.equal(await readAll(socket), 'hello\n');
      }
      await assert.rejects(connectTcp({ remote: { ip: '10.100.0.11', port: 1790 }, netns: client().netns, md5Key: 'wrong', timeoutMs: 1500 }),
        { code: 'ETIMEDOUT' });
      await assert.rejects(connectTcp({ remote: { ip: '10.100.0.11', port: 1790 }, netns: client().netns, timeoutMs: 1500 }),
        { code: 'ETIMEDOUT' });
      const ss = await runIn(node().netns, 'ss', ['-tlni', 'sport = 1790']);
      assert.match(ss.stdout, /md5keys:/);
      listener.setMd5({ peer: parseIp('10.100.0.100')!, key: '' });
      await assert.rejects(connectTcp({ remote: { ip: '10.100.0.11', port: 1790 }, netns: client().netns, md5Key: 's3cret', timeoutMs: 1500 }),
        { code: 'ETIMEDOUT' });
    } finally {
      await listener.close();
    }
  });

  test('a refused connection is ECONNREFUSED and IP_TTL reads back what was set', async () => {
    await assert.rejects(connectTcp({ remote: { ip: '10.100.0.11', port: 1791 }, netns: client().netns }), { code: 'ECONNREFUSED' });
    const fd = openSocket({ family: 'IPv4', type: 'stream', netns: node().netns });
    try {
      setUnicastTtl(fd, 'IPv4', 7);
      assert.equal(getIntOption(fd, SOL.ip, IP.ttl), 7);
    } finally {
      closeSocket(fd);
    }
  });
});
