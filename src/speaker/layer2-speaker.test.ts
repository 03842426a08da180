import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIp, type IpAddress } from '../lib/ip.js';
import { silentLogger } from '../lib/logger.js';
import { sortL2Candidates } from './layer2/election.js';
import { Layer2Speaker, type Layer2Announce, type Layer2ServiceInput, type LiveMembers } from './layer2-speaker.js';

class Members implements LiveMembers {
  members: readonly string[];
  private readonly listeners = new Set<(m: readonly string[]) => void>();
  constructor(initial: readonly string[]) {
    this.members = initial;
  }
  onChange(l: (m: readonly string[]) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  set(m: readonly string[]): void {
    this.members = m;
    for (const l of this.listeners) l(m);
  }
}

class Recorder implements Layer2Announce {
  readonly calls: string[] = [];
  setBalancer(name: string, ips: readonly IpAddress[]): void {
    this.calls.push(`set ${name} ${ips.length}`);
  }
  deleteBalancer(name: string): void {
    this.calls.push(`delete ${name}`);
  }
}

const vip = parseIp('10.200.0.10')!;
const nodes = ['node1', 'node2', 'node3'].map((name) => ({ name, labels: {}, networkUnavailable: false }));
const service: Layer2ServiceInput = {
  key: 'default/web',
  service: { labels: {}, annotations: {}, externalTrafficPolicy: 'Cluster', ips: [vip] },
  advertisements: [{ nodeSelectors: [], interfaces: [], serviceSelectors: [], preferredNodeSelectors: [] }],
  endpoints: [{ nodeName: 'node2', conditions: { ready: true } }],
};
const order = sortL2Candidates(['node1', 'node2', 'node3'], '10.200.0.10', new Map());

function cluster(members: Members): { speakers: Map<string, Layer2Speaker>; recorders: Map<string, Recorder> } {
  const speakers = new Map<string, Layer2Speaker>();
  const recorders = new Map<string, Recorder>();
  for (const n of nodes) {
    const announcer = new Recorder();
    const speaker = new Layer2Speaker({ nodeName: n.name, members, announcer, logger: silentLogger() });
    speaker.setNodes(nodes);
    speaker.setServices([service]);
    speaker.start();
    speakers.set(n.name, speaker);
    recorders.set(n.name, announcer);
  }
  return { speakers, recorders };
}

const announcing = (speakers: Map<string, Layer2Speaker>): string[] => [...speakers].filter(([, s]) => s.isAnnouncing('default/web')).map(([n]) => n);

test('exactly the first candidate announces, and the next one takes over when it leaves the live set', () => {
  const members = new Members(['node1', 'node2', 'node3']);
  const { speakers, recorders } = cluster(members);
  assert.deepEqual(announcing(speakers), [order[0]]);
  members.set(order.slice(1));
  assert.deepEqual(announcing(speakers), [order[1]]);
  assert.deepEqual(recorders.get(order[0]!)!.calls, ['set default/web 1', 'delete default/web']);
  assert.deepEqual(recorders.get(order[1]!)!.calls, ['set default/web 1']);
});

test('a membership change that keeps the owner re-asserts its IPs (a new burst), as MetalLB reprocesses', () => {
  const members = new Members(['node1', 'node2', 'node3']);
  const { speakers, recorders } = cluster(members);
  members.set([order[0]!, order[1]!]);
  members.set(['node1', 'node2', 'node3']);
  assert.deepEqual(recorders.get(order[0]!)!.calls, ['set default/web 1', 'set default/web 1', 'set default/web 1']);
  speakers.get(order[0]!)!.setNodes(nodes);
  assert.equal(recorders.get(order[0]!)!.calls.length, 3, 'a change of nodes that keeps the owner does not');
});

test('a Service that goes away, or a stop, withdraws', () => {
  const members = new Members(['node1', 'node2', 'node3']);
  const { speakers, recorders } = cluster(members);
  const owner = speakers.get(order[0]!)!;
  owner.setServices([]);
  assert.deepEqual(recorders.get(order[0]!)!.calls, ['set default/web 1', 'delete default/web']);
  owner.setServices([service]);
  owner.stop();
  assert.equal(owner.isAnnouncing('default/web'), false);
  members.set(['node1', 'node2', 'node3']);
  assert.deepEqual(recorders.get(order[0]!)!.calls.slice(-2), ['set default/web 1', 'delete default/web'], 'a stopped speaker ignores the live set');
});

test('when a speaker sees only itself live, it announces (an isolated node does)', () => {
  const members = new Members([order[2]!]);
  const { speakers } = cluster(members);
  assert.deepEqual(announcing(speakers), [order[2]]);
});

test('updateServices decides for the Services it names only: others keep their state, removed ones are withdrawn', () => {
  const members = new Members(['node1', 'node2', 'node3']);
  const { speakers, recorders } = cluster(members);
  const owner = speakers.get(order[0]!)!;
  const other: Layer2ServiceInput = { ...service, key: 'default/other', service: { ...service.service, ips: [vip] } };
  owner.updateServices([other]);
  assert.equal(owner.isAnnouncing('default/other'), true);
  assert.deepEqual(recorders.get(order[0]!)!.calls, ['set default/web 1', 'set default/other 1'], 'default/web was not decided again');
  owner.updateServices([], ['default/web']);
  assert.equal(owner.isAnnouncing('default/web'), false);
  assert.equal(owner.decision('default/web'), undefined, 'no decision kept for a Service that is gone');
  assert.equal(owner.isAnnouncing('default/other'), true);
});
