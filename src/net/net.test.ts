import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIp } from '../lib/ip.js';
import { decodeSockaddr, decodeSockaddrLlAddress, encodeSockaddr, encodeSockaddrLl } from './sockaddr.js';
import { encodeTcpMd5Sig, tcpMd5SigBytes } from './tcp-md5.js';
import { arpRequestFilter, encodeBpf, jumpIfEqual, loadHalf, ret } from './bpf.js';
import { MemorySegment, memoryPacketPair } from './memory-packet-conn.js';

const ip = (s: string) => parseIp(s)!;

test('sockaddr_in and sockaddr_in6 round-trip with the kernel layout', () => {
  const v4 = encodeSockaddr({ ip: ip('10.100.0.11'), port: 179 });
  assert.deepEqual([...v4.subarray(0, 8)], [2, 0, 0, 179, 10, 100, 0, 11]);
  assert.equal(v4.length, 16);
  const v6 = encodeSockaddr({ ip: ip('fe80::1'), port: 8080, scopeId: 3 });
  assert.equal(v6.length, 28);
  assert.deepEqual([...v6.subarray(0, 4)], [10, 0, 0x1f, 0x90]);
  assert.equal(v6[8], 0xfe);
  assert.equal(v6.readUInt32LE(24), 3);
  fc.assert(fc.property(fc.boolean(), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 65535 }), (six, value, port) => {
    const addr = six
      ? { ip: { family: 'IPv6' as const, value }, port, scopeId: 0 }
      : { ip: { family: 'IPv4' as const, value: value & 0xffffffffn }, port };
    assert.deepEqual(decodeSockaddr(encodeSockaddr(addr)), addr);
  }));
});

test('sockaddr_ll carries the ethertype in network order and the ifindex in host order', () => {
  const ll = encodeSockaddrLl(7, 0x0806);
  assert.deepEqual([...ll.subarray(0, 8)], [17, 0, 0x08, 0x06, 7, 0, 0, 0]);
  const named = Buffer.alloc(20);
  named.writeUInt16LE(17, 0);
  named.writeUInt8(6, 11);
  named.set([2, 0, 0, 0, 0, 0x0b], 12);
  assert.deepEqual([...decodeSockaddrLlAddress(named)], [2, 0, 0, 0, 0, 0x0b]);
});

test('tcp_md5sig is 216 bytes with family, address, key length and key at the kernel offsets', () => {
  const v4 = encodeTcpMd5Sig({ peer: ip('10.100.0.1'), key: 's3cret' });
  assert.equal(v4.length, tcpMd5SigBytes);
  assert.equal(v4.readUInt16LE(0), 2);
  assert.deepEqual([...v4.subarray(4, 8)], [10, 100, 0, 1]);
  assert.equal(v4[128], 0);
  assert.equal(v4.readUInt16LE(130), 6);
  assert.equal(v4.subarray(136, 142).toString(), 's3cret');
  const v6 = encodeTcpMd5Sig({ peer: ip('fd00:100::1'), key: 'k', prefixLength: 64, ifindex: 5 });
  assert.equal(v6.readUInt16LE(0), 10);
  assert.deepEqual([...v6.subarray(8, 10)], [0xfd, 0x00]);
  assert.equal(v6[128], 3);
  assert.equal(v6[129], 64);
  assert.equal(v6.readInt32LE(132), 5);
  assert.throws(() => encodeTcpMd5Sig({ peer: ip('10.0.0.1'), key: 'x'.repeat(81) }), { code: 'EINVAL' });
});

test('BPF programs encode as 8-byte sock_filter records', () => {
  const buf = encodeBpf([loadHalf(12), jumpIfEqual(0x0806, 0, 1), ret(0x40000), ret(0)]);
  assert.equal(buf.length, 32);
  assert.equal(buf.readUInt16LE(0), 0x28);
  assert.equal(buf.readUInt32LE(4), 12);
  assert.equal(buf.readUInt16LE(8), 0x15);
  assert.equal(buf[11], 1);
  assert.equal(buf.readUInt32LE(12), 0x0806);
  assert.equal(arpRequestFilter().length, 10);
});

test('memory conns on one segment see each other\'s frames, filtered by ethertype, without re-entrancy', () => {
  const mac = (n: number) => Uint8Array.of(2, 0, 0, 0, 0, n);
  const [a, b, segment] = memoryPacketPair({ ifname: 'a', mac: mac(1), ethertype: 0x0806 }, { ifname: 'b', mac: mac(2) });
  const seenByA: number[][] = [];
  const order: string[] = [];
  a.start((f) => { seenByA.push([...f]); order.push(`a got ${f[14]}`); });
  b.start((f) => {
    order.push(`b got ${f[14]}`);
    if (f[14] === 1) { b.send(frame(0x0806, 2)); order.push('b sent 2'); }
  });
  a.send(frame(0x0806, 1));
  segment.inject(frame(0x86dd, 3));
  assert.deepEqual(order, ['b got 1', 'b sent 2', 'a got 2', 'b got 3']);
  assert.equal(seenByA.length, 1);
  assert.equal(a.sent.length, 1);
  b.close();
  a.send(frame(0x0806, 4));
  assert.equal(segment.frames.length, 4);
  a.failSendsWith = 'ENOBUFS';
  assert.throws(() => a.send(frame(0x0806, 5)), { code: 'ENOBUFS' });
  const s = new MemorySegment();
  const c = s.attach({ ifname: 'c', mac: mac(3) });
  c.joinMulticastMac(mac(9));
  c.joinMulticastMac(mac(9));
  c.leaveMulticastMac(mac(9));
  assert.equal(c.multicastMacs.size, 1);
});

function frame(ethertype: number, marker: number): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  f[14] = marker;
  return f;
}

test('an IPv4 peer on an IPv6 (dual-stack) socket is written as a v4-mapped address', () => {
  const mapped = encodeTcpMd5Sig({ peer: ip('10.100.0.1'), key: 'k', prefixLength: 24 }, 'IPv6');
  assert.equal(mapped.readUInt16LE(0), 10);
  assert.deepEqual([...mapped.subarray(8, 24)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 100, 0, 1]);
  assert.equal(mapped[129], 120);
});
