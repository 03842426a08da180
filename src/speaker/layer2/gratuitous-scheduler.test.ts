import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.js';
import { formatIp, type IpAddress } from '../../lib/ip.js';
import { GratuitousScheduler, metallbGratuitousTiming } from './gratuitous-scheduler.js';
import { ip } from './test-frames.test-data.js';

function setup() {
  const clock = new FakeClock();
  const sentAtMs: number[] = [];
  const held = new Set(['10.200.0.10', '10.200.0.11']);
  const scheduler = new GratuitousScheduler(clock, metallbGratuitousTiming,
    (x: IpAddress) => { if (formatIp(x) === '10.200.0.10') sentAtMs.push(clock.nowMs()); },
    (x: IpAddress) => held.has(formatIp(x)));
  return { clock, sentAtMs, held, scheduler };
}

test('a new IP is announced at once, then every 1.1 s until 5 s after the trigger', () => {
  const { clock, sentAtMs, scheduler } = setup();
  scheduler.trigger(ip('10.200.0.10'));
  clock.advance(20_000);
  assert.deepEqual(sentAtMs, [0, 1100, 2200, 3300, 4400]);
  assert.deepEqual(scheduler.active(), []);
  assert.equal(clock.pendingCount(), 0);
});

test('triggering again during a burst extends it without an extra immediate send', () => {
  const { clock, sentAtMs, scheduler } = setup();
  scheduler.trigger(ip('10.200.0.10'));
  clock.advance(3000);
  scheduler.trigger(ip('10.200.0.10'));
  clock.advance(20_000);
  assert.deepEqual(sentAtMs, [0, 1100, 2200, 3300, 4400, 5500, 6600, 7700]);
});

test('a burst stops as soon as the IP is no longer held, and cancel and close stop it too', () => {
  const { clock, sentAtMs, held, scheduler } = setup();
  scheduler.trigger(ip('10.200.0.10'));
  clock.advance(1500);
  held.delete('10.200.0.10');
  clock.advance(10_000);
  assert.deepEqual(sentAtMs, [0, 1100]);
  held.add('10.200.0.10');
  scheduler.trigger(ip('10.200.0.10'));
  scheduler.cancel(ip('10.200.0.10'));
  scheduler.trigger(ip('10.200.0.11'));
  scheduler.close();
  clock.advance(10_000);
  assert.deepEqual(sentAtMs, [0, 1100, 11_500]);
  assert.equal(clock.pendingCount(), 0);
});
