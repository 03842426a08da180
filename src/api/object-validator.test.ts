import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from './object-validator.js';
import type { BGPPeer } from './schema/bgp-peer.js';
import type { IPAddressPool } from './schema/ip-address-pool.js';

test('validation applies the schema defaults to a copy and leaves the input alone', () => {
  const input = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' }, spec: { addresses: ['10.0.0.0/24'] } };
  const r = validateObject<IPAddressPool>('IPAddressPool', 'v1beta1', input);
  assert.deepEqual(r.object?.spec, { addresses: ['10.0.0.0/24'], autoAssign: true, avoidBuggyIPs: false });
  assert.deepEqual(input.spec, { addresses: ['10.0.0.0/24'] });
  const peer = validateObject<BGPPeer>('BGPPeer', 'v1beta2', { spec: { myASN: 1 } });
  assert.deepEqual(peer.object?.spec, { myASN: 1, peerPort: 179, disableMP: false, dualStackAddressFamily: false });
});

test('schema problems name the field path and say what is wrong', () => {
  const r = validateObject('IPAddressPool', 'v1beta1', {
    metadata: { name: 'p', labels: { 'app.kubernetes.io/name': 3 } },
    spec: { addresses: ['x', 7], autoAssign: 'no', serviceAllocation: { priority: 1.5, nameSpaces: [] } },
  });
  assert.deepEqual(r.problems?.map((p) => `${p.path}: ${p.message}`).sort(), [
    'metadata.labels["app.kubernetes.io/name"]: must be a string, not an integer',
    'spec.addresses[1]: must be a string, not an integer',
    'spec.autoAssign: must be a boolean, not a string',
    'spec.serviceAllocation.nameSpaces: unknown field',
    'spec.serviceAllocation.priority: must be an integer, not a number',
  ]);
  assert.equal(r.object, undefined);
  const missing = validateObject('IPAddressPool', 'v1beta1', { metadata: { name: 'p' } });
  assert.deepEqual(missing.problems?.map((p) => `${p.path}: ${p.message}`), ['spec: required field is missing']);
});

test('value problems (ranges, enums, CEL rules) still return the defaulted object for build() to re-check', () => {
  const r = validateObject<BGPPeer>('BGPPeer', 'v1beta2', { spec: { myASN: 1, peerPort: 0, dynamicASN: 'both', connectTime: '1500ms' } });
  assert.deepEqual(r.problems?.map((p) => `${p.path}: ${p.message}`).sort(), [
    'spec.connectTime: connect time should contain a whole number of seconds',
    'spec.dynamicASN: must be one of "internal", "external"',
    'spec.peerPort: must be >= 1',
  ]);
  assert.equal(r.object?.spec?.disableMP, false);
});

test('the BGPAdvertisement CEL rule is evaluated offline and the transition rules are skipped', () => {
  const ad = (spec: object) => validateObject('BGPAdvertisement', 'v1beta1', { spec });
  assert.equal(ad({ serviceSelectors: [{ matchLabels: { a: 'b' } }] }).problems, undefined);
  assert.match(ad({ serviceSelectors: [{}], aggregationLength: 24 }).problems?.[0]?.message ?? '', /mutually exclusive/);
  assert.equal(validateObject('BGPPeer', 'v1beta2', { spec: { myASN: 1, enableGracefulRestart: true } }).problems, undefined);
  assert.equal(validateObject('ServiceL2Status', 'v1beta1', { status: { node: 'a', serviceName: 's', serviceNamespace: 'n' } }).problems, undefined);
});

test('an unknown kind or version is a problem, not an exception', () => {
  assert.equal(validateObject('AddressPool', 'v1beta1', {}).problems?.[0]?.path, 'apiVersion');
  assert.equal(validateObject('BGPPeer', 'v1', {}).problems?.[0]?.path, 'apiVersion');
});
