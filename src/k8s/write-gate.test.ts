import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteGate } from './write-gate.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function track(p: Promise<void>): { done: () => boolean } {
  let done = false;
  void p.then(() => { done = true; });
  return { done: () => done };
}

test('single-Service reconciles of different keys enter together', async () => {
  const gate = new WriteGate();
  await gate.enterShared('a');
  await gate.enterShared('b');
  gate.leaveShared();
  gate.leaveShared();
});

test('while a release is in flight only its own key may converge', async () => {
  const gate = new WriteGate();
  await gate.enterShared('a');
  gate.releaseStarted('a');
  const b = track(gate.enterShared('b'));
  const a2 = track(gate.enterShared('a'));
  await tick();
  assert.deepEqual([b.done(), a2.done()], [false, true]);
  gate.releaseSettled('a');
  await tick();
  assert.equal(b.done(), true);
});

test('a failed release keeps blocking other keys until its key settles it', async () => {
  const gate = new WriteGate();
  gate.releaseStarted('a');
  gate.releaseFailed('a');
  const b = track(gate.enterShared('b'));
  await tick();
  assert.equal(b.done(), false);
  await gate.enterShared('a');
  gate.releaseSettled('a');
  gate.leaveShared();
  await tick();
  assert.equal(b.done(), true);
});

test('a reprocess waits for running reconciles and in-flight releases, then runs alone', async () => {
  const gate = new WriteGate();
  await gate.enterShared('a');
  gate.releaseStarted('a');
  const ex = track(gate.enterExclusive());
  await tick();
  assert.equal(ex.done(), false);
  gate.releaseSettled('a');
  await tick();
  assert.equal(ex.done(), false, 'still waits for the running reconcile');
  gate.leaveShared();
  await tick();
  assert.equal(ex.done(), true);
  const c = track(gate.enterShared('c'));
  await tick();
  assert.equal(c.done(), false, 'nothing enters while the reprocess runs');
  gate.leaveExclusive();
  await tick();
  assert.equal(c.done(), true);
});

test('a reprocess may enter past a failed release, which it redoes itself', async () => {
  const gate = new WriteGate();
  gate.releaseStarted('a');
  gate.releaseFailed('a');
  await gate.enterExclusive();
  gate.leaveExclusive();
});

test('a waiting reprocess is not starved by a stream of single-Service reconciles', async () => {
  const gate = new WriteGate();
  await gate.enterShared('a');
  const ex = track(gate.enterExclusive());
  const b = track(gate.enterShared('b'));
  await tick();
  assert.deepEqual([ex.done(), b.done()], [false, false]);
  gate.leaveShared();
  await tick();
  assert.deepEqual([ex.done(), b.done()], [true, false]);
  gate.leaveExclusive();
  await tick();
  assert.equal(b.done(), true);
});
