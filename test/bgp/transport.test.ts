// net/bgp-tcp.ts between two lab namespaces, without a router: the dialer and the shared listener with TCP MD5
// (key before the SYN on one side, per peer on the listener on the other), GTSM, a source address, another port
// and the connect timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeNetwork, runPrefix } from '../support/network-tier.js';
import { buildNetwork, defaultTopology, ipIn, waitFor, type Network } from '../../src/lab/netns/index.js';
import { TcpBgpAcceptor, TcpBgpDialer } from '../../src/net/bgp-tcp.js';
import type { AcceptOptions, BgpConnectionIo, DialOptions } from '../../src/speaker/bgp/transport.js';

const port = 1179;

describeNetwork('BGP transport (TCP, MD5, TTL)', { binaries: ['ip'] }, () => {
  let net: Network;
  let acceptor: TcpBgpAcceptor;
  let dialer: TcpBgpDialer;

  before(async () => {
    net = await buildNetwork(defaultTopology(runPrefix('mt'), { nodes: 2, router: false, client: false }));
    await ipIn(net.host('node1').netns, ['addr', 'add', '10.100.0.21/24', 'dev', 'eth0']);
    acceptor = await TcpBgpAcceptor.listen({ netns: net.host('node2').netns, addresses: [{ ip: '::', port }] });
    dialer = new TcpBgpDialer({ netns: net.host('node1').netns });
  });
  after(async () => {
    try {
      await acceptor?.close();
    } finally {
      await (net as Network | undefined)?.close();
    }
  });

  /** Dials node2 from node1 with `options`; resolves with what each side saw. */
  async function attempt(peer: string, accept: AcceptOptions, dial: Partial<DialOptions>): Promise<{ dialed?: BgpConnectionIo; error?: string; accepted?: BgpConnectionIo; reg: { unregister(): void } }> {
    let accepted: BgpConnectionIo | undefined;
    const reg = acceptor.register(peer, accept, (io) => { accepted = io; });
    const result = await new Promise<{ dialed?: BgpConnectionIo; error?: string }>((resolve) => {
      dialer.dial({ peerAddress: '10.100.0.12', peerPort: port, connectTimeoutMs: 1500, ...dial }, {
        onConnected: (io) => resolve({ dialed: io }),
        onFailed: (error) => resolve({ error }),
      });
    });
    if (result.dialed !== undefined) await waitFor(() => accepted !== undefined, { timeoutMs: 3000, what: 'the accept' }).catch(() => undefined);
    return { ...result, ...(accepted === undefined ? {} : { accepted }), reg };
  }

  async function exchange(from: BgpConnectionIo, to: BgpConnectionIo): Promise<boolean> {
    let got = false;
    to.onData(() => { got = true; });
    from.write(Uint8Array.of(1, 2, 3));
    return waitFor(() => got, { timeoutMs: 1500 }).then(() => true, () => false);
  }

  test('matching MD5 keys connect and carry data; the listener names the peer', async () => {
    const r = await attempt('10.100.0.11', { password: 's3cret' }, { password: 's3cret' });
    assert.ok(r.dialed !== undefined && r.accepted !== undefined, r.error);
    assert.equal(r.accepted.remoteAddress, '10.100.0.11');
    assert.equal(r.dialed.localAddress, '10.100.0.11');
    assert.ok(await exchange(r.dialed, r.accepted));
    r.dialed.destroy();
    r.accepted.destroy();
    r.reg.unregister();
  });

  test('a wrong MD5 key or none never connects: the SYN is dropped and the connect times out', async () => {
    for (const password of ['wrong', undefined]) {
      const r = await attempt('10.100.0.11', { password: 's3cret' }, password === undefined ? {} : { password });
      assert.equal(r.error, 'ETIMEDOUT', `key ${password ?? 'none'}`);
      assert.equal(r.accepted, undefined);
      r.reg.unregister();
    }
  });

  test('GTSM: TTL 255 passes a minimum TTL of 254, TTL 1 does not', async () => {
    const ok = await attempt('10.100.0.11', { ttl: 255, minTtl: 254 }, { ttl: 255, minTtl: 254 });
    assert.ok(ok.dialed !== undefined && ok.accepted !== undefined, ok.error);
    assert.ok(await exchange(ok.dialed, ok.accepted), 'TTL 255 arrives');
    ok.dialed.destroy();
    ok.accepted.destroy();
    ok.reg.unregister();
    const low = await attempt('10.100.0.11', { ttl: 255, minTtl: 254 }, { ttl: 1 });
    assert.ok(low.dialed !== undefined && low.accepted !== undefined, 'the listener does not filter SYNs by TTL');
    assert.equal(await exchange(low.dialed, low.accepted), false, 'segments with TTL 1 are dropped on the accepted socket');
    low.dialed.destroy();
    low.accepted.destroy();
    low.reg.unregister();
  });

  test('a source address is used, and an unregistered remote address is turned away', async () => {
    const r = await attempt('10.100.0.21', {}, { sourceAddress: '10.100.0.21' });
    assert.ok(r.accepted !== undefined, r.error);
    assert.equal(r.accepted.remoteAddress, '10.100.0.21');
    r.dialed?.destroy();
    r.accepted.destroy();
    r.reg.unregister();
    let closed = false;
    const stray = await attempt('10.100.0.99', {}, {});
    stray.dialed?.onClose(() => { closed = true; });
    await waitFor(() => closed, { timeoutMs: 3000, what: 'the listener to close a connection from an unknown address' });
    stray.reg.unregister();
  });

  test('a refused port fails at once with ECONNREFUSED', async () => {
    const r = await attempt('10.100.0.11', {}, { peerPort: 1180 });
    assert.equal(r.error, 'ECONNREFUSED');
    r.reg.unregister();
  });
});
