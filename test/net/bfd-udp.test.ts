// BFD's UDP endpoint (RFC 5881) against the real kernel, between two namespaces: control packets go to port
// 3784 from a source port in 49152-65535 with TTL 255, and every received datagram carries its TTL, so a packet
// sent with another TTL can be told apart and dropped (GTSM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import { buildNetwork, defaultTopology, waitFor, type Network } from '../../src/lab/netns/index.js';
import { BfdUdpTransportFactory } from '../../src/net/bfd-udp.js';
import { bindSocket, closeSocket, openSocket, setUnicastTtl } from '../../src/net/sockopt.js';
import { nativeAddon } from '../../src/net/native.js';
import { encodeSockaddr } from '../../src/net/sockaddr.js';
import { parseIp, type IpFamily } from '../../src/lib/ip.js';
import type { BfdDatagram, BfdTransport } from '../../src/speaker/bgp/bfd-transport.js';

describeNetwork('BFD UDP sockets', { binaries: ['ip'] }, () => {
  let net: Network;
  const opened: BfdTransport[] = [];

  before(async () => {
    net = await buildNetwork(defaultTopology(runPrefix('bu'), { nodes: 1, router: false }));
  });
  after(async () => {
    for (const t of opened) t.close();
    await (net as Network | undefined)?.close();
  });

  function open(host: string, family: IpFamily, got: BfdDatagram[]): BfdTransport {
    const t = new BfdUdpTransportFactory({ netns: net.host(host).netns }).open(family, (d) => got.push(d), (e) => { throw e; });
    opened.push(t);
    return t;
  }

  for (const family of ['IPv4', 'IPv6'] as const) {
    test(`${family}: a packet arrives on 3784 from a port in 49152-65535 with TTL 255, and one sent with TTL 64 is seen as 64`, async () => {
      const atClient: BfdDatagram[] = [];
      const node = open('node1', family, []);
      open('client', family, atClient);
      const clientIp = family === 'IPv4' ? net.host('client').ipv4! : net.host('client').ipv6!;
      const nodeIp = family === 'IPv4' ? net.host('node1').ipv4! : net.host('node1').ipv6!;
      await waitFor(() => {
        node.send(Uint8Array.of(1, 2, 3), clientIp);
        return atClient.length > 0;
      }, { timeoutMs: 5000, intervalMs: 100, what: 'a datagram at the client' });
      assert.deepEqual([...atClient[0]!.bytes], [1, 2, 3]);
      assert.equal(atClient[0]!.fromIp, nodeIp);
      assert.equal(atClient[0]!.ttl, 255);
      assert.ok(atClient[0]!.fromPort >= 49152 && atClient[0]!.fromPort <= 65535, `source port ${atClient[0]!.fromPort}`);

      const fd = openSocket({ family, type: 'dgram', netns: net.host('node1').netns });
      try {
        setUnicastTtl(fd, family, 64);
        bindSocket(fd, { ip: parseIp(family === 'IPv4' ? '0.0.0.0' : '::')!, port: 0 });
        nativeAddon().send(fd, Buffer.of(9), encodeSockaddr({ ip: parseIp(clientIp)!, port: 3784 }));
        await waitFor(() => atClient.some((d) => d.bytes[0] === 9), { timeoutMs: 5000, what: 'the TTL-64 datagram' });
        assert.equal(atClient.find((d) => d.bytes[0] === 9)!.ttl, 64);
      } finally {
        closeSocket(fd);
      }
    });
  }
});
