import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveSet } from './live-set.js';

test('listeners hear each different set once', () => {
  const live = new LiveSet();
  const heard: string[] = [];
  const off = live.onChange((m) => heard.push(m.join(',')));
  assert.equal(live.publish(['a', 'b']), true);
  assert.equal(live.publish(['a', 'b']), false);
  live.publish(['a']);
  off();
  live.publish(['a', 'c']);
  assert.deepEqual(heard, ['a,b', 'a']);
});

test('iteration starts with the current set and skips sets a slow consumer missed', async () => {
  const live = new LiveSet();
  live.publish(['a']);
  const it = live.changes();
  assert.deepEqual((await it.next()).value, ['a']);
  live.publish(['a', 'b']);
  live.publish(['a', 'b', 'c']);
  assert.deepEqual((await it.next()).value, ['a', 'b', 'c']);
  const pending = it.next();
  live.publish(['b']);
  assert.deepEqual((await pending).value, ['b']);
  live.end();
  assert.equal((await it.next()).done, true);
});

test('an aborted iteration ends', async () => {
  const live = new LiveSet();
  const ac = new AbortController();
  const it = live.changes(ac.signal);
  await it.next();
  const pending = it.next();
  ac.abort();
  assert.equal((await pending).done, true);
});

test('a touch calls the listeners with the unchanged set', () => {
  const live = new LiveSet();
  live.publish(['a']);
  const heard: string[] = [];
  live.onChange((m) => heard.push(m.join(',')));
  live.touch();
  assert.deepEqual(heard, ['a']);
});
