/**
 * The event recorder over real HTTP: events.k8s.io/v1 objects a real server accepts, repeats folded into
 * one event's series, the per-object spam filter.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { EventRecorder, microTime } from '../../src/k8s/event-recorder.js';
import { FakeClock, systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startTestApi, uniqueName, type TestApi } from '../support/test-api.js';

let api: TestApi;
let events: k8s.EventsV1Api;
let core: k8s.CoreV1Api;
let ns: string;

before(async () => {
  api = await startTestApi();
  const kc = api.kubeConfig();
  events = kc.makeApiClient(k8s.EventsV1Api);
  core = kc.makeApiClient(k8s.CoreV1Api);
  ns = uniqueName('events');
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
after(async () => { await core.deleteNamespace({ name: ns }).catch(() => undefined); await api.close(); });

function recorder(clock = systemClock as FakeClock | typeof systemClock, extra: Partial<ConstructorParameters<typeof EventRecorder>[0]> = {}): EventRecorder {
  return new EventRecorder({ events, reportingController: 'metallb-controller', reportingInstance: 'controller-0', clock, logger: silentLogger(), ...extra });
}

const subject = (name: string): { apiVersion: string; kind: string; namespace: string; name: string; uid: string } =>
  ({ apiVersion: 'v1', kind: 'Service', namespace: ns, name, uid: `uid-${name}` });

async function eventsAbout(name: string): Promise<k8s.EventsV1Event[]> {
  return (await events.listNamespacedEvent({ namespace: ns })).items.filter((e) => e.regarding?.name === name);
}

test('an event carries MetalLB\'s reason, type and note, and the Service it is about', async () => {
  const r = recorder();
  r.record(subject('web'), 'Normal', 'IPAllocated', 'Allocate', 'Assigned IP ["192.0.2.1"]');
  await r.flush();
  const [e, ...rest] = await eventsAbout('web');
  assert.equal(rest.length, 0);
  assert.equal(e!.reason, 'IPAllocated');
  assert.equal(e!.type, 'Normal');
  assert.equal(e!.note, 'Assigned IP ["192.0.2.1"]');
  assert.equal(e!.reportingController, 'metallb-controller');
  assert.deepEqual({ kind: e!.regarding?.kind, uid: e!.regarding?.uid }, { kind: 'Service', uid: 'uid-web' });
  assert.match(e!.metadata?.name ?? '', /^web\.[0-9a-f]+$/);
});

test('a thousand identical events become one event whose series counts them, with few writes', async () => {
  const clock = new FakeClock();
  const r = recorder(clock, { seriesUpdateIntervalMs: 30_000 });
  for (let i = 0; i < 1000; i++) {
    r.record(subject('flood'), 'Warning', 'AllocationFailed', 'Allocate', 'Failed to allocate IP for "x/flood": no available IPs');
    clock.advance(100);
  }
  await r.flush();
  const list = await eventsAbout('flood');
  assert.equal(list.length, 1);
  assert.equal(list[0]!.series?.count, 1000);
  assert.ok(r.stats.seriesUpdates <= 5, `series updates: ${r.stats.seriesUpdates}`);
  assert.equal(r.stats.created, 1);
});

test('different notes are different events; past the burst an object\'s new events are dropped', async () => {
  const r = recorder(new FakeClock(), { burst: 3 });
  for (let i = 0; i < 5; i++) r.record(subject('spam'), 'Normal', 'IPAllocated', 'Allocate', `Assigned IP ["192.0.2.${i}"]`);
  await r.flush();
  assert.equal((await eventsAbout('spam')).length, 3);
  assert.equal(r.stats.dropped, 2);
});

test('microTime renders six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), '2024-01-02T03:04:05.678000Z');
});
