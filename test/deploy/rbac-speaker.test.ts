/**
 * The speaker's rendered RBAC against the requests it really makes: one `SpeakerRuntime` (the real informers,
 * status-object writer, ConfigurationState and event recorder; a recording announcer and BGP sessions over an
 * in-memory network stand in for the sockets, which need a node's interfaces) talks to the test API server as
 * user "speaker" through a run that announces over layer 2 and BGP, changes the peers a Service goes to,
 * withdraws and re-announces, meets an invalid configuration, deletes a Service, and stops. The request log is compared with
 * src/deploy/rbac.ts both ways.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { speakerPermissions } from '../../src/deploy/rbac.js';
import { SpeakerRuntime } from '../../src/k8s/speaker-runtime.js';
import type { RequestRecord } from '../../src/lab/apiserver/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { BgpSessions } from '../../src/speaker/bgp/bgp-sessions.js';
import { MemoryNetwork } from '../support/bgp-memory-net.js';
import { bgpAd, l2, peer, pool } from '../support/config-objects.js';
import { describeCall, unusedGrants, uncoveredCalls } from '../support/rbac-check.js';
import { RecordingAnnouncer } from '../support/speaker-sim.js';
import {
  clients, deleteMetallbObject, ensureNamespace, metallbNamespace as ns, putEndpoints, putMetallbObjects, putNode, putService, putSpeakerPod,
  statusObjects, type ClusterClients,
} from '../support/speaker-objects.js';
import { eventually, isRealServer, startTestApi, type TestApi } from '../support/test-api.js';

const nodeIp = '10.100.0.11';
const appNs = 'apps';

describe('the speaker\'s rendered RBAC is exactly what it uses', { skip: isRealServer() ? 'needs the test API server (request log)' : false }, () => {
  let api: TestApi;
  let c: ClusterClients;
  let runtime: SpeakerRuntime;
  const requests: RequestRecord[] = [];

  before(async () => {
    api = await startTestApi();
    c = clients(api.kubeConfig('admin'));
    await ensureNamespace(c, ns);
    await ensureNamespace(c, appNs);
    await putNode(c, 'node1', { internalIps: [nodeIp] });
    await putSpeakerPod(c, 'node1', nodeIp);
    await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'memberlist' }, stringData: { secretkey: 'key' } } });
    await putMetallbObjects(c, [
      pool('l2pool', ['10.200.0.0/25']), l2('l2', { ipAddressPools: ['l2pool'] }),
      pool('bgppool', ['10.200.0.128/25']), bgpAd('bgp', { ipAddressPools: ['bgppool'] }), peer('r1', { peerAddress: '10.100.0.1' }),
    ]);
    api.server!.onRequest((r) => { if (r.user === 'speaker') requests.push(r); });
    const net = new MemoryNetwork();
    const announcer = Object.assign(new RecordingAnnouncer(), { close: () => undefined });
    runtime = new SpeakerRuntime({
      kubeConfig: api.kubeConfig('speaker'), namespace: ns, nodeName: 'node1', podName: 'speaker-node1', loadBalancerClass: '', ignoreExcludeLabel: false,
      memberlist: {
        labelSelector: 'app=metallb,component=speaker', port: 7946, bindAddress: nodeIp, secretName: 'memberlist', secretFromFile: undefined,
        create: () => Promise.resolve({
          members: ['node1'], onChange: () => () => undefined, start: () => undefined, setSeeds: () => undefined, setSecret: () => undefined,
          leave: async () => undefined, close: async () => undefined,
        }),
      },
      announcer, bgp: new BgpSessions({ dialer: net.host(nodeIp).dialer, clock: systemClock, logger: silentLogger(), nodeAddresses: () => ({ IPv4: nodeIp }), fallbackRouterId: 1 }),
      registry: new Registry(), metricsEndpoint: { host: '127.0.0.1', port: 0 }, healthEndpoint: { host: '127.0.0.1', port: 0 },
      clock: systemClock, logger: silentLogger(),
    });
    await runtime.start();

    await putService(c, appNs, 'web', { ips: ['10.200.0.10'] });
    await putEndpoints(c, appNs, 'web', [{ node: 'node1', address: nodeIp }]);
    await putService(c, appNs, 'routed', { ips: ['10.200.0.130'] });
    await putEndpoints(c, appNs, 'routed', [{ node: 'node1', address: nodeIp }]);
    const l2Status = () => statusObjects(c, 'ServiceL2Status').then((l) => l.filter((o) => o.status.serviceName === 'web'));
    const bgpStatus = () => statusObjects(c, 'ServiceBGPStatus').then((l) => l.filter((o) => o.status.serviceName === 'routed'));
    await eventually('a ServiceL2Status', async () => (await l2Status()).length === 1, 20_000);
    await eventually('a ServiceBGPStatus for r1', async () => (await bgpStatus())[0]?.status.peers?.join() === 'r1', 20_000);
    // A second peer changes the peers the Service goes to: the status is rewritten.
    await putMetallbObjects(c, [peer('r2', { peerAddress: '10.100.0.2' })]);
    await eventually('the ServiceBGPStatus to list r1 and r2', async () => (await bgpStatus())[0]?.status.peers?.join() === 'r1,r2', 20_000);
    // Withdraw and announce again: the status object goes and comes back, nodeAssigned repeats (an event series).
    await putEndpoints(c, appNs, 'web', []);
    await eventually('the ServiceL2Status to go', async () => (await l2Status()).length === 0, 20_000);
    await putEndpoints(c, appNs, 'web', [{ node: 'node1', address: nodeIp }]);
    await eventually('the ServiceL2Status back', async () => (await l2Status()).length === 1, 20_000);
    // An invalid configuration: ConfigurationState/speaker-node1 says so.
    await putMetallbObjects(c, [pool('bad', ['10.200.0.0/24'])]);
    await eventually('the invalid configuration reported', () => requests.some((r) => r.resource === 'configurationstates' && r.subresource === 'status' && r.verb === 'update'), 20_000);
    await deleteMetallbObject(c, 'IPAddressPool', 'bad');
    // A deleted Service takes its status objects with it.
    await c.core.deleteNamespacedService({ name: 'routed', namespace: appNs });
    await eventually('the ServiceBGPStatus to go', async () => (await bgpStatus()).length === 0, 20_000);
    await runtime.statusIdle();
    await runtime.stop();
  });
  after(async () => {
    await api.close();
  });

  test('every request the speaker made is allowed by its Role and ClusterRole', () => {
    assert.ok(requests.length > 20, `only ${requests.length} requests recorded`);
    assert.deepEqual(uncoveredCalls(requests, speakerPermissions, ns), []);
  });

  test('every verb the speaker\'s roles grant was used', () => {
    assert.deepEqual(unusedGrants(requests, speakerPermissions, ns), [],
      `requests made:\n${[...new Set(requests.map(describeCall))].sort().join('\n')}`);
  });
});

