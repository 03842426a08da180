/**
 * `lab up`: a virtual bare-metal cluster in network namespaces, built step by step with a progress line per
 * step, every process recorded in the state file as soon as it runs. A second `up` of a lab that is up does
 * nothing; a lab found broken (its API server or namespaces gone) is removed and built again. When a step
 * fails, everything made so far is removed (the logs stay in the lab's directory for `lab down` to remove).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetallbError, errorMessage } from '../../lib/errors.js';
import { buildNetwork, namespacesWithPrefix, type Network } from '../netns/network.js';
import { waitFor } from '../netns/wait.js';
import { applyObject, kubeConfigFrom, writeStatus } from './lab-api.js';
import { labDown } from './lab-down.js';
import { checkLabEnvironment } from './lab-environment.js';
import { labObjects } from './lab-objects.js';
import {
  labAsn, metallbNamespace, nodeApiPort, planLab, podHttpPort, podTcpPort, speakerPodLabels, type LabOptions, type LabPlan,
} from './lab-plan.js';
import { labRouter } from './lab-router.js';
import { newLabState, readLabState, writeLabState, type LabState } from './lab-state.js';
import { isAlive, recordOf, spawnDetached } from './processes.js';

const dist = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
export const labEntries = {
  main: dist('../../cmd/main.js'),
  api: dist('./api-main.js'),
  kube: dist('./kube-main.js'),
  pod: dist('../netns/pod-main.js'),
} as const;

export type Progress = (line: string) => void;

/** Why a recorded lab is not fully up (empty: it is). */
export async function labProblems(plan: LabPlan, state: LabState): Promise<string[]> {
  const problems: string[] = [];
  if (state.phase !== 'up') problems.push(`its last 'lab up' did not finish (${state.phase})`);
  const api = state.processes['api'];
  if (api === undefined || !isAlive(api)) problems.push('its API server is not running');
  const existing = new Set(await namespacesWithPrefix(plan.prefix));
  const missing = plan.topology.hosts.map((h) => `${plan.prefix}-${h.name}`).filter((ns) => !existing.has(ns));
  if (missing.length > 0) problems.push(`namespaces ${missing.join(', ')} are missing`);
  return problems;
}

export interface UpResult {
  readonly plan: LabPlan;
  /** False when the lab was already up. */
  readonly built: boolean;
}

/** Brings the lab up (or finds it up). */
export async function labUp(options: LabOptions, root: string, progress: Progress): Promise<UpResult> {
  const plan = planLab(options, root);
  checkLabEnvironment(plan.router);
  const existing = readLabState(plan.paths.state);
  if (existing !== undefined) {
    const problems = await labProblems(planLab({ name: existing.name, nodes: existing.nodes, router: existing.router }, root), existing);
    if (problems.length === 0) {
      if (existing.nodes !== options.nodes || existing.router !== options.router) {
        throw new MetallbError('ELABEXISTS', `lab ${plan.name} is up with ${existing.nodes} nodes and router ${existing.router}: run 'lab down${plan.name === 'lab' ? '' : ` --name ${plan.name}`}' first to change them`);
      }
      progress(`lab ${plan.name} is already up (kubeconfig ${plan.paths.kubeconfig})`);
      return { plan, built: false };
    }
    progress(`lab ${plan.name} is not healthy (${problems.join('; ')}): rebuilding it`);
    await labDown(plan.name, root, progress);
  } else if ((await namespacesWithPrefix(plan.prefix)).length > 0) {
    await labDown(plan.name, root, progress);
  }
  const startedMs = performance.now();
  const state = newLabState(options, plan.prefix);
  mkdirSync(plan.paths.dir, { recursive: true, mode: 0o755 });
  // The FRR daemons run as user frr and must reach their files under the lab's directory.
  chmodSync(root, 0o755);
  chmodSync(plan.paths.dir, 0o755);
  writeLabState(plan.paths.state, state);
  try {
    await build(plan, state, progress);
    state.phase = 'up';
    state.upAt = new Date().toISOString();
    writeLabState(plan.paths.state, state);
    progress(`lab ${plan.name} is up in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
    return { plan, built: true };
  } catch (err) {
    state.phase = 'failed';
    writeLabState(plan.paths.state, state);
    progress(`lab up failed: ${errorMessage(err)}; removing what was made (logs stay in ${plan.paths.dir} until 'lab down')`);
    await labDown(plan.name, root, () => {}, { keepLogs: true });
    throw err;
  }
}

async function build(plan: LabPlan, state: LabState, progress: Progress): Promise<void> {
  const save = (): void => writeLabState(plan.paths.state, state);
  const network = await buildNetwork(plan.topology, { workDir: plan.paths.dir, persistent: true });
  const n = plan.nodeNames.length;
  progress(`network: switch, ${n} node${n === 1 ? '' : 's'} (${plan.hosts.nodes[0]?.ipv4 ?? ''}..), router ${plan.hosts.router.ipv4}, client ${plan.hosts.client.ipv4}, outside ${plan.hosts.outside.ipv4} (IPv4 and IPv6)`);
  await startApi(plan, state, save);
  progress(`API server: http://127.0.0.1:${state.apiPort ?? 0} (kubeconfig ${plan.paths.kubeconfig})`);
  await createObjects(plan);
  progress(`cluster objects: ${n} Nodes, a speaker Pod and a web Pod per node${plan.router === 'none' ? '' : ', BGPPeers router and router-v6'}`);
  state.processes['controller'] = spawnDetached([process.execPath, labEntries.main, 'controller', '--kubeconfig', plan.paths.kubeconfig,
    '--namespace', metallbNamespace, '--no-leader-elect', '--port', '0', '--health-probe-port', '0'], join(plan.paths.dir, 'controller.log'));
  state.processes['kube'] = spawnDetached([process.execPath, labEntries.kube, '--name', plan.name, '--root', rootOf(plan)], join(plan.paths.dir, 'kube.log'));
  save();
  progress('controller, and the lab\'s EndpointSlice controller, kube-proxy (nft DNAT) and kubelet stand-ins');
  await startRouter(plan, network, state, save, progress);
  for (const node of plan.hosts.nodes) startNode(plan, network, state, node.name, node.ipv4);
  save();
  progress(`speakers: one per node, in the node's namespace (host network); web pods answer HTTP :${podHttpPort} with their node's name`);
  await waitForProcesses(state);
  if (plan.router !== 'none') await waitForSessions(plan, network, progress);
}

function rootOf(plan: LabPlan): string {
  return join(plan.paths.dir, '..');
}

async function startApi(plan: LabPlan, state: LabState, save: () => void): Promise<void> {
  const log = join(plan.paths.dir, 'api.log');
  const rec = spawnDetached([process.execPath, labEntries.api, '--kubeconfig', plan.paths.kubeconfig, '--socket', plan.paths.apiSocket], log);
  state.processes['api'] = rec;
  save();
  const line = await waitFor(() => {
    if (!isAlive(rec)) throw new MetallbError('ELABAPI', `the API server exited: ${readFileSync(log, 'utf8').trim()}`);
    return readFileSync(log, 'utf8').split('\n').find((l) => l.startsWith('{"url"'));
  }, { timeoutMs: 15_000, what: 'the API server to listen' });
  state.apiPort = (JSON.parse(line) as { port: number }).port;
  save();
  const hostConfig = readFileSync(plan.paths.kubeconfig, 'utf8');
  writeFileSync(plan.paths.nodeKubeconfig, hostConfig.replace(`http://127.0.0.1:${state.apiPort}`, `http://127.0.0.1:${nodeApiPort}`), { mode: 0o600 });
}

async function createObjects(plan: LabPlan): Promise<void> {
  const kc = kubeConfigFrom(plan.paths.kubeconfig);
  for (const obj of labObjects(plan, new Date().toISOString())) {
    await applyObject(kc, obj);
    await writeStatus(kc, obj);
  }
}

function startNode(plan: LabPlan, network: Network, state: LabState, node: string, ipv4: string): void {
  state.processes[`forwarder/${node}`] = recordOf(network.start(node,
    ['socat', `TCP-LISTEN:${nodeApiPort},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${plan.paths.apiSocket}`], 'forwarder'));
  state.processes[`pod/${node}`] = recordOf(network.start(node,
    [process.execPath, labEntries.pod, '--name', node, '--tcp-port', String(podTcpPort), '--http-port', String(podHttpPort)], 'pod'));
  state.processes[`speaker/${node}`] = recordOf(network.start(node, speakerCommand(plan, node, ipv4), 'speaker'));
}

/** The speaker as a host-network DaemonSet Pod would run it on `node`. */
export function speakerCommand(plan: LabPlan, node: string, ipv4: string): string[] {
  const labels = Object.entries(speakerPodLabels).map(([k, v]) => `${k}=${v}`).join(',');
  return [process.execPath, labEntries.main, 'speaker', '--node', node, '--kubeconfig', plan.paths.nodeKubeconfig,
    '--namespace', metallbNamespace, '--pod-name', `speaker-${node}`, '--ml-bindaddr', ipv4, '--ml-labels', labels];
}

async function startRouter(plan: LabPlan, network: Network, state: LabState, save: () => void, progress: Progress): Promise<void> {
  const router = labRouter(plan, network);
  if (router === undefined) {
    progress(`router: no daemon (--router none); namespace ${plan.hosts.router.netns} has ${plan.hosts.router.ipv4} and ${plan.hosts.router.ipv6} for your own`);
    return;
  }
  try {
    await router.start();
  } finally {
    for (const proc of network.supervisor.running()) {
      if (proc.netns !== plan.hosts.router.netns) continue;
      const daemon = (proc.command[0] ?? '').split('/').pop() ?? 'daemon';
      state.processes[`router/${daemon}`] = recordOf(proc);
    }
    save();
  }
  progress(`router: ${plan.router} (AS ${labAsn.router}), a session to every node (AS ${labAsn.node}) over IPv4 and IPv6`);
}

/** What a process prints once it runs (roles not listed only have to stay alive). */
const startMarkers: Readonly<Record<string, string>> = { speaker: 'speaker started', pod: 'listening', kube: '"ready"', controller: 'controller started' };

/** Waits until every process has printed its start marker; one that exits first fails the build with its log. */
async function waitForProcesses(state: LabState): Promise<void> {
  const check = (): { dead?: string; pending: string[] } => {
    const pending: string[] = [];
    for (const [role, rec] of Object.entries(state.processes)) {
      if (!isAlive(rec)) return { dead: `${role} exited at start (log ${rec.log}: ${lastLines(rec.log)})`, pending };
      const marker = startMarkers[role.split('/')[0] ?? ''];
      if (marker !== undefined && !readLog(rec.log).includes(marker)) pending.push(role);
    }
    return { pending };
  };
  let last = check();
  try {
    await waitFor(() => {
      last = check();
      return last.dead !== undefined || last.pending.length === 0;
    }, { timeoutMs: 30_000, intervalMs: 100 });
  } catch {
    throw new MetallbError('ELABPROC', `not started within 30 s: ${last.pending.join(', ')}`);
  }
  if (last.dead !== undefined) throw new MetallbError('ELABPROC', last.dead);
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The lines of a log that say what went wrong (those naming an error, else the last two). */
function lastLines(file: string): string {
  const lines = readLog(file).trim().split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return 'no output';
  const errors = lines.filter((l) => /error|fatal|EADDRINUSE|EACCES/i.test(l));
  return (errors.length > 0 ? errors.slice(0, 2) : lines.slice(-2)).join(' | ').slice(0, 400);
}

async function waitForSessions(plan: LabPlan, network: Network, progress: Progress): Promise<void> {
  const router = labRouter(plan, network);
  if (router === undefined) return;
  const want = plan.hosts.nodes.length * 2;
  try {
    const up = await waitFor(async () => {
      const s = await router.established();
      return s.size >= want ? s.size : false;
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'BGP sessions' });
    progress(`BGP: ${up} sessions Established`);
  } catch {
    const s = await router.established().catch(() => new Set<string>());
    progress(`BGP: ${s.size} of ${want} sessions Established so far (see 'lab status')`);
  }
}
