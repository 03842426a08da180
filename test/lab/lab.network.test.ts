/**
 * The lab end to end through the built binary, as a user runs it: `lab up` (twice: the second does nothing),
 * `lab apply`, the Service reached from the client (IPv4 and IPv6) and from the outside host, `lab status -o
 * json` in its documented shape, `explain`, `lab kill` of the announcing node's speaker and the failover, BGP
 * with ECMP on the router, `lab kill api` with the Service still served, `lab demo` on the running lab, and
 * `lab down` leaving no namespace, link or process behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeConfigFrom } from '../../src/lab/cluster/lab-api.js';
import { readLabState } from '../../src/lab/cluster/lab-state.js';
import { labStatus, type LabStatus } from '../../src/lab/cluster/lab-status.js';
import { isAlive, type ProcessRecord } from '../../src/lab/cluster/processes.js';
import { labPaths, planLab } from '../../src/lab/cluster/lab-plan.js';
import { runIn } from '../../src/lab/netns/command.js';
import { namespacesWithPrefix } from '../../src/lab/netns/network.js';
import { waitFor } from '../../src/lab/netns/wait.js';
import { describeNetwork } from '../support/network-tier.js';

const main = fileURLToPath(new URL('../../src/cmd/main.js', import.meta.url));
const name = `t${randomBytes(3).toString('hex')}`;
const prefix = `mlbts-${name}`;

interface Run { code: number; stdout: string; stderr: string }

function cli(args: readonly string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const lab = (...args: string[]): Promise<Run> => cli(['lab', ...args.slice(0, 1), '--name', name, ...args.slice(1)]);

interface StatusJson {
  name: string;
  kubeconfig: string;
  api: { url: string; state: string };
  hosts: {
    client: Record<string, string>;
    router: Record<string, string | number>;
    outside: Record<string, string>;
    nodes: Record<string, { netns: string; ipv4: string; ipv6: string; mac: string; asn: number; speaker: string; link: string }>;
  };
  services: { namespace: string; name: string; ips: string[]; layer2: string | null; bgp: string[] }[];
  bgpSessions: { node: string; peer: string; state: string }[];
  pools: { name: string; assignedIPv4: number }[];
}

/** `lab status -o json` through the CLI. */
async function status(): Promise<StatusJson> {
  const r = await lab('status', '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusJson;
}

/** The same status computed in this process (for polling: a CLI start costs seconds on a loaded machine). */
async function statusNow(): Promise<LabStatus> {
  const state = readLabState(labPaths(name).state);
  assert.ok(state !== undefined);
  const plan = planLab({ name, nodes: state.nodes, router: state.router });
  return labStatus(plan, state, kubeConfigFrom(plan.paths.kubeconfig));
}

/** The node answering `url` from a host of the lab (curl in its namespace), or undefined. */
async function curlFrom(host: string, url: string): Promise<string | undefined> {
  try {
    const { stdout } = await runIn(`${prefix}-${host}`, 'curl', ['-s', '-m', '1', url], { timeoutMs: 3000 });
    return (JSON.parse(stdout) as { node: string }).node;
  } catch {
    return undefined;
  }
}

const objects = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: test}
spec: {addresses: [10.200.0.100-10.200.0.110, "fd00:200::100/125"]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: test}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  ipFamilyPolicy: PreferDualStack
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;

describeNetwork('metallb-ts lab, end to end through the CLI', { binaries: ['nft', 'socat', 'curl', 'vtysh', '/usr/lib/frr/bgpd'] }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'metallb-ts-lab-test-'));
  let records: ProcessRecord[] = [];
  let owner = '';
  let ips: string[] = [];

  before(async () => {
    writeFileSync(join(dir, 'objects.yaml'), objects);
    writeFileSync(join(dir, 'bgp.yaml'), 'apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: test}\n');
  });

  after(async () => {
    await cli(['lab', 'down', '--name', name]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('lab up builds the lab and a second up finds it up', async () => {
    const up = await lab('up', '--nodes', '3', '--router', 'frr');
    assert.equal(up.code, 0, up.stdout + up.stderr);
    // Sessions normally come up during `up`; on a loaded machine the last ones may follow (checked below).
    for (const line of [/^network: switch, 3 nodes/m, /^API server: http:\/\/127\.0\.0\.1:\d+/m, /^speakers: one per node/m, /^BGP: (6 sessions|\d of 6 sessions)/m, /^lab \S+ is up in/m]) {
      assert.match(up.stdout, line);
    }
    assert.deepEqual((await namespacesWithPrefix(prefix)).sort(), ['client', 'node1', 'node2', 'node3', 'outside', 'router', 'sw'].map((h) => `${prefix}-${h}`));
    records = Object.values(readLabState(labPaths(name).state)?.processes ?? {});
    assert.ok(records.length >= 14 && records.every(isAlive), JSON.stringify(records));
    const again = await lab('up', '--nodes', '3', '--router', 'frr');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /is already up/);
  });

  test('lab apply creates a pool, an L2Advertisement and a Service, and status shows its address and announcer', async () => {
    const applied = await lab('apply', '-f', join(dir, 'objects.yaml'));
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(applied.stdout.trim().split('\n'), ['ipaddresspool.metallb.io/test created', 'l2advertisement.metallb.io/test created', 'service/web created']);
    await waitFor(async () => {
      const st = await statusNow();
      const web = st.services.find((x) => x.name === 'web');
      return web !== undefined && web.ips.length === 2 && web.layer2 !== null && st.bgpSessions.every((x) => x.state === 'Established');
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'default/web to get addresses and an announcing node, and every BGP session up' });
    const s = await status();
    assert.equal(s.name, name);
    assert.equal(s.kubeconfig, labPaths(name).kubeconfig);
    assert.deepEqual(Object.keys(s.hosts.client).sort(), ['ipv4', 'ipv6', 'mac', 'netns']);
    assert.deepEqual([s.hosts.router['ipv4'], s.hosts.router['ipv6'], s.hosts.router['asn']], ['10.100.0.1', 'fd00:100::1', 64500]);
    assert.deepEqual([s.hosts.outside['ipv4'], s.hosts.outside['ipv6']], ['10.99.0.2', 'fd00:99::2']);
    assert.deepEqual(Object.keys(s.hosts.nodes), ['node1', 'node2', 'node3']);
    assert.deepEqual(s.hosts.nodes['node2'], { netns: `${prefix}-node2`, ipv4: '10.100.0.12', ipv6: 'fd00:100::12', mac: '02:00:00:00:00:0c', asn: 64512, speaker: 'running', link: 'up' });
    assert.equal(s.bgpSessions.length, 6);
    assert.ok(s.bgpSessions.every((x) => x.state === 'Established' && (x.peer === 'router' || x.peer === 'router-v6')), JSON.stringify(s.bgpSessions));
    const web = s.services.find((x) => x.name === 'web')!;
    assert.deepEqual([web.namespace, web.ips, web.bgp], ['default', ['10.200.0.100', 'fd00:200::100'], []]);
    owner = web.layer2 ?? '';
    ips = web.ips;
    assert.deepEqual(s.pools.map((p) => [p.name, p.assignedIPv4]), [['test', 1]]);
  });

  test('the client reaches the Service over IPv4 and IPv6 at the announcing node, and so does the outside host', async () => {
    const v4 = await waitFor(() => curlFrom('client', `http://${ips[0]}/`), { timeoutMs: 10_000, intervalMs: 100, what: 'the client to reach the Service' });
    assert.equal(v4, owner);
    assert.equal(await waitFor(() => curlFrom('client', `http://[${ips[1]}]/`), { timeoutMs: 10_000, intervalMs: 100, what: 'IPv6' }), owner);
    assert.equal(await waitFor(() => curlFrom('outside', `http://${ips[0]}/`), { timeoutMs: 10_000, intervalMs: 100, what: 'the outside host' }), owner);
    const exec = await lab('exec', 'client', '--', 'curl', '-s', '-m', '2', `http://${ips[0]}/`);
    assert.equal(exec.code, 0, exec.stderr);
    assert.deepEqual(JSON.parse(exec.stdout), { node: owner, client: '10.100.0.100' });
    assert.equal((await lab('exec', 'client', '--', 'false')).code, 1);
  });

  test('explain names the address, the pool and the elected node', async () => {
    const json = await cli(['explain', 'default/web', '--lab', name, '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const e = JSON.parse(json.stdout) as { allocation: { reason: string; pool: string; ips: string[] }; layer2: { state: string; elected: string; announcedBy: string[] } };
    assert.deepEqual([e.allocation.reason, e.allocation.pool, e.allocation.ips], ['allocated', 'test', ips]);
    assert.deepEqual([e.layer2.state, e.layer2.elected, e.layer2.announcedBy], ['announced', owner, [owner]]);
    const text = await cli(['explain', 'default/web', '--lab', name]);
    assert.match(text.stdout, new RegExp(`^default/web has ${ips[0]}, ${ips[1]} \\(pool test\\)`));
    assert.match(text.stdout, new RegExp(`layer 2: ${owner} announces`));
    const missing = await cli(['explain', 'default/nope', '--lab', name]);
    assert.equal(missing.code, 1);
  });

  test('lab kill stops the announcing node\'s speaker and another node takes over', async () => {
    const killed = await lab('kill', owner);
    assert.equal(killed.code, 0, killed.stderr);
    const startMs = performance.now();
    const next = await waitFor(async () => {
      const n = await curlFrom('client', `http://${ips[0]}/`);
      return n !== undefined && n !== owner ? n : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, what: 'another node to answer' });
    process.stderr.write(`lab failover after killing ${owner}'s speaker: ${next} answered within ${Math.round(performance.now() - startMs)} ms (curl every 50 ms)\n`);
    await waitFor(async () => (await statusNow()).services.find((x) => x.name === 'web')?.layer2 === next,
      { timeoutMs: 10_000, intervalMs: 250, what: 'status to show the new announcer' });
    const s = await status();
    assert.equal(s.services.find((x) => x.name === 'web')?.layer2, next);
    assert.equal(s.hosts.nodes[owner]?.speaker, 'stopped');
    const explained = JSON.parse((await cli(['explain', 'default/web', '--lab', name, '-o', 'json'])).stdout) as { layer2: { elected: string; excluded: { node: string; reason: string }[] } };
    assert.equal(explained.layer2.elected, next);
    assert.deepEqual(explained.layer2.excluded.map((x) => [x.node, x.reason]), [[owner, 'noSpeaker']]);
  });

  test('BGP: the router installs an ECMP route over the nodes with a running speaker', async () => {
    assert.equal((await lab('apply', '-f', join(dir, 'bgp.yaml'))).code, 0);
    const route = await waitFor(async () => {
      const r = await runIn(`${prefix}-router`, 'ip', ['route', 'show', ips[0] ?? '']);
      return (r.stdout.match(/nexthop via/g) ?? []).length === 2 ? r.stdout : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'two next hops on the router (the killed node\'s session is gone)' });
    assert.match(route, /proto bgp/);
    assert.ok(await waitFor(() => curlFrom('outside', `http://${ips[0]}/`), { timeoutMs: 10_000, intervalMs: 100, what: 'the outside host over BGP' }));
    assert.equal((await lab('revive', owner)).code, 0);
    await waitFor(async () => (await statusNow()).services.find((x) => x.name === 'web')?.bgp.length === 3, { timeoutMs: 30_000, intervalMs: 250, what: 'three nodes announcing over BGP after the revive' });
  });

  test('lab kill api freezes the API server and the Service is still served', async () => {
    assert.equal((await lab('kill', 'api')).code, 0);
    const s = await status();
    assert.equal(s.api.state, 'frozen');
    assert.ok(await curlFrom('client', `http://${ips[0]}/`));
    assert.ok(await curlFrom('outside', `http://${ips[0]}/`));
    assert.equal((await lab('revive', 'api')).code, 0);
    assert.equal((await status()).api.state, 'running');
  });

  test('lab demo runs its tour on the lab that is up', async () => {
    const demo = await cli(['lab', 'demo', '--name', name], 180_000);
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    for (const line of [/the controller gave web 10\.200\.0\.10 and fd00:200::10/, /won the layer-2 election/, /client\$ curl http:\/\/10\.200\.0\.10\/\s+\{"node":"node\d"/,
      /node\d answers \d+\.\d+ s after the cut/, /router\$ ip route show 10\.200\.0\.10\s+3 next hops: 10\.100\.0\.11, 10\.100\.0\.12, 10\.100\.0\.13/,
      /default\/web has 10\.200\.0\.10, fd00:200::10 \(pool demo\)/]) {
      assert.match(demo.stdout, line);
    }
    process.stderr.write(`lab demo: ${demo.stdout.split('\n').find((l) => l.includes('after the cut'))?.trim() ?? ''}\n`);
  });

  test('lab down leaves no namespace, link or process behind', async () => {
    records = [...records, ...Object.values(readLabState(labPaths(name).state)?.processes ?? {})];
    const down = await lab('down');
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(await namespacesWithPrefix(prefix), []);
    assert.deepEqual(records.filter(isAlive), []);
    const links = await new Promise<string>((resolve) => execFile('ip', ['-o', 'link', 'show'], (_e, out) => resolve(out)));
    assert.ok(!/\bp-node\d|@.*mlbts/.test(links), links);
    const ps = await new Promise<string>((resolve) => execFile('ps', ['-eo', 'args'], (_e, out) => resolve(out)));
    assert.ok(!ps.includes(labPaths(name).dir), ps);
    const again = await lab('down');
    assert.match(again.stdout, /nothing to remove/);
  });
});
