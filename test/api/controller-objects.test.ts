/**
 * What the controller keeps besides Service status: the last good configuration when a new one is
 * invalid (with the ConfigurationState and the stale metric), IPAddressPool status counters, the
 * memberlist Secret, the metrics and health endpoints.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { controllerPermissions } from '../../src/deploy/rbac.js';
import { ControllerEnv, metallbNamespace, settled } from '../support/controller-env.js';
import { webhookNames } from '../../src/api/webhook-endpoints.js';
import { uncoveredCalls } from '../support/rbac-check.js';
import { eventually } from '../support/test-api.js';

let env: ControllerEnv;

beforeEach(async () => { env = await ControllerEnv.create(); });
afterEach(async () => {
  assert.deepEqual(env.violations, []);
  await env.close();
});

interface ConfigurationState { status?: { result?: string; errorSummary?: string; conditions?: { type: string; status: string; reason: string }[] } }

async function configurationState(): Promise<ConfigurationState> {
  return (await env.custom.getNamespacedCustomObject({
    group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'configurationstates', name: 'controller',
  })) as ConfigurationState;
}

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

function metric(text: string, name: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
}

test('an invalid configuration keeps the last good one, marks it stale and says why in the ConfigurationState', async () => {
  await env.pool('good', { addresses: ['192.0.2.0/29'] });
  const ctl = await env.controller('controller', { metrics: { host: '127.0.0.1', port: 0 } });
  await settled(ctl);
  await env.service('before');
  await env.waitIps('before', ['192.0.2.0']);
  assert.equal((await configurationState()).status?.result, 'Valid');
  await env.pool('overlapping', { addresses: ['192.0.2.4/30'] });
  await eventually('the Invalid result', async () => (await configurationState()).status?.result === 'Invalid');
  const state = await configurationState();
  assert.match(state.status?.errorSummary ?? '', /overlap/i);
  assert.deepEqual(state.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['poolReconcilerValid', 'False', 'ConfigurationError']]);
  const [metricsPort] = ctl.endpointPorts();
  assert.equal(metric(await metricsText(metricsPort!), 'metallb_k8s_client_config_stale_bool'), 'metallb_k8s_client_config_stale_bool 1');
  await env.service('during');
  await env.waitIps('during', ['192.0.2.1'], 'default');
  assert.deepEqual(await env.ips('before'), ['192.0.2.0']);
  await env.deletePool('overlapping');
  await eventually('the Valid result', async () => (await configurationState()).status?.result === 'Valid');
  assert.equal(metric(await metricsText(metricsPort!), 'metallb_k8s_client_config_stale_bool'), 'metallb_k8s_client_config_stale_bool 0');
});

test('with no valid configuration at start nothing is assigned, and a fix is picked up', async () => {
  await env.pool('bad', { addresses: ['192.0.2.0/30', '192.0.2.2/31'] });
  await env.service('waiting');
  const ctl = await env.controller();
  await eventually('the Invalid result', async () => (await configurationState().catch(() => ({}) as ConfigurationState)).status?.result === 'Invalid');
  assert.deepEqual(await env.ips('waiting'), []);
  await env.patchPool('bad', { addresses: ['192.0.2.0/30'] });
  await env.waitIps('waiting', ['192.0.2.0']);
  await settled(ctl);
});

test('IPAddressPool status counts assigned and available addresses per family', async () => {
  await env.pool('counted', { addresses: ['192.0.2.0/30', '2001:db8::/126'] });
  const ctl = await env.controller();
  await settled(ctl);
  await env.service('v4');
  await env.service('dual', { spec: { type: 'LoadBalancer', ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] } });
  await env.waitIps('dual', ['192.0.2.1', '2001:db8::']);
  await eventually('the counters', async () => {
    const s = (await env.getPool('counted')).status;
    return s?.['assignedIPv4'] === 2 && s['availableIPv4'] === 2 && s['assignedIPv6'] === 1 && s['availableIPv6'] === 3;
  });
});

test('the memberlist Secret is created with a secretkey when absent, and an existing one is left alone', async () => {
  const ctl = await env.controller();
  await settled(ctl);
  const secret = await env.core.readNamespacedSecret({ name: 'memberlist', namespace: metallbNamespace });
  const key = Buffer.from(secret.data?.['secretkey'] ?? '', 'base64').toString('utf8');
  assert.equal(Buffer.from(key, 'base64').length, 128);
  await ctl.stop();
  const again = await env.controller('controller-2');
  await settled(again);
  const after = await env.core.readNamespacedSecret({ name: 'memberlist', namespace: metallbNamespace });
  assert.equal(after.metadata?.resourceVersion, secret.metadata?.resourceVersion);
});

test('metrics carry MetalLB\'s names; /healthz and /readyz answer', async () => {
  await env.pool('m', { addresses: ['192.0.2.0/30'] });
  const ctl = await env.controller('controller', { metrics: { host: '127.0.0.1', port: 0 }, health: { host: '127.0.0.1', port: 0 } });
  await settled(ctl);
  await env.service('s');
  await env.waitIps('s', ['192.0.2.0']);
  const [metricsPort, healthPort] = ctl.endpointPorts();
  const text = await metricsText(metricsPort!);
  assert.equal(metric(text, 'metallb_allocator_addresses_total'), 'metallb_allocator_addresses_total{pool="m"} 4');
  assert.equal(metric(text, 'metallb_allocator_addresses_in_use_total'), 'metallb_allocator_addresses_in_use_total{pool="m"} 1');
  assert.equal(metric(text, 'metallb_k8s_client_config_loaded_bool'), 'metallb_k8s_client_config_loaded_bool 1');
  for (const name of ['metallb_k8s_client_updates_total', 'metallb_k8s_client_update_errors_total', 'metallb_allocator_ipv4_addresses_total', 'process_resident_memory_bytes']) {
    assert.ok(metric(text, name) !== undefined, name);
  }
  assert.equal((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status, 200);
});

test('every request the controller makes is allowed by its RBAC rules (src/deploy/rbac.ts)', async () => {
  await env.pool('r', { addresses: ['192.0.2.0/30'] });
  const ctl = await env.controller('controller', { leaderElection: { leaseName: 'metallb-controller', leaseDurationMs: 2000 } });
  await settled(ctl);
  env.api.faults.inject({ user: 'controller', verb: 'update', subresource: 'status', code: 409, times: 1 });
  for (const name of ['a', 'b', 'c', 'd', 'e']) await env.service(name);
  for (let i = 0; i < 3; i++) await env.patchService('e', { metadata: { labels: { touch: String(i) } } });
  await env.waitEvent('e', /AllocationFailed/);
  await eventually('pool status', async () => (await env.getPool('r')).status?.['assignedIPv4'] === 4);
  await ctl.stop();
  const calls = env.api.requests().filter((r) => r.user === 'controller');
  assert.deepEqual(uncoveredCalls(calls, controllerPermissions, metallbNamespace), []);
});

test('--webhook-mode onlywebhook serves the webhook (its certificate Secret is written) and runs no controller', async () => {
  env.spawnController('webhook-only', ['--webhook-mode', 'onlywebhook']);
  await eventually('the webhook certificate Secret', async () => {
    const secrets = await env.core.listNamespacedSecret({ namespace: metallbNamespace });
    return secrets.items.some((s) => s.metadata?.name === webhookNames.certSecret);
  }, 20_000);
  await env.pool('p', { addresses: ['192.0.2.0/30'] });
  await env.service('web');
  // The Secret is written after the process is up; a controller would have listed Services and Leases at start.
  const asked = new Set(env.api.requests().filter((r) => r.user === 'webhook-only').map((r) => r.resource));
  assert.ok(asked.has('secrets'));
  for (const resource of ['services', 'leases', 'ipaddresspools']) assert.equal(asked.has(resource), false, `the webhook-only process asked for ${resource}`);
  assert.deepEqual(await env.ips('web'), []);
});
