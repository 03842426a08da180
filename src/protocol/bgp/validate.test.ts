import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, parseIp } from '../../lib/ip.js';
import { BgpError } from './bgp-error.js';
import { mergeAs4Path } from './as-path.js';
import { buildOpen } from './negotiate.js';
import { validateOpen, validateUpdate, type UpdateSession } from './validate.js';
import type { Update } from './update.js';
import type { PathAttributes } from './attributes.js';

const ebgp: UpdateSession = { ebgp: true, peerAsn: 64500, as4: true, families: new Set(['IPv4', 'IPv6']) };
const good: PathAttributes = { origin: 0, asPath: [{ kind: 'sequence', asns: [64500, 65001] }], nextHop: parseIp('10.100.0.1')! };
const upd = (attributes: PathAttributes, nlri = ['10.1.0.0/16']): Update =>
  ({ type: 'update', withdrawn: [], attributes, nlri: nlri.map((p) => parseCidr(p)!) });

test('a clean UPDATE announces its prefixes', () => {
  const r = validateUpdate(upd(good), [], ebgp);
  assert.equal(r.action, undefined);
  assert.deepEqual(r.announced.map((p) => p.prefixLength), [16]);
});

const withdrawCases: { name: string; attrs: PathAttributes; subcode: number }[] = [
  { name: 'a missing ORIGIN turns the announcement into a withdrawal', attrs: { asPath: good.asPath!, nextHop: good.nextHop! }, subcode: 3 },
  { name: 'a missing NEXT_HOP with NLRI in the NLRI field is treat-as-withdraw', attrs: { origin: 0, asPath: good.asPath! }, subcode: 3 },
  { name: 'a NEXT_HOP of 0.0.0.0 is treat-as-withdraw (Invalid NEXT_HOP)', attrs: { ...good, nextHop: parseIp('0.0.0.0')! }, subcode: 8 },
  { name: 'an eBGP path that does not start with the peer AS is treat-as-withdraw', attrs: { ...good, asPath: [{ kind: 'sequence', asns: [65001] }] }, subcode: 11 },
  { name: 'confederation segments from an eBGP peer are treat-as-withdraw', attrs: { ...good, asPath: [{ kind: 'confedSequence', asns: [1] }, ...good.asPath!] }, subcode: 11 },
];
for (const c of withdrawCases) {
  test(c.name, () => {
    const r = validateUpdate(upd(c.attrs), [], ebgp);
    assert.equal(r.action, 'treatAsWithdraw');
    assert.deepEqual(r.announced, []);
    assert.equal(r.withdrawn.length, 1);
    assert.ok(r.problems.some((p) => p.subcode === c.subcode));
  });
}

test('LOCAL_PREF from an eBGP peer is discarded and the route kept', () => {
  const r = validateUpdate(upd({ ...good, localPref: 200 }), [], ebgp);
  assert.equal(r.action, 'attributeDiscard');
  assert.equal(r.attributes.localPref, undefined);
  assert.equal(r.announced.length, 1);
});

test('IPv6 routes on a session that did not negotiate IPv6 are ignored (AFI/SAFI disable)', () => {
  const u = upd({ ...good, mpReach: { afi: 2, safi: 1, nextHop: parseIp('fd00::1')!, nlri: [parseCidr('fd00:200::/64')!] } }, []);
  const r = validateUpdate(u, [], { ...ebgp, families: new Set(['IPv4']) });
  assert.equal(r.action, 'afiSafiDisable');
  assert.deepEqual(r.disabledFamilies, ['IPv6']);
  assert.deepEqual(r.announced, []);
});

test('an OLD speaker\'s AS_PATH is merged with its AS4_PATH (RFC 6793 §4.2.3)', () => {
  const merged = mergeAs4Path([{ kind: 'sequence', asns: [64500, 23456, 23456] }], [{ kind: 'sequence', asns: [4200000001, 4200000002] }]);
  assert.deepEqual(merged, [{ kind: 'sequence', asns: [64500] }, { kind: 'sequence', asns: [4200000001, 4200000002] }]);
  const r = validateUpdate(upd({ ...good, asPath: [{ kind: 'sequence', asns: [64500, 23456] }], as4Path: [{ kind: 'sequence', asns: [4200000001] }] }), [], { ...ebgp, as4: false });
  assert.deepEqual(r.attributes.asPath, [{ kind: 'sequence', asns: [64500] }, { kind: 'sequence', asns: [4200000001] }]);
  assert.equal(r.attributes.as4Path, undefined);
});

test('a path shorter than its AS4_PATH keeps the AS_PATH', () => {
  assert.deepEqual(mergeAs4Path([{ kind: 'sequence', asns: [1] }], [{ kind: 'sequence', asns: [2, 3] }]), [{ kind: 'sequence', asns: [1] }]);
});

test('End-of-RIB is recognised', () => {
  assert.equal(validateUpdate(upd({}, []), [], ebgp).endOfRib, 'IPv4');
});

const expect = { localAsn: 64512, localBgpIdentifier: 7, peerAsn: 64500 as number | 'internal' | 'external' };
const openFrom = (asn: number, id = 9) => buildOpen({ localAsn: asn, bgpIdentifier: id, holdTimeSec: 90, families: ['IPv4'] });
const openCases: { name: string; asn: number; id?: number; peer: number | 'internal' | 'external'; subcode?: number }[] = [
  { name: 'the configured peer AS is accepted', asn: 64500, peer: 64500 },
  { name: 'another AS than the configured one is Bad Peer AS', asn: 64501, peer: 64500, subcode: 2 },
  { name: 'dynamic internal accepts our own AS', asn: 64512, peer: 'internal' },
  { name: 'dynamic internal refuses another AS', asn: 64500, peer: 'internal', subcode: 2 },
  { name: 'dynamic external refuses our own AS', asn: 64512, peer: 'external', subcode: 2 },
  { name: 'an internal peer with our BGP identifier is Bad BGP Identifier', asn: 64512, id: 7, peer: 64512, subcode: 3 },
  { name: 'a 4-octet peer AS is read from the capability', asn: 4200000001, peer: 4200000001 },
];
for (const c of openCases) {
  test(c.name, () => {
    const run = () => validateOpen(openFrom(c.asn, c.id), { ...expect, peerAsn: c.peer });
    if (c.subcode === undefined) assert.equal(run(), c.asn);
    else assert.throws(run, (e: unknown) => e instanceof BgpError && e.code === 2 && e.subcode === c.subcode);
  });
}
