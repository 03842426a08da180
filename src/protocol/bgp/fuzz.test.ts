// A small fuzz run in the unit tests (bench/bgp-fuzz.ts runs a million): random and mutated messages never
// crash the framer, codec or state machine, and every NOTIFICATION sent is one the RFCs allow for that message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../../../test/support/bgp-fuzz.js';

test('20,000 random and mutated messages: no crash, only RFC-correct NOTIFICATIONs', () => {
  const r = fuzz(20_000, 0x5eed);
  assert.equal(r.crashes, 0, JSON.stringify(r.firstCrash));
  assert.equal(r.wrongNotifications, 0, JSON.stringify(r.firstWrong));
  assert.ok(r.notifications > 1000, `the run reaches the error paths (${r.notifications} NOTIFICATIONs)`);
});
