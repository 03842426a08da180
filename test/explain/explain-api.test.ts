/**
 * `explain` against a running controller over HTTP: the snapshot reader (k8s/cluster-snapshot.ts) reads what
 * the real controller wrote (addresses, pool annotation, events, ConfigurationState) and what a speaker
 * would have written (ServiceL2Status, here by hand), and the explanation matches.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { explain } from '../../src/explain/explain.js';
import { readClusterSnapshot } from '../../src/k8s/cluster-snapshot.js';
import type { ControllerRuntime } from '../../src/k8s/controller-runtime.js';
import { ControllerEnv, metallbNamespace } from '../support/controller-env.js';
import { eventually } from '../support/test-api.js';

describe('explain reads a cluster the controller runs', () => {
  let env: ControllerEnv;
  let controller: ControllerRuntime;

  before(async () => {
    env = await ControllerEnv.create();
    controller = await env.controller();
    await env.pool('small', { addresses: ['192.0.2.10/32'] });
    await env.custom.createNamespacedCustomObject({
      group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'l2advertisements',
      body: { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: metallbNamespace } },
    });
    for (const name of ['node1', 'node2']) {
      await env.core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
    }
    await env.service('first', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }], selector: { app: 'web' } } });
    await env.waitIps('first', ['192.0.2.10']);
    await env.service('second', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
    await env.waitEvent('second', /AllocationFailed/);
    const discovery = env.kc.makeApiClient(k8s.DiscoveryV1Api);
    await discovery.createNamespacedEndpointSlice({ namespace: 'default', body: {
      metadata: { name: 'first-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'first' } }, addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.1.5'], nodeName: 'node2', conditions: { ready: true } }], ports: [{ port: 8080 }],
    } });
    await env.custom.createNamespacedCustomObject({
      group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'servicel2statuses',
      body: { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { name: 'l2-x', namespace: metallbNamespace,
        labels: { 'metallb.io/node': 'node1', 'metallb.io/service-name': 'first', 'metallb.io/service-namespace': 'default' } } },
    });
  });

  after(async () => {
    await env.close();
  });

  const read = (name: string) => readClusterSnapshot(env.kc, { namespace: metallbNamespace, loadBalancerClass: '', service: { namespace: 'default', name } });

  test('a Service that got the pool\'s only address: allocated, announced by the elected node', async () => {
    const e = explain(await read('first'), 'default/first');
    assert.equal(e.allocation.reason, 'allocated');
    assert.deepEqual(e.allocation.ips, ['192.0.2.10']);
    assert.equal(e.allocation.pool, 'small');
    assert.equal(e.layer2.state, 'announced');
    assert.deepEqual(e.layer2.liveSpeakers, 'everyNode');
    assert.ok(e.layer2.elected === 'node1' || e.layer2.elected === 'node2');
    assert.ok(e.events.some((ev) => ev.reason === 'IPAllocated' && ev.source === 'metallb-controller'), JSON.stringify(e.events));
    assert.deepEqual(e.configuration.map((c) => [c.component, c.result]), [['controller', 'Valid']]);
  });

  test('the Service left without one: pending because the pool is full, with the controller\'s event', async () => {
    const e = explain(await read('second'), 'default/second');
    assert.equal(e.allocation.state, 'pending');
    assert.equal(e.allocation.reason, 'poolsExhausted');
    assert.deepEqual(e.allocation.pools.map((p) => [p.name, p.reason]), [['small', 'exhausted']]);
    assert.ok(e.events.some((ev) => ev.reason === 'AllocationFailed'));
    assert.equal(e.layer2.reason, 'noIPAllocated');
  });

  test('an invalid pool shows in the controller\'s ConfigurationState and in the answer', async () => {
    await env.pool('overlap', { addresses: ['192.0.2.0/24'] });
    await eventually('the controller to report the configuration invalid', async () => {
      const e = explain(await read('second'), 'default/second');
      return e.allocation.reason === 'configInvalid' && e.configuration.some((c) => c.component === 'controller' && c.result === 'Invalid') ? e : undefined;
    });
    await env.deletePool('overlap');
    void controller;
  });
});
