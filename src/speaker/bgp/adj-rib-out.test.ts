import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp, type Cidr } from '../../lib/ip.js';
import { BgpFramer } from '../../protocol/bgp/framer.js';
import { decodeMessage } from '../../protocol/bgp/message.js';
import type { Update } from '../../protocol/bgp/update.js';
import { AdjRibOut } from './adj-rib-out.js';
import { encodeGroupAttributes } from './group-attributes.js';
import type { Advertisement } from './advertisement.js';

const v4 = (i: number): Cidr => ({ family: 'IPv4', base: BigInt(0x0ac80000 + i), prefixLength: 32 });
const ad = (i: number, communities: number[] = []): Advertisement => ({ prefix: v4(i), communities, largeCommunities: [] });
const families = new Set(['IPv4', 'IPv6'] as const);
const encode = (family: 'IPv4' | 'IPv6', sample: Advertisement) =>
  encodeGroupAttributes({ family, sample, ebgp: true, as4: true, localAsn: 64512, nextHop: parseIp('10.100.0.11')! });

function flush(rib: AdjRibOut): { announced: number[]; withdrawn: number[]; updates: number } {
  const { messages } = rib.flush(families, encode);
  const f = new BgpFramer();
  const updates = messages.flatMap((m) => f.push(m).frames).map((fr) => decodeMessage(fr, { as4: true }).message as Update);
  const idx = (c: Cidr) => Number(c.base) - 0x0ac80000;
  return { announced: updates.flatMap((u) => u.nlri.map(idx)), withdrawn: updates.flatMap((u) => u.withdrawn.map(idx)), updates: updates.length };
}

test('the first flush announces everything in one UPDATE per attribute group', () => {
  const rib = new AdjRibOut();
  rib.setDesired([ad(1), ad(2), ad(3, [7])]);
  assert.equal(rib.pendingCount(), 3);
  const r = flush(rib);
  assert.deepEqual(r.announced.sort(), [1, 2, 3]);
  assert.equal(r.updates, 2);
  assert.deepEqual([rib.announcedCount, rib.pendingCount()], [3, 0]);
});

test('only differences go out: removals are withdrawn together, attribute changes re-announced, the rest left alone', () => {
  const rib = new AdjRibOut();
  rib.setDesired([ad(1), ad(2), ad(3), ad(4)]);
  flush(rib);
  rib.setDesired([ad(1), ad(2, [9]), ad(5)]);
  const r = flush(rib);
  assert.deepEqual(r.withdrawn.sort(), [3, 4]);
  assert.deepEqual(r.announced.sort(), [2, 5]);
  assert.deepEqual(flush(rib), { announced: [], withdrawn: [], updates: 0 });
  assert.equal(rib.announcedCount, 3);
});

test('a prefix removed and added back before a flush is neither withdrawn nor re-sent', () => {
  const rib = new AdjRibOut();
  rib.setDesired([ad(1), ad(2)]);
  flush(rib);
  rib.setDesired([ad(1)]);
  rib.setDesired([ad(1), ad(2)]);
  assert.deepEqual(flush(rib), { announced: [], withdrawn: [], updates: 0 });
});

test('after a reset everything is sent again and nothing is withdrawn', () => {
  const rib = new AdjRibOut();
  rib.setDesired([ad(1), ad(2)]);
  flush(rib);
  rib.setDesired([ad(1)]);
  rib.reset();
  const r = flush(rib);
  assert.deepEqual([r.announced, r.withdrawn], [[1], []]);
});

test('a family that is not negotiated stays pending', () => {
  const rib = new AdjRibOut();
  rib.setDesired([ad(1), { prefix: { family: 'IPv6', base: 1n, prefixLength: 128 }, communities: [], largeCommunities: [] }]);
  rib.flush(new Set(['IPv4']), encode);
  assert.deepEqual([rib.announcedCount, rib.pendingCount()], [1, 1]);
});

test('the held and pending counts stay exact through removals, returns, changes and duplicates', () => {
  const rib = new AdjRibOut();
  rib.setDesired([ad(1), ad(2), ad(3)]);
  flush(rib);
  rib.setDesired([ad(1)]);
  assert.deepEqual([rib.announcedCount, rib.pendingCount()], [1, 0]);
  rib.setDesired([ad(1), ad(2), ad(3, [5]), ad(3)]);
  assert.deepEqual([rib.announcedCount, rib.pendingCount()], [2, 1]);
  const r = flush(rib);
  assert.deepEqual([r.announced, r.withdrawn], [[3], []]);
  assert.deepEqual([rib.announcedCount, rib.pendingCount()], [3, 0]);
});

test('the fallback router ID is a stable hash of the node name', async () => {
  const { routerIdFromNodeName } = await import('./peer-spec.js');
  const id = routerIdFromNodeName('node1');
  // CRC-32/IEEE of "123456789" is 0xcbf43926; read little-endian that is 0x2639f4cb.
  assert.equal(routerIdFromNodeName('123456789'), 0x2639f4cb);
  assert.ok(id > 0);
  assert.equal(id, routerIdFromNodeName('node1'));
  assert.notEqual(id, routerIdFromNodeName('node2'));
});
