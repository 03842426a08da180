import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEthernet, encodeEthernet, etherType } from './ethernet.js';
import { broadcastMac, isMulticastMac, macFromBytes, macToBytes, parseMac } from './mac.js';
import { WireError } from '../wire/wire-error.js';
import { kernelArpRequest } from '../golden-frames.test-data.js';

const arbMac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b));

test('a kernel ARP frame decodes to its addresses and ethertype', () => {
  const f = decodeEthernet(kernelArpRequest);
  assert.equal(f.destination, broadcastMac);
  assert.equal(f.source, '02:00:00:00:00:64');
  assert.equal(f.etherType, etherType.arp);
  assert.equal(f.payload.length, 28);
});

test('encoding pads short payloads to the 60-byte minimum frame and decode(encode(x)) keeps the rest', () => {
  fc.assert(fc.property(arbMac, arbMac, fc.integer({ min: 0x0600, max: 0xffff }), fc.uint8Array({ maxLength: 100 }), (d, s, t, payload) => {
    const bytes = encodeEthernet({ destination: d, source: s, etherType: t, payload });
    assert.equal(bytes.length, 14 + Math.max(46, payload.length));
    const back = decodeEthernet(bytes);
    assert.deepEqual({ ...back, payload: back.payload.subarray(0, payload.length) }, { destination: d, source: s, etherType: t, payload });
    if (payload.length >= 46) assert.deepEqual(back.payload, payload);
  }));
});

test('arbitrary bytes decode or raise WireError, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
    try { decodeEthernet(bytes); } catch (e) { assert.ok(e instanceof WireError, String(e)); }
  }));
  assert.throws(() => decodeEthernet(Uint8Array.of(1, 2, 3)), WireError);
  assert.throws(() => decodeEthernet(new Uint8Array(20)), /802\.3 length field/);
});

test('MAC text is canonical lowercase and the group bit marks multicast', () => {
  assert.equal(parseMac('02:AB:00:00:00:0B'), '02:ab:00:00:00:0b');
  assert.equal(parseMac('02:ab:00:00:00'), undefined);
  assert.deepEqual([...macToBytes('33:33:ff:00:00:11')], [0x33, 0x33, 0xff, 0, 0, 0x11]);
  assert.equal(isMulticastMac('33:33:ff:00:00:11'), true);
  assert.equal(isMulticastMac(broadcastMac), true);
  assert.equal(isMulticastMac('02:00:00:00:00:0b'), false);
});
