/**
 * The contract of the Kubernetes API that our components rely on, exercised with the real client-node.
 * It runs against the test API server in CI, and unchanged against a real kube-apiserver with
 * `K8S_URL=https://... K8S_TOKEN=... node --test dist/test/api/contract.test.js`, so any place where the
 * test server differs from the real one shows up here. Cases that need fault hooks run only in-process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, failsWith, isRealServer, startTestApi, uniqueName, type TestApi } from '../support/test-api.js';

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const widgetGroup = 'contract.metallb-ts.test';

let api: TestApi;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let custom: k8s.CustomObjectsApi;
let ns: string;

async function rawGet(path: string): Promise<{ status: number; body: unknown; contentType: string | null }> {
  const opts = await kc.applyToFetchOptions({});
  const res = await fetch(`${api.url}${path}`, { headers: opts.headers as Record<string, string> });
  return { status: res.status, body: await res.json(), contentType: res.headers.get('content-type') };
}

const widgetCrd: k8s.V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${widgetGroup}` },
  spec: {
    group: widgetGroup, scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: { type: 'object', properties: { size: { type: 'integer', minimum: 0 }, color: { type: 'string', _default: 'blue' } } },
            status: { type: 'object', properties: { ready: { type: 'boolean' } } },
          },
        },
      },
    }],
  },
};

before(async () => {
  api = await startTestApi({ bookmarkIntervalMs: 200 });
  kc = api.kubeConfig();
  core = kc.makeApiClient(k8s.CoreV1Api);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  ns = uniqueName('contract');
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  await ext.deleteCustomResourceDefinition({ name: widgetCrd.metadata!.name! }).catch(() => undefined);
  await eventually('the old Widget CRD to go', () => ext.readCustomResourceDefinition({ name: widgetCrd.metadata!.name! }).then(() => false, () => true));
  await ext.createCustomResourceDefinition({ body: widgetCrd });
  await eventually('the Widget CRD to be served', () => custom.listNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets' }).then(() => true));
});

after(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  await kc.makeApiClient(k8s.ApiextensionsV1Api).deleteCustomResourceDefinition({ name: widgetCrd.metadata!.name! }).catch(() => undefined);
  await api.close();
});

describe('discovery', () => {
  test('the core and group discovery documents list the resources we use, with status subresources', async () => {
    const core1 = await rawGet('/api/v1');
    assert.equal(core1.contentType?.startsWith('application/json'), true);
    const names = (core1.body as { resources: { name: string }[] }).resources.map((r) => r.name);
    for (const n of ['services', 'services/status', 'namespaces', 'secrets', 'events', 'nodes']) assert.ok(names.includes(n), n);
    const groups = (await rawGet('/apis')).body as { groups: { name: string }[] };
    for (const g of ['coordination.k8s.io', 'events.k8s.io', 'discovery.k8s.io', widgetGroup]) {
      assert.ok(groups.groups.some((x) => x.name === g), g);
    }
    const widgets = (await rawGet(`/apis/${widgetGroup}/v1`)).body as { resources: { name: string; kind: string; namespaced: boolean }[] };
    assert.deepEqual(widgets.resources.map((r) => r.name).sort(), ['widgets', 'widgets/status']);
  });

  test('KubernetesObjectApi maps a kind to its plural through discovery and creates the object', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const created = await objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'via-objects', namespace: ns }, data: { a: '1' } } as k8s.V1ConfigMap);
    assert.equal(created.metadata?.name, 'via-objects');
    const read = await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'via-objects', namespace: ns } });
    assert.deepEqual((read as k8s.V1ConfigMap).data, { a: '1' });
  });
});

describe('create, read, update, delete', () => {
  test('create answers 201 with server-owned metadata; get and list return the stored object', async () => {
    const res = await core.createNamespacedConfigMapWithHttpInfo({ namespace: ns, body: { metadata: { name: 'crud' }, data: { k: 'v' } } });
    assert.equal(res.httpStatusCode, 201);
    const cm = res.data;
    assert.ok(cm.metadata?.uid && cm.metadata.resourceVersion && cm.metadata.creationTimestamp);
    const read = await core.readNamespacedConfigMap({ name: 'crud', namespace: ns });
    assert.equal(read.metadata?.resourceVersion, cm.metadata.resourceVersion);
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    assert.ok(list.metadata?.resourceVersion);
    assert.ok(list.items.some((i) => i.metadata?.name === 'crud'));
  });

  test('a second create of the same name is 409 AlreadyExists', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } });
    const r = await failsWith(() => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } }));
    assert.deepEqual(r, { code: 409, reason: 'AlreadyExists' });
  });

  test('an update carrying a stale resourceVersion is 409 Conflict, a fresh one succeeds with a new version', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'rv' }, data: { n: '1' } } });
    const updated = await core.replaceNamespacedConfigMap({ name: 'rv', namespace: ns, body: { ...cm, data: { n: '2' } } });
    assert.notEqual(updated.metadata?.resourceVersion, cm.metadata?.resourceVersion);
    const r = await failsWith(() => core.replaceNamespacedConfigMap({ name: 'rv', namespace: ns, body: { ...cm, data: { n: '3' } } }));
    assert.deepEqual(r, { code: 409, reason: 'Conflict' });
  });

  test('a write that changes nothing keeps the resourceVersion', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'noop' }, data: { n: '1' } } });
    const again = await core.replaceNamespacedConfigMap({ name: 'noop', namespace: ns, body: cm });
    assert.equal(again.metadata?.resourceVersion, cm.metadata?.resourceVersion);
  });

  test('a custom resource cannot be updated without a resourceVersion (422), a built-in can', async () => {
    await custom.createNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', body: { apiVersion: `${widgetGroup}/v1`, kind: 'Widget', metadata: { name: 'w-unconditional' }, spec: { size: 1 } } });
    const r = await failsWith(() => custom.replaceNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', name: 'w-unconditional', body: { apiVersion: `${widgetGroup}/v1`, kind: 'Widget', metadata: { name: 'w-unconditional' }, spec: { size: 2 } } }));
    assert.equal(r.code, 422);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'unconditional' } } });
    await core.replaceNamespacedConfigMap({ name: 'unconditional', namespace: ns, body: { metadata: { name: 'unconditional' }, data: { x: 'y' } } });
  });

  test('names are validated: an invalid name is 422, a namespace mismatch 400, a missing namespace 404', async () => {
    assert.equal((await failsWith(() => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Bad_Name' } } }))).code, 422);
    assert.equal((await failsWith(() => core.createNamespacedService({ namespace: ns, body: { metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } } }))).code, 422);
    assert.equal((await failsWith(() => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x', namespace: 'other' } } }))).code, 400);
    assert.equal((await failsWith(() => core.createNamespacedConfigMap({ namespace: uniqueName('absent'), body: { metadata: { name: 'x' } } }))).code, 404);
  });

  test('generateName ending in "-" gets five random characters; ending in "." is 422 as on a real server', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'gen-' } } });
    assert.match(cm.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
    const r = await failsWith(() => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'web.' } } }));
    assert.equal(r.code, 422);
  });

  test('delete removes the object; a second delete is 404', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'gone' } } });
    await core.deleteNamespacedConfigMap({ name: 'gone', namespace: ns });
    assert.equal((await failsWith(() => core.readNamespacedConfigMap({ name: 'gone', namespace: ns }))).code, 404);
    assert.equal((await failsWith(() => core.deleteNamespacedConfigMap({ name: 'gone', namespace: ns }))).code, 404);
  });

  test('with a finalizer, delete sets deletionTimestamp; removing the finalizer removes the object', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'fin', finalizers: ['metallb-ts.test/hold'] } } });
    await core.deleteNamespacedConfigMap({ name: 'fin', namespace: ns });
    const held = await core.readNamespacedConfigMap({ name: 'fin', namespace: ns });
    assert.ok(held.metadata?.deletionTimestamp);
    const r = await failsWith(() => core.patchNamespacedConfigMap({ name: 'fin', namespace: ns, body: { metadata: { finalizers: ['metallb-ts.test/hold', 'metallb-ts.test/more'] } } }, merge));
    assert.equal(r.code, 422);
    await core.patchNamespacedConfigMap({ name: 'fin', namespace: ns, body: { metadata: { finalizers: null } } }, merge);
    await eventually('the object to go', () => core.readNamespacedConfigMap({ name: 'fin', namespace: ns }).then(() => false, () => true));
  });
});

describe('patches', () => {
  test('the default JSON patch applies in order, and a failed test operation changes nothing (422)', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'jp' }, data: { a: '1' } } });
    const patched = await core.patchNamespacedConfigMap({ name: 'jp', namespace: ns, body: [
      { op: 'test', path: '/data/a', value: '1' }, { op: 'add', path: '/data/b', value: '2' }, { op: 'remove', path: '/data/a' },
    ] });
    assert.deepEqual(patched.data, { b: '2' });
    const r = await failsWith(() => core.patchNamespacedConfigMap({ name: 'jp', namespace: ns, body: [
      { op: 'add', path: '/data/c', value: '3' }, { op: 'test', path: '/data/b', value: 'wrong' },
    ] }));
    assert.equal(r.code, 422);
    assert.deepEqual((await core.readNamespacedConfigMap({ name: 'jp', namespace: ns })).data, { b: '2' });
  });

  test('a merge patch merges objects and deletes with null; with a stale resourceVersion it is 409', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'mp', labels: { a: '1', b: '2' } } } });
    const patched = await core.patchNamespacedConfigMap({ name: 'mp', namespace: ns, body: { metadata: { labels: { a: null, c: '3' } } } }, merge);
    assert.deepEqual(patched.metadata?.labels, { b: '2', c: '3' });
    const r = await failsWith(() => core.patchNamespacedConfigMap({ name: 'mp', namespace: ns, body: { metadata: { resourceVersion: cm.metadata?.resourceVersion, labels: { d: '4' } } } }, merge));
    assert.equal(r.code, 409);
  });

  test('strategic merge patch works for a built-in and is 415 for a custom resource', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'smp' }, data: { a: '1' } } });
    const patched = await core.patchNamespacedConfigMap({ name: 'smp', namespace: ns, body: { data: { b: '2' } } }, strategic);
    assert.deepEqual(patched.data, { a: '1', b: '2' });
    await custom.createNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', body: { apiVersion: `${widgetGroup}/v1`, kind: 'Widget', metadata: { name: 'w-smp' }, spec: { size: 1 } } });
    const r = await failsWith(() => custom.patchNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', name: 'w-smp', body: { spec: { size: 2 } } }, strategic));
    assert.equal(r.code, 415);
  });

  test('server-side apply needs a field manager (400) and creates the object when absent', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns }, data: { a: '1' } };
    const apply = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
    assert.equal((await failsWith(() => core.patchNamespacedConfigMap({ name: 'ssa', namespace: ns, body }, apply))).code, 400);
    const created = await core.patchNamespacedConfigMap({ name: 'ssa', namespace: ns, body, fieldManager: 'contract', force: true }, apply);
    assert.deepEqual(created.data, { a: '1' });
  });
});

describe('status subresource', () => {
  test('a write to the main resource keeps the old status; a write to /status keeps the old spec', async () => {
    await custom.createNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', body: { apiVersion: `${widgetGroup}/v1`, kind: 'Widget', metadata: { name: 'w-status' }, spec: { size: 1 }, status: { ready: true } } });
    const created = (await custom.getNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', name: 'w-status' })) as { status?: unknown };
    assert.equal(created.status, undefined, 'status is dropped on create');
    await custom.patchNamespacedCustomObjectStatus({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', name: 'w-status', body: { spec: { size: 9 }, status: { ready: true } } }, merge);
    await custom.patchNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', name: 'w-status', body: { spec: { size: 2 }, status: { ready: false } } }, merge);
    const w = (await custom.getNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', name: 'w-status' })) as { spec: { size: number }; status: { ready: boolean } };
    assert.deepEqual({ size: w.spec.size, ready: w.status.ready }, { size: 2, ready: true });
  });

  test('a Service /status PUT persists metadata annotations with the ingress, as MetalLB writes them', async () => {
    const svc = await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
    svc.status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
    svc.metadata!.annotations = { 'metallb.io/ip-allocated-from-pool': 'pool-a' };
    svc.spec!.ports = [{ port: 81 }];
    const written = await core.replaceNamespacedServiceStatus({ name: 'lb', namespace: ns, body: svc });
    assert.deepEqual(written.status?.loadBalancer?.ingress?.map((i) => i.ip), ['192.0.2.10']);
    assert.equal(written.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'], 'pool-a');
    assert.equal(written.spec?.ports?.[0]?.port, 80, 'spec is not changed through /status');
  });
});

describe('defaulting and pruning', () => {
  test('a Service gets cluster IPs per its IP family policy, TCP ports and traffic policy defaults', async () => {
    const single = await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'single' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
    assert.equal(single.spec?.clusterIPs?.length, 1);
    assert.equal(single.spec?.ports?.[0]?.protocol, 'TCP');
    assert.equal(single.spec?.externalTrafficPolicy, 'Cluster');
    assert.equal(single.spec?.ipFamilyPolicy, 'SingleStack');
    if (isRealServer()) return; // a real cluster may not be dual-stack
    const dual = await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'dual' }, spec: { type: 'LoadBalancer', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], ports: [{ port: 80 }] } } });
    assert.deepEqual(dual.spec?.ipFamilies, ['IPv6', 'IPv4']);
    assert.match(dual.spec?.clusterIPs?.[0] ?? '', /:/);
  });

  test('a Namespace is labelled with its own name', async () => {
    const got = await core.readNamespace({ name: ns });
    assert.equal(got.metadata?.labels?.['kubernetes.io/metadata.name'], ns);
  });

  test('a custom resource loses fields its schema does not declare and gets schema defaults', async () => {
    await custom.createNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', body: { apiVersion: `${widgetGroup}/v1`, kind: 'Widget', metadata: { name: 'w-prune' }, spec: { size: 3, unknown: 'x' } } });
    const w = (await custom.getNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', name: 'w-prune' })) as { spec: Record<string, unknown> };
    assert.deepEqual(w.spec, { size: 3, color: 'blue' });
    const r = await failsWith(() => custom.createNamespacedCustomObject({ group: widgetGroup, version: 'v1', namespace: ns, plural: 'widgets', body: { apiVersion: `${widgetGroup}/v1`, kind: 'Widget', metadata: { name: 'w-invalid' }, spec: { size: -1 } } }));
    assert.equal(r.code, 422);
  });
});

describe('selectors', () => {
  test('list filters by label selector forms and by field selector; an unsupported field is 400', async () => {
    const mk = (name: string, labels: Record<string, string>): Promise<k8s.V1ConfigMap> => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { suite: 'sel', ...labels } } } });
    await mk('sel-a', { tier: 'front', env: 'prod' });
    await mk('sel-b', { tier: 'back', env: 'prod' });
    await mk('sel-c', { tier: 'front' });
    const names = async (labelSelector: string, fieldSelector?: string): Promise<string[]> =>
      (await core.listNamespacedConfigMap({ namespace: ns, labelSelector, ...(fieldSelector === undefined ? {} : { fieldSelector }) })).items.map((i) => i.metadata!.name!).sort();
    assert.deepEqual(await names('suite=sel,tier=front'), ['sel-a', 'sel-c']);
    assert.deepEqual(await names('suite==sel,tier!=front'), ['sel-b']);
    assert.deepEqual(await names('suite=sel,tier in (back, front),env'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names('suite=sel,!env'), ['sel-c']);
    assert.deepEqual(await names('suite=sel,env notin (prod)'), ['sel-c']);
    assert.deepEqual(await names('suite=sel', 'metadata.name=sel-b'), ['sel-b']);
    assert.deepEqual(await names('suite=sel', 'metadata.name!=sel-b'), ['sel-a', 'sel-c']);
    assert.equal((await failsWith(() => core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'data.x=1' }))).code, 400);
  });
});

interface Seen { type: string; name: string; rv: string }

async function watchInto(path: string, params: Record<string, string | boolean>, seen: Seen[], done?: (err: unknown) => void): Promise<AbortController> {
  return new k8s.Watch(kc).watch(path, params, (type, obj: k8s.KubernetesObject) => {
    seen.push({ type, name: obj.metadata?.name ?? '', rv: obj.metadata?.resourceVersion ?? '' });
  }, done ?? (() => undefined));
}

describe('watch', () => {
  test('a watch from a list resourceVersion sees later ADDED, MODIFIED and DELETED in order', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'w=order' });
    const seen: Seen[] = [];
    const ctl = await watchInto(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: list.metadata!.resourceVersion!, labelSelector: 'w=order' }, seen);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-order', labels: { w: 'order' } } } });
    await core.patchNamespacedConfigMap({ name: 'w-order', namespace: ns, body: { data: { a: '1' } } }, merge);
    await core.deleteNamespacedConfigMap({ name: 'w-order', namespace: ns });
    await eventually('three events', () => seen.length >= 3);
    ctl.abort();
    assert.deepEqual(seen.map((s) => s.type), ['ADDED', 'MODIFIED', 'DELETED']);
  });

  test('a watch replays the changes after a resourceVersion', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-replay', labels: { w: 'replay' } } } });
    await core.patchNamespacedConfigMap({ name: 'w-replay', namespace: ns, body: { data: { a: '1' } } }, merge);
    const seen: Seen[] = [];
    const ctl = await watchInto(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: first.metadata!.resourceVersion!, labelSelector: 'w=replay' }, seen);
    await eventually('the replayed MODIFIED', () => seen.length >= 1);
    ctl.abort();
    assert.equal(seen[0]!.type, 'MODIFIED');
  });

  test('an object leaving the label selector arrives as DELETED, and entering it as ADDED', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-sel', labels: { w: 'sel', on: 'yes' } } } });
    const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'on=yes' });
    const seen: Seen[] = [];
    const ctl = await watchInto(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: list.metadata!.resourceVersion!, labelSelector: 'on=yes' }, seen);
    await core.patchNamespacedConfigMap({ name: 'w-sel', namespace: ns, body: { metadata: { labels: { on: 'no' } } } }, merge);
    await core.patchNamespacedConfigMap({ name: 'w-sel', namespace: ns, body: { metadata: { labels: { on: 'yes' } } } }, merge);
    await eventually('two events', () => seen.length >= 2);
    ctl.abort();
    assert.deepEqual(seen.map((s) => s.type), ['DELETED', 'ADDED']);
  });

  test('a watch without resourceVersion starts with ADDED for every existing object', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-initial', labels: { w: 'initial' } } } });
    const seen: Seen[] = [];
    const ctl = await watchInto(`/api/v1/namespaces/${ns}/configmaps`, { labelSelector: 'w=initial' }, seen);
    await eventually('the initial ADDED', () => seen.length >= 1);
    ctl.abort();
    assert.deepEqual(seen.map((s) => [s.type, s.name]), [['ADDED', 'w-initial']]);
  });

  test('timeoutSeconds ends the stream cleanly', async () => {
    let ended: unknown = 'not yet';
    await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { timeoutSeconds: 1 }, () => undefined, (err) => { ended = err; });
    await eventually('the stream to end', () => ended !== 'not yet', 5000);
    assert.equal(ended, null);
  });
});

describe('test server only: bookmarks and faults', { skip: isRealServer() ? 'needs the in-process test server' : false }, () => {
  test('a watch that allows bookmarks receives them with the current resourceVersion', async () => {
    const seen: Seen[] = [];
    const ctl = await watchInto(`/api/v1/namespaces/${ns}/configmaps`, { allowWatchBookmarks: true, resourceVersion: String(api.server!.currentResourceVersion()) }, seen);
    await eventually('a bookmark', () => seen.some((s) => s.type === 'BOOKMARK'));
    ctl.abort();
    assert.ok(Number(seen.find((s) => s.type === 'BOOKMARK')!.rv) > 0);
  });

  test('after a compaction a watch from an old resourceVersion gets one ERROR 410 and the stream closes', async () => {
    const rv = String(api.server!.currentResourceVersion());
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-compact' } } });
    api.server!.faults.compact();
    const events: { type: string; code?: number }[] = [];
    let ended: unknown = 'not yet';
    await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: rv }, (type, obj: { code?: number }) => events.push({ type, ...(obj.code === undefined ? {} : { code: obj.code }) }), (err) => { ended = err; });
    await eventually('the stream to end', () => ended !== 'not yet');
    assert.deepEqual(events, [{ type: 'ERROR', code: 410 }]);
  });

  test('injected errors answer with the Status the real server would send, Retry-After for 429', async () => {
    const faults = api.server!.faults;
    const h = faults.inject({ verb: 'get', resource: 'configmaps', name: 'faulty', code: 500, times: 1 });
    const h2 = faults.inject({ verb: 'get', resource: 'configmaps', name: 'faulty', code: 429, times: 1, retryAfterSec: 2 });
    assert.equal((await failsWith(() => core.readNamespacedConfigMap({ name: 'faulty', namespace: ns }))).code, 500);
    try {
      await core.readNamespacedConfigMap({ name: 'faulty', namespace: ns });
      assert.fail('expected 429');
    } catch (err) {
      assert.ok(err instanceof k8s.ApiException);
      assert.equal(err.code, 429);
      assert.equal((err.headers as Record<string, string>)['retry-after'], '2');
    }
    assert.equal((await failsWith(() => core.readNamespacedConfigMap({ name: 'faulty', namespace: ns }))).code, 404);
    assert.deepEqual([h.hits(), h2.hits()], [1, 1]);
    faults.clear();
  });

  test('a delay rule holds matching requests', async () => {
    const h = api.server!.faults.delay({ verb: 'get', resource: 'namespaces', delayMs: 300, times: 1 });
    const started = Date.now();
    await core.readNamespace({ name: ns });
    assert.ok(Date.now() - started >= 290);
    assert.equal(h.hits(), 1);
  });

  test('the metallb.io CRDs come from deploy/crds: an IPAddressPool gets its schema defaults and unknown fields are pruned', async () => {
    await custom.createNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: ns, plural: 'ipaddresspools', body: {
      apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'defaults' }, spec: { addresses: ['192.0.2.0/24'], bogus: 1 },
    } });
    const pool = (await custom.getNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: ns, plural: 'ipaddresspools', name: 'defaults' })) as { spec: Record<string, unknown> };
    assert.equal(pool.spec['autoAssign'], true);
    assert.equal(pool.spec['avoidBuggyIPs'], false);
    assert.equal(pool.spec['bogus'], undefined);
  });

  test('dropping every watch ends the streams; the request log names each request\'s user', async () => {
    let ended: unknown = 'not yet';
    await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, {}, () => undefined, (err) => { ended = err; });
    assert.ok(api.server!.faults.dropWatches() >= 1);
    await eventually('the stream to end', () => ended !== 'not yet');
    assert.ok(api.server!.requests().some((r) => r.verb === 'watch' && r.user === 'test'));
  });
});
