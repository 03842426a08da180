import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteGate } from './write-gate.js';

function gateWithLog(): { gate: WriteGate; opened: string[] } {
  const opened: string[] = [];
  return { gate: new WriteGate({ onOpen: (what) => opened.push(what) }), opened };
}

test('single-Service reconciles of different keys enter together', () => {
  const { gate } = gateWithLog();
  assert.equal(gate.tryEnterShared('a'), true);
  assert.equal(gate.tryEnterShared('b'), true);
  gate.leaveShared();
  gate.leaveShared();
});

test('while a release is in flight only its own key may converge; its landing opens the gate', () => {
  const { gate, opened } = gateWithLog();
  assert.equal(gate.tryEnterShared('a'), true);
  gate.releaseStarted('a');
  assert.equal(gate.tryEnterShared('b'), false);
  assert.equal(gate.tryEnterShared('a'), true);
  gate.leaveShared();
  gate.releaseSettled('a');
  assert.deepEqual(opened, ['services']);
  assert.equal(gate.tryEnterShared('b'), true);
});

test('a failed release keeps other keys out until its own key settles it', () => {
  const { gate } = gateWithLog();
  gate.releaseStarted('a');
  gate.releaseFailed('a');
  assert.equal(gate.tryEnterShared('b'), false);
  assert.equal(gate.tryEnterShared('a'), true);
  gate.releaseSettled('a');
  gate.leaveShared();
  assert.equal(gate.tryEnterShared('b'), true);
});

test('a wanted reprocess keeps new reconciles out, starts when the running ones are done, and reopens after', () => {
  const { gate, opened } = gateWithLog();
  assert.equal(gate.tryEnterShared('a'), true);
  assert.equal(gate.tryEnterExclusive(), false);
  assert.equal(gate.tryEnterShared('c'), false, 'a wanted reprocess is not starved');
  gate.leaveShared();
  assert.deepEqual(opened, ['reprocess']);
  assert.equal(gate.tryEnterExclusive(), true);
  assert.equal(gate.tryEnterShared('c'), false, 'nothing enters while the reprocess runs');
  gate.leaveExclusive();
  assert.deepEqual(opened, ['reprocess', 'services']);
  assert.equal(gate.tryEnterShared('c'), true);
});

test('a reprocess waits for releases in flight, but may enter past a failed release, which it redoes itself', () => {
  const { gate, opened } = gateWithLog();
  gate.releaseStarted('a');
  assert.equal(gate.tryEnterExclusive(), false);
  gate.releaseFailed('a');
  assert.deepEqual(opened, ['reprocess']);
  assert.equal(gate.tryEnterExclusive(), true);
  gate.leaveExclusive();
});

test('of keys tried one after the other, one that releases keeps the next from converging', () => {
  const { gate } = gateWithLog();
  assert.equal(gate.tryEnterShared('a'), true);
  gate.releaseStarted('a');
  assert.equal(gate.tryEnterShared('b'), false);
});

test('a release that lands during a full reprocess opens nothing; leaving the reprocess opens for everyone', () => {
  const { gate, opened } = gateWithLog();
  assert.equal(gate.tryEnterExclusive(), true);
  gate.releaseStarted('a');
  gate.releaseSettled('a');
  assert.deepEqual(opened, [], 'a Service let in now would only be turned away again');
  assert.equal(gate.tryEnterShared('b'), false);
  gate.leaveExclusive();
  assert.deepEqual(opened, ['services']);
  assert.equal(gate.tryEnterShared('b'), true);
});
