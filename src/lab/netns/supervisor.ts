/**
 * Processes started inside namespaces: output captured to a file, known by PID, stopped by PID (SIGTERM, then
 * SIGKILL after a deadline). `ip netns exec` execs the command, so the child's PID is the command's own PID.
 * Nothing is ever killed by name; `sweepNamespace` kills only what `ip netns pids NS` lists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { MetallbError } from '../../lib/errors.js';
import { run } from './command.js';
import { waitFor } from './wait.js';

export interface StartOptions {
  /** Where stdout and stderr go (appended). */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class SupervisedProcess {
  readonly pid: number;
  readonly netns: string;
  readonly command: readonly string[];
  readonly logFile: string;
  private exitStatus: ExitStatus | undefined;
  private readonly exited: Promise<ExitStatus>;

  constructor(child: ChildProcess, netns: string, command: readonly string[], logFile: string) {
    if (child.pid === undefined) throw new MetallbError('ESPAWN', `starting ${command.join(' ')} in ${netns}: no pid`);
    this.pid = child.pid;
    this.netns = netns;
    this.command = command;
    this.logFile = logFile;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** Resolves when the process has exited. */
  wait(): Promise<ExitStatus> {
    return this.exited;
  }

  /** The captured output so far. */
  output(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 2000): Promise<ExitStatus> {
    if (this.exitStatus !== undefined) return this.exitStatus;
    signalPid(this.pid, 'SIGTERM');
    const timer = setTimeout(() => signalPid(this.pid, 'SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts and tracks processes; `stopAll` ends every one it started, by PID. A `detached` supervisor starts each
 * process in a session of its own and does not hold the event loop for it, so the processes outlive the one
 * that started them (the lab: `metallb-ts lab up` exits, its daemons keep running and are found again by PID).
 */
export class Supervisor {
  private readonly processes = new Set<SupervisedProcess>();
  private readonly detached: boolean;

  constructor(options: { readonly detached?: boolean } = {}) {
    this.detached = options.detached ?? false;
  }

  /** Starts `command` (argv) inside `netns`, with stdout and stderr appended to `options.logFile`. */
  start(netns: string, command: readonly string[], options: StartOptions): SupervisedProcess {
    const [file, ...args] = command;
    if (file === undefined) throw new MetallbError('ESPAWN', `starting a process in ${netns}: empty command`);
    const fd = openSync(options.logFile, 'a');
    try {
      const child = spawn('ip', ['netns', 'exec', netns, file, ...args], {
        stdio: ['ignore', fd, fd],
        env: options.env ?? process.env,
        detached: this.detached,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });
      if (this.detached) child.unref();
      const proc = new SupervisedProcess(child, netns, command, options.logFile);
      this.processes.add(proc);
      void proc.wait().then(() => this.processes.delete(proc));
      return proc;
    } finally {
      closeSync(fd);
    }
  }

  /** The processes started here that are still running. */
  running(): SupervisedProcess[] {
    return [...this.processes].filter((p) => p.running);
  }

  async stopAll(graceMs = 2000): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop(graceMs)));
  }
}

/** Every PID inside `netns` (`ip netns pids`); empty if the namespace is gone. */
export async function namespacePids(netns: string): Promise<number[]> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', netns]);
    return stdout.split(/\s+/).filter((s) => s !== '').map(Number);
  } catch {
    return [];
  }
}

/** Ends every process inside `netns` by PID: SIGTERM, then SIGKILL for what is left after `graceMs`. */
export async function sweepNamespace(netns: string, graceMs = 1000): Promise<void> {
  const pids = await namespacePids(netns);
  if (pids.length === 0) return;
  for (const pid of pids) signalPid(pid, 'SIGTERM');
  try {
    await waitFor(async () => (await namespacePids(netns)).length === 0, { timeoutMs: graceMs, intervalMs: 50 });
  } catch {
    for (const pid of await namespacePids(netns)) signalPid(pid, 'SIGKILL');
    await waitFor(async () => (await namespacePids(netns)).length === 0, { timeoutMs: 5000, intervalMs: 50, what: `processes of ${netns} to exit` });
  }
}
