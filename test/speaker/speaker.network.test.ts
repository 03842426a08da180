/**
 * `metallb-ts speaker` end to end, network tier: three speakers as real processes in node namespaces (gossip,
 * ARP/NDP, BGP), FRR as the router, the test API server in this process. Covers the layer-2 and BGP families of
 * MetalLB's e2e suite (metallb-behaviour.md §9.2) that this lab can express, then takes the API server away for
 * SPEAKER_API_OUTAGE_SEC seconds (default 60): every VIP keeps answering and killing the announcing speaker
 * still fails over. `metallb-ts controller` runs as a process too (in the router namespace, behind the same
 * forwarder) and assigns the addresses each Service asks for.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { neighborMac, waitFor } from '../../src/lab/netns/index.js';
import { sortL2Candidates } from '../../src/speaker/layer2/election.js';
import { describeNetwork } from '../support/network-tier.js';
import { bgpAd, l2, pool } from '../support/config-objects.js';
import { putMetallbObjects, putNode, speakerEvents, statusObjects } from '../support/speaker-objects.js';
import { SpeakerLab, appNamespace, labNodes, type LabService } from '../support/speaker-lab.js';

const outageSec = Number(process.env['SPEAKER_API_OUTAGE_SEC'] ?? '60');
const nodes = [...labNodes];
const orderFor = (ip: string, live: readonly string[] = nodes): string[] => sortL2Candidates([...live], ip, new Map());
const exclude = 'node.kubernetes.io/exclude-from-external-load-balancers';

describeNetwork('metallb-ts speaker on Kubernetes, end to end', { binaries: ['nft', 'socat', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'] }, () => {
  let lab: SpeakerLab;
  const ipOf = (n: string, family: 4 | 6 = 4): string => (family === 4 ? lab.net.host(n).ipv4 : lab.net.host(n).ipv6) as string;
  const nodeSpec = (n: string, extra: { labels?: Record<string, string>; networkUnavailable?: boolean } = {}) => ({ internalIps: [ipOf(n), ipOf(n, 6)], ...extra });
  const l2Status = async (service: string) => (await statusObjects(lab.c, 'ServiceL2Status')).filter((o) => o.status.serviceName === service);
  const bgpStatus = async (service: string) => (await statusObjects(lab.c, 'ServiceBGPStatus')).filter((o) => o.status.serviceName === service);

  before(async () => {
    lab = await SpeakerLab.create('spk', { controller: true });
  });
  after(async () => {
    await lab?.close();
  });

  const web: LabService = { name: 'web', ips: ['10.200.0.10'] };
  const webOwner = orderFor('10.200.0.10');

  test('layer 2, IPv4, Cluster: the elected node answers ARP and takes the traffic; it alone keeps a ServiceL2Status', async () => {
    await lab.putService(web);
    await lab.waitAnswer('10.200.0.10', webOwner[0]);
    assert.equal(await neighborMac(lab.net.host('client').netns, '10.200.0.10'), lab.net.host(webOwner[0] as string).mac);
    const status = await waitFor(async () => {
      const l = await l2Status('web');
      return l.length === 1 && l[0]?.status.node !== undefined ? l : undefined;
    }, { timeoutMs: 10_000, what: 'one ServiceL2Status for web' });
    assert.equal(status[0]?.status.node, webOwner[0]);
    assert.equal(status[0]?.owner, `speaker-${webOwner[0]}`);
    assert.deepEqual(status[0]?.labels, { 'metallb.io/node': webOwner[0], 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': appNamespace });
    const events = (await speakerEvents(lab.c, appNamespace, 'web')).filter((e) => e.reason === 'nodeAssigned');
    assert.equal(events.length, 1);
    assert.equal(events[0]?.note, `announcing from node "${webOwner[0]}" with protocol "layer2"`);
  });

  test('layer 2, IPv6 and dual-stack: one node answers both addresses, elected on the first one', async () => {
    await lab.putService({ name: 'dual', ips: ['10.200.0.11', 'fd00:200::11'] });
    await lab.putService({ name: 'web6', ips: ['fd00:200::12'] });
    const dualOwner = orderFor('10.200.0.11')[0];
    await lab.waitAnswer('10.200.0.11', dualOwner);
    await lab.waitAnswer('fd00:200::11', dualOwner);
    await lab.waitAnswer('fd00:200::12', orderFor('fd00:200::12')[0]);
  });

  test('layer 2, Local: the announcing node follows the Service\'s endpoints', async () => {
    const [first, second, third] = orderFor('10.200.0.12') as [string, string, string];
    await lab.putService({ name: 'local', ips: ['10.200.0.12'], externalTrafficPolicy: 'Local', endpointNodes: [third] });
    await lab.waitAnswer('10.200.0.12', third);
    await lab.putService({ name: 'local', ips: ['10.200.0.12'], externalTrafficPolicy: 'Local', endpointNodes: [second, first] });
    await lab.waitAnswer('10.200.0.12', first);
    // Keep it off the node whose speaker the outage test kills.
    const keep = [first, second, third].filter((n) => n !== webOwner[0]);
    await lab.putService({ name: 'local', ips: ['10.200.0.12'], externalTrafficPolicy: 'Local', endpointNodes: keep });
    await lab.waitAnswer('10.200.0.12', orderFor('10.200.0.12', keep)[0]);
  });

  test('layer 2: Services sharing an IP are announced by one node', async () => {
    const shared = { 'metallb.io/allow-shared-ip': 'team' };
    await lab.putService({ name: 'shared-a', ips: ['10.200.0.13'], port: 80, annotations: shared });
    await lab.putService({ name: 'shared-b', ips: ['10.200.0.13'], port: 81, annotations: shared });
    const owner = orderFor('10.200.0.13')[0];
    await lab.waitAnswer('10.200.0.13', owner, { port: 80 });
    await lab.waitAnswer('10.200.0.13', owner, { port: 81 });
    const nodesOf = async (s: string) => (await l2Status(s)).map((o) => o.status.node);
    await waitFor(async () => (await nodesOf('shared-a')).join() === owner && (await nodesOf('shared-b')).join() === owner, { timeoutMs: 10_000, what: 'both ServiceL2Status on one node' });
  });

  test('layer 2: NetworkUnavailable and the exclude label move the IP to the next node, and it comes back', async () => {
    const [owner, next] = webOwner as [string, string];
    await putNode(lab.c, owner, nodeSpec(owner, { networkUnavailable: true }));
    await lab.waitAnswer('10.200.0.10', next);
    await putNode(lab.c, owner, nodeSpec(owner));
    await lab.waitAnswer('10.200.0.10', owner);
    await putNode(lab.c, owner, nodeSpec(owner, { labels: { [exclude]: '' } }));
    await lab.waitAnswer('10.200.0.10', next);
    await putNode(lab.c, owner, nodeSpec(owner));
    await lab.waitAnswer('10.200.0.10', owner);
  });

  test('layer 2: node selectors and interface selectors on the L2Advertisement; a missing interface is announceFailed', async () => {
    const ad = (interfaces: string[]) => l2('pinned', { ipAddressPools: ['pinned-pool'], nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node2' } }], interfaces });
    await putMetallbObjects(lab.c, [pool('pinned-pool', ['10.200.0.64/28']), ad(['eth0'])]);
    await lab.putService({ name: 'pinned', ips: ['10.200.0.65'] });
    await lab.waitAnswer('10.200.0.65', 'node2');
    await waitFor(async () => (await l2Status('pinned'))[0]?.status.interfaces?.map((i) => i.name).join() === 'eth0', { timeoutMs: 10_000, what: 'interfaces in the ServiceL2Status' });
    await putMetallbObjects(lab.c, [ad(['eth9'])]);
    await waitFor(async () => (await speakerEvents(lab.c, appNamespace, 'pinned')).some((e) => e.reason === 'announceFailed' && e.type === 'Warning'),
      { timeoutMs: 10_000, what: 'an announceFailed event' });
    await waitFor(async () => (await l2Status('pinned')).length === 0, { timeoutMs: 10_000, what: 'the ServiceL2Status to go' });
    await putMetallbObjects(lab.c, [ad(['eth0'])]);
    await lab.waitAnswer('10.200.0.65', 'node2');
  });

  const routed: LabService = { name: 'routed', ips: ['10.200.0.130', 'fd00:200::1:10'] };
  const v6Peers = async (prefix: string) => (await lab.router.paths(prefix)).map((p) => p.peer).sort();

  test('BGP, Cluster, IPv4 and IPv6: every node advertises to both peers, the router spreads traffic from outside', async () => {
    await lab.putService(routed);
    await lab.waitNextHops('10.200.0.130/32', nodes.map((n) => ipOf(n)));
    await waitFor(async () => (await v6Peers('fd00:200::1:10/128')).join() === nodes.map((n) => ipOf(n, 6)).join(), { timeoutMs: 20_000, what: 'IPv6 paths from every node' });
    await lab.waitAnswer('10.200.0.130', undefined, { from: 'outside' });
    await lab.waitAnswer('fd00:200::1:10', undefined, { from: 'outside' });
    const statuses = await waitFor(async () => {
      const l = await bgpStatus('routed');
      return l.length === 3 && l.every((o) => o.status.peers?.length === 2) ? l : undefined;
    }, { timeoutMs: 10_000, what: 'three ServiceBGPStatus' });
    assert.deepEqual(statuses.map((o) => o.status.node).sort(), nodes);
    for (const o of statuses) {
      assert.deepEqual(o.status.peers, ['router-v4', 'router-v6']);
      assert.equal(o.owner, `speaker-${o.status.node}`);
      assert.match(o.name, /^bgp-/);
    }
  });

  test('BGP, Local: only nodes with an endpoint advertise', async () => {
    await lab.putService({ name: 'bgp-local', ips: ['10.200.0.131'], externalTrafficPolicy: 'Local', endpointNodes: ['node2'] });
    await lab.waitNextHops('10.200.0.131/32', [ipOf('node2')]);
    assert.equal(await lab.waitAnswer('10.200.0.131', undefined, { from: 'outside' }), 'node2');
    const keep = nodes.filter((n) => n !== webOwner[0] && n !== 'node2');
    await lab.putService({ name: 'bgp-local', ips: ['10.200.0.131'], externalTrafficPolicy: 'Local', endpointNodes: keep });
    await lab.waitNextHops('10.200.0.131/32', keep.map((n) => ipOf(n)));
    await waitFor(async () => (await bgpStatus('bgp-local')).map((o) => o.status.node).join() === keep.join(), { timeoutMs: 10_000, what: 'ServiceBGPStatus of the endpoint node' });
  });

  test('BGP: a NetworkUnavailable or excluded node withdraws its route', async () => {
    await putNode(lab.c, 'node1', nodeSpec('node1', { networkUnavailable: true }));
    await lab.waitNextHops('10.200.0.130/32', [ipOf('node2'), ipOf('node3')]);
    await putNode(lab.c, 'node1', nodeSpec('node1', { labels: { [exclude]: 'true' } }));
    await lab.waitNextHops('10.200.0.130/32', [ipOf('node2'), ipOf('node3')]);
    await putNode(lab.c, 'node1', nodeSpec('node1'));
    await lab.waitNextHops('10.200.0.130/32', nodes.map((n) => ipOf(n)));
  });

  test('BGP: an advertisement\'s peers and node selectors choose who advertises to whom', async () => {
    await putNode(lab.c, 'node3', nodeSpec('node3', { labels: { rack: 'a' } }));
    await putMetallbObjects(lab.c, [
      pool('selected-pool', ['10.200.0.192/28', 'fd00:200::2:0/120']),
      bgpAd('rack-a-v4', { ipAddressPools: ['selected-pool'], peers: ['router-v4'], nodeSelectors: [{ matchLabels: { rack: 'a' } }] }),
    ]);
    await lab.putService({ name: 'selected', ips: ['10.200.0.193', 'fd00:200::2:1'] });
    await lab.waitNextHops('10.200.0.193/32', [ipOf('node3')]);
    await waitFor(async () => (await bgpStatus('selected')).map((o) => `${o.status.node} ${o.status.peers?.join('+')}`).join() === 'node3 router-v4',
      { timeoutMs: 10_000, what: 'one ServiceBGPStatus, node3 to router-v4' });
    assert.deepEqual(await v6Peers('fd00:200::2:1/128'), [], 'not sent to router-v6');
    await putNode(lab.c, 'node3', nodeSpec('node3'));
    await lab.waitNextHops('10.200.0.193/32', []);
  });

  test('metrics and health: metallb_speaker_announced per Service and IP, /healthz on 127.0.0.1', async () => {
    const owner = webOwner[0] as string;
    const metrics = await lab.metrics(owner);
    assert.match(metrics, new RegExp(`metallb_speaker_announced\\{service="${appNamespace}/web",protocol="layer2",node="${owner}",ip="10\\.200\\.0\\.10"\\} 1`));
    assert.match(metrics, new RegExp(`metallb_speaker_announced\\{service="${appNamespace}/routed",protocol="bgp",node="${owner}",ip="fd00:200::1:10"\\} 1`));
    assert.match(metrics, /metallb_bgp_session_up\{peer="10\.100\.0\.1:179"\} 1/);
    assert.match(metrics, /metallb_k8s_client_config_loaded_bool 1/);
    assert.equal((await lab.httpGet(owner, '127.0.0.1', 17472, '/healthz')).status, 200);
    assert.equal((await lab.httpGet(owner, '127.0.0.1', 17472, '/readyz')).status, 200);
  });

  test(`with the API server stopped for ${outageSec} s every VIP keeps working, and killing the announcing speaker still fails over`, { timeout: (outageSec + 120) * 1000 }, async (t) => {
    const [owner, next] = webOwner as [string, string];
    const checks = [
      { ip: '10.200.0.10', from: 'client' as const }, { ip: '10.200.0.11', from: 'client' as const }, { ip: 'fd00:200::11', from: 'client' as const },
      { ip: 'fd00:200::12', from: 'client' as const }, { ip: '10.200.0.12', from: 'client' as const }, { ip: '10.200.0.13', from: 'client' as const },
      { ip: '10.200.0.65', from: 'client' as const }, { ip: '10.200.0.130', from: 'outside' as const }, { ip: 'fd00:200::1:10', from: 'outside' as const },
      { ip: '10.200.0.131', from: 'outside' as const },
    ];
    const sweep = async (): Promise<string[]> => {
      const failed: string[] = [];
      for (const c of checks) {
        // A VIP that just moved may need a moment: each gets a few tries before it counts as down.
        try {
          await lab.waitAnswer(c.ip, undefined, { from: c.from, timeoutMs: 5000 });
        } catch {
          failed.push(c.ip);
        }
      }
      return failed;
    };
    assert.deepEqual(await sweep(), [], 'every VIP answers before the outage');
    await lab.proxy.stop();
    const t0 = performance.now();
    await waitFor(async () => /metallb_ts_speaker_api_reachable_bool 0/.test(await lab.metrics(owner)), { timeoutMs: 30_000, what: 'the speakers to notice the outage' });
    assert.deepEqual(await sweep(), [], 'every VIP answers with the API server away');
    await lab.stopSpeaker(owner, 'SIGKILL');
    const killedAt = performance.now();
    await lab.waitAnswer('10.200.0.10', next, { timeoutMs: 10_000 });
    t.diagnostic(`killed the speaker of ${owner}; ${next} answered for 10.200.0.10 after ${(performance.now() - killedAt).toFixed(0)} ms, with the API server down`);
    await lab.waitNextHops('10.200.0.130/32', nodes.filter((n) => n !== owner).map((n) => ipOf(n)), 15_000);
    let sweeps = 0;
    while (performance.now() - t0 < outageSec * 1000) {
      assert.deepEqual(await sweep(), [], `every VIP answers ${((performance.now() - t0) / 1000).toFixed(0)} s into the outage`);
      sweeps++;
      const left = outageSec * 1000 - (performance.now() - t0);
      if (left > 0) await new Promise((r) => setTimeout(r, Math.min(5000, left)));
    }
    assert.ok(/API server unreachable/.test(lab.speakerLog(next)), 'the surviving speakers ran fail-static');
    t.diagnostic(`${sweeps} sweeps of ${checks.length} VIPs over ${outageSec} s of outage, all answered`);
    await lab.proxy.resume();
    lab.startSpeaker(owner);
    await lab.waitStarted(owner, 60_000);
    await lab.waitAnswer('10.200.0.10', owner, { timeoutMs: 20_000 });
    await waitFor(async () => (await l2Status('web')).map((o) => o.status.node).join() === owner, { timeoutMs: 30_000, what: 'the ServiceL2Status back on the owner' });
    await lab.waitNextHops('10.200.0.130/32', nodes.map((n) => ipOf(n)), 20_000);
    assert.deepEqual(await sweep(), [], 'every VIP answers after the outage');
  });
});
