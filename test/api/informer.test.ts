/**
 * The informer over real HTTP against the test API server: sync, events, resuming after dropped watches
 * without a relist, relisting after 410, recovering from 500s, selectors, periodic relist, stop.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Informer } from '../../src/k8s/informer.js';
import type { KubeObject } from '../../src/k8s/kube-object.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { eventually, startTestApi, type TestApi } from '../support/test-api.js';

let api: TestApi;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let nsCounter = 0;

before(async () => { api = await startTestApi(); kc = api.kubeConfig(); core = kc.makeApiClient(k8s.CoreV1Api); });
after(() => api.close());

async function namespace(): Promise<string> {
  const ns = `inf-${++nsCounter}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  return ns;
}

interface Recorded { events: string[]; informer: Informer<KubeObject> }

function configMapInformer(ns: string, extra: Partial<ConstructorParameters<typeof Informer<KubeObject>>[0]> = {}): Recorded {
  const informer = new Informer<KubeObject>({
    name: 'configmaps', kubeConfig: kc, path: `/api/v1/namespaces/${ns}/configmaps`,
    list: (s) => core.listNamespacedConfigMap({ namespace: ns, ...s }), clock: systemClock, logger: silentLogger(),
    backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.2 }, ...extra,
  });
  const events: string[] = [];
  informer.on({
    add: (o) => events.push(`add ${o.metadata?.name}`),
    update: (o) => events.push(`update ${o.metadata?.name}`),
    delete: (o) => events.push(`delete ${o.metadata?.name}`),
  });
  return { events, informer };
}

const cm = (ns: string, name: string, labels: Record<string, string> = {}): Promise<k8s.V1ConfigMap> =>
  core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });

test('synced resolves with the listed objects in the cache, then watch events update it', async () => {
  const ns = await namespace();
  await cm(ns, 'a');
  const { informer, events } = configMapInformer(ns);
  informer.start();
  await informer.synced;
  assert.deepEqual(informer.list().map((o) => o.metadata?.name), ['a']);
  assert.equal(typeof informer.get(ns, 'a')?.metadata?.creationTimestamp, 'string', 'cached objects are plain JSON');
  await cm(ns, 'b');
  await core.patchNamespacedConfigMap({ name: 'a', namespace: ns, body: [{ op: 'add', path: '/data', value: { x: '1' } }] });
  await core.deleteNamespacedConfigMap({ name: 'b', namespace: ns });
  await eventually('three events', () => events.length >= 4);
  assert.deepEqual(events, ['add a', 'add b', 'update a', 'delete b']);
  await informer.stop();
});

test('after a dropped watch it resumes from its resourceVersion without a relist, missing nothing', async (t) => {
  if (api.server === undefined) return t.skip('needs the test server');
  const ns = await namespace();
  const { informer, events } = configMapInformer(ns);
  informer.start();
  await informer.synced;
  for (const abrupt of [false, true]) {
    api.server.faults.dropWatches({ abrupt });
    await cm(ns, `during-${abrupt}`);
  }
  await eventually('both objects', () => informer.size() === 2);
  assert.equal(informer.listCount, 1);
  assert.deepEqual(events.sort(), ['add during-false', 'add during-true']);
  await informer.stop();
});

test('after a compaction (410) it relists and reports what was deleted meanwhile', async (t) => {
  if (api.server === undefined) return t.skip('needs the test server');
  const ns = await namespace();
  await cm(ns, 'old');
  const { informer, events } = configMapInformer(ns);
  informer.start();
  await informer.synced;
  const gate = api.server.faults.inject({ verb: 'watch', resource: 'configmaps', namespace: ns, code: 500 });
  api.server.faults.dropWatches({ resource: 'configmaps' });
  await core.deleteNamespacedConfigMap({ name: 'old', namespace: ns });
  await cm(ns, 'new');
  await eventually('a failed re-watch', () => gate.hits() > 0);
  api.server.faults.compact();
  gate.remove();
  await eventually('the relist', () => informer.listCount === 2 && informer.get(ns, 'new') !== undefined);
  assert.equal(informer.get(ns, 'old'), undefined);
  assert.deepEqual(events, ['add old', 'delete old', 'add new']);
  await informer.stop();
});

test('it keeps retrying a failing list and syncs once the server answers', async (t) => {
  if (api.server === undefined) return t.skip('needs the test server');
  const ns = await namespace();
  await cm(ns, 'x');
  const fault = api.server.faults.inject({ verb: 'list', resource: 'configmaps', namespace: ns, code: 500, times: 3 });
  const { informer } = configMapInformer(ns);
  informer.start();
  await informer.synced;
  assert.equal(fault.hits(), 3);
  assert.equal(informer.size(), 1);
  await informer.stop();
});

test('with a label selector, an object that stops matching is deleted from the cache', async () => {
  const ns = await namespace();
  await cm(ns, 'sel', { role: 'in' });
  const { informer, events } = configMapInformer(ns, { labelSelector: 'role=in' });
  informer.start();
  await informer.synced;
  await core.patchNamespacedConfigMap({ name: 'sel', namespace: ns, body: { metadata: { labels: { role: 'out' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await eventually('the delete', () => events.includes('delete sel'));
  assert.equal(informer.size(), 0);
  await informer.stop();
});

test('with a field selector, only the named object is cached', async () => {
  const ns = await namespace();
  await cm(ns, 'one');
  await cm(ns, 'two');
  const { informer } = configMapInformer(ns, { fieldSelector: 'metadata.name=two' });
  informer.start();
  await informer.synced;
  assert.deepEqual(informer.list().map((o) => o.metadata?.name), ['two']);
  await informer.stop();
});

test('a periodic relist changes nothing when nothing changed', async () => {
  const ns = await namespace();
  await cm(ns, 'stable');
  const { informer, events } = configMapInformer(ns, { relistIntervalMs: 100 });
  informer.start();
  await informer.synced;
  await eventually('two more lists', () => informer.listCount >= 3);
  assert.deepEqual(events, ['add stable']);
  await informer.stop();
});

test('a server-side watch timeout re-watches without a relist', async () => {
  const ns = await namespace();
  const { informer } = configMapInformer(ns, { watchTimeoutSec: () => 1 });
  informer.start();
  await informer.synced;
  await new Promise((r) => setTimeout(r, 1200));
  await cm(ns, 'after-timeout');
  await eventually('the object', () => informer.size() === 1);
  assert.equal(informer.listCount, 1);
  await informer.stop();
});

test('stop is final: no restart, no more requests', async (t) => {
  if (api.server === undefined) return t.skip('needs the test server');
  const ns = await namespace();
  const { informer } = configMapInformer(ns);
  informer.start();
  await informer.synced;
  await informer.stop();
  const before = api.server.requests().filter((r) => r.namespace === ns).length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(api.server.requests().filter((r) => r.namespace === ns).length, before);
  assert.equal(api.server.watchCount() >= 0, true);
});
