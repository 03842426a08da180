import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, isFrozen, killRecorded, signalRecorded, spawnDetached, stopRecorded } from './processes.js';
import { waitFor } from '../netns/wait.js';
import { newLabState, readLabState, writeLabState } from './lab-state.js';

test('a detached process is recorded by PID and start time, found alive, and stopped by its record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-proc-'));
  try {
    const rec = spawnDetached(['sh', '-c', 'echo started; exec sleep 30'], join(dir, 'p.log'));
    assert.ok(isAlive(rec));
    assert.match(rec.startTime, /^\d+$/);
    // Stopped before its shell has run `echo`, it would die in stopRecorded without ever writing to the log.
    await waitFor(() => readFileSync(join(dir, 'p.log'), 'utf8').includes('started'), { timeoutMs: 5000, what: 'the process to write its log' });
    signalRecorded(rec, 'SIGSTOP');
    await waitFor(() => isFrozen(rec), { timeoutMs: 5000, what: 'the process to stop' });
    assert.ok(isAlive(rec), 'a stopped process is still alive');
    await stopRecorded(rec, 2000);
    assert.ok(!isAlive(rec));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a record whose PID now belongs to another process (another start time) is never signalled', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-proc-'));
  try {
    const rec = spawnDetached(['sleep', '30'], join(dir, 'p.log'));
    const stale = { ...rec, startTime: String(Number(rec.startTime) - 1) };
    assert.ok(!isAlive(stale));
    await killRecorded(stale);
    assert.ok(isAlive(rec), 'the real process was left alone');
    await killRecorded(rec);
    assert.ok(!isAlive(rec));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the state file round-trips and refuses what is not a lab state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-state-'));
  try {
    const file = join(dir, 'x', 'state.json');
    assert.equal(readLabState(file), undefined);
    const state = newLabState({ name: 'lab', nodes: 2, router: 'bird' }, 'mlbts-lab');
    state.processes['api'] = { pid: 1, startTime: '1', command: ['x'], log: 'l' };
    writeLabState(file, state);
    assert.deepEqual(readLabState(file), state);
    writeLabState(file, { ...state, version: 2 as 1 });
    assert.throws(() => readLabState(file), /not a lab state file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
