import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { hasEvaluator, isTransitionRule, type CelRule } from './cel-rules.js';
import { crdFiles } from './crds.js';
import { metallbKinds } from './kinds.js';

const crdDir = new URL('../../../deploy/crds/', import.meta.url);

test('the committed CRD manifests are exactly what the schemas generate (run npm run gen:crds)', () => {
  const generated = crdFiles();
  const committed = readdirSync(crdDir).filter((n) => n.endsWith('.yaml')).sort();
  assert.deepEqual(committed, [...generated.keys()].sort());
  for (const [name, text] of generated) {
    assert.equal(readFileSync(new URL(name, crdDir), 'utf8'), text, `${name} differs from the schemas: run npm run gen:crds`);
  }
});

function walk(node: unknown, visit: (obj: Record<string, unknown>, path: string) => void, path = ''): void {
  if (Array.isArray(node)) node.forEach((n, i) => walk(n, visit, `${path}[${i}]`));
  else if (typeof node === 'object' && node !== null) {
    visit(node as Record<string, unknown>, path);
    for (const [k, v] of Object.entries(node)) walk(v, visit, `${path}.${k}`);
  }
}

test('every CEL rule in the schemas has an offline evaluator or is a transition rule', () => {
  let rules = 0;
  for (const kind of metallbKinds) {
    for (const version of kind.versions) {
      walk(version.schema, (obj, path) => {
        for (const rule of (obj['x-kubernetes-validations'] as CelRule[] | undefined) ?? []) {
          rules++;
          assert.ok(isTransitionRule(rule) || hasEvaluator(rule), `${kind.kind} ${version.name}${path}: ${rule.rule}`);
        }
      });
    }
  }
  assert.ok(rules >= 10);
});

test('the CRDs are structural: every version has a schema, metadata is a plain object, no additionalProperties: false', () => {
  for (const text of crdFiles().values()) {
    const crd = parse(text) as { spec: { versions: { name: string; storage: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
    assert.equal(crd.spec.versions.filter((v) => v.storage).length, 1);
    for (const v of crd.spec.versions) {
      const root = v.schema.openAPIV3Schema as { properties: { metadata: unknown } };
      assert.deepEqual(root.properties.metadata, { type: 'object' });
      walk(root, (obj, path) => assert.notEqual(obj['additionalProperties'], false, path));
    }
  }
});

test('the CRDs keep MetalLB\'s names, versions, defaults and ranges', () => {
  const files = crdFiles();
  const peers = parse(files.get('metallb.io_bgppeers.yaml')!) as {
    metadata: { name: string };
    spec: { conversion: { strategy: string }; versions: { name: string; storage: boolean; schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, Record<string, unknown>>; required: string[] } } } } }[] };
  };
  assert.equal(peers.metadata.name, 'bgppeers.metallb.io');
  assert.equal(peers.spec.conversion.strategy, 'Webhook');
  assert.deepEqual(peers.spec.versions.map((v) => [v.name, v.storage]), [['v1beta1', false], ['v1beta2', true]]);
  const v2 = peers.spec.versions[1]!.schema.openAPIV3Schema.properties.spec;
  assert.deepEqual(v2.required, ['myASN']);
  assert.deepEqual([v2.properties['peerPort']!['default'], v2.properties['peerPort']!['minimum'], v2.properties['peerPort']!['maximum']], [179, 1, 16384]);
  assert.deepEqual(v2.properties['dynamicASN']!['enum'], ['internal', 'external']);
  const pools = parse(files.get('metallb.io_ipaddresspools.yaml')!) as { spec: { versions: { schema: { openAPIV3Schema: { required: string[]; properties: { spec: { properties: Record<string, Record<string, unknown>> } } } } }[] } };
  const poolSchema = pools.spec.versions[0]!.schema.openAPIV3Schema;
  assert.deepEqual(poolSchema.required, ['spec']);
  assert.equal(poolSchema.properties.spec.properties['autoAssign']!['default'], true);
});
