/**
 * `lab demo`: the guided tour the README starts with. It brings the lab up (or uses the one that is up), then
 * shows, with what actually happens printed at each step: a pool, an L2Advertisement and a Service applied;
 * the address the controller gives and the node the layer-2 election picks; the client reaching it over IPv4
 * and IPv6; the announcing node failing (its link cut) and the time until another node answers; BGP turned on
 * and the router's ECMP routes; and `explain`'s answer. The lab stays up afterwards.
 */
import * as k8s from '@kubernetes/client-node';
import { explain } from '../../explain/explain.js';
import { readClusterSnapshot } from '../../k8s/cluster-snapshot.js';
import { errorMessage } from '../../lib/errors.js';
import { runIn } from '../netns/command.js';
import { neighborMac } from '../netns/inspect.js';
import { waitFor } from '../netns/wait.js';
import { kernelNextHops } from '../routers/router.js';
import { demoBgpAdvertisement, demoL2Advertisement, demoPool, demoService } from './demo-objects.js';
import { applyObject, deleteObject, kubeConfigFrom } from './lab-api.js';
import { labKill, labRevive } from './lab-control.js';
import { checkLabEnvironment } from './lab-environment.js';
import { FailoverProbe, wallNow } from './failover-probe.js';
import { metallbNamespace, planLab, type LabOptions, type LabPlan } from './lab-plan.js';
import { readLabState, type LabState } from './lab-state.js';
import { labProblems, labUp } from './lab-up.js';

type Out = (line: string) => void;

interface Demo {
  readonly plan: LabPlan;
  readonly state: LabState;
  readonly kc: k8s.KubeConfig;
  readonly out: Out;
  readonly step: (title: string) => void;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;

export async function runDemo(options: LabOptions, root: string, out: Out): Promise<number> {
  checkLabEnvironment(options.router);
  out('metallb-ts lab demo: LoadBalancer Services on a virtual bare-metal cluster, with failover and BGP (about a minute)');
  let n = 0;
  const step = (title: string): void => out(`\n[${++n}/6] ${title}`);
  step('the lab: nodes, a client and a router on one LAN, an outside host behind the router');
  const plan = await ensureLab(options, root, (l) => out(`      ${l}`));
  const state = readLabState(plan.paths.state);
  if (state === undefined) throw new Error('the lab has no state file');
  const demo: Demo = { plan, state, kc: kubeConfigFrom(plan.paths.kubeconfig), out, step };
  for (const node of plan.nodeNames) await labRevive(plan, readLabState(plan.paths.state) ?? state, node);
  const ips = await applyDemo(demo);
  const owner = await reachFromClient(demo, ips);
  await failover(demo, ips, owner);
  await bgp(demo, ips);
  await explainStep(demo);
  const named = plan.name === 'lab' ? '' : ` --name ${plan.name}`;
  out('\nThe lab is still up. Try:');
  out(`  sudo npx metallb-ts lab status${named}`.padEnd(56) + 'hosts, Services, announcing nodes, BGP sessions');
  out(`  sudo npx metallb-ts lab exec${named} client -- curl http://${ips[0] ?? ''}/`);
  out(`  sudo npx metallb-ts lab kill${named} node2`.padEnd(56) + 'then lab revive node2; lab kill api freezes the API server');
  out(`  sudo npx metallb-ts explain default/web --lab${plan.name === 'lab' ? '' : ` ${plan.name}`}`);
  out(`  sudo npx metallb-ts lab down${named}`.padEnd(56) + 'removes everything');
  return 0;
}

/** Uses the lab that is up whatever its options, else brings one up. */
async function ensureLab(options: LabOptions, root: string, progress: Out): Promise<LabPlan> {
  const probe = planLab(options, root);
  const state = readLabState(probe.paths.state);
  if (state !== undefined) {
    const plan = planLab({ name: state.name, nodes: state.nodes, router: state.router }, root);
    if ((await labProblems(plan, state)).length === 0) {
      progress(`lab ${plan.name} is up: ${plan.nodeNames.length} nodes, router ${plan.router}`);
      return plan;
    }
  }
  return (await labUp(options, root, progress)).plan;
}

async function applyDemo(d: Demo): Promise<string[]> {
  d.step('a pool, an L2Advertisement and a Service (as kubectl apply would)');
  // A fresh start on a second run: the Service is created anew (and BGP comes later).
  await deleteObject(d.kc, demoBgpAdvertisement);
  await deleteObject(d.kc, demoService);
  const startMs = performance.now();
  for (const obj of [demoPool, demoL2Advertisement, demoService]) await applyObject(d.kc, obj);
  d.out(`      IPAddressPool demo        ${demoPool.spec.addresses.join(', ')}`);
  d.out('      L2Advertisement demo      every node may answer ARP/NDP for the pool\'s addresses');
  d.out('      Service default/web       LoadBalancer, dual-stack, port 80, externalTrafficPolicy Local; a web pod on every node');
  const core = d.kc.makeApiClient(k8s.CoreV1Api);
  const ips = await waitFor(async () => {
    const svc = await core.readNamespacedService({ name: 'web', namespace: 'default' });
    const list = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
    return list.length > 0 ? list : undefined;
  }, { timeoutMs: 15_000, intervalMs: 50, what: 'the controller to give default/web an address' });
  d.out(`      the controller gave web ${ips.join(' and ')} (${seconds(performance.now() - startMs)} after the apply)`);
  const owner = await l2Owner(d);
  d.out(`      ${owner} won the layer-2 election (MetalLB's rule: lowest sha256 of node name and IP) and answers ARP/NDP for them`);
  return ips;
}

/** The nodes with a ServiceL2Status for default/web (what the speakers say they announce). */
async function l2Announcers(d: Demo): Promise<string[]> {
  const custom = d.kc.makeApiClient(k8s.CustomObjectsApi);
  const list = (await custom.listNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural: 'servicel2statuses' })) as
    { items: { status?: { node?: string; serviceName?: string } }[] };
  return list.items.filter((o) => o.status?.serviceName === 'web').flatMap((o) => o.status?.node ?? []);
}

async function l2Owner(d: Demo): Promise<string> {
  return waitFor(async () => (await l2Announcers(d))[0], { timeoutMs: 15_000, intervalMs: 100, what: 'a ServiceL2Status for default/web' });
}

const answerNode = (body: string): string => {
  try {
    return (JSON.parse(body) as { node?: string }).node ?? body.trim();
  } catch {
    return body.trim();
  }
};

async function reachFromClient(d: Demo, ips: readonly string[]): Promise<string> {
  d.step('the client reaches the Service');
  const client = d.plan.hosts.client;
  let owner = '';
  for (const ip of ips) {
    const url = ip.includes(':') ? `[${ip}]` : ip;
    const body = await waitFor(() => httpFrom(client.netns, ip), { timeoutMs: 10_000, intervalMs: 100, what: `an answer from http://${url}/` });
    owner = answerNode(body);
    d.out(`      client$ curl http://${url}/`.padEnd(44) + body.trim());
  }
  const mac = await neighborMac(client.netns, ips[0] ?? '');
  const macOwner = d.plan.hosts.nodes.find((n) => n.mac === mac)?.name ?? 'an unknown host';
  d.out(`      the client's neighbor table: ${ips[0] ?? ''} is at ${mac ?? '?'} (${macOwner}'s MAC; the address is on no interface)`);
  return owner;
}

/** One HTTP GET from a namespace (curl), returning the body. */
async function httpFrom(netns: string, ip: string): Promise<string> {
  const url = `http://${ip.includes(':') ? `[${ip}]` : ip}/`;
  return (await runIn(netns, 'curl', ['-s', '-m', '1', url], { timeoutMs: 3000 })).stdout;
}

async function failover(d: Demo, ips: readonly string[], owner: string): Promise<void> {
  d.step(`${owner} fails (its link is cut at the switch)`);
  if (d.plan.nodeNames.length < 2) {
    d.out('      (a one-node lab has nowhere to fail over to: skipped)');
    return;
  }
  const ip = ips[0] ?? '';
  const probe = new FailoverProbe(d.plan.hosts.client.netns, `http://${ip}/`);
  try {
    const before = await probe.steady();
    d.out(`      the client asks http://${ip}/ every 20 ms on a new connection: ${before} answers`);
    const atMs = wallNow();
    await labKill(d.plan, readLabState(d.plan.paths.state) ?? d.state, before, 'link');
    const f = await probe.failover(before, atMs);
    d.out(`      ${f.to} answers ${seconds(f.ms)} after the cut (${f.failedAttempts} attempts failed meanwhile):`);
    d.out(`      the speakers' gossip found ${before} gone, ${f.to} won the election and sent gratuitous ARP/NA`);
  } finally {
    probe.stop();
    await labRevive(d.plan, readLabState(d.plan.paths.state) ?? d.state, owner);
  }
  // The node that stood in removes its ServiceL2Status once the owner is back; explain (step 6) reads them.
  await waitFor(async () => {
    const nodes = await l2Announcers(d);
    return nodes.length === 1 && nodes[0] === owner;
  }, { timeoutMs: 15_000, intervalMs: 200, what: `${owner} alone to hold the ServiceL2Status` }).catch(() => undefined);
  d.out(`      ${owner} is back (lab revive ${owner}): it rejoins the gossip and takes the address back if it sorts first`);
}

async function bgp(d: Demo, ips: readonly string[]): Promise<void> {
  d.step('BGP: a BGPAdvertisement for the pool; every node peers with the router');
  if (d.plan.router === 'none') {
    d.out('      (this lab runs no router daemon: --router none; skipped)');
    return;
  }
  await applyObject(d.kc, demoBgpAdvertisement);
  d.out(`      BGPAdvertisement demo: each node advertises the Service's addresses to the router (${d.plan.router}, AS 64500)`);
  const router = d.plan.hosts.router;
  const want = d.plan.nodeNames.length;
  for (const ip of ips) {
    const prefix = `${ip}/${ip.includes(':') ? 128 : 32}`;
    const hops = await waitFor(async () => {
      const h = await kernelNextHops(router.netns, prefix);
      return h.length >= want ? h : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200, what: `${want} next hops for ${prefix} on the router` }).catch(async () => kernelNextHops(router.netns, prefix));
    d.out(`      router$ ip route show ${ip}`.padEnd(44) + `${hops.length} next hops: ${hops.join(', ')}`);
  }
  const counts = new Map<string, number>();
  for (let i = 0; i < 12; i++) {
    try {
      const node = answerNode(await httpFrom(d.plan.hosts.outside.netns, ips[0] ?? ''));
      counts.set(node, (counts.get(node) ?? 0) + 1);
    } catch (err) {
      counts.set(`error (${errorMessage(err).slice(0, 40)})`, (counts.get('error') ?? 0) + 1);
    }
  }
  const spread = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([node, c]) => `${node} x${c}`).join(', ');
  d.out(`      outside$ curl http://${ips[0] ?? ''}/ (12 times)   ${spread}`);
  d.out('      (ECMP: the router hashes each connection to one node; externalTrafficPolicy Local serves it there)');
}

async function explainStep(d: Demo): Promise<void> {
  d.step(`why: metallb-ts explain default/web --lab${d.plan.name === 'lab' ? '' : ` ${d.plan.name}`}`);
  const snapshot = await readClusterSnapshot(d.kc, { namespace: metallbNamespace, loadBalancerClass: '', service: { namespace: 'default', name: 'web' } });
  for (const line of explain(snapshot, 'default/web').summary) d.out(`      ${line}`);
}

