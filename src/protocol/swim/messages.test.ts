import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WireError } from '../wire/wire-error.js';
import type { Address, Message } from './messages.js';
import { MessageType, decodeMessage, encodeMessage, maxMetaBytes } from './messages.js';
import { PacketBuilder, decodePacketBody } from './packet.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

const name = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,60}[a-z0-9])?$/);
const address: fc.Arbitrary<Address> = fc.oneof(
  fc.ipV4(),
  fc.constantFrom('fd00::1', '2001:db8::a:b', '::1', 'fe80::1:2:3:4'),
).chain((ip) => fc.integer({ min: 0, max: 65535 }).map((port) => ({ ip, port })));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const meta = fc.uint8Array({ maxLength: 40 });
const record = fc.record({
  name, address, incarnation: u32, state: fc.constantFrom('alive' as const, 'suspect' as const, 'dead' as const, 'left' as const), meta,
}, { noNullPrototype: true });
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), seqNo: u32, target: name }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('indirectPing' as const), seqNo: u32, nack: fc.boolean(), target: name, targetAddress: address }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('ack' as const), seqNo: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('nack' as const), seqNo: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('alive' as const), incarnation: u32, name, address, meta }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('suspect' as const), incarnation: u32, name, from: name }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('dead' as const), incarnation: u32, name, from: name }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('pushPull' as const), join: fc.boolean(), members: fc.array(record, { maxLength: 5 }) }, { noNullPrototype: true }),
);

test('every message decodes to what was encoded', () => {
  fc.assert(fc.property(message, (m) => {
    assert.deepEqual(decodeMessage(encodeMessage(m)), m);
  }), { numRuns: 2000 });
});

test('an alive message has the documented layout', () => {
  const bytes = encodeMessage({ type: 'alive', incarnation: 7, name: 'n1', address: { ip: '10.0.0.1', port: 7946 }, meta: Uint8Array.of(0xaa) });
  // type 5 | length 18 | incarnation 7 | "n1" | family 4, 10.0.0.1, port 7946 | meta of 1 byte
  assert.deepEqual(bytes, hex('05 0011 00000007 02 6e31 04 0a000001 1f0a 0001 aa'));
});

test('a ping to an IPv6 helper encodes the address as 16 bytes', () => {
  const m: Message = { type: 'indirectPing', seqNo: 1, nack: true, target: 'b', targetAddress: { ip: 'fd00::2', port: 1 } };
  const bytes = encodeMessage(m);
  assert.deepEqual(bytes, hex('02 001a 00000001 01 01 62 06 fd000000000000000000000000000002 0001'));
  assert.deepEqual(decodeMessage(bytes), m);
});

test('a message of an unknown type is skipped whole, not an error', () => {
  const unknown = hex('7f 0003 010203');
  assert.deepEqual(decodeMessage(unknown), { type: 'unknown', code: 0x7f });
  const body = new Uint8Array([1, 0x61, ...unknown, ...encodeMessage({ type: 'ack', seqNo: 9 })]);
  assert.deepEqual(decodePacketBody(body).messages, [{ type: 'unknown', code: 0x7f }, { type: 'ack', seqNo: 9 }]);
});

test('message numbers are the append-only wire table', () => {
  assert.deepEqual(MessageType, { Ping: 1, IndirectPing: 2, Ack: 3, Nack: 4, Alive: 5, Suspect: 6, Dead: 7, PushPull: 8 });
});

for (const c of [
  { name: 'an empty member name is refused', bytes: '03 0005 00000001 00' },
  { name: 'a body longer than its message is refused', bytes: '03 0005 00000001 00' },
  { name: 'an address family other than 4 or 6 is refused', bytes: '05 000c 00000001 01 61 05 0a000001 0001' },
  { name: 'meta over the limit is refused', bytes: `05 000e 00000001 01 61 04 0a000001 0001 ${(maxMetaBytes + 1).toString(16).padStart(4, '0')}` },
  { name: 'a name that is not UTF-8 is refused', bytes: '01 0006 00000001 01 ff' },
  { name: 'a truncated length is refused', bytes: '03 00' },
]) {
  test(c.name, () => assert.throws(() => decodeMessage(hex(c.bytes)), WireError));
}

test('arbitrary bytes only ever raise WireError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), (b) => {
    try {
      decodePacketBody(b);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
    }
  }), { numRuns: 20_000 });
});

test('mutated valid packets only ever raise WireError', () => {
  fc.assert(fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(255), (msgs, at, value) => {
    const b = new PacketBuilder('node-a', 1 << 16);
    for (const m of msgs) b.add(m);
    const bytes = b.finish();
    bytes[at % bytes.length] = value;
    try {
      decodePacketBody(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
    }
  }), { numRuns: 5000 });
});

test('the packet builder keeps piggybacked gossip within the budget', () => {
  const b = new PacketBuilder('a', 30);
  b.add({ type: 'ping', seqNo: 1, target: 'b' });
  const gossip = encodeMessage({ type: 'suspect', incarnation: 1, name: 'c', from: 'a' });
  assert.equal(b.tryAddEncoded(gossip), true);
  assert.equal(b.tryAddEncoded(gossip), false);
  assert.ok(b.length <= 30);
  assert.equal(decodePacketBody(b.finish()).messages.length, 2);
});
