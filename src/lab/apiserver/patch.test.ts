import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ApiError } from './api-error.js';
import { applyMerge, jsonPatch, mergePatch, type Json } from './patch.js';

test('merge patch follows RFC 7386 appendix A examples', () => {
  const cases: [Json, Json, Json][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(mergePatch(target, patch), want);
});

test('JSON patch applies add, remove, replace, move, copy and test (RFC 6902)', () => {
  const doc = { a: { b: [1, 2] }, c: 'x' };
  assert.deepEqual(jsonPatch(doc, [
    { op: 'add', path: '/a/b/1', value: 9 }, { op: 'add', path: '/a/b/-', value: 3 }, { op: 'replace', path: '/c', value: 'y' },
    { op: 'copy', from: '/c', path: '/d' }, { op: 'move', from: '/d', path: '/e~1f' }, { op: 'remove', path: '/a/b/0' },
    { op: 'test', path: '/e~1f', value: 'y' },
  ]), { a: { b: [9, 2, 3] }, c: 'y', 'e/f': 'y' });
  assert.deepEqual(doc, { a: { b: [1, 2] }, c: 'x' }, 'the input is not changed');
});

test('a JSON patch that does not apply is 422, a malformed one 400', () => {
  const code = (fn: () => unknown): number | undefined => {
    try { fn(); } catch (e) { return e instanceof ApiError ? e.httpCode : -1; }
    return undefined;
  };
  assert.equal(code(() => jsonPatch({}, [{ op: 'remove', path: '/x' }])), 422);
  assert.equal(code(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])), 422);
  assert.equal(code(() => jsonPatch({}, [{ op: 'replace', path: '/x', value: 1 }])), 422);
  assert.equal(code(() => jsonPatch({ a: [] }, [{ op: 'add', path: '/a/5', value: 1 }])), 422);
  assert.equal(code(() => jsonPatch({}, { op: 'add' })), 400);
  assert.equal(code(() => jsonPatch({}, [{ op: 'frob', path: '/x' }])), 400);
});

test('apply merges recursively and never deletes', () => {
  assert.deepEqual(applyMerge({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: 3 }, d: [2], e: null }), { a: { b: 3, c: 2 }, d: [2], e: null });
});

const json: fc.Arbitrary<Json> = fc.jsonValue() as fc.Arbitrary<Json>;

test('a merge patch of a document with itself changes nothing when it holds no nulls', () => {
  fc.assert(fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string()), { noNullPrototype: true }), (doc) => {
    assert.deepEqual(mergePatch(doc, doc), doc);
  }));
});

test('JSON patch on arbitrary documents and operations fails only with ApiError', () => {
  const op = fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), path: fc.constantFrom('', '/a', '/a/0', '/a/-', '/b/c', '/x~1y'), from: fc.constantFrom('/a', '/b'), value: json });
  fc.assert(fc.property(json, fc.array(op, { maxLength: 5 }), (doc, ops) => {
    try { jsonPatch(doc, ops); } catch (e) { if (!(e instanceof ApiError)) throw e; }
  }));
});

test('a "__proto__" key in a patch is stored as data and never changes a prototype', () => {
  const patch = JSON.parse('{"__proto__": {"polluted": true}}') as Json;
  const out = mergePatch({}, patch) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const applied = jsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(applied), Object.prototype);
});
