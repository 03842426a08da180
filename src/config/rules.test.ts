/**
 * One table row per configuration rule (rules.ts), each with examples that must be accepted without any
 * problem and examples that must raise that rule. The examples follow MetalLB's TestParse cases
 * (metallb-behaviour.md §4.6) where MetalLB has them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  bareBgpPeer, bfd, bgpAd, check, community, l2, namespace, node, type Obj, peer, pool, secret,
} from '../../test/support/config-objects.js';
import { type RuleCode, rules } from './rules.js';

interface Row {
  readonly valid: readonly Obj[][];
  readonly invalid: readonly Obj[][];
}

const p24 = pool('p', ['10.0.0.0/24']);
const v6 = pool('v6', ['fc00::/124']);
const sel = (labels: Record<string, string>) => ({ matchLabels: labels });
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [values === undefined ? { key, operator } : { key, operator, values }] });

const table: Record<RuleCode, Row> = {
  'schema': {
    valid: [[p24]],
    invalid: [[pool('p', ['10.0.0.0/24'], { autoAssign: 'yes' })], [pool('p', ['10.0.0.0/24'], { adresses: [] })], [{ ...p24, spec: { addresses: '10.0.0.0/24' } }]],
  },
  'object-kind': {
    valid: [[p24, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }]],
    invalid: [[{ apiVersion: 'metallb.io/v1beta1', kind: 'AddressPool', metadata: { name: 'x' } }], [{ metadata: { name: 'x' } }], [{ apiVersion: 'metallb.io/v1beta3', kind: 'BGPPeer', metadata: { name: 'x' } }]],
  },
  'object-namespace': {
    valid: [[{ ...p24, metadata: { name: 'p' } }]],
    invalid: [[{ ...p24, metadata: { name: 'p', namespace: 'default' } }]],
  },
  'object-name': {
    valid: [[p24]],
    invalid: [[{ ...p24, metadata: { namespace: 'metallb-system' } }], [{ ...bfd('x'), metadata: {} }], [pool('PoolA', ['10.0.0.0/24'])], [peer('peer_1')]],
  },
  'duplicate-name': {
    valid: [[p24, pool('q', ['10.0.1.0/24'])]],
    invalid: [[p24, pool('p', ['10.0.1.0/24'])], [bfd('b'), bfd('b')], [l2('a'), l2('a'), p24]],
  },
  'pool-addresses': { valid: [[p24]], invalid: [[pool('p', [])]] },
  'pool-address-syntax': {
    valid: [[pool('p', ['192.168.10.0/24', '192.168.9.1-192.168.9.5', ' 10.1.0.1 - 10.1.0.9 ', 'fc00:f853:ccd:e799::/124', '198.51.100.10/24', '42.176.25.64/32'])]],
    invalid: [[pool('p', ['10.0.0.1'])], [pool('p', ['10.0.0.9-10.0.0.1'])], [pool('p', ['10.0.0.1-fc00::1'])], [pool('p', ['10.0.0.0/33'])], [pool('p', ['foo'])], [pool('p', ['10.0.0.1-x'])]],
  },
  'pool-cidr-overlap': {
    valid: [[pool('a', ['10.0.0.0/25']), pool('b', ['10.0.0.128/25', '10.0.1.0-10.0.1.255'])]],
    invalid: [[pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.128/25'])], [pool('a', ['10.0.0.0/24', '10.0.0.0/24'])], [pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.250-10.0.1.5'])], [pool('a', ['fc00::/64']), pool('b', ['fc00::1/128'])]],
  },
  'pool-namespaces-duplicate': {
    valid: [[pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['a', 'b'] } })]],
    invalid: [[pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['a', 'a'] } })]],
  },
  'selector-syntax': {
    valid: [[pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [expr('app', 'In', ['a', 'b']), expr('tier', 'Exists'), sel({ 'app.kubernetes.io/name': 'x' })] } })]],
    invalid: [
      [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [expr('app', 'In', [])] } })],
      [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [expr('app', 'Exists', ['x'])] } })],
      [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [expr('app', 'Equals', ['x'])] } })],
      [pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaceSelectors: [sel({ 'bad key!': 'x' })] } })],
      [l2('a', { nodeSelectors: [expr('k', 'In', ['v', 'v'])] })],
      [peer('x', { nodeSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Exists' }, { key: 'k', operator: 'Exists' }] }] })],
    ],
  },
  'selector-duplicate': {
    valid: [[l2('a', { nodeSelectors: [sel({ a: 'b' }), sel({ a: 'c' })] })]],
    invalid: [[l2('a', { nodeSelectors: [sel({ a: 'b' }), sel({ a: 'b' })] })], [peer('x', { nodeSelectors: [expr('k', 'In', ['a', 'b']), expr('k', 'In', ['b', 'a'])] })], [bgpAd('a', { ipAddressPoolSelectors: [sel({ x: 'y' }), sel({ x: 'y' })] })]],
  },
  'list-duplicate': {
    valid: [[p24, l2('a', { ipAddressPools: ['p'] }), bgpAd('b', { ipAddressPools: ['p'], communities: ['1:1', '1:2'] })]],
    invalid: [[p24, l2('a', { ipAddressPools: ['p', 'p'] })], [p24, bgpAd('b', { ipAddressPools: ['p', 'p'] })], [p24, bgpAd('b', { communities: ['1:1', '1:1'] })], [p24, peer('x'), bgpAd('b', { peers: ['x', 'x'] })]],
  },
  'aggregation-length-range': {
    valid: [[p24, bgpAd('a', { aggregationLength: 24, aggregationLengthV6: 0 })]],
    invalid: [[p24, bgpAd('a', { aggregationLength: 33 })], [p24, bgpAd('a', { aggregationLengthV6: 129 })], [p24, bgpAd('a', { aggregationLengthV6: -1 })], [p24, bgpAd('a', { aggregationLength: 0 })]],
  },
  'aggregation-length-vs-pool': {
    valid: [[p24, bgpAd('a', { aggregationLength: 24 })], [p24, bgpAd('a', { aggregationLength: 28 })], [pool('r', ['10.0.0.128-10.0.0.255']), bgpAd('a', { aggregationLength: 25 })]],
    invalid: [[p24, bgpAd('a', { aggregationLength: 16 })], [pool('r', ['10.0.0.1-10.0.0.255']), bgpAd('a', { aggregationLength: 24 })], [v6, bgpAd('a', { aggregationLengthV6: 64 })]],
  },
  'aggregation-with-service-selectors': {
    valid: [[p24, bgpAd('a', { serviceSelectors: [sel({ app: 'x' })] })], [p24, bgpAd('a', { aggregationLength: 24 })]],
    invalid: [[p24, bgpAd('a', { aggregationLength: 24, serviceSelectors: [sel({ app: 'x' })] })], [p24, bgpAd('a', { aggregationLengthV6: 64, serviceSelectors: [sel({ app: 'x' })] })]],
  },
  'local-pref-range': {
    valid: [[p24, bgpAd('a', { localPref: 4294967295 })]],
    invalid: [[p24, bgpAd('a', { localPref: 4294967296 })], [p24, bgpAd('a', { localPref: -1 })]],
  },
  'local-pref-conflict': {
    valid: [
      [p24, bgpAd('a', { localPref: 100 }), bgpAd('b', { localPref: 200, aggregationLength: 24 })],
      [p24, peer('x'), peer('y', { peerAddress: '10.0.0.2' }), bgpAd('a', { localPref: 100, peers: ['x'] }), bgpAd('b', { localPref: 200, peers: ['y'] })],
      [p24, node('n1', { rack: 'a' }), node('n2', { rack: 'b' }), bgpAd('a', { localPref: 100, nodeSelectors: [sel({ rack: 'a' })] }), bgpAd('b', { localPref: 200, nodeSelectors: [sel({ rack: 'b' })] })],
      [p24, bgpAd('a', { localPref: 100, serviceSelectors: [sel({ env: 'prod' })] }), bgpAd('b', { localPref: 200 })],
      [pool('ds', ['10.0.0.0/24', 'fc00::/120']), bgpAd('a', { localPref: 100 }), bgpAd('b', { localPref: 200, aggregationLength: 24, aggregationLengthV6: 120 })],
      [p24, pool('q', ['10.0.1.0/24']), bgpAd('a', { localPref: 100, ipAddressPools: ['p'] }), bgpAd('b', { localPref: 200, ipAddressPools: ['q'] })],
    ],
    invalid: [
      [p24, bgpAd('a', { localPref: 100 }), bgpAd('b', { localPref: 200 })],
      [p24, peer('x'), bgpAd('a', { localPref: 100, peers: ['x'] }), bgpAd('b', { localPref: 200, peers: ['x'] })],
      [p24, node('n1', { rack: 'a' }), bgpAd('a', { localPref: 100, nodeSelectors: [sel({ rack: 'a' })] }), bgpAd('b', { localPref: 200 })],
      [pool('ds', ['10.0.0.0/24', 'fc00::/120']), bgpAd('a', { localPref: 100 }), bgpAd('b', { localPref: 200, aggregationLength: 24 })],
    ],
  },
  'community-syntax': {
    valid: [[p24, bgpAd('a', { communities: ['65535:65282', 'large:1:2:3', '0:0', 'large:4294967295:0:1'] }), community('c', [['vpn-only', '1234:1']])]],
    invalid: [
      [p24, bgpAd('a', { communities: ['1:99999'] })], [p24, bgpAd('a', { communities: ['x:1'] })],
      [p24, bgpAd('a', { communities: ['large:1:2:4294967296'] })], [p24, bgpAd('a', { communities: ['big:1:2:3'] })],
      [p24, bgpAd('a', { communities: ['-1:2'] })], [community('c', [['bad', 'foo']])], [community('c', [['bad', '1:70000']])],
    ],
  },
  'community-unknown-alias': {
    valid: [[p24, community('c', [['vpn-only', '1234:1']]), bgpAd('a', { communities: ['vpn-only'] })]],
    invalid: [[p24, bgpAd('a', { communities: ['vpn-only'] })], [p24, bgpAd('a', { communities: ['large:1:2'] })]],
  },
  'community-alias-duplicate': {
    valid: [[community('c', [['a', '1:1'], ['b', '1:2']]), community('d', [['c', '1:3']])]],
    invalid: [[community('c', [['a', '1:1'], ['a', '1:2']])], [community('c', [['a', '1:1']]), community('d', [['a', '1:1']])]],
  },
  'bfd-echo-ipv6': {
    valid: [
      [p24, bfd('echo', { echoMode: true }), peer('x', { bfdProfile: 'echo' }), bgpAd('a')],
      [v6, bfd('echo', { echoMode: true }), peer('x', { bfdProfile: 'echo' }), peer('y', { peerAddress: '10.0.0.2' }), bgpAd('a', { peers: ['y'] })],
    ],
    invalid: [
      [v6, bfd('echo', { echoMode: true }), peer('x', { bfdProfile: 'echo' }), bgpAd('a')],
      [v6, bfd('echo', { echoMode: true }), peer('x', { bfdProfile: 'echo' }), bgpAd('a', { peers: ['x'] })],
    ],
  },
  'preferred-weight-range': {
    valid: [[p24, l2('a', { preferredNodeSelectors: [{ weight: 100, preference: sel({ role: 'edge' }) }, { weight: 1, preference: {} }] })]],
    invalid: [[p24, l2('a', { preferredNodeSelectors: [{ weight: 0, preference: {} }] })], [p24, l2('a', { preferredNodeSelectors: [{ weight: 101, preference: {} }] })]],
  },
  'peer-my-asn': { valid: [[peer('x')]], invalid: [[peer('x', { myASN: 0 })]] },
  'peer-asn-range': {
    valid: [[peer('x', { myASN: 4294967295, localASN: 1 })]],
    invalid: [[peer('x', { myASN: 4294967296 })], [peer('x', { localASN: 0 })], [peer('x', { peerASN: 4294967296 })]],
  },
  'peer-remote-asn': {
    valid: [[bareBgpPeer('x', { myASN: 64500, dynamicASN: 'external', peerAddress: '10.0.0.1' })]],
    invalid: [[bareBgpPeer('x', { myASN: 64500, peerAddress: '10.0.0.1' })], [peer('x', { dynamicASN: 'internal' })], [bareBgpPeer('x', { myASN: 64500, dynamicASN: 'any', peerAddress: '10.0.0.1' })]],
  },
  'peer-ebgp-multihop-ibgp': {
    valid: [[peer('x', { ebgpMultiHop: true })], [peer('x', { peerASN: 64500 })]],
    invalid: [[peer('x', { peerASN: 64500, ebgpMultiHop: true })]],
  },
  'peer-address-or-interface': {
    valid: [[bareBgpPeer('x', { myASN: 64500, peerASN: 64501, interface: 'eth1' })]],
    invalid: [[bareBgpPeer('x', { myASN: 64500, peerASN: 64501 })], [peer('x', { interface: 'eth1' })]],
  },
  'peer-address-syntax': {
    valid: [[peer('x', { peerAddress: 'fc00::1', sourceAddress: 'fc00::2' })]],
    invalid: [[peer('x', { peerAddress: '10.0.0.300' })], [peer('x', { sourceAddress: 'eth0' })]],
  },
  'peer-router-id': {
    valid: [[peer('x', { routerID: '10.10.10.10' })]],
    invalid: [[peer('x', { routerID: 'router-1' })], [peer('x', { routerID: 'fc00::1' })]],
  },
  'peer-port-range': {
    valid: [[peer('x', { peerPort: 16384 })], [peer('x', { peerPort: 1 })]],
    invalid: [[peer('x', { peerPort: 0 })], [peer('x', { peerPort: 16385 })]],
  },
  'duration-syntax': {
    valid: [[peer('x', { holdTime: '1m30s', keepaliveTime: '30s' })]],
    invalid: [[peer('x', { holdTime: '90' })], [peer('x', { keepaliveTime: '-1s' })], [peer('x', { holdTime: '90 seconds' })]],
  },
  'peer-timers': {
    valid: [[peer('x', { holdTime: '0s' })], [peer('x', { holdTime: '3s' })], [peer('x', { keepaliveTime: '1s' })], [peer('x', { holdTime: '90s', keepaliveTime: '90s' })]],
    invalid: [[peer('x', { holdTime: '2s' })], [peer('x', { holdTime: '10s', keepaliveTime: '30s' })], [peer('x', { keepaliveTime: '500ms' })], [peer('x', { holdTime: '0s', keepaliveTime: '1s' })]],
  },
  'peer-connect-time': {
    valid: [[peer('x', { connectTime: '5s' })], [peer('x', { connectTime: '18h12m15s' })]],
    invalid: [[peer('x', { connectTime: '0s' })], [peer('x', { connectTime: '65536s' })], [peer('x', { connectTime: '1500ms' })]],
  },
  'peer-password-and-secret': {
    valid: [[peer('x', { password: 'secret' })]],
    invalid: [[peer('x', { password: 'secret', passwordSecret: { name: 's' } }), secret('s', 'kubernetes.io/basic-auth', { password: 'x' })]],
  },
  'peer-secret-missing': {
    valid: [[peer('x', { passwordSecret: { name: 's', namespace: 'metallb-system' } }), secret('s', 'kubernetes.io/basic-auth', { password: 'x' })]],
    invalid: [[peer('x', { passwordSecret: { name: 's' } })], [peer('x', { passwordSecret: { name: 's' } }), { ...secret('s', 'kubernetes.io/basic-auth', { password: 'x' }), metadata: { name: 's', namespace: 'other' } }]],
  },
  'peer-secret-type': {
    valid: [[peer('x', { passwordSecret: { name: 's' } }), secret('s', 'kubernetes.io/basic-auth', { password: 'x' })]],
    invalid: [[peer('x', { passwordSecret: { name: 's' } }), secret('s', 'Opaque', { password: 'x' })]],
  },
  'peer-secret-password-key': {
    valid: [[peer('x', { passwordSecret: { name: 's' } }), secret('s', 'kubernetes.io/basic-auth', { password: '' })]],
    invalid: [[peer('x', { passwordSecret: { name: 's' } }), secret('s', 'kubernetes.io/basic-auth', { username: 'x' })]],
  },
  'peer-bfd-profile-missing': {
    valid: [[peer('x', { bfdProfile: 'b' }), bfd('b')]],
    invalid: [[peer('x', { bfdProfile: 'b' })]],
  },
  'peer-router-id-conflict': {
    valid: [
      [peer('x', { routerID: '1.1.1.1' }), peer('y', { peerAddress: '10.0.0.2', routerID: '1.1.1.1' })],
      [node('n1', { rack: 'a' }), node('n2', { rack: 'b' }), peer('x', { routerID: '1.1.1.1', nodeSelectors: [sel({ rack: 'a' })] }), peer('y', { peerAddress: '10.0.0.2', routerID: '2.2.2.2', nodeSelectors: [sel({ rack: 'b' })] })],
    ],
    invalid: [[peer('x', { routerID: '1.1.1.1' }), peer('y', { peerAddress: '10.0.0.2', routerID: '2.2.2.2' })], [peer('x', { routerID: '1.1.1.1' }), peer('y', { peerAddress: '10.0.0.2' })]],
  },
  'peer-duplicate-session': {
    valid: [[peer('x'), peer('y', { vrf: 'red' })], [node('n1', { rack: 'a' }), node('n2', { rack: 'b' }), peer('x', { nodeSelectors: [sel({ rack: 'a' })] }), peer('y', { nodeSelectors: [sel({ rack: 'b' })] })]],
    invalid: [[peer('x'), peer('y', { peerASN: 64502 })], [peer('x', { peerAddress: 'fc00::1' }), peer('y', { peerAddress: 'FC00:0::1' })], [bareBgpPeer('x', { myASN: 1, peerASN: 2, interface: 'eth0' }), bareBgpPeer('y', { myASN: 1, peerASN: 3, interface: 'eth0' })]],
  },
  'peer-my-asn-conflict': {
    valid: [[peer('x'), peer('y', { peerAddress: '10.0.0.2', myASN: 64510, vrf: 'red' })]],
    invalid: [[peer('x'), peer('y', { peerAddress: '10.0.0.2', myASN: 64510 })]],
  },
  'bfd-range': {
    valid: [[bfd('b', { receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 2, echoInterval: 50, minimumTtl: 254 })]],
    invalid: [[bfd('b', { receiveInterval: 5 })], [bfd('b', { transmitInterval: 60001 })], [bfd('b', { detectMultiplier: 256 })], [bfd('b', { minimumTtl: 0 })]],
  },
  'unknown-pool-reference': {
    valid: [[p24, l2('a', { ipAddressPools: ['p'] })]],
    invalid: [[p24, l2('a', { ipAddressPools: ['nope'] })], [p24, bgpAd('a', { ipAddressPools: ['p', 'nope'] })]],
  },
  'unknown-peer-reference': {
    valid: [[p24, peer('x'), bgpAd('a', { peers: ['x'] })]],
    invalid: [[p24, bgpAd('a', { peers: ['x'] })]],
  },
  'deprecated-disable-mp': {
    valid: [[peer('x', { disableMP: false })]],
    invalid: [[peer('x', { disableMP: true })]],
  },
};

describe('every configuration rule', () => {
  for (const [code, row] of Object.entries(table) as [RuleCode, Row][]) {
    test(`rule ${code}: ${rules[code].summary}`, () => {
      row.valid.forEach((objects, i) => {
        const { problems } = check(objects);
        assert.deepEqual(problems.map((p) => `${p.code} ${p.path}: ${p.message}`), [], `valid example ${i} has problems`);
      });
      row.invalid.forEach((objects, i) => {
        const { codes, problems } = check(objects);
        assert.ok(codes.has(code), `invalid example ${i} did not raise ${code}; got: ${problems.map((p) => `${p.code}: ${p.message}`).join('; ') || 'nothing'}`);
      });
      assert.ok(row.valid.length > 0 && row.invalid.length > 0);
    });
  }
});

test('the rule table covers every rule of rules.ts', () => {
  assert.deepEqual(Object.keys(table).sort(), Object.keys(rules).sort());
});

test('transient rules are exactly the missing references: Secret, BFD profile, community alias', () => {
  const transient = Object.entries(rules).filter(([, r]) => 'transient' in r).map(([c]) => c).sort();
  assert.deepEqual(transient, ['community-unknown-alias', 'peer-bfd-profile-missing', 'peer-secret-missing']);
  const { problems } = check([peer('x', { bfdProfile: 'b', passwordSecret: { name: 's' } })]);
  assert.ok(problems.length === 2 && problems.every((p) => 'transient' in p && p.transient));
});

test('all problems of a configuration are reported at once, each with kind, name and path', () => {
  const { problems } = check([pool('p', ['10.0.0.1', '10.0.1.0/24']), pool('q', ['10.0.1.0/25']), peer('x', { myASN: 0, holdTime: '1s' }), namespace('a')]);
  const got = problems.map((p) => `${'kind' in p ? `${p.kind}/${p.name}` : ''} ${p.code} ${p.path}`).sort();
  assert.deepEqual(got, [
    'BGPPeer/x peer-my-asn spec.myASN',
    'BGPPeer/x peer-timers spec.holdTime',
    'IPAddressPool/p pool-address-syntax spec.addresses[0]',
    'IPAddressPool/q pool-cidr-overlap spec.addresses[0]',
  ]);
});

test('docs/configuration.md lists every rule', () => {
  const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  for (const code of Object.keys(rules)) assert.ok(doc.includes(`| \`${code}\` |`), `${code} is not in docs/configuration.md`);
});
