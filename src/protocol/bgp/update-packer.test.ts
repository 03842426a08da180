import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp, formatCidr, type Cidr } from '../../lib/ip.js';
import { Writer } from '../wire/writer.js';
import { BgpFramer } from './framer.js';
import { decodeMessage } from './message.js';
import { encodeAttributes } from './attribute-codec.js';
import { packAnnouncements, packWithdrawals } from './update-packer.js';
import type { Update } from './update.js';

function v4(n: number): Cidr {
  return { family: 'IPv4', base: BigInt(0x0ac80000 + n), prefixLength: 32 };
}
function v6(n: number): Cidr {
  return { family: 'IPv6', base: (0xfd00n << 112n) + BigInt(n), prefixLength: 128 };
}

function decodeAll(messages: readonly Uint8Array[]): Update[] {
  const f = new BgpFramer();
  return messages.flatMap((m) => {
    assert.ok(m.length <= 4096);
    const r = f.push(m);
    assert.equal(r.error, undefined);
    return r.frames.map((fr) => {
      const d = decodeMessage(fr, { as4: true });
      assert.deepEqual(d.problems, []);
      return d.message as Update;
    });
  });
}

const attrs = (() => {
  const w = new Writer();
  encodeAttributes(w, { origin: 0, asPath: [{ kind: 'sequence', asns: [64512] }], nextHop: parseIp('10.100.0.11')!, communities: [1, 2] }, { as4: true });
  return w.finish();
})();

test('10,000 IPv4 prefixes pack into full UPDATEs that carry every prefix once with the shared attributes', () => {
  const prefixes = Array.from({ length: 10_000 }, (_, i) => v4(i));
  const msgs = packAnnouncements('IPv4', attrs, prefixes);
  assert.ok(msgs.length <= Math.ceil((10_000 * 5) / (4096 - 23 - attrs.length)));
  const updates = decodeAll(msgs);
  assert.deepEqual(updates.flatMap((u) => u.nlri).map(formatCidr), prefixes.map(formatCidr));
  for (const u of updates) assert.deepEqual(u.attributes.communities, [1, 2]);
});

test('IPv6 prefixes pack into MP_REACH_NLRI with global and link-local next hops', () => {
  const prefixes = Array.from({ length: 1000 }, (_, i) => v6(i));
  const noNh = new Writer();
  encodeAttributes(noNh, { origin: 0, asPath: [] }, { as4: true });
  const msgs = packAnnouncements('IPv6', noNh.finish(), prefixes, { nextHop: parseIp('fd00:100::11')!, linkLocalNextHop: parseIp('fe80::1')! });
  const updates = decodeAll(msgs);
  assert.deepEqual(updates.flatMap((u) => u.attributes.mpReach?.nlri ?? []).map(formatCidr), prefixes.map(formatCidr));
  assert.deepEqual(updates[0]!.attributes.mpReach?.linkLocalNextHop, parseIp('fe80::1'));
  assert.deepEqual(updates[0]!.attributes.asPath, []);
});

test('withdrawals pack into Withdrawn Routes for IPv4 and MP_UNREACH_NLRI for IPv6', () => {
  const w4 = decodeAll(packWithdrawals('IPv4', Array.from({ length: 2000 }, (_, i) => v4(i))));
  assert.equal(w4.flatMap((u) => u.withdrawn).length, 2000);
  const w6 = decodeAll(packWithdrawals('IPv6', Array.from({ length: 500 }, (_, i) => v6(i))));
  assert.equal(w6.flatMap((u) => u.attributes.mpUnreach?.withdrawn ?? []).length, 500);
});

test('prefixes of every length and family pack and decode back unchanged', async () => {
  const fc = (await import('fast-check')).default;
  const { ipv4Prefix, ipv6Prefix } = await import('../../../test/support/bgp-arbitraries.js');
  fc.assert(fc.property(fc.array(ipv4Prefix, { maxLength: 300 }), fc.array(ipv6Prefix, { maxLength: 300 }), (p4, p6) => {
    const a4 = decodeAll(packAnnouncements('IPv4', attrs, p4)).flatMap((u) => u.nlri);
    assert.deepEqual(a4.map(formatCidr), p4.map(formatCidr));
    const w6 = decodeAll(packWithdrawals('IPv6', p6)).flatMap((u) => u.attributes.mpUnreach?.withdrawn ?? []);
    assert.deepEqual(w6.map(formatCidr), p6.map(formatCidr));
  }), { numRuns: 50 });
});
