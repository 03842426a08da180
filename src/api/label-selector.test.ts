import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorKey, selectorMatches, selectorProblems, type LabelSelector } from './label-selector.js';

test('selectors match as apimachinery does', () => {
  const labels = { team: 'metallb', tier: 'edge' };
  const cases: [string, LabelSelector, boolean][] = [
    ['empty selector matches everything', {}, true],
    ['matchLabels equal', { matchLabels: { team: 'metallb' } }, true],
    ['matchLabels differ', { matchLabels: { team: 'other' } }, false],
    ['In hit', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['edge', 'core'] }] }, true],
    ['In miss on absent key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn on absent key matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['NotIn hit excludes', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['edge'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
  ];
  for (const [name, sel, want] of cases) assert.equal(selectorMatches(sel, labels), want, name);
});

test('invalid selectors are reported with a path', () => {
  const problems = selectorProblems({
    matchLabels: { 'bad key!': 'x' },
    matchExpressions: [{ key: 'k', operator: 'In', values: [] }, { key: 'k', operator: 'Exists', values: ['v'] }, { key: 'k', operator: 'Foo' as 'In', values: ['v'] }],
  });
  assert.deepEqual(problems.map((p) => p.path), ['matchLabels.bad key!', 'matchExpressions[0].values', 'matchExpressions[1].values', 'matchExpressions[2].operator']);
});

test('selectorKey is the same for equivalent selectors', () => {
  assert.equal(
    selectorKey({ matchLabels: { a: 'b', c: 'd' }, matchExpressions: [{ key: 'x', operator: 'In', values: ['2', '1'] }] }),
    selectorKey({ matchExpressions: [{ key: 'x', operator: 'In', values: ['1', '2'] }], matchLabels: { c: 'd', a: 'b' } }),
  );
});
