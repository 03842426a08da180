/**
 * The rendered RBAC against the requests the components really make. `metallb-ts controller` runs as a child
 * process (webhook included) against the test API server as user "controller" through a run that reaches
 * every code path that talks to the API: informers, allocation, a status write that meets a 409, repeated
 * events (a series, flushed on SIGTERM), pool status, ConfigurationState, the memberlist Secret, the Lease (taken, renewed, released on
 * SIGTERM), the webhook's certificate Secret (a broken one replaced), both caBundles, and an admission review.
 * The server's request log is then compared with src/deploy/rbac.ts both ways: no request without a rule,
 * no granted verb without a request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { freePort } from '../support/free-port.js';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { webhookNames } from '../../src/api/webhook-endpoints.js';
import { defaultInstallOptions } from '../../src/deploy/install-options.js';
import { controllerPermissions, speakerPermissions } from '../../src/deploy/rbac.js';
import { validatingWebhookConfiguration } from '../../src/deploy/webhook-configuration.js';
import { ControllerEnv, metallbNamespace as ns } from '../support/controller-env.js';
import { describeCall, unusedGrants, uncoveredCalls } from '../support/rbac-check.js';
import { eventually } from '../support/test-api.js';
import { SpeakerRbacEnv } from '../support/speaker-rbac-env.js';

function admissionReview(port: number, ca: string, body: object): Promise<{ allowed?: boolean }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path: '/validate-metallb-io-v1beta1-l2advertisement', method: 'POST', ca, agent: false,
      servername: `${webhookNames.service}.${ns}.svc`, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { response: { allowed?: boolean } }).response));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('the controller\'s rendered RBAC is exactly what it uses', () => {
  let env: ControllerEnv;
  let child: ChildProcess;

  before(async () => {
    env = await ControllerEnv.create();
    const t0 = Date.now();
    env.api.onRequest((r) => { if (r.user === 'controller' && process.env['RBAC_TRACE']) process.stderr.write(`${Date.now() - t0} ${r.verb} ${r.resource}/${r.subresource ?? ''} ${r.code}\n`); });
    const admin = env.kc;
    await admin.makeApiClient(k8s.AdmissionregistrationV1Api).createValidatingWebhookConfiguration({ body: validatingWebhookConfiguration(defaultInstallOptions('test')) });
    await env.core.createNode({ body: { metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } } });
    // A broken certificate Secret, as after a bad manual edit: the controller must replace it (update).
    await env.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: webhookNames.certSecret }, stringData: { 'tls.crt': 'broken' } } });
    await env.pool('main', { addresses: ['192.0.2.10/31'] });
    await env.custom.createNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: ns, plural: 'communities',
      body: { apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: { name: 'aliases' }, spec: { communities: [{ name: 'a', value: '65000:1' }] } } });
    // One conflict on a status write: the writer re-reads the Service (get) and writes again.
    env.api.faults.inject({ verb: 'update', resource: 'services', subresource: 'status', user: 'controller', code: 409, times: 1 });
    const webhookPort = await freePort();
    child = env.spawnController('controller', ['--webhook-port', String(webhookPort)]);

    await env.service('first');
    await env.service('second');
    await env.waitIps('first', ['192.0.2.10'], 'default', 20_000);
    await env.waitIps('second', ['192.0.2.11'], 'default', 20_000);
    await env.service('starved');
    await env.waitEvent('starved', /AllocationFailed/);
    for (let i = 0; i < 5; i++) await env.patchService('starved', { metadata: { labels: { touch: String(i) } } });
    await env.namespace('team', { team: 'a' });

    const calls = () => env.api.requests().filter((r) => r.user === 'controller');
    const made = (verb: string, resource: string, subresource?: string) =>
      calls().some((r) => r.verb === verb && r.resource === resource && r.subresource === subresource);
    const ca = await eventually('the webhook certificates', async () => {
      const s = await env.core.readNamespacedSecret({ name: webhookNames.certSecret, namespace: ns });
      const pem = s.data?.['ca.crt'];
      return pem === undefined ? undefined : Buffer.from(pem, 'base64').toString('utf8');
    }, 20_000);
    const review = await eventually('an admission review answered', () => admissionReview(webhookPort, ca, {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: { uid: 'u1', kind: { group: 'metallb.io', version: 'v1beta1', kind: 'L2Advertisement' }, name: 'l2', namespace: ns, operation: 'CREATE',
        object: { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: ns }, spec: {} } },
    }).catch(() => undefined), 20_000);
    assert.equal(review.allowed, true);
    await eventually('the pool status written', () => made('patch', 'ipaddresspools', 'status'), 20_000);
    await eventually('the caBundles written', () => made('patch', 'validatingwebhookconfigurations') && made('patch', 'customresourcedefinitions'), 20_000);
    await eventually('the Lease renewed', () => calls().filter((r) => r.verb === 'update' && r.resource === 'leases').length >= 1, 20_000);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    // The repeated AllocationFailed joins a series; the recorder writes it at latest when it flushes on SIGTERM.
    assert.ok(made('patch', 'events'), 'the event series was written');
  });
  after(async () => {
    await env.close();
  });

  test('every request the controller made is allowed by its Role and ClusterRole', () => {
    const calls = env.api.requests().filter((r) => r.user === 'controller');
    assert.ok(calls.length > 30, `only ${calls.length} requests recorded`);
    assert.deepEqual(uncoveredCalls(calls, controllerPermissions, ns), []);
  });

  test('every verb the controller\'s roles grant was used', () => {
    const calls = env.api.requests().filter((r) => r.user === 'controller');
    assert.deepEqual(unusedGrants(calls, controllerPermissions, ns), [],
      `requests made:\n${[...new Set(calls.map(describeCall))].sort().join('\n')}`);
  });
});

const main = fileURLToPath(new URL('../../src/cmd/main.js', import.meta.url));
const speakerExists = spawnSync(process.execPath, [main, 'speaker', '--help'], { encoding: 'utf8' }).stdout.startsWith('Usage: metallb-ts speaker ');

/**
 * `metallb-ts speaker` as a child process, user "speaker", on this host but with every interface excluded from
 * layer 2 (no responder opens, nothing is sent), gossip and its one BGP peer on loopback: informers, a
 * ServiceL2Status and a ServiceBGPStatus created, written and deleted, ConfigurationState, a repeated event
 * (a series, flushed on SIGTERM).
 */
describe('the speaker\'s rendered RBAC is exactly what it uses', {
  skip: speakerExists ? false : 'metallb-ts has no speaker command yet: the speaker\'s RBAC rules are unchecked (src/deploy/rbac.ts speakerPermissions)',
}, () => {
  let env: SpeakerRbacEnv;
  before(async () => {
    env = await SpeakerRbacEnv.create();
    await env.exercise();
  });
  after(async () => {
    await env?.close();
  });

  test('every request the speaker made is allowed by its Role and ClusterRole', () => {
    const calls = env.calls();
    assert.ok(calls.length > 20, `only ${calls.length} requests recorded`);
    assert.deepEqual(uncoveredCalls(calls, speakerPermissions, ns), []);
  });

  test('every verb the speaker\'s roles grant was used', () => {
    const calls = env.calls();
    assert.deepEqual(unusedGrants(calls, speakerPermissions, ns), [],
      `requests made:\n${[...new Set(calls.map(describeCall))].sort().join('\n')}`);
  });
});
