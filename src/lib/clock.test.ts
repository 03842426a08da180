import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.js';
import { backoffDelayMs } from './backoff.js';

test('FakeClock fires timers in deadline order, each at its own time', () => {
  const clock = new FakeClock();
  const fired: [string, number][] = [];
  clock.setTimer(30, () => fired.push(['c', clock.nowMs()]));
  clock.setTimer(10, () => {
    fired.push(['a', clock.nowMs()]);
    clock.setTimer(5, () => fired.push(['b', clock.nowMs()]));
  });
  const cancelled = clock.setTimer(20, () => fired.push(['never', clock.nowMs()]));
  cancelled.cancel();
  clock.advance(25);
  assert.deepEqual(fired, [['a', 10], ['b', 15]]);
  assert.equal(clock.nowMs(), 25);
  clock.advance(10);
  assert.deepEqual(fired.at(-1), ['c', 30]);
  assert.equal(clock.pendingCount(), 0);
});

test('backoff grows by the factor up to the cap, jitter stays within bounds', () => {
  const opts = { initialMs: 1000, maxMs: 120_000, factor: 2, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 7, 8].map((a) => backoffDelayMs(a, opts)), [1000, 2000, 4000, 8000, 120_000, 120_000]);
  const jittered = { ...opts, jitter: 0.2 };
  assert.equal(backoffDelayMs(0, jittered, () => 0), 800);
  assert.equal(backoffDelayMs(0, jittered, () => 1), 1200);
});
