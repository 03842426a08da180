/**
 * The webhook against the test API server with the real client-node, as the controller runs it: the Secret is
 * created, the caBundle lands in the rendered ValidatingWebhookConfiguration and the BGPPeer CRD only once the
 * server serves, admission reads the objects stored in the API, certificates are renewed on a fake clock, a
 * second replica adopts the first one's certificates, and every request it made is allowed by the controller's
 * RBAC as rendered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { webhookNames } from '../../src/api/webhook-endpoints.js';
import { defaultInstallOptions } from '../../src/deploy/install-options.js';
import { controllerPermissions } from '../../src/deploy/rbac.js';
import { validatingWebhookConfiguration } from '../../src/deploy/webhook-configuration.js';
import { WebhookRunner } from '../../src/k8s/webhook/webhook-runner.js';
import { splitPem } from '../../src/k8s/webhook/cert-plan.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { RequestRecord } from '../../src/lab/apiserver/index.js';
import { uncoveredCalls } from '../support/rbac-check.js';
import { isRealServer, startTestApi, type TestApi } from '../support/test-api.js';
import { pool } from '../support/config-objects.js';

const ns = 'metallb-system';
const dayMs = 24 * 60 * 60 * 1000;
const log = createLogger({ level: 'none' });

function postJson(port: number, ca: string, path: string, payload: unknown): Promise<Record<string, unknown>> {
  const text = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, method: 'POST', ca, servername: `${webhookNames.service}.${ns}.svc`, agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('the webhook against the test API server', { skip: isRealServer() ? 'needs the in-process test API server' : false }, () => {
  let api: TestApi;
  let kc: k8s.KubeConfig;
  const clock = new FakeClock(0, Date.now());
  let runner: WebhookRunner;
  const requests: RequestRecord[] = [];

  before(async () => {
    api = await startTestApi();
    const admin = api.kubeConfig('admin');
    await admin.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
    await admin.makeApiClient(k8s.AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
      body: validatingWebhookConfiguration(defaultInstallOptions('test')),
    });
    api.server!.onRequest((r) => { if (r.user === 'controller') requests.push(r); });
    kc = api.kubeConfig('controller');
    runner = new WebhookRunner({ kubeConfig: kc, namespace: ns, clock, logger: log, port: 0, host: '127.0.0.1' });
    await runner.start();
  });
  after(async () => {
    await runner.stop();
    await api.close();
  });

  const secret = async () => {
    const s = await api.kubeConfig('admin').makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name: webhookNames.certSecret, namespace: ns });
    return { rv: s.metadata!.resourceVersion!, ca: Buffer.from(s.data!['ca.crt']!, 'base64').toString('utf8') };
  };
  const bundles = async () => {
    const admin = api.kubeConfig('admin');
    const vwc = await admin.makeApiClient(k8s.AdmissionregistrationV1Api).readValidatingWebhookConfiguration({ name: webhookNames.configuration });
    const crd = await admin.makeApiClient(k8s.ApiextensionsV1Api).readCustomResourceDefinition({ name: 'bgppeers.metallb.io' });
    return [...vwc.webhooks!.map((w) => w.clientConfig.caBundle), crd.spec.conversion!.webhook!.clientConfig!.caBundle];
  };

  test('the first check creates the Secret, serves, and writes its CA into all seven webhooks and the CRD', async () => {
    assert.equal(runner.ready(), true);
    const { ca } = await secret();
    const want = Buffer.from(ca, 'utf8').toString('base64');
    assert.deepEqual(await bundles(), Array<string>(8).fill(want));
  });

  test('admission reads what is stored in the API: a pool overlapping a stored one is denied', async () => {
    const admin = api.kubeConfig('admin').makeApiClient(k8s.CustomObjectsApi);
    await admin.createNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: ns, plural: 'ipaddresspools', body: pool('stored', ['10.20.0.0/24']) });
    const { ca } = await secret();
    const review = (name: string, cidr: string) => ({
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: { uid: name, kind: { group: 'metallb.io', version: 'v1beta1', kind: 'IPAddressPool' }, name, namespace: ns, operation: 'CREATE', object: pool(name, [cidr]) },
    });
    const denied = (await postJson(runner.server.port, ca, '/validate-metallb-io-v1beta1-ipaddresspool', review('new', '10.20.0.128/25')))['response'] as { allowed: boolean; status: { message: string } };
    assert.equal(denied.allowed, false);
    assert.match(denied.status.message, /IPAddressPool\/stored: .*overlaps 10\.20\.0\.128\/25 of pool "new"/);
    const allowed = (await postJson(runner.server.port, ca, '/validate-metallb-io-v1beta1-ipaddresspool', review('other', '10.21.0.0/24')))['response'] as { allowed: boolean };
    assert.equal(allowed.allowed, true);
  });

  test('a second replica adopts the certificates instead of writing new ones', async () => {
    const before = await secret();
    const second = new WebhookRunner({ kubeConfig: kc, namespace: ns, clock, logger: log, port: 0, host: '127.0.0.1' });
    await second.start();
    try {
      assert.equal((await secret()).rv, before.rv);
      assert.equal(second.ready(), true);
    } finally {
      await second.stop();
    }
  });

  test('with a fake clock: a server renewal keeps the caBundle, a CA renewal writes both CAs into it', async () => {
    const first = await secret();
    const bundleBefore = await bundles();
    clock.advance(280 * dayMs);
    await runner.rotator.tick();
    const renewed = await secret();
    assert.notEqual(renewed.rv, first.rv, 'the server certificate was renewed');
    assert.deepEqual(await bundles(), bundleBefore, 'same CA, same caBundle');
    clock.advance(3650 * dayMs - 280 * dayMs - 80 * dayMs);
    await runner.rotator.tick();
    const rotated = await secret();
    assert.equal(splitPem(rotated.ca).length, 2);
    assert.deepEqual(await bundles(), Array<string>(8).fill(Buffer.from(rotated.ca, 'utf8').toString('base64')));
  });

  test('every request the webhook made is allowed by the controller\'s rendered RBAC', () => {
    assert.ok(requests.length > 10);
    assert.deepEqual(uncoveredCalls(requests, controllerPermissions, ns), []);
  });
});
