/**
 * The speaker on Kubernetes, API tier: three `SpeakerRuntime`s (the real informers, status writers, event
 * recorder, ConfigurationState) against the test API server through a TCP forwarder that can take the API
 * away; announcers that record what they are told and BGP sessions over an in-memory network stand in for the
 * sockets (the network tier runs the real thing). Gossip is a shared live set the test edits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { SpeakerRuntime, type SpeakerMembers } from '../../src/k8s/speaker-runtime.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger, silentLogger } from '../../src/lib/logger.js';
import { BgpSessions } from '../../src/speaker/bgp/bgp-sessions.js';
import { sortL2Candidates } from '../../src/speaker/layer2/election.js';
import { ApiProxy } from '../support/api-proxy.js';
import { MemoryNetwork } from '../support/bgp-memory-net.js';
import { bgpAd, l2, peer, pool } from '../support/config-objects.js';
import { RecordingAnnouncer } from '../support/speaker-sim.js';
import {
  clients, deleteMetallbObject, ensureNamespace, metallbNamespace, putEndpoints, putMetallbObjects, putNode, putService, putSpeakerPod,
  setIngress, speakerEvents, statusObjects, type ClusterClients,
} from '../support/speaker-objects.js';
import { eventually, isRealServer, startTestApi, type TestApi } from '../support/test-api.js';

const names = ['node1', 'node2', 'node3'];
const nodeIp = (n: string): string => `10.100.0.${10 + Number(n.slice(4))}`;
const appNs = 'apps';
const l2Vip = '10.200.0.10';
const order = sortL2Candidates(names, l2Vip, new Map());

/** The gossip live set of the whole cluster; each node sees it through a view. */
class SharedMembers {
  members: string[] = [...names];
  readonly listeners = new Set<(m: readonly string[]) => void>();
  set(m: string[]): void {
    this.members = [...m].sort();
    for (const l of [...this.listeners]) l(this.members);
  }
}

class MemberView implements SpeakerMembers {
  seeds: string[] = [];
  readonly secrets: (string | undefined)[] = [];
  private readonly shared: SharedMembers;
  constructor(shared: SharedMembers, secret: string | undefined) {
    this.shared = shared;
    this.secrets.push(secret);
  }
  get members(): readonly string[] { return this.shared.members; }
  onChange(l: (m: readonly string[]) => void): () => void {
    this.shared.listeners.add(l);
    return () => this.shared.listeners.delete(l);
  }
  start(): void {}
  join(seeds: readonly { ip: string; port: number }[]): Promise<number> { this.seeds = seeds.map((s) => `${s.ip}:${s.port}`); return Promise.resolve(seeds.length); }
  setSeeds(seeds: readonly { ip: string; port: number }[]): void { this.seeds = seeds.map((s) => `${s.ip}:${s.port}`); }
  setSecret(secret: string): void { this.secrets.push(secret); }
  async leave(): Promise<void> {}
  async close(): Promise<void> {}
}

interface Node {
  readonly runtime: SpeakerRuntime;
  readonly announcer: RecordingAnnouncer & { close(): void };
  readonly registry: Registry;
  view?: MemberView;
}

describe('the speaker on Kubernetes (test API server)', { skip: isRealServer() ? 'needs the test API server (fault hooks)' : false }, () => {
  let api: TestApi;
  let proxy: ApiProxy;
  let c: ClusterClients;
  const shared = new SharedMembers();
  const speakers = new Map<string, Node>();
  const node = (n: string): Node => speakers.get(n) as Node;

  before(async () => {
    api = await startTestApi();
    proxy = await ApiProxy.start({ listen: { ip: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: api.server!.port } });
    c = clients(api.kubeConfig('admin'));
    await ensureNamespace(c, metallbNamespace);
    await ensureNamespace(c, appNs);
    for (const n of names) {
      await putNode(c, n, { internalIps: [nodeIp(n)] });
      await putSpeakerPod(c, n, nodeIp(n));
    }
    await c.core.createNamespacedSecret({ namespace: metallbNamespace, body: { metadata: { name: 'memberlist' }, stringData: { secretkey: 'first-key' } } });
    await putMetallbObjects(c, [
      pool('l2pool', ['10.200.0.0/25']), l2('l2', { ipAddressPools: ['l2pool'] }),
      pool('bgppool', ['10.200.0.128/25']), bgpAd('bgp', { ipAddressPools: ['bgppool'] }), peer('r1', { peerAddress: '10.100.0.1' }),
    ]);
    const net = new MemoryNetwork();
    for (const n of names) {
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'proxy', server: proxy.url, skipTLSVerify: true }], users: [{ name: n, token: n }],
        contexts: [{ name: 'proxy', cluster: 'proxy', user: n }], currentContext: 'proxy',
      });
      const announcer = Object.assign(new RecordingAnnouncer(), { close: () => undefined });
      const registry = new Registry();
      const entry: Node = { runtime: undefined as unknown as SpeakerRuntime, announcer, registry };
      const runtime = new SpeakerRuntime({
        kubeConfig: kc, namespace: metallbNamespace, nodeName: n, podName: `speaker-${n}`, loadBalancerClass: '', ignoreExcludeLabel: false,
        memberlist: {
          labelSelector: 'app=metallb,component=speaker', port: 7946, bindAddress: nodeIp(n), secretName: 'memberlist', secretFromFile: undefined,
          create: (secret) => { entry.view = new MemberView(shared, secret); return Promise.resolve(entry.view); },
        },
        announcer, bgp: new BgpSessions({ dialer: net.host(nodeIp(n)).dialer, clock: systemClock, logger: silentLogger(), nodeAddresses: () => ({ IPv4: nodeIp(n) }), fallbackRouterId: 1 }),
        registry, metricsEndpoint: { host: '127.0.0.1', port: 0 }, healthEndpoint: { host: '127.0.0.1', port: 0 },
        // SPEAKER_TEST_LOG=debug shows the speakers' logs.
        clock: systemClock, logger: process.env['SPEAKER_TEST_LOG'] === undefined ? silentLogger() : createLogger({ level: process.env['SPEAKER_TEST_LOG'] as 'debug', name: n }),
      });
      speakers.set(n, Object.assign(entry, { runtime }));
    }
    await Promise.all([...speakers.values()].map((s) => s.runtime.start()));
  });

  after(async () => {
    await Promise.all([...speakers.values()].map((s) => s.runtime.stop()));
    await proxy.stop();
    await api.close();
  });

  const announcing = (key: string): string[] => names.filter((n) => node(n).runtime.speaker?.layer2Announcement(key) !== undefined);

  test('the elected node alone keeps a ServiceL2Status, labelled and owned by its speaker Pod; it moves with the election', async () => {
    const svc = await putService(c, appNs, 'web', { ips: [l2Vip] });
    await putEndpoints(c, appNs, 'web', names.map((n) => ({ node: n, address: nodeIp(n) })));
    await eventually('web announced', () => announcing('apps/web').join() === order[0]);
    const l2s = await eventually('one ServiceL2Status', async () => {
      const list = (await statusObjects(c, 'ServiceL2Status')).filter((o) => o.status.serviceName === 'web');
      return list.length === 1 && list[0]?.status.node !== undefined ? list : undefined;
    });
    const [only] = l2s;
    assert.equal(only?.status.node, order[0]);
    assert.equal(only?.status.serviceNamespace, appNs);
    assert.equal(only?.status.interfaces, undefined, 'no interfaces when every interface is used');
    assert.deepEqual(only?.labels, { 'metallb.io/node': order[0], 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': appNs });
    assert.equal(only?.owner, `speaker-${order[0]}`);
    assert.match(only?.name ?? '', /^l2-/);
    shared.set(names.filter((n) => n !== order[0]));
    await eventually('the ServiceL2Status to follow the new owner', async () => {
      const list = (await statusObjects(c, 'ServiceL2Status')).filter((o) => o.status.serviceName === 'web');
      return list.length === 1 && list[0]?.status.node === order[1];
    });
    shared.set([...names]);
    await eventually('the owner to take the IP back', () => announcing('apps/web').join() === order[0]);
    void svc;
  });

  test('ServiceBGPStatus: one per announcing node with the peers that get the prefixes', async () => {
    await putService(c, appNs, 'routed', { ips: ['10.200.0.130'] });
    await putEndpoints(c, appNs, 'routed', [{ node: 'node2', address: nodeIp('node2') }]);
    const list = await eventually('three ServiceBGPStatus', async () => {
      const l = (await statusObjects(c, 'ServiceBGPStatus')).filter((o) => o.status.serviceName === 'routed' && (o.status.peers?.length ?? 0) > 0);
      return l.length === 3 ? l : undefined;
    });
    assert.deepEqual(list.map((o) => o.status.node).sort(), names);
    for (const o of list) assert.deepEqual(o.status.peers, ['r1']);
    await putService(c, appNs, 'routed', { ips: ['10.200.0.130'], externalTrafficPolicy: 'Local' });
    await eventually('only the node with the endpoint to keep one', async () => {
      const l = (await statusObjects(c, 'ServiceBGPStatus')).filter((o) => o.status.serviceName === 'routed');
      return l.length === 1 && l[0]?.status.node === 'node2';
    });
  });

  test('nodeAssigned is emitted on a change of announcing state only, not on every handling', async () => {
    const owner = order[0] as string;
    const before = (await speakerEvents(c, appNs, 'web')).filter((e) => e.reason === 'nodeAssigned' && e.note?.includes(`"${owner}"`) === true);
    assert.ok(before.length >= 1);
    const puts = () => api.server!.requests().filter((r) => r.resource === 'events' && r.user === owner).length;
    const writes = puts();
    for (let i = 0; i < 20; i++) await putService(c, appNs, 'web', { ips: [l2Vip], labels: { touch: String(i) } });
    await eventually('the touches to be handled', () => node(owner).runtime.cache.service('apps/web')?.labels['touch'] === '19');
    await node(owner).runtime.statusIdle();
    assert.equal(puts(), writes, 'no event written for handlings that change nothing');
    assert.match(before[0]?.note ?? '', /^announcing from node "node\d" with protocol "layer2"$/);
  });

  test('an invalid configuration keeps the last good one, marks it stale and says why in ConfigurationState', async () => {
    await putMetallbObjects(c, [pool('bad', ['10.200.0.0/24'])]);
    const state = await eventually('ConfigurationState Invalid', async () => {
      const s = await c.custom.getNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'configurationstates', name: 'speaker-node1' }) as
        { metadata: { labels: Record<string, string> }; status?: { result?: string; errorSummary?: string; conditions?: { type: string; reason: string }[] } };
      return s.status?.result === 'Invalid' ? s : undefined;
    });
    assert.match(state.status?.errorSummary ?? '', /overlap/i);
    assert.equal(state.status?.conditions?.[0]?.type, 'configReconcilerValid');
    assert.equal(state.status?.conditions?.[0]?.reason, 'ConfigurationError');
    assert.deepEqual(state.metadata.labels, { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': 'node1' });
    assert.equal((await node('node1').registry.getSingleMetric('metallb_k8s_client_config_stale_bool')?.get())?.values[0]?.value, 1);
    assert.deepEqual(announcing('apps/web'), [order[0]], 'still announcing on the last good configuration');
    await deleteMetallbObject(c, 'IPAddressPool', 'bad');
    await eventually('ConfigurationState Valid again', async () => {
      const s = await c.custom.getNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'configurationstates', name: 'speaker-node1' }) as { status?: { result?: string } };
      return s.status?.result === 'Valid';
    });
    assert.equal((await node('node1').registry.getSingleMetric('metallb_k8s_client_config_stale_bool')?.get())?.values[0]?.value, 0);
  });

  test('a configuration that would orphan an announced IP is refused and retried until the Service lets the IP go', async () => {
    const owner = order[0] as string;
    await deleteMetallbObject(c, 'IPAddressPool', 'l2pool');
    const state = async () => (await c.custom.getNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'configurationstates', name: `speaker-${owner}` }) as { status?: { result?: string; errorSummary?: string } }).status;
    await eventually('the owner to refuse the configuration', async () => (await state())?.errorSummary?.includes('apps/web') === true);
    assert.deepEqual(announcing('apps/web'), [owner]);
    const web = await c.core.readNamespacedService({ name: 'web', namespace: appNs });
    await setIngress(c, web, []);
    await eventually('the configuration to be taken once the IP is released', async () => (await state())?.result === 'Valid', 15_000);
    assert.deepEqual(announcing('apps/web'), []);
    await putMetallbObjects(c, [pool('l2pool', ['10.200.0.0/25'])]);
    await setIngress(c, await c.core.readNamespacedService({ name: 'web', namespace: appNs }), [l2Vip]);
    await eventually('web announced again', () => announcing('apps/web').join() === owner);
  });

  test('announceFailed is a Warning event when the listed interfaces do not exist on the elected node', async () => {
    await putMetallbObjects(c, [pool('ifpool', ['10.201.0.0/24']), l2('ifs', { ipAddressPools: ['ifpool'], interfaces: ['eth7'] })]);
    await putService(c, appNs, 'nowhere', { ips: ['10.201.0.1'] });
    await putEndpoints(c, appNs, 'nowhere', [{ node: 'node1', address: nodeIp('node1') }]);
    const events = await eventually('announceFailed', async () => {
      const e = (await speakerEvents(c, appNs, 'nowhere')).filter((x) => x.reason === 'announceFailed');
      return e.length > 0 ? e : undefined;
    });
    assert.equal(events[0]?.type, 'Warning');
    assert.match(events[0]?.note ?? '', /the interfaces specified by LB IP "10\.201\.0\.1" doesn't exist in assigned node "node\d" with protocol "layer2"/);
    assert.deepEqual(announcing('apps/nowhere'), []);
  });

  test('the other speakers\' Pods are the gossip seeds, and a new memberlist secret rotates the key', async () => {
    for (const n of names) {
      assert.deepEqual(node(n).view?.seeds, names.filter((x) => x !== n).map((x) => `${nodeIp(x)}:7946`));
      assert.equal(node(n).view?.secrets[0], 'first-key');
    }
    const secret = await c.core.readNamespacedSecret({ name: 'memberlist', namespace: metallbNamespace });
    await c.core.replaceNamespacedSecret({ name: 'memberlist', namespace: metallbNamespace, body: { ...secret, data: { secretkey: Buffer.from('second-key').toString('base64') } } });
    for (const n of names) await eventually(`${n} to take the new key`, () => node(n).view?.secrets.at(-1) === 'second-key');
  });

  test('fail-static: with the API server away the speakers keep announcing, the election still fails over, and status catches up after', async () => {
    const [owner, next] = order as [string, string];
    const bgpBefore = names.map((n) => node(n).runtime.speaker?.bgpAnnouncement('apps/routed'));
    await proxy.stop();
    for (const n of names) {
      await eventually(`${n} to notice`, async () => (await node(n).registry.getSingleMetric('metallb_ts_speaker_api_reachable_bool')?.get())?.values[0]?.value === 0);
    }
    const health = await fetch(`http://127.0.0.1:${node(owner).runtime.endpointPorts()[1]}/healthz`);
    assert.equal(health.status, 200, '/healthz does not fail because of the API server');
    assert.deepEqual(announcing('apps/web'), [owner]);
    shared.set(names.filter((n) => n !== owner));
    await eventually('the next node to take over during the outage', () => announcing('apps/web').join() === next);
    assert.deepEqual(names.map((n) => node(n).runtime.speaker?.bgpAnnouncement('apps/routed')), bgpBefore, 'BGP untouched');
    const metrics = await (await fetch(`http://127.0.0.1:${node(next).runtime.endpointPorts()[0]}/metrics`)).text();
    assert.match(metrics, new RegExp(`metallb_speaker_announced\\{service="apps/web",protocol="layer2",node="${next}",ip="10\\.200\\.0\\.10"\\} 1`));
    await proxy.resume();
    await eventually('the ServiceL2Status to name the new owner', async () => {
      const list = (await statusObjects(c, 'ServiceL2Status')).filter((o) => o.status.serviceName === 'web');
      return list.length === 1 && list[0]?.status.node === next;
    }, 20_000);
    shared.set([...names]);
    await eventually('the owner back', () => announcing('apps/web').join() === owner);
  });
});
