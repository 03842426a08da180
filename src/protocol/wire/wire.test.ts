import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import { WireError } from './wire-error.js';
import { internetChecksum } from './checksum.js';

test('Writer back-patches reserved lengths and Reader reads them back', () => {
  const w = new Writer(2);
  const at = w.reserve(2);
  w.u8(7).u32(0xdeadbeef).u64(0x0102030405060708n).bytes(Uint8Array.of(9, 9));
  w.patchU16(at, w.length - 2);
  const r = new Reader(w.finish());
  const len = r.u16();
  const body = r.sub(len);
  r.end();
  assert.equal(body.u8(), 7);
  assert.equal(body.u32(), 0xdeadbeef);
  assert.equal(body.u64(), 0x0102030405060708n);
  assert.deepEqual([...body.bytes(2)], [9, 9]);
  body.end();
});

test('Reader raises WireError with the absolute offset on truncation and trailing bytes', () => {
  const r = new Reader(Uint8Array.of(0, 3, 1, 2));
  r.u16();
  const s = r.sub(2);
  s.u8();
  assert.throws(() => s.u16(), (e: unknown) => e instanceof WireError && e.offset === 3);
  const t = new Reader(Uint8Array.of(1, 2));
  t.u8();
  assert.throws(() => t.end(), WireError);
});

test('Reader never throws anything but WireError on arbitrary reads', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 12 }), (buf, ops) => {
    const r = new Reader(buf);
    try {
      for (const op of ops) [() => r.u8(), () => r.u16(), () => r.u32(), () => r.bytes(3), () => r.sub(2), () => r.end()][op]!();
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
    }
  }));
});

test('internet checksum matches RFC 1071 examples and verifies to zero', () => {
  // RFC 1071 §3 example bytes 00 01 f2 03 f4 f5 f6 f7: one's complement sum ddf2, checksum 220d.
  assert.equal(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7)), 0x220d);
  // Split at an odd offset gives the same result.
  assert.equal(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2), Uint8Array.of(0x03, 0xf4, 0xf5, 0xf6, 0xf7)), 0x220d);
  const data = Uint8Array.of(0x45, 0, 0, 0x1c, 0, 0, 0, 0, 64, 17, 0x22, 0x0d);
  assert.equal(internetChecksum(data, Uint8Array.of(0x22 ^ 0x22, 0)), internetChecksum(data, Uint8Array.of(0, 0)));
});
