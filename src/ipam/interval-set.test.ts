import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalSet } from './interval-set.js';

test('adding neighbours merges them into one run and deleting from the middle splits it', () => {
  const s = new IntervalSet();
  for (const n of [5n, 7n, 6n, 0n, 1n]) s.add(n);
  assert.deepEqual(s.toRuns(), [[0n, 1n], [5n, 7n]]);
  s.delete(6n);
  assert.deepEqual(s.toRuns(), [[0n, 1n], [5n, 5n], [7n, 7n]]);
  s.delete(0n);
  assert.deepEqual(s.toRuns(), [[1n, 1n], [5n, 5n], [7n, 7n]]);
  assert.equal(s.size, 3);
});

test('the lowest absent integer skips a whole run in one step', () => {
  const s = new IntervalSet();
  for (let n = 0n; n < 1000n; n++) s.add(n);
  assert.equal(s.runCount, 1);
  assert.equal(s.lowestAbsent(), 1000n);
  assert.equal(s.lowestAbsent(2000n), 2000n);
  s.delete(500n);
  assert.equal(s.lowestAbsent(), 500n);
  assert.equal(s.lowestAbsent(501n), 1000n);
});

test('adding a member twice or deleting a non-member is a bug and throws', () => {
  const s = new IntervalSet();
  s.add(3n);
  assert.throws(() => s.add(3n), /already holds/);
  assert.throws(() => s.delete(4n), /does not hold/);
});

test('an interval set behaves as a set of integers under any sequence of adds and deletes', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 200 }), (ops) => {
    const s = new IntervalSet();
    const model = new Set<number>();
    for (const [add, n] of ops) {
      if (add && !model.has(n)) { s.add(BigInt(n)); model.add(n); }
      if (!add && model.has(n)) { s.delete(BigInt(n)); model.delete(n); }
    }
    for (let n = 0; n <= 41; n++) assert.equal(s.has(BigInt(n)), model.has(n));
    let lowest = 0;
    while (model.has(lowest)) lowest++;
    assert.equal(s.lowestAbsent(), BigInt(lowest));
    assert.equal(s.size, model.size);
    const runs = s.toRuns();
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i]![0] > runs[i - 1]![1] + 1n, 'runs are maximal');
  }));
});
