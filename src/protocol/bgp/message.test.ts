import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hex, toHex } from '../../../test/support/hex.js';
import { openArbitrary, updateArbitrary } from '../../../test/support/bgp-arbitraries.js';
import { isRfcCorrectNotification } from '../../../test/support/bgp-notifications.js';
import { parseCidr, parseIp } from '../../lib/ip.js';
import { BgpError } from './bgp-error.js';
import { BgpFramer } from './framer.js';
import { decodeMessage, encodeMessage, type BgpMessage } from './message.js';
import { buildOpen } from './negotiate.js';
import type { Update } from './update.js';
import { endOfRib, endOfRibFamily } from './update.js';

const marker = 'ffffffffffffffffffffffffffffffff';
const as4 = { as4: true };

function decodeBytes(bytes: Uint8Array, ctx = as4): ReturnType<typeof decodeMessage> {
  const r = new BgpFramer().push(bytes);
  if (r.error !== undefined) throw r.error;
  assert.equal(r.frames.length, 1);
  return decodeMessage(r.frames[0]!, ctx);
}

function withHeader(type: number, body: string): Uint8Array {
  const b = hex(body);
  return new Uint8Array([...hex(marker), (b.length + 19) >> 8, (b.length + 19) & 0xff, type, ...b]);
}

function errorOf(fn: () => unknown): BgpError {
  try { fn(); } catch (e) { if (e instanceof BgpError) return e; throw e; }
  assert.fail('expected a BgpError');
}

const cidr = (t: string) => parseCidr(t)!;
const ip = (t: string) => parseIp(t)!;

test('our OPEN encodes with AS_TRANS for a 4-octet AS and decodes back', () => {
  const open = buildOpen({
    localAsn: 4200000001, bgpIdentifier: 0x0a64000b, holdTimeSec: 90, families: ['IPv4', 'IPv6'],
    gracefulRestart: { restartTimeSec: 120, restarting: true, forwardingState: true },
  });
  const bytes = encodeMessage(open, as4);
  assert.equal(toHex(bytes.subarray(19, 29)), '045ba0005a0a64000b' + toHex(bytes.subarray(28, 29)));
  assert.deepEqual(decodeBytes(bytes).message, open);
});

const openCases = [
  { name: 'version 3 is refused with the largest supported version as data', body: '03 fde8 005a 0a000001 00', sub: 1, data: '0004' },
  { name: 'hold time 2 is unacceptable', body: '04 fde8 0002 0a000001 00', sub: 6, data: '' },
  { name: 'a zero BGP identifier is bad', body: '04 fde8 005a 00000000 00', sub: 3, data: '' },
  { name: 'an optional parameter of type 1 is unsupported', body: '04 fde8 005a 0a000001 03 010100', sub: 4, data: '' },
  { name: 'a multiprotocol capability of length 3 is malformed (unspecific)', body: '04 fde8 005a 0a000001 05 0203 010300', sub: 0, data: '' },
  { name: 'a parameter length past the message is malformed (unspecific)', body: '04 fde8 005a 0a000001 09 0206 0104000100', sub: 0, data: '' },
];
for (const c of openCases) {
  test(c.name, () => {
    const e = errorOf(() => decodeBytes(withHeader(1, c.body)));
    assert.equal(e.code, 2);
    assert.equal(e.subcode, c.sub);
    assert.equal(toHex(e.data), c.data);
  });
}

test('RFC 9072 extended optional parameters decode and re-encode identically', () => {
  const bytes = withHeader(1, '04 fde8 005a 0a000001 ff ff 0009 02 0006 0104 00010001');
  const { message } = decodeBytes(bytes);
  assert.equal(message.type, 'open');
  assert.deepEqual(message.type === 'open' ? message.capabilityGroups : [], [[{ kind: 'multiprotocol', afi: 1, safi: 1 }]]);
  assert.equal(toHex(encodeMessage(message, as4)), toHex(bytes));
});

const fullUpdate: Update = {
  type: 'update',
  withdrawn: [cidr('10.9.0.0/16')],
  attributes: {
    origin: 0,
    asPath: [{ kind: 'sequence', asns: [64512, 4200000001] }],
    nextHop: ip('10.100.0.11'),
    multiExitDisc: 10,
    localPref: 150,
    communities: [0xfde80064, 0xffffff02],
    largeCommunities: [{ globalAdmin: 64512, localData1: 1, localData2: 2 }],
    mpReach: { afi: 2, safi: 1, nextHop: ip('fd00:100::11'), linkLocalNextHop: ip('fe80::ff:fe00:1'), nlri: [cidr('fd00:200::10/128')] },
  },
  nlri: [cidr('10.200.0.10/32'), cidr('10.201.0.0/24')],
};

test('an UPDATE with every attribute we send round-trips', () => {
  const { message, problems } = decodeBytes(encodeMessage(fullUpdate, as4));
  assert.deepEqual(problems, []);
  const { layout: _layout, ...rest } = message as Update;
  assert.deepEqual(rest, fullUpdate);
});

test('End-of-RIB is the empty UPDATE for IPv4 and an empty MP_UNREACH for IPv6', () => {
  assert.equal(toHex(encodeMessage(endOfRib('IPv4'), as4)), `${marker}0017020000 0000`.replace(' ', ''));
  assert.equal(toHex(encodeMessage(endOfRib('IPv6'), as4)), `${marker}001d02 0000 0006 800f03 000201`.replace(/ /g, ''));
  for (const f of ['IPv4', 'IPv6'] as const) {
    assert.equal(endOfRibFamily(decodeBytes(encodeMessage(endOfRib(f), as4)).message as Update), f);
  }
});

// Attribute problems: body = withdrawn len 0, attributes, nlri 10.0.0.0/8 (08 0a).
const attrCases = [
  { name: 'an ORIGIN value of 3 is treat-as-withdraw (Invalid ORIGIN)', attrs: '400101 03', action: 'treatAsWithdraw', sub: 6 },
  { name: 'an ORIGIN of length 2 is treat-as-withdraw (Attribute Length Error)', attrs: '400102 0000', action: 'treatAsWithdraw', sub: 5 },
  { name: 'an ORIGIN flagged optional is treat-as-withdraw (Attribute Flags Error)', attrs: 'c00101 00', action: 'treatAsWithdraw', sub: 4 },
  { name: 'an AS_PATH segment of length 0 is treat-as-withdraw (Malformed AS_PATH)', attrs: '400202 0200', action: 'treatAsWithdraw', sub: 11 },
  { name: 'an ATOMIC_AGGREGATE with a value is discarded', attrs: '400601 00', action: 'attributeDiscard', sub: 5 },
  { name: 'an AGGREGATOR of 7 bytes is discarded', attrs: 'c00707 00000001020304', action: 'attributeDiscard', sub: 5 },
  { name: 'COMMUNITIES of 6 bytes are treat-as-withdraw', attrs: 'c00806 000100020003', action: 'treatAsWithdraw', sub: 5 },
  { name: 'a LARGE_COMMUNITY of 8 bytes is treat-as-withdraw', attrs: 'c02008 0000000100000002', action: 'treatAsWithdraw', sub: 5 },
  { name: 'a malformed AS4_PATH is discarded', attrs: 'c01103 020100', action: 'attributeDiscard', sub: 9 },
  { name: 'an MP_REACH with a 5-byte IPv6 next hop disables IPv6 unicast', attrs: '800e0b 000201 05 0102030405 00 00', action: 'afiSafiDisable', sub: 9 },
  { name: 'an attribute longer than the list is treat-as-withdraw', attrs: '40010a 00', action: 'treatAsWithdraw', sub: 5 },
  { name: 'a repeated ORIGIN is discarded', attrs: '400101 00 400101 01', action: 'attributeDiscard', sub: 1 },
];
for (const c of attrCases) {
  test(c.name, () => {
    const a = hex(c.attrs);
    const body = `0000 ${(a.length >> 8).toString(16).padStart(2, '0')}${(a.length & 0xff).toString(16).padStart(2, '0')} ${c.attrs} 080a`;
    const { problems } = decodeBytes(withHeader(2, body));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.action, c.action);
    assert.equal(problems[0]!.code, 3);
    assert.equal(problems[0]!.subcode, c.sub);
  });
}

const resetCases = [
  { name: 'a repeated MP_REACH_NLRI resets the session (Malformed Attribute List)', body: '0000 000e 800f03000201 800f03000201 ', sub: 1, data: '' },
  { name: 'an unrecognized well-known attribute resets with the attribute as data', body: '0000 0004 40630100', sub: 2, data: '40630100' },
  { name: 'a withdrawn length past the message is Malformed Attribute List', body: '0009 0000', sub: 1, data: '' },
  { name: 'a total attribute length past the message is Malformed Attribute List', body: '0000 0009 400101', sub: 1, data: '' },
  { name: 'an NLRI prefix of length 33 is Invalid Network Field', body: '0000 0000 21 0a000001 00', sub: 10, data: '' },
  { name: 'a withdrawn prefix that overruns its field is Invalid Network Field', body: '0002 18 0a 0000', sub: 10, data: '' },
];
for (const c of resetCases) {
  test(c.name, () => {
    const e = errorOf(() => decodeBytes(withHeader(2, c.body)));
    assert.equal(e.code, 3);
    assert.equal(e.subcode, c.sub);
    assert.equal(toHex(e.data), c.data);
  });
}

test('decode(encode(update)) is the update, with 2- and 4-octet AS paths', () => {
  for (const as4flag of [true, false]) {
    fc.assert(fc.property(updateArbitrary(as4flag), (u) => {
      const { message, problems } = decodeBytes(encodeMessage(u, { as4: as4flag }), { as4: as4flag });
      assert.deepEqual(problems, []);
      const { layout: _l, ...rest } = message as Update;
      assert.deepEqual(rest, u);
    }), { numRuns: 300 });
  }
});

test('decode(encode(open)) is the open, and re-encoding a decoded message gives the same bytes', () => {
  fc.assert(fc.property(openArbitrary, (o) => {
    const bytes = encodeMessage(o, as4);
    const { message } = decodeBytes(bytes);
    assert.deepEqual(message, o);
    assert.equal(toHex(encodeMessage(message, as4)), toHex(bytes));
  }), { numRuns: 300 });
});

test('arbitrary bodies of every type raise only BgpErrors with RFC-correct codes', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 80 }), fc.boolean(), (type, body, as4flag) => {
    const bytes = withHeader(type, toHex(body));
    try {
      decodeBytes(bytes, { as4: as4flag });
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      assert.ok(isRfcCorrectNotification(type, e.code, e.subcode), `${type}: ${e.code}/${e.subcode} ${e.message}`);
    }
  }), { numRuns: 3000 });
});

test('a notification message decodes its code, subcode and data', () => {
  const m: BgpMessage = decodeBytes(withHeader(3, '0602 0568656c6c6f')).message;
  assert.deepEqual(m, { type: 'notification', code: 6, subcode: 2, data: hex('0568656c6c6f') });
});
