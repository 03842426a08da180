/**
 * The example configurations of MetalLB's documentation (test/fixtures/metallb-docs, written from the documented
 * facts) are accepted by `validate`, each file on its own, with no warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { validateSources } from '../../src/config/validation-report.js';
import { formatCommunity } from '../../src/config/community.js';
import { parseDocuments } from '../../src/api/documents.js';
import { loadResources } from '../../src/config/load.js';

const dir = new URL('../../../test/fixtures/metallb-docs/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

function validateFile(file: string) {
  return validateSources([{ name: file, text: readFileSync(new URL(file, dir), 'utf8') }]);
}

test('there is a fixture for each documented area', () => {
  assert.ok(files.length >= 14, files.join(', '));
});

for (const file of files) {
  test(`the documented configuration ${file} is valid`, () => {
    const report = validateFile(file);
    assert.deepEqual(report.stderr, []);
    assert.equal(report.exitCode, 0, report.stdout.join('\n'));
    assert.match(report.stdout[0] ?? '', /^ok: /);
    assert.equal(report.stdout.length, 1);
  });
}

test('the aggregation example yields the documented advertisements', () => {
  const config = validateFile('bgp-communities-local-pref-aggregation.yaml').config!;
  const ads = config.advertisements.get('first-pool')!.bgp;
  assert.deepEqual(ads.map((a) => [a.name, a.aggregationLength, a.localPref, a.communities.map(formatCommunity)]), [
    ['external', 24, 0, []],
    ['local', 32, 100, ['65535:65282']],
    ['local-vpn-only', 32, 100, ['large:64512:1:2', 'large:64512:10:20', '1234:1']],
  ]);
});

test('a kubectl List dump is read whole: MetalLB objects used, other kinds counted and skipped', () => {
  assert.deepEqual(validateFile('kubectl-get-dump.yaml').stdout, [
    'ok: 1 pool, 1 L2 advertisement, 0 BGP advertisements, 0 BGP peers, 0 BFD profiles, 0 community aliases; ' +
    'read 1 node, 0 namespaces, 0 secrets; skipped 3 objects of other kinds (ConfigurationState, Service, ServiceL2Status)',
  ]);
});

test('the documents of other kinds are kept for commands that read them (plan reads Services)', () => {
  const docs = parseDocuments('dump.yaml', readFileSync(new URL('kubectl-get-dump.yaml', dir), 'utf8')).documents!;
  const loaded = loadResources(docs);
  assert.deepEqual(loaded.others.map((d) => [(d.value as { kind: string }).kind, d.origin]), [
    ['ServiceL2Status', 'dump.yaml.items[2]'], ['ConfigurationState', 'dump.yaml.items[3]'], ['Service', 'dump.yaml.items[4]'],
  ]);
});

test('passwords come from basic-auth Secrets given as stringData or base64 data', () => {
  const config = validateFile('bgp-password-from-secret.yaml').config!;
  assert.equal(config.peers.get('with-secret')!.password, 's3cr3t');
  assert.equal(config.peers.get('with-secret-data')!.password, 's3cr3t');
  assert.equal(config.peers.get('inline-password')!.password, 'plain');
});

test('a deprecated v1beta1 BGPPeer is converted and checked as v1beta2', () => {
  const peer = validateFile('bgp-peer-v1beta1.yaml').config!.peers.get('legacy')!;
  assert.deepEqual(peer.timers, { holdTimeSec: 90, keepaliveTimeSec: 30 });
  assert.equal(peer.port, 179);
  assert.deepEqual(peer.nodeSelectors, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['hostA'] }] }]);
});

test('the namespace selector of the allocation example resolves against the Namespaces in the input', () => {
  const pool = validateFile('ipaddresspool-allocation.yaml').config!.pools.get('ippool-ns-service-alloc-sample')!;
  assert.deepEqual([...pool.serviceAllocation!.namespaces].sort(), ['namespace-a', 'namespace-b', 'namespace-c']);
  assert.equal(pool.serviceAllocation!.priority, 50);
});
