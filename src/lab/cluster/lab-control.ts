/**
 * Breaking and mending a running lab, and running commands in it:
 *  - `kill NODE`: the node's speaker dies at once (SIGKILL), as a crashed DaemonSet Pod; `--link` cuts the
 *    node's LAN link at the switch instead (the node drops off the network, its processes keep running).
 *  - `kill api`: the API server is frozen (SIGSTOP): every request of the controller, the speakers and the
 *    lab's own stand-ins hangs, as when the API server is unreachable. The lab's API server keeps its objects
 *    in memory only, so a real stop would lose the cluster; `revive api` resumes it (SIGCONT) as it was.
 *  - `revive NODE`: restarts what `kill` stopped (speaker, web pod) and restores the link.
 *  - `exec HOST -- CMD`: CMD inside the host's namespace.
 */
import { spawn } from 'node:child_process';
import { MetallbError } from '../../lib/errors.js';
import { cutLink, restoreLink } from '../netns/links.js';
import { waitFor } from '../netns/wait.js';
import { labEntries, speakerCommand } from './lab-up.js';
import { labHost, podHttpPort, podTcpPort, type LabPlan } from './lab-plan.js';
import { labNetwork } from './lab-router.js';
import { writeLabState, type LabState } from './lab-state.js';
import { isAlive, isFrozen, killRecorded, recordOf, signalRecorded } from './processes.js';

export type KillMode = 'speaker' | 'link';

function nodeOf(plan: LabPlan, name: string): { name: string; ipv4: string } {
  const host = labHost(plan, name);
  if (!plan.nodeNames.includes(name)) throw new MetallbError('EINVAL', `"${name}" is not a node of lab ${plan.name} (nodes: ${plan.nodeNames.join(', ')}); or "api"`);
  return host;
}

function apiRecord(state: LabState) {
  const rec = state.processes['api'];
  if (rec === undefined || (!isAlive(rec) && !isFrozen(rec))) {
    throw new MetallbError('ELABAPI', 'the lab API server is not running (its objects were in memory): lab down, then lab up');
  }
  return rec;
}

/** Returns a sentence saying what was done. */
export async function labKill(plan: LabPlan, state: LabState, target: string, mode: KillMode): Promise<string> {
  if (target === 'api') {
    const rec = apiRecord(state);
    if (isFrozen(rec)) return 'the API server is already frozen';
    signalRecorded(rec, 'SIGSTOP');
    await waitFor(() => isFrozen(rec), { timeoutMs: 5000, what: 'the API server to stop' });
    return `froze the API server (pid ${rec.pid}): its clients' requests now hang; 'lab revive api' resumes it`;
  }
  const node = nodeOf(plan, target);
  if (mode === 'link') {
    await cutLink(labNetwork(plan), node.name, 'carrier');
    if (!state.cutLinks.includes(node.name)) state.cutLinks.push(node.name);
    writeLabState(plan.paths.state, state);
    return `cut ${node.name}'s link at the switch (its processes keep running)`;
  }
  const rec = state.processes[`speaker/${node.name}`];
  if (rec === undefined || !isAlive(rec)) return `${node.name}'s speaker is not running`;
  await killRecorded(rec);
  return `killed ${node.name}'s speaker (pid ${rec.pid}, SIGKILL)`;
}

export async function labRevive(plan: LabPlan, state: LabState, target: string): Promise<string> {
  if (target === 'api') {
    const rec = apiRecord(state);
    if (!isFrozen(rec)) return 'the API server is running';
    signalRecorded(rec, 'SIGCONT');
    await waitFor(() => !isFrozen(rec), { timeoutMs: 5000, what: 'the API server to resume' });
    return `resumed the API server (pid ${rec.pid})`;
  }
  const node = nodeOf(plan, target);
  const network = labNetwork(plan);
  const done: string[] = [];
  if (state.cutLinks.includes(node.name)) {
    await restoreLink(network, node.name);
    state.cutLinks = state.cutLinks.filter((n) => n !== node.name);
    done.push('restored its link');
  }
  const pod = state.processes[`pod/${node.name}`];
  if (pod === undefined || !isAlive(pod)) {
    state.processes[`pod/${node.name}`] = recordOf(network.start(node.name,
      [process.execPath, labEntries.pod, '--name', node.name, '--tcp-port', String(podTcpPort), '--http-port', String(podHttpPort)], 'pod'));
    done.push('restarted its web pod');
  }
  const speaker = state.processes[`speaker/${node.name}`];
  if (speaker === undefined || !isAlive(speaker)) {
    state.processes[`speaker/${node.name}`] = recordOf(network.start(node.name, speakerCommand(plan, node.name, node.ipv4), 'speaker'));
    done.push('restarted its speaker');
  }
  writeLabState(plan.paths.state, state);
  return done.length === 0 ? `${node.name} is running` : `${node.name}: ${done.join(', ')}`;
}

/** Runs `command` inside a host's namespace with the terminal attached; resolves with its exit code. */
export function labExec(plan: LabPlan, hostName: string, command: readonly string[]): Promise<number> {
  const host = labHost(plan, hostName);
  const [file, ...args] = command;
  if (file === undefined) throw new MetallbError('EINVAL', 'lab exec: no command (lab exec HOST -- CMD ARGS...)');
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', host.netns, file, ...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}
