import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import { TerminalError, WorkQueue, type Reconciler } from './work-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function makeQueue(reconcile: Reconciler, concurrency = 1, clock = new FakeClock()): { queue: WorkQueue; clock: FakeClock } {
  const queue = new WorkQueue({
    name: 't', reconcile, clock, logger: silentLogger(), concurrency, random: () => 0.5,
    backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 },
  });
  queue.start();
  return { queue, clock };
}

test('a key added several times while waiting is reconciled once', async () => {
  const runs: string[] = [];
  const gate = deferred();
  const { queue } = makeQueue(async (key) => { runs.push(key); if (key === 'block') await gate.promise; });
  queue.add('block');
  queue.add('a');
  queue.add('a');
  queue.add('a');
  gate.resolve();
  await queue.idle();
  assert.deepEqual(runs, ['block', 'a']);
});

test('a key added while it is being reconciled runs once more afterwards, never concurrently', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const gate = deferred();
  const { queue } = makeQueue(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    runs++;
    if (runs === 1) await gate.promise;
    running--;
  }, 4);
  queue.add('k');
  await flush();
  queue.add('k');
  queue.add('k');
  gate.resolve();
  await queue.idle();
  assert.equal(runs, 2);
  assert.equal(maxRunning, 1);
});

test('different keys run concurrently up to the limit', async () => {
  let running = 0;
  let maxRunning = 0;
  const gate = deferred();
  const { queue } = makeQueue(async () => { running++; maxRunning = Math.max(maxRunning, running); await gate.promise; running--; }, 2);
  for (const k of ['a', 'b', 'c', 'd']) queue.add(k);
  await flush();
  assert.equal(maxRunning, 2);
  gate.resolve();
  await queue.idle();
});

test('a failing reconcile is retried with growing delays until it succeeds', async () => {
  const times: number[] = [];
  const clock = new FakeClock();
  const { queue } = makeQueue(async () => {
    times.push(clock.nowMs());
    if (times.length < 4) throw new Error('conflict');
  }, 1, clock);
  queue.add('k');
  for (let i = 0; i < 10; i++) { await flush(); clock.advance(100); }
  await queue.idle();
  assert.deepEqual(times, [0, 100, 300, 700]);
});

test('a TerminalError is not retried', async () => {
  let runs = 0;
  const clock = new FakeClock();
  const { queue } = makeQueue(async () => { runs++; throw new TerminalError('bad config'); }, 1, clock);
  queue.add('k');
  await flush();
  clock.advance(10_000);
  await queue.idle();
  assert.equal(runs, 1);
});

test('requeueAfterMs schedules the next run', async () => {
  const times: number[] = [];
  const clock = new FakeClock();
  const { queue } = makeQueue(async () => { times.push(clock.nowMs()); return times.length < 2 ? { requeueAfterMs: 5000 } : undefined; }, 1, clock);
  queue.add('k');
  await flush();
  clock.advance(5000);
  await queue.idle();
  assert.deepEqual(times, [0, 5000]);
});

test('shutdown drops waiting keys and waits for the running reconcile', async () => {
  const runs: string[] = [];
  const gate = deferred();
  const { queue } = makeQueue(async (key) => { runs.push(key); await gate.promise; });
  queue.add('a');
  queue.add('b');
  await flush();
  const done = queue.shutdown();
  gate.resolve();
  await done;
  queue.add('c');
  await flush();
  assert.deepEqual(runs, ['a']);
});
