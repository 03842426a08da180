import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bfdDropReasons, decodeControlPacket, encodeControlPacket, type BfdControlPacket } from './control-packet.js';
import { bfdStates } from './constants.js';

const u32 = fc.integer({ min: 1, max: 0xffffffff });
const validPacket: fc.Arbitrary<BfdControlPacket> = fc.record({
  diag: fc.integer({ min: 0, max: 31 }),
  state: fc.constantFrom(...bfdStates),
  poll: fc.boolean(), final: fc.boolean(), controlPlaneIndependent: fc.boolean(), demand: fc.boolean(),
  detectMult: fc.integer({ min: 1, max: 255 }),
  myDiscriminator: u32,
  yourDiscriminator: fc.integer({ min: 0, max: 0xffffffff }),
  desiredMinTxUs: fc.integer({ min: 0, max: 0xffffffff }),
  requiredMinRxUs: fc.integer({ min: 0, max: 0xffffffff }),
  requiredMinEchoRxUs: fc.integer({ min: 0, max: 0xffffffff }),
}).filter((p) => p.yourDiscriminator !== 0 || p.state === 'Down' || p.state === 'AdminDown');

const base: BfdControlPacket = {
  diag: 0, state: 'Up', poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
  myDiscriminator: 7, yourDiscriminator: 9, desiredMinTxUs: 100_000, requiredMinRxUs: 100_000, requiredMinEchoRxUs: 0,
};

test('a packet encodes to the 24 bytes of RFC 5880 §4.1', () => {
  const bytes = encodeControlPacket({ ...base, diag: 3, poll: true });
  assert.equal(Buffer.from(bytes).toString('hex'), '23e00318' + '00000007' + '00000009' + '000186a0' + '000186a0' + '00000000');
});

test('decode inverts encode for every valid packet', () => {
  fc.assert(fc.property(validPacket, (p) => {
    const r = decodeControlPacket(encodeControlPacket(p));
    assert.ok(r.ok);
    assert.deepEqual(r.packet, { ...p });
  }), { numRuns: 2000 });
});

test('arbitrary bytes only decode or give a typed drop reason, never throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    const r = decodeControlPacket(bytes);
    if (!r.ok) assert.ok(bfdDropReasons.includes(r.drop));
  }), { numRuns: 5000 });
});

function mutated(edit: (b: Uint8Array) => void, packet: BfdControlPacket = base): ReturnType<typeof decodeControlPacket> {
  const b = encodeControlPacket(packet);
  edit(b);
  return decodeControlPacket(b);
}

test('each §6.8.6 drop rule gives its own reason', () => {
  const cases: [string, ReturnType<typeof decodeControlPacket>][] = [
    ['truncated', decodeControlPacket(encodeControlPacket(base).subarray(0, 23))],
    ['bad-version', mutated((b) => { b[0] = (2 << 5); })],
    ['bad-length', mutated((b) => { b[3] = 20; })],
    ['length-exceeds-payload', mutated((b) => { b[3] = 26; })],
    ['zero-detect-mult', mutated((b) => { b[2] = 0; })],
    ['multipoint', mutated((b) => { b[1] = (b[1] as number) | 0x01; })],
    ['zero-my-discriminator', decodeControlPacket(encodeControlPacket({ ...base, myDiscriminator: 0 }))],
    ['zero-your-discriminator', decodeControlPacket(encodeControlPacket({ ...base, yourDiscriminator: 0 }))],
    ['auth-not-configured', decodeControlPacket(withAuthSection(encodeControlPacket(base)))],
  ];
  for (const [reason, r] of cases) assert.deepEqual(r.ok ? 'ok' : r.drop, reason, reason);
});

/** The A bit with a 4-byte stand-in Authentication Section after the packet. */
function withAuthSection(b: Uint8Array): Buffer {
  const out = Buffer.alloc(28);
  out.set(b);
  out[1] = (out[1] as number) | 0x04;
  out[3] = 28;
  return out;
}

test('your discriminator 0 is accepted from a Down or AdminDown system', () => {
  for (const state of ['Down', 'AdminDown'] as const) {
    assert.ok(decodeControlPacket(encodeControlPacket({ ...base, state, yourDiscriminator: 0 })).ok);
  }
});

test('trailing bytes beyond the length field are ignored', () => {
  const r = decodeControlPacket(Buffer.concat([encodeControlPacket(base), Buffer.alloc(8)]));
  assert.ok(r.ok);
  assert.deepEqual(r.packet, base);
});
