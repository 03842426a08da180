import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastQueue } from './broadcast-queue.js';
import { PacketBuilder, decodePacketBody } from './packet.js';
import { encodeMessage } from './messages.js';

const suspect = (name: string, incarnation = 1): Uint8Array => encodeMessage({ type: 'suspect', incarnation, name, from: 'x' });

function drain(q: BroadcastQueue, limit: number, budget = 1000): string[] {
  const b = new PacketBuilder('me', budget);
  q.fill(b, limit);
  return decodePacketBody(b.finish()).messages.map((m) => (m.type === 'suspect' ? `${m.name}@${m.incarnation}` : m.type));
}

test('a newer fact about a member replaces the queued one', () => {
  const q = new BroadcastQueue();
  q.enqueue('a', suspect('a', 1));
  q.enqueue('a', suspect('a', 2));
  assert.equal(q.size, 1);
  assert.deepEqual(drain(q, 3), ['a@2']);
});

test('each fact is sent at most the retransmit limit, least-sent and newest first', () => {
  const q = new BroadcastQueue();
  q.enqueue('a', suspect('a'));
  q.enqueue('b', suspect('b'));
  assert.deepEqual(drain(q, 2), ['b@1', 'a@1']);
  q.enqueue('c', suspect('c'));
  assert.deepEqual(drain(q, 2), ['c@1', 'b@1', 'a@1']);
  assert.deepEqual(drain(q, 2), ['c@1']);
  assert.equal(q.size, 0);
});

test('what does not fit waits for the next packet', () => {
  const q = new BroadcastQueue();
  for (const n of ['a', 'b', 'c']) q.enqueue(n, suspect(n));
  const one = suspect('a').length;
  assert.equal(drain(q, 5, 3 + one).length, 1);
  assert.equal(drain(q, 5).length, 3);
});

test('a full queue drops its most-sent fact and counts it', () => {
  const q = new BroadcastQueue(2);
  q.enqueue('a', suspect('a'));
  drain(q, 5);
  q.enqueue('b', suspect('b'));
  q.enqueue('c', suspect('c'));
  assert.equal(q.overflowed, 1);
  assert.equal(q.has('a'), false);
  assert.equal(q.has('b') && q.has('c'), true);
});
