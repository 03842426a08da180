/**
 * `lab down`: removes everything a lab made, found from its state file and its namespace prefix (so it works
 * after a half-finished `up` and without a state file): the host processes by recorded PID, then every
 * process inside the lab's namespaces (`ip netns pids`), the namespaces (which takes the links, the bridge and
 * the nft tables with them), and the lab's directory.
 */
import { existsSync, rmSync } from 'node:fs';
import { namespacesWithPrefix, removeNamespacesWithPrefix } from '../netns/network.js';
import { labPaths, labPrefix } from './lab-plan.js';
import { readLabState } from './lab-state.js';
import { isAlive, stopRecorded } from './processes.js';

export interface DownResult {
  /** Whether there was anything to remove. */
  readonly found: boolean;
  readonly namespaces: number;
  readonly processes: number;
}

/** Host processes first (clients before the API server), then the rest. */
const stopOrder = (role: string): number => (role === 'api' ? 2 : role.includes('/') ? 1 : 0);

export interface DownOptions {
  /** Keep the lab's directory (its logs) after a failed `up`; the next `down` removes it. */
  readonly keepLogs?: boolean;
}

export async function labDown(name: string, root: string, progress: (line: string) => void = () => {}, options: DownOptions = {}): Promise<DownResult> {
  const paths = labPaths(name, root);
  const state = readLabState(paths.state);
  const prefix = state?.prefix ?? labPrefix(name);
  const records = Object.entries(state?.processes ?? {}).filter(([, rec]) => isAlive(rec));
  // In three waves (host clients, the namespaces' processes, the API server last), each in parallel.
  for (const wave of [0, 1, 2]) {
    await Promise.all(records.filter(([role]) => stopOrder(role) === wave).map(([role, rec]) => stopRecorded(rec, role.startsWith('speaker/') ? 1000 : 3000)));
  }
  const stopped = records.length;
  const namespaces = await namespacesWithPrefix(prefix);
  await removeNamespacesWithPrefix(prefix);
  const found = state !== undefined || namespaces.length > 0 || existsSync(paths.dir);
  if (options.keepLogs === true) rmSync(paths.state, { force: true });
  else rmSync(paths.dir, { recursive: true, force: true });
  if (found) progress(`lab ${name}: stopped ${stopped} processes, removed ${namespaces.length} namespaces and ${paths.dir}`);
  return { found, namespaces: namespaces.length, processes: stopped };
}
