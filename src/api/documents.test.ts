import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocuments } from './documents.js';

test('a single document is named after its file, several by position; empty documents are skipped', () => {
  assert.deepEqual(parseDocuments('a.yaml', 'kind: A\n').documents?.map((d) => d.origin), ['a.yaml']);
  const many = parseDocuments('b.yaml', '---\nkind: A\n---\n# nothing\n---\nkind: C\n');
  assert.deepEqual(many.documents?.map((d) => [d.origin, d.value]), [['b.yaml#1', { kind: 'A' }], ['b.yaml#3', { kind: 'C' }]]);
});

test('kubectl List dumps and typed lists are flattened, typed list items inherit apiVersion and kind', () => {
  const list = parseDocuments('dump.yaml', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: n}}\n- {kind: X}\n');
  assert.deepEqual(list.documents?.map((d) => d.origin), ['dump.yaml.items[0]', 'dump.yaml.items[1]']);
  const typed = parseDocuments('t.json', JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPoolList', items: [{ metadata: { name: 'p' } }] }));
  assert.deepEqual(typed.documents?.[0]?.value, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' } });
});

test('YAML syntax errors are reported with line and column, never thrown', () => {
  assert.equal(parseDocuments('x.yaml', 'a: 1\nb: [\n').error?.startsWith('x.yaml:3:1: yaml: '), true);
  assert.match(parseDocuments('x.yaml', 'a: 1\na: 2\n').error ?? '', /^x\.yaml:2:1: yaml: Map keys must be unique/);
  assert.match(parseDocuments('x.yaml', 'a: *nope\n').error ?? '', /^x\.yaml/);
  assert.match(parseDocuments('x.yaml', '\t- a').error ?? '', /^x\.yaml:1:1: yaml:/);
});

test('an empty file has no documents', () => {
  assert.deepEqual(parseDocuments('e.yaml', '').documents, []);
  assert.deepEqual(parseDocuments('e.yaml', '# only a comment\n').documents, []);
});
