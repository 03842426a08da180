import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { parseIp } from '../../lib/ip.js';
import {
  announceInterfaces, electL2, shouldAnnounceL2, sortL2Candidates, excludeFromLoadBalancersLabel,
  type ElectionNode, type L2AdvertisementInput, type L2ElectionInput,
} from './election.js';
import { configOf, pool, l2, node as nodeObj } from '../../../test/support/config-objects.js';

const ip = (s: string) => parseIp(s)!;
const node = (name: string, labels: Record<string, string> = {}, networkUnavailable = false): ElectionNode => ({ name, labels, networkUnavailable });
const ad = (extra: Partial<L2AdvertisementInput> = {}): L2AdvertisementInput => ({
  nodeSelectors: [], interfaces: [], serviceSelectors: [], preferredNodeSelectors: [], ...extra,
});
const ready = (nodeName: string) => ({ nodeName, conditions: { ready: true } });

function input(extra: Partial<L2ElectionInput> = {}, nodes = [node('node-a'), node('node-b'), node('node-c')]): L2ElectionInput {
  return {
    service: { labels: { app: 'web' }, annotations: {}, externalTrafficPolicy: 'Cluster', ips: [ip('10.0.0.1')] },
    advertisements: [ad()],
    nodes,
    liveSpeakers: new Set(nodes.map((n) => n.name)),
    endpoints: [ready('node-c')],
    ...extra,
  };
}

test('golden vectors of MetalLB TestSortL2Candidates', () => {
  assert.equal(createHash('sha256').update('node-a#10.0.0.1').digest('hex').slice(0, 8), 'dd41591f');
  assert.equal(createHash('sha256').update('node-b#10.0.0.1').digest('hex').slice(0, 8), '2acae885');
  const none = new Map<string, number>();
  const table: [string[], string, Map<string, number>, string[]][] = [
    [[], '10.0.0.1', none, []],
    [['node-a'], '10.0.0.1', none, ['node-a']],
    [['node-a', 'node-b', 'node-c'], '10.0.0.1', none, ['node-b', 'node-a', 'node-c']],
    [['node-c', 'node-a', 'node-b'], '10.0.0.1', none, ['node-b', 'node-a', 'node-c']],
    [['node-a', 'node-b', 'node-c'], '10.0.0.2', none, ['node-b', 'node-c', 'node-a']],
    [['worker-b', 'edge-b', 'worker-a', 'edge-a'], '10.20.30.1', new Map([['edge-a', 100]]), ['edge-a', 'edge-b', 'worker-a', 'worker-b']],
    [['node-a', 'node-b'], '10.20.30.1', new Map([['node-a', 100], ['node-b', 100]]), ['node-b', 'node-a']],
    [['edge-a', 'edge-b', 'worker-a'], '10.20.30.1', new Map([['edge-a', 100], ['edge-b', 100]]), ['edge-b', 'edge-a', 'worker-a']],
  ];
  for (const [candidates, ipText, scores, want] of table) assert.deepEqual(sortL2Candidates(candidates, ipText, scores), want);
});

test('the first ingress IP in Go\'s text form is hashed, so a dual-stack Service has one announcer', () => {
  const dual = input({ service: { labels: {}, annotations: {}, externalTrafficPolicy: 'Cluster', ips: [ip('10.0.0.2'), ip('fd00::2')] } });
  assert.deepEqual(electL2(dual).candidates, ['node-b', 'node-c', 'node-a']);
  const v6 = input({ service: { labels: {}, annotations: {}, externalTrafficPolicy: 'Cluster', ips: [ip('FD00:0:0::0002')] } });
  assert.deepEqual(electL2(v6).candidates, sortL2Candidates(['node-a', 'node-b', 'node-c'], 'fd00::2', new Map()));
});

test('withdraw reasons in MetalLB\'s order', () => {
  const table: [string, L2ElectionInput, string, string][] = [
    ['no endpoint can serve', input({ endpoints: [{ nodeName: 'node-b', conditions: { ready: false } }] }), 'node-b', 'notOwner'],
    ['a terminating but serving endpoint counts', input({ endpoints: [{ nodeName: 'node-c', conditions: { ready: false, serving: true } }] }), 'node-b', 'announce'],
    ['an endpoint with ready unset counts', input({ endpoints: [{ conditions: {} }] }), 'node-b', 'announce'],
    ['shared IP with a service-selecting ad', input({
      service: { labels: { app: 'web' }, annotations: { 'metallb.universe.tf/allow-shared-ip': 'k' }, externalTrafficPolicy: 'Cluster', ips: [ip('10.0.0.1')] },
      advertisements: [ad({ serviceSelectors: [{ matchLabels: { app: 'web' } }] })],
    }), 'node-b', 'sharedIPWithServiceSelector'],
    ['shared IP is fine when the ads select no services', input({
      service: { labels: { app: 'web' }, annotations: { 'metallb.io/allow-shared-ip': 'k' }, externalTrafficPolicy: 'Cluster', ips: [ip('10.0.0.1')] },
    }), 'node-b', 'announce'],
    ['no ad admits this node', input({ advertisements: [ad({ nodeSelectors: [{ matchLabels: { zone: 'x' } }] })] }), 'node-b', 'noMatchingAdvertisement'],
    ['no ad selects the service', input({ advertisements: [ad({ serviceSelectors: [{ matchLabels: { app: 'other' } }] })] }), 'node-b', 'noMatchingAdvertisement'],
    ['my Node object is unknown', input({}, [node('node-a'), node('node-c')]), 'node-b', 'noMatchingAdvertisement'],
    ['the winner announces', input(), 'node-b', 'announce'],
    ['the others do not', input(), 'node-a', 'notOwner'],
  ];
  for (const [name, given, me, want] of table) {
    const decision = shouldAnnounceL2(given, me);
    assert.equal(decision.announce ? 'announce' : decision.reason, want, name);
  }
});

test('candidates leave for no speaker, NetworkUnavailable, the exclude label, no ad, and (ETP Local) no endpoint', () => {
  const nodes = [node('node-a'), node('node-b', {}, true), node('node-c', { [excludeFromLoadBalancersLabel]: '' }), node('node-d', { zone: 'b' }), node('node-e'), node('node-f')];
  const given = input({
    nodes,
    liveSpeakers: new Set(['node-a', 'node-b', 'node-c', 'node-d', 'node-f']),
    advertisements: [ad({ nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }] })],
    endpoints: [ready('node-a'), ready('node-d'), { nodeName: 'node-f', conditions: { ready: false } }],
    service: { labels: {}, annotations: {}, externalTrafficPolicy: 'Local', ips: [ip('10.0.0.1')] },
  }, nodes);
  const election = electL2(given);
  assert.deepEqual(election.candidates, ['node-a']);
  assert.deepEqual(Object.fromEntries(election.excluded), {
    'node-b': 'networkUnavailable', 'node-c': 'excludeLabel', 'node-d': 'noAdvertisement', 'node-e': 'noSpeaker', 'node-f': 'noServingEndpoint',
  });
  const ignoring = electL2({ ...given, ignoreExcludeLabel: true });
  assert.deepEqual(ignoring.candidates, ['node-a']);
  assert.equal(ignoring.excluded.get('node-c'), 'noServingEndpoint', 'without the label check node-c fails on endpoints');
  const cluster = electL2({ ...given, ignoreExcludeLabel: true, service: { ...given.service, externalTrafficPolicy: 'Cluster' } });
  assert.deepEqual([...cluster.candidates].sort(), ['node-a', 'node-c', 'node-f']);
});

test('with membership disabled every known Node counts as having a speaker', () => {
  assert.deepEqual(electL2(input({ liveSpeakers: 'everyNode' })).candidates, ['node-b', 'node-a', 'node-c']);
});

test('the candidate set comes from every ad matching the service, so all nodes agree (TestL2ElectionConsistentButAdsPerNode)', () => {
  const nodes = [node('iris1', { name: 'iris1' }), node('iris2', { name: 'iris2' })];
  const ads = [
    ad({ nodeSelectors: [{ matchLabels: { name: 'iris1' } }], interfaces: ['eth0'], serviceSelectors: [{ matchLabels: { app: 'web' } }] }),
    ad({ nodeSelectors: [{ matchLabels: { name: 'iris2' } }], interfaces: ['eth1'], serviceSelectors: [{ matchLabels: { app: 'web' } }] }),
  ];
  const given = input({
    nodes, advertisements: ads, liveSpeakers: new Set(['iris1', 'iris2']), endpoints: [ready('iris1'), ready('iris2')],
    service: { labels: { app: 'web' }, annotations: {}, externalTrafficPolicy: 'Cluster', ips: [ip('10.20.30.1')] },
  }, nodes);
  const winners = nodes.filter((n) => shouldAnnounceL2(given, n.name).announce);
  assert.equal(winners.length, 1);
  assert.deepEqual(announceInterfaces(ads, nodes[0]!), ['eth0']);
  assert.deepEqual(announceInterfaces(ads, nodes[1]!), ['eth1']);
  assert.equal(announceInterfaces([...ads, ad()], nodes[1]!), 'all');
});

test('preferences: weights sum across ads, only on nodes each ad admits; the preferred node wins and keeps winning', () => {
  const nodes = [node('edge-a', { role: 'edge' }), node('edge-b', { role: 'edge', fast: 'yes' }), node('worker-a'), node('worker-b')];
  const ads = [
    ad({ preferredNodeSelectors: [{ weight: 50, preference: { matchLabels: { role: 'edge' } } }] }),
    ad({ nodeSelectors: [{ matchLabels: { role: 'edge' } }], preferredNodeSelectors: [{ weight: 30, preference: { matchLabels: { fast: 'yes' } } }] }),
    ad({ nodeSelectors: [{ matchLabels: { role: 'none' } }], preferredNodeSelectors: [{ weight: 99, preference: {} }] }),
  ];
  const given = input({ nodes, advertisements: ads, liveSpeakers: new Set(nodes.map((n) => n.name)), endpoints: [ready('worker-a')] }, nodes);
  const election = electL2(given);
  assert.deepEqual(Object.fromEntries(election.scores), { 'edge-a': 50, 'edge-b': 80 });
  assert.equal(election.candidates[0], 'edge-b');
  const failover = electL2({ ...given, liveSpeakers: new Set(['edge-a', 'worker-a', 'worker-b']) });
  assert.equal(failover.candidates[0], 'edge-a', 'the next preferred node takes over');
});

const arbInput = fc.record({
  names: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 8 }),
  ipValue: fc.bigInt({ min: 0n, max: 0xffffffffn }),
  live: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
});

test('properties: one announcer at most; removing a non-winner never moves the IP; a new node moves it only if it sorts first', () => {
  fc.assert(fc.property(arbInput, fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), ({ names, ipValue, live }, newcomer) => {
    const nodes = names.map((n) => node(n));
    const speakers = new Set(names.filter((_, i) => live[i]));
    const base = input({
      nodes, liveSpeakers: speakers, endpoints: [{ conditions: {} }],
      service: { labels: {}, annotations: {}, externalTrafficPolicy: 'Cluster', ips: [{ family: 'IPv4', value: ipValue }] },
    }, nodes);
    const winners = names.filter((n) => shouldAnnounceL2(base, n).announce);
    assert.equal(winners.length, speakers.size > 0 ? 1 : 0);
    const winner = electL2(base).candidates[0];
    if (winner === undefined) return;
    for (const other of speakers) {
      if (other === winner) continue;
      const fewer = new Set(speakers);
      fewer.delete(other);
      assert.equal(electL2({ ...base, liveSpeakers: fewer }).candidates[0], winner);
    }
    if (names.includes(newcomer)) return;
    const grown = electL2({ ...base, nodes: [...nodes, node(newcomer)], liveSpeakers: new Set([...speakers, newcomer]) }).candidates;
    assert.ok(grown[0] === winner || grown[0] === newcomer);
    assert.deepEqual(grown.filter((n) => n !== newcomer), electL2(base).candidates);
  }));
});

test('advertisements from a Config built out of MetalLB objects feed the election unchanged', () => {
  const config = configOf([
    pool('lan', ['10.20.30.0/24']),
    l2('edge-first', {
      ipAddressPools: ['lan'],
      nodeSelectors: [{ matchLabels: { role: 'edge' } }],
      preferredNodeSelectors: [{ weight: 100, preference: { matchLabels: { 'kubernetes.io/hostname': 'edge-a' } } }],
    }),
    l2('workers', { ipAddressPools: ['lan'], interfaces: ['eth1'], nodeSelectors: [{ matchLabels: { role: 'worker' } }] }),
    nodeObj('edge-a', { role: 'edge' }), nodeObj('edge-b', { role: 'edge' }), nodeObj('worker-a', { role: 'worker' }),
  ]);
  const ads = config.advertisements.get('lan')!.l2;
  const nodes = [node('edge-a', { role: 'edge', 'kubernetes.io/hostname': 'edge-a' }), node('edge-b', { role: 'edge' }), node('worker-a', { role: 'worker' })];
  const given = input({ advertisements: ads, endpoints: [ready('worker-a')], service: { labels: {}, annotations: {}, externalTrafficPolicy: 'Cluster', ips: [ip('10.20.30.1')] } }, nodes);
  assert.equal(electL2(given).candidates[0], 'edge-a');
  assert.equal(shouldAnnounceL2({ ...given, liveSpeakers: new Set(['edge-b', 'worker-a']) }, 'edge-b').announce, true);
  assert.equal(announceInterfaces(ads, nodes[0]!), 'all');
  assert.deepEqual(announceInterfaces(ads, nodes[2]!), ['eth1']);
});
