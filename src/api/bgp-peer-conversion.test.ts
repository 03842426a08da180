import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bgpPeerToV1beta1, bgpPeerToV1beta2, v1beta2FieldsAnnotation } from './bgp-peer-conversion.js';
import { validateObject } from './object-validator.js';
import type { BGPPeerManifest, BGPPeerV1beta1 } from './schema/bgp-peer.js';

// structuredClone gives fast-check's null-prototype records ordinary prototypes, so deepEqual compares shapes.
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const asn = fc.integer({ min: 1, max: 4294967295 });
const duration = fc.constantFrom('90s', '3s', '1m30s', '0s', '10s');
const ip = fc.oneof(fc.ipV4(), fc.constantFrom('fc00::1', '2001:db8::5'));

const v1Selector = fc.record({
  matchLabels: fc.dictionary(label, label, { minKeys: 1, maxKeys: 2 }),
  matchExpressions: fc.array(fc.record({ key: label, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(label, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 2 }),
}, { requiredKeys: [], noNullPrototype: true });

const metadata = fc.record({ name: label, namespace: fc.constant('metallb-system'), labels: fc.dictionary(label, label, { maxKeys: 2 }) }, { requiredKeys: ['name', 'namespace'], noNullPrototype: true });

const v1beta1Peer: fc.Arbitrary<BGPPeerV1beta1> = fc.record({
  metadata,
  spec: fc.record({
    myASN: asn, peerASN: asn, peerAddress: ip, sourceAddress: ip, peerPort: fc.integer({ min: 1, max: 16384 }),
    holdTime: duration, keepaliveTime: duration, routerID: fc.ipV4(), password: label,
    bfdProfile: label, ebgpMultiHop: fc.boolean(), nodeSelectors: fc.array(v1Selector, { maxLength: 2 }),
  }, { requiredKeys: ['myASN', 'peerASN', 'peerAddress'], noNullPrototype: true }),
}).map((p) => structuredClone({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', ...p }));

const v2Selector = fc.record({
  matchLabels: fc.dictionary(label, label, { minKeys: 1, maxKeys: 2 }),
  matchExpressions: fc.array(fc.record({
    key: label, operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), values: fc.array(label, { minLength: 1, maxLength: 3 }),
  }, { requiredKeys: ['key', 'operator'], noNullPrototype: true }), { minLength: 1, maxLength: 2 }),
}, { requiredKeys: [], noNullPrototype: true });

const v1beta2Peer: fc.Arbitrary<BGPPeerManifest> = fc.record({
  metadata: fc.record({ name: label, namespace: fc.constant('metallb-system'), labels: fc.dictionary(label, label, { maxKeys: 2 }), annotations: fc.dictionary(label, label, { minKeys: 1, maxKeys: 2 }) }, { requiredKeys: ['name'], noNullPrototype: true }),
  spec: fc.record({
    myASN: asn, peerASN: asn, dynamicASN: fc.constantFrom('internal' as const, 'external' as const), localASN: asn,
    peerAddress: ip, interface: label, sourceAddress: ip, peerPort: fc.integer({ min: 1, max: 16384 }),
    holdTime: duration, keepaliveTime: duration, connectTime: fc.constantFrom('5s', '1m'), routerID: fc.ipV4(),
    nodeSelectors: fc.array(v2Selector, { maxLength: 2 }), password: label,
    passwordSecret: fc.record({ name: label, namespace: label }, { requiredKeys: ['name'], noNullPrototype: true }), bfdProfile: label,
    enableGracefulRestart: fc.boolean(), ebgpMultiHop: fc.boolean(), vrf: label,
    disableMP: fc.boolean(), dualStackAddressFamily: fc.boolean(),
  }, { requiredKeys: ['myASN'], noNullPrototype: true }),
}).map((p) => structuredClone({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', ...p }));

test('a v1beta1 BGPPeer converted to v1beta2 and back is unchanged', () => {
  fc.assert(fc.property(v1beta1Peer, (peer) => {
    assert.deepEqual(bgpPeerToV1beta1(bgpPeerToV1beta2(peer)), peer);
  }));
});

test('a v1beta2 BGPPeer converted to v1beta1 and back is unchanged, fields v1beta1 lacks included', () => {
  fc.assert(fc.property(v1beta2Peer, (peer) => {
    // v1beta1 has no "unset" remote AS or address: 0 and "" stand for them and come back as unset.
    assert.deepEqual(bgpPeerToV1beta2(bgpPeerToV1beta1(peer)), peer);
  }));
});

test('conversion output is valid against the target version\'s schema', () => {
  fc.assert(fc.property(v1beta1Peer, (peer) => {
    assert.equal(validateObject('BGPPeer', 'v1beta2', bgpPeerToV1beta2(peer)).problems, undefined);
  }), { numRuns: 50 });
});

test('v1beta1 -> v1beta2 copies the common fields as MetalLB does and leaves unset timers unset', () => {
  const v2 = bgpPeerToV1beta2({
    apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', metadata: { name: 'p', namespace: 'metallb-system' },
    spec: {
      myASN: 64512, peerASN: 64513, peerAddress: '172.30.0.3', peerPort: 0, password: 'x', ebgpMultiHop: true,
      nodeSelectors: [{ matchLabels: { rack: 'a' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }, {}],
    },
  });
  assert.deepEqual(v2, {
    apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'p', namespace: 'metallb-system' },
    spec: {
      myASN: 64512, peerASN: 64513, peerAddress: '172.30.0.3', password: 'x', ebgpMultiHop: true,
      nodeSelectors: [{ matchLabels: { rack: 'a' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }, {}],
    },
  });
});

test('v1beta2 -> v1beta1 keeps v1beta2-only fields in an annotation; a mangled annotation restores nothing', () => {
  const v1 = bgpPeerToV1beta1({ metadata: { name: 'p' }, spec: { myASN: 1, dynamicASN: 'external', interface: 'eth0', vrf: 'red' } });
  assert.deepEqual(v1.spec, { myASN: 1, peerASN: 0, peerAddress: '' });
  assert.deepEqual(JSON.parse(v1.metadata!.annotations![v1beta2FieldsAnnotation]!), { dynamicASN: 'external', interface: 'eth0', vrf: 'red' });
  const mangled = { ...v1, metadata: { name: 'p', annotations: { [v1beta2FieldsAnnotation]: '{not json', keep: 'me' } } };
  assert.deepEqual(bgpPeerToV1beta2(mangled).metadata, { name: 'p', annotations: { keep: 'me' } });
});
