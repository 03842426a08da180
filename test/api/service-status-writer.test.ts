/**
 * The Service status writer over real HTTP: one /status PUT with ingress and pool annotation, no write
 * when nothing changes, 409 retried on a fresh copy, a deleted Service reported as gone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { ServiceStatusWriter, poolAnnotation, type ServiceObject } from '../../src/k8s/service-status-writer.js';
import { startTestApi, uniqueName, type TestApi } from '../support/test-api.js';

let api: TestApi;
let core: k8s.CoreV1Api;
let ns: string;

before(async () => {
  api = await startTestApi();
  core = api.kubeConfig().makeApiClient(k8s.CoreV1Api);
  ns = uniqueName('status');
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
after(async () => { await core.deleteNamespace({ name: ns }).catch(() => undefined); await api.close(); });

async function service(name: string): Promise<ServiceObject> {
  const svc = await core.createNamespacedService({ namespace: ns, body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
  return JSON.parse(JSON.stringify(svc)) as ServiceObject;
}

function statusPuts(name: string): number {
  return api.server?.requests().filter((r) => r.verb === 'update' && r.subresource === 'status' && r.name === name).length ?? -1;
}

test('the ingress IPs and the pool annotation are written in one /status PUT', async () => {
  const svc = await service('one-put');
  const writer = new ServiceStatusWriter({ core });
  assert.equal((await writer.write(svc, { ips: ['192.0.2.1', '2001:db8::1'], pool: 'pool-a' })).outcome, 'written');
  const got = await core.readNamespacedService({ name: 'one-put', namespace: ns });
  assert.deepEqual(got.status?.loadBalancer?.ingress?.map((i) => i.ip), ['192.0.2.1', '2001:db8::1']);
  assert.equal(got.metadata?.annotations?.[poolAnnotation], 'pool-a');
  if (api.server !== undefined) assert.equal(statusPuts('one-put'), 1);
});

test('nothing is written when the Service already says what we want', async (t) => {
  if (api.server === undefined) return t.skip('needs the request log');
  const svc = await service('unchanged');
  const writer = new ServiceStatusWriter({ core });
  await writer.write(svc, { ips: ['192.0.2.2'], pool: 'p' });
  const fresh = JSON.parse(JSON.stringify(await core.readNamespacedService({ name: 'unchanged', namespace: ns }))) as ServiceObject;
  assert.equal((await writer.write(fresh, { ips: ['192.0.2.2'], pool: 'p' })).outcome, 'unchanged');
  assert.equal(statusPuts('unchanged'), 1);
});

test('clearing removes the ingress and the annotation', async () => {
  const svc = await service('cleared');
  const writer = new ServiceStatusWriter({ core });
  await writer.write(svc, { ips: ['192.0.2.3'], pool: 'p' });
  const fresh = JSON.parse(JSON.stringify(await core.readNamespacedService({ name: 'cleared', namespace: ns }))) as ServiceObject;
  assert.equal((await writer.write(fresh, { ips: [], pool: undefined })).outcome, 'written');
  const got = await core.readNamespacedService({ name: 'cleared', namespace: ns });
  assert.equal(got.status?.loadBalancer?.ingress, undefined);
  assert.equal(got.metadata?.annotations?.[poolAnnotation], undefined);
});

test('a stale cached copy gets 409, and the writer applies the status to a fresh copy', async () => {
  const stale = await service('stale');
  await core.patchNamespacedService({ name: 'stale', namespace: ns, body: { metadata: { labels: { changed: 'yes' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  const outcomes: string[] = [];
  const writer = new ServiceStatusWriter({ core, onWrite: (o) => outcomes.push(o) });
  assert.equal((await writer.write(stale, { ips: ['192.0.2.4'], pool: 'p' })).outcome, 'written');
  assert.deepEqual(outcomes, ['conflict', 'ok']);
  const got = await core.readNamespacedService({ name: 'stale', namespace: ns });
  assert.equal(got.metadata?.labels?.['changed'], 'yes');
  assert.deepEqual(got.status?.loadBalancer?.ingress?.map((i) => i.ip), ['192.0.2.4']);
});

test('injected conflicts beyond the retry budget fail with a stable code', async (t) => {
  if (api.server === undefined) return t.skip('needs fault hooks');
  const svc = await service('conflicts');
  const fault = api.server.faults.inject({ verb: 'update', subresource: 'status', name: 'conflicts', code: 409 });
  const writer = new ServiceStatusWriter({ core, conflictRetries: 2 });
  await assert.rejects(writer.write(svc, { ips: ['192.0.2.5'], pool: 'p' }), { code: 'ERR_STATUS_CONFLICT' });
  assert.equal(fault.hits(), 3);
  fault.remove();
});

test('a Service deleted meanwhile is reported as gone', async () => {
  const svc = await service('deleted');
  await core.deleteNamespacedService({ name: 'deleted', namespace: ns });
  assert.equal((await new ServiceStatusWriter({ core }).write(svc, { ips: ['192.0.2.6'], pool: 'p' })).outcome, 'gone');
});
