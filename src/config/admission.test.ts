import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfd, bgpAd, community, l2, node, peer, pool, type Obj } from '../../test/support/config-objects.js';
import { type AdmissionDecision, type AdmissionKind, type AdmissionRequest, admissionInputs, decideAdmission } from './admission.js';
import type { ClusterResources } from './resources.js';

const options = { namespace: 'metallb-system' };

function request(operation: AdmissionRequest['operation'], object: Obj | undefined, oldObject?: Obj, namespace = 'metallb-system'): AdmissionRequest {
  const o = (object ?? oldObject)!;
  const apiVersion = String(o['apiVersion']);
  return {
    kind: o['kind'] as AdmissionKind,
    version: apiVersion.slice(apiVersion.indexOf('/') + 1),
    operation, namespace,
    name: String((o['metadata'] as { name: string }).name),
    object, oldObject,
  };
}

type Existing = Partial<Pick<ClusterResources, 'pools' | 'l2Advertisements' | 'bgpAdvertisements' | 'peers' | 'bfdProfiles' | 'communities' | 'nodes'>>;

function decide(req: AdmissionRequest, existing: Existing = {}): AdmissionDecision {
  return decideAdmission(req, existing, options);
}

function denial(d: AdmissionDecision): { reason: string; message: string } {
  assert.equal(d.allowed, false, `expected a denial, got ${JSON.stringify(d)}`);
  return d as { reason: string; message: string };
}

const asList = (...objects: Obj[]): never => objects as never;

test('a CREATE outside the MetalLB namespace is denied for every kind, naming the namespace to use', () => {
  for (const obj of [pool('p', ['10.0.0.0/24']), l2('l'), bgpAd('b'), peer('x'), bfd('f'), community('c', [['a', '1:1']])]) {
    const d = denial(decide(request('CREATE', obj, undefined, 'default')));
    assert.equal(d.reason, 'wrong-namespace');
    assert.match(d.message, /metallb-system/);
  }
});

test('nothing is read for a request the namespace check decides', () => {
  assert.deepEqual(admissionInputs({ kind: 'IPAddressPool', operation: 'CREATE', namespace: 'default' }, options), []);
  assert.deepEqual(admissionInputs({ kind: 'BFDProfile', operation: 'DELETE', namespace: 'metallb-system' }, options), ['peers']);
  assert.ok(admissionInputs({ kind: 'IPAddressPool', operation: 'UPDATE', namespace: 'metallb-system' }, options).includes('pools'));
});

test('a pool overlapping an existing pool is denied; the same pool alone is allowed', () => {
  const existing = { pools: asList(pool('a', ['10.0.0.0/24'])) };
  const d = denial(decide(request('CREATE', pool('b', ['10.0.0.128/25'])), existing));
  assert.equal(d.reason, 'invalid-config');
  assert.match(d.message, /overlaps/);
  assert.equal(decide(request('CREATE', pool('b', ['10.0.1.0/24'])), existing).allowed, true);
});

test('an UPDATE replaces the stored object of that name instead of colliding with it', () => {
  const old = pool('a', ['10.0.0.0/24']);
  const existing = { pools: asList(old) };
  assert.equal(decide(request('UPDATE', pool('a', ['10.0.0.0/23']), old), existing).allowed, true);
});

test('problems already in the configuration do not block an unrelated change and come back as a warning', () => {
  const existing = { pools: asList(pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.0/25'])) };
  const d = decide(request('CREATE', pool('c', ['10.9.0.0/24'])), existing);
  assert.equal(d.allowed, true);
  assert.match(d.warnings.join('\n'), /already has 1 problem/);
  const fix = decide(request('UPDATE', pool('b', ['10.1.0.0/25']), pool('b', ['10.0.0.0/25'])), existing);
  assert.deepEqual(fix, { allowed: true, warnings: [] });
});

test('advertisement rules: aggregation longer than the pool, serviceSelectors with aggregation, bad communities', () => {
  const pools = { pools: asList(pool('p', ['10.0.0.0/26'])) };
  assert.match(denial(decide(request('CREATE', bgpAd('a', { ipAddressPools: ['p'], aggregationLength: 24 })), pools)).message, /aggregation/i);
  assert.match(denial(decide(request('CREATE', bgpAd('a', { aggregationLength: 30, serviceSelectors: [{ matchLabels: { a: 'b' } }] })), pools)).message,
    /serviceSelectors/);
  assert.match(denial(decide(request('CREATE', bgpAd('a', { communities: ['99999999:1'] })), pools)).message, /99999999:1/);
  assert.match(denial(decide(request('CREATE', bgpAd('a', { communities: ['lar:123:9999:123'] })), pools)).message, /large/);
});

test('references to objects not created yet never deny: alias communities, BFD profiles and password Secrets', () => {
  const ad = decide(request('CREATE', bgpAd('a', { communities: ['my-alias'] })));
  assert.equal(ad.allowed, true);
  assert.match(ad.warnings.join('\n'), /my-alias.*may be created later/);
  assert.equal(decide(request('CREATE', peer('x', { bfdProfile: 'later' }))).allowed, true);
  assert.equal(decide(request('CREATE', peer('x', { passwordSecret: { name: 'later' } }))).allowed, true);
});

test('a peer with an address that is not an IP is denied; disableMP warns and is still checked', () => {
  assert.match(denial(decide(request('CREATE', peer('x', { peerAddress: '1.2.3.4.5' })))).message, /peerAddress/);
  const warned = decide(request('CREATE', peer('x', { disableMP: true })));
  assert.equal(warned.allowed, true);
  assert.match(warned.warnings.join('\n'), /disable mp is deprecated/);
  assert.equal(decide(request('CREATE', peer('x', { disableMP: true, peerAddress: 'nope' }))).allowed, false);
});

test('a BGPPeer sent as v1beta1 is converted and checked with the same rules', () => {
  const v1 = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', metadata: { name: 'old', namespace: 'metallb-system' },
    spec: { myASN: 64500, peerASN: 64501, peerAddress: 'not-an-ip' } };
  assert.match(denial(decide(request('CREATE', v1))).message, /not-an-ip/);
});

test('community aliases: malformed values and a name defined twice are denied', () => {
  assert.match(denial(decide(request('CREATE', community('c', [['x', '99999999:1']])))).message, /99999999:1/);
  assert.match(denial(decide(request('CREATE', community('c', [['x', 'lar:123:9999:123']])))).message, /large/);
  const existing = { communities: asList(community('c1', [['x', '1:1']])) };
  assert.equal(denial(decide(request('CREATE', community('c2', [['x', '2:2']])), existing)).reason, 'invalid-config');
  assert.equal(denial(decide(request('CREATE', community('c2', [['y', 'large:1:2:3'], ['y', 'large:1:2:4']])))).reason, 'invalid-config');
});

test('deleting a BFDProfile is denied while a peer uses it, and allowed once none does', () => {
  const profile = bfd('fast');
  const d = denial(decide(request('DELETE', undefined, profile), { peers: asList(peer('a', { bfdProfile: 'fast' }), peer('b')) }));
  assert.equal(d.reason, 'bfd-profile-in-use');
  assert.match(d.message, /"a"/);
  assert.equal(decide(request('DELETE', undefined, profile), { peers: asList(peer('b')) }).allowed, true);
});

test('a change that breaks another kind is caught: a new pool under an advertisement with a longer aggregation', () => {
  const existing = { bgpAdvertisements: asList(bgpAd('agg', { aggregationLength: 24 })), nodes: asList(node('n1')) };
  assert.equal(decide(request('CREATE', pool('p', ['10.0.0.0/24'])), existing).allowed, true);
  assert.equal(denial(decide(request('CREATE', pool('p', ['10.0.0.0/26'])), existing)).reason, 'invalid-config');
});

test('a schema violation the API server would also refuse is denied with its field path', () => {
  const d = denial(decide(request('CREATE', { ...pool('p', ['10.0.0.0/24']), spec: { addresses: 'x' } })));
  assert.equal(d.reason, 'schema');
  assert.match(d.message, /spec\.addresses/);
});
