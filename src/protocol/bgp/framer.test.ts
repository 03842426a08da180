import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hex } from '../../../test/support/hex.js';
import { BgpFramer } from './framer.js';
import { BgpError } from './bgp-error.js';
import { keepaliveBytes } from './message.js';

const marker = 'ffffffffffffffffffffffffffffffff';

function frameAll(chunks: readonly Uint8Array[]): { types: number[]; bodies: string[]; error?: string } {
  const f = new BgpFramer();
  const types: number[] = [];
  const bodies: string[] = [];
  for (const c of chunks) {
    const r = f.push(c);
    for (const fr of r.frames) { types.push(fr.type); bodies.push(Buffer.from(fr.body).toString('hex')); }
    if (r.error !== undefined) return { types, bodies, error: `${r.error.code}/${r.error.subcode}` };
  }
  return { types, bodies };
}

const stream = hex(`${marker} 0017 02 0000 0000` + `${marker} 0013 04` + `${marker} 0017 05 0001 0001` + `${marker} 0015 03 0602`);

test('a stream of messages frames the same however it is split', () => {
  const whole = frameAll([stream]);
  assert.deepEqual(whole.types, [2, 4, 5, 3]);
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 8 }), (cuts) => {
    const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
    const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
    assert.deepEqual(frameAll(chunks), whole);
  }));
});

test('every single-byte split frames the same as the whole stream', () => {
  const whole = frameAll([stream]);
  for (let i = 0; i <= stream.length; i++) assert.deepEqual(frameAll([stream.subarray(0, i), stream.subarray(i)]), whole);
  assert.deepEqual(frameAll([...stream].map((b) => Uint8Array.of(b))), whole);
});

const headerCases = [
  { name: 'a marker that is not all ones is Connection Not Synchronized', bytes: `fe${marker.slice(2)} 0013 04`, code: 1, subcode: 1, data: '' },
  { name: 'a length of 18 is Bad Message Length with the length as data', bytes: `${marker} 0012 04`, code: 1, subcode: 2, data: '0012' },
  { name: 'a length of 4097 is Bad Message Length', bytes: `${marker} 1001 02`, code: 1, subcode: 2, data: '1001' },
  { name: 'type 6 is Bad Message Type with the type as data', bytes: `${marker} 0013 06`, code: 1, subcode: 3, data: '06' },
  { name: 'a KEEPALIVE of 20 bytes is Bad Message Length', bytes: `${marker} 0014 04 00`, code: 1, subcode: 2, data: '0014' },
  { name: 'an OPEN of 28 bytes is Bad Message Length', bytes: `${marker} 001c 01 ${'00'.repeat(9)}`, code: 1, subcode: 2, data: '001c' },
  { name: 'an UPDATE of 22 bytes is Bad Message Length', bytes: `${marker} 0016 02 000000`, code: 1, subcode: 2, data: '0016' },
  { name: 'a NOTIFICATION of 20 bytes is Bad Message Length', bytes: `${marker} 0014 03 06`, code: 1, subcode: 2, data: '0014' },
  {
    name: 'a ROUTE-REFRESH of 24 bytes is a ROUTE-REFRESH error carrying the whole message', bytes: `${marker} 0018 05 0001000100`,
    code: 7, subcode: 1, data: `${marker}00180500010001 00`.replace(/ /g, ''),
  },
];

for (const c of headerCases) {
  test(c.name, () => {
    const r = new BgpFramer().push(hex(c.bytes));
    assert.ok(r.error instanceof BgpError);
    assert.equal(r.error.code, c.code);
    assert.equal(r.error.subcode, c.subcode);
    assert.equal(Buffer.from(r.error.data).toString('hex'), c.data);
  });
}

test('messages before a bad header are delivered and the framer stays poisoned', () => {
  const f = new BgpFramer();
  const r = f.push(new Uint8Array([...keepaliveBytes, ...hex(`${marker} 0012 04`)]));
  assert.equal(r.frames.length, 1);
  assert.equal(r.error?.subcode, 2);
  const again = f.push(keepaliveBytes);
  assert.equal(again.frames.length, 0);
  assert.equal(again.error, r.error);
});

test('arbitrary bytes never make the framer throw', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }), (chunks) => {
    const f = new BgpFramer();
    for (const c of chunks) f.push(c);
  }));
});
