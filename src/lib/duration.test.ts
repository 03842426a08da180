import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatGoDuration, parseGoDuration } from './duration.js';

test('Go durations parse to nanoseconds as time.ParseDuration does', () => {
  const cases: [string, bigint | undefined][] = [
    ['0', 0n], ['0s', 0n], ['90s', 90_000_000_000n], ['1m30s', 90_000_000_000n], ['1.5h', 5_400_000_000_000n],
    ['300ms', 300_000_000n], ['1us', 1_000n], ['1µs', 1_000n], ['2ns', 2n], ['-1s', -1_000_000_000n],
    ['+3s', 3_000_000_000n], ['.5s', 500_000_000n], ['1.s', 1_000_000_000n], ['3s500ms', 3_500_000_000n],
    ['', undefined], ['s', undefined], ['1', undefined], ['1d', undefined], ['1 s', undefined], ['.s', undefined],
    ['-', undefined], ['9223372036854775808ns', undefined], ['3000000h', undefined], ['1s2', undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseGoDuration(text), want, text);
});

test('Go durations format as Duration.String() and parse back to the same value', () => {
  assert.equal(formatGoDuration(90_000_000_000n), '1m30s');
  assert.equal(formatGoDuration(3_723_500_000_000n), '1h2m3.5s');
  assert.equal(formatGoDuration(300_000_000n), '300ms');
  assert.equal(formatGoDuration(0n), '0s');
  fc.assert(fc.property(fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), (ns) => {
    assert.equal(parseGoDuration(formatGoDuration(ns)), ns);
  }));
});
