/** Connection reuse: client-node 1.4.0 opens a connection per request unless given keep-alive agents. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { withKeepAlive } from '../../src/k8s/kube-config.js';
import { start, type ApiServer } from '../../src/lab/apiserver/index.js';

let api: ApiServer;

before(async () => { api = await start(); });
after(() => api.close());

async function connectionsFor(kc: k8s.KubeConfig, requests: number): Promise<number> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const before = api.connectionCount();
  for (let i = 0; i < requests; i++) await core.readNamespace({ name: 'default' });
  return api.connectionCount() - before;
}

test('with withKeepAlive sequential requests share one connection; without, each opens its own', async () => {
  const plain = new k8s.KubeConfig();
  plain.loadFromOptions(api.kubeconfig('plain'));
  const pooled = new k8s.KubeConfig();
  pooled.loadFromOptions(api.kubeconfig('pooled'));
  withKeepAlive(pooled);
  assert.equal(await connectionsFor(plain, 20), 20);
  assert.equal(await connectionsFor(pooled, 20), 1);
});
