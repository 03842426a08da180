import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSwimConfig, pushPullIntervalMs, retransmitLimit, suspicionTimeouts, validateSwimConfig } from './config.js';
import { confirmSuspicion, remainingSuspicionMs, startSuspicion } from './suspicion.js';

// The same cases memberlist's TestSuspicion_remainingSuspicionTime checks, in milliseconds.
for (const c of [
  { n: 0, k: 3, elapsed: 0, min: 2000, max: 30000, want: 30000 },
  { n: 1, k: 3, elapsed: 2000, min: 2000, max: 30000, want: 14000 },
  { n: 2, k: 3, elapsed: 3000, min: 2000, max: 30000, want: 4810 },
  { n: 3, k: 3, elapsed: 4000, min: 2000, max: 30000, want: -2000 },
  { n: 4, k: 3, elapsed: 5000, min: 2000, max: 30000, want: -3000 },
  { n: 5, k: 3, elapsed: 10000, min: 2000, max: 30000, want: -8000 },
  { n: 0, k: 0, elapsed: 50, min: 120, max: 480, want: 70 },
]) {
  test(`remaining suspicion with ${c.n} of ${c.k} confirmations after ${c.elapsed} ms is ${c.want} ms`, () => {
    assert.equal(remainingSuspicionMs(c.n, c.k, c.elapsed, c.min, c.max), c.want);
  });
}

test('confirmations from new accusers shorten a suspicion; repeats and the first accuser do not', () => {
  const s = startSuspicion('a', 1000, { minMs: 100, maxMs: 400, k: 2 });
  assert.equal(s.deadlineMs, 1400);
  assert.equal(confirmSuspicion(s, 'a', 1010), false);
  assert.equal(confirmSuspicion(s, 'b', 1010), true);
  assert.ok(s.deadlineMs < 1400 && s.deadlineMs > 1100);
  assert.equal(confirmSuspicion(s, 'b', 1020), false);
  assert.equal(confirmSuspicion(s, 'c', 1020), true);
  assert.equal(s.deadlineMs, 1100);
  assert.equal(confirmSuspicion(s, 'd', 1030), false, 'no more confirmations are needed at the minimum');
});

test('small clusters expect no confirmations and start at the minimum; big ones scale by log10 N', () => {
  const c = defaultSwimConfig();
  assert.deepEqual(suspicionTimeouts(c, 3), { minMs: c.suspicionMinMs, maxMs: c.suspicionMaxMs, k: 0 });
  assert.deepEqual(suspicionTimeouts(c, 10), { minMs: c.suspicionMinMs, maxMs: c.suspicionMaxMs, k: 2 });
  assert.equal(suspicionTimeouts(c, 100).minMs, c.suspicionMinMs * 2);
  assert.deepEqual(suspicionTimeouts({ ...c, lifeguard: false }, 10).k, 0);
});

test('gossip retransmits and push-pull intervals scale with the cluster as in memberlist', () => {
  const c = defaultSwimConfig();
  assert.equal(retransmitLimit(c, 3), 4);
  assert.equal(retransmitLimit(c, 50), 8);
  assert.equal(pushPullIntervalMs(c, 32), c.pushPullIntervalMs);
  assert.equal(pushPullIntervalMs(c, 64), c.pushPullIntervalMs * 2);
});

test('the defaults are valid and a probe timeout of half the interval is not', () => {
  assert.deepEqual(validateSwimConfig(defaultSwimConfig()), []);
  assert.deepEqual(validateSwimConfig({ ...defaultSwimConfig(), probeTimeoutMs: 40 }), ['probeTimeoutMs: must be under half of probeIntervalMs']);
});
