import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bgpAd, l2, node, peer, pool } from '../../test/support/config-objects.js';
import { configFingerprint } from '../config/fingerprint.js';
import { buildSpeakerConfig, type SpeakerConfigInputs } from './speaker-config.js';

function inputs(o: Partial<SpeakerConfigInputs>): SpeakerConfigInputs {
  return {
    pools: [], l2Advertisements: [], bgpAdvertisements: [], peers: [], bfdProfiles: [], communities: [], secrets: [], namespaces: [],
    nodes: [node('node1', { rack: 'a' }), node('node2', { rack: 'b' })],
    ...o,
  };
}

test('BGPPeers and BGPAdvertisements meant for other nodes are left out, so a broken one does not invalidate this node', () => {
  const objects = inputs({
    pools: [pool('p', ['10.0.0.0/24'])],
    bgpAdvertisements: [bgpAd('mine', { nodeSelectors: [{ matchLabels: { rack: 'a' } }] }), bgpAd('theirs', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] })],
    peers: [
      peer('good', { nodeSelectors: [{ matchLabels: { rack: 'a' } }] }),
      peer('broken', { peerAddress: 'not-an-ip', nodeSelectors: [{ matchLabels: { rack: 'b' } }] }),
    ],
  });
  const mine = buildSpeakerConfig(objects, 'node1');
  assert.equal(mine.errors, undefined, mine.errors?.join('\n'));
  assert.deepEqual([...mine.config!.peers.keys()], ['good']);
  assert.deepEqual([...mine.config!.bgpAdvertisements.keys()], ['mine']);
  const theirs = buildSpeakerConfig(objects, 'node2');
  assert.match(theirs.errors?.join('\n') ?? '', /BGPPeer\/broken: spec.peerAddress/);
});

test('pools and L2Advertisements are never filtered: the election needs every node\'s view', () => {
  const objects = inputs({ pools: [pool('p', ['10.0.0.0/24'])], l2Advertisements: [l2('other-rack', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] })] });
  assert.deepEqual([...buildSpeakerConfig(objects, 'node1').config!.l2Advertisements.keys()], ['other-rack']);
});

test('schema problems are errors with kind, name and path; every error is reported at once', () => {
  const r = buildSpeakerConfig(inputs({ pools: [pool('p', ['10.1.0.0/24'], { autoAssign: 'yes' }), pool('q', ['10.0.0.0/24']), pool('r', ['10.0.0.0/25'])] }), 'node1');
  const text = r.errors?.join('\n') ?? '';
  assert.match(text, /IPAddressPool\/p: spec.autoAssign/);
  assert.match(text, /overlap/i);
});

test('the fingerprint of a rebuild that changes nothing is the same', () => {
  const objects = inputs({ pools: [pool('p', ['10.0.0.0/24'])], l2Advertisements: [l2('l2')] });
  const a = buildSpeakerConfig(objects, 'node1').config!;
  const b = buildSpeakerConfig(structuredClone(objects), 'node1').config!;
  assert.equal(configFingerprint(a), configFingerprint(b));
  const c = buildSpeakerConfig({ ...objects, pools: [pool('p', ['10.0.1.0/24'])] }, 'node1').config!;
  assert.notEqual(configFingerprint(a), configFingerprint(c));
});
