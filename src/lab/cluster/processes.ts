/**
 * The lab's long-lived processes, known by PID across commands: each is recorded with its start time
 * (`/proc/PID/stat` field 22), so a later command never signals a PID the kernel has since given to another
 * process. Processes of the root namespace (API server, controller, the lab's kube stand-in) are spawned here,
 * detached; those inside namespaces come from the harness's detached supervisor and are recorded the same way.
 * Nothing is ever found or killed by name.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { MetallbError } from '../../lib/errors.js';
import type { SupervisedProcess } from '../netns/supervisor.js';
import { waitFor } from '../netns/wait.js';

export interface ProcessRecord {
  readonly pid: number;
  /** Clock ticks since boot when the process started (`/proc/PID/stat` field 22). */
  readonly startTime: string;
  /** The namespace it runs in; undefined for the root namespace. */
  readonly netns?: string;
  readonly command: readonly string[];
  readonly log: string;
}

/** Field 22 of `/proc/PID/stat` and the state letter, or undefined when there is no such process. */
function statOf(pid: number): { startTime: string; state: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTime = rest[19];
  return state === undefined || startTime === undefined ? undefined : { startTime, state };
}

export function processStartTime(pid: number): string | undefined {
  return statOf(pid)?.startTime;
}

/** True when the recorded process still runs (same PID and start time, not a zombie). */
export function isAlive(rec: ProcessRecord): boolean {
  const s = statOf(rec.pid);
  return s !== undefined && s.startTime === rec.startTime && s.state !== 'Z' && s.state !== 'X';
}

/** True when the recorded process is stopped by a signal (SIGSTOP). */
export function isFrozen(rec: ProcessRecord): boolean {
  const s = statOf(rec.pid);
  return s !== undefined && s.startTime === rec.startTime && s.state === 'T';
}

function record(pid: number | undefined, command: readonly string[], log: string, netns?: string): ProcessRecord {
  if (pid === undefined) throw new MetallbError('ESPAWN', `starting ${command.join(' ')}: no pid`);
  const startTime = processStartTime(pid);
  if (startTime === undefined) throw new MetallbError('ESPAWN', `starting ${command.join(' ')}: exited at once (see ${log})`);
  return { pid, startTime, command, log, ...(netns === undefined ? {} : { netns }) };
}

/** Starts `argv` in the root namespace, in a session of its own, output appended to `log`; it outlives us. */
export function spawnDetached(argv: readonly string[], log: string, env: NodeJS.ProcessEnv = process.env): ProcessRecord {
  const [file, ...args] = argv;
  if (file === undefined) throw new MetallbError('ESPAWN', 'starting a process: empty command');
  const fd = openSync(log, 'a');
  try {
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], detached: true, env });
    child.unref();
    return record(child.pid, argv, log);
  } finally {
    closeSync(fd);
  }
}

/** The record of a process the (detached) harness supervisor started inside a namespace. */
export function recordOf(proc: SupervisedProcess): ProcessRecord {
  return record(proc.pid, proc.command, proc.logFile, proc.netns);
}

function signal(rec: ProcessRecord, sig: NodeJS.Signals): void {
  if (!isAlive(rec) && !isFrozen(rec)) return;
  try {
    process.kill(rec.pid, sig);
  } catch {
    // Gone in between.
  }
}

/** Sends `sig` to the recorded process if it is still that process. */
export function signalRecorded(rec: ProcessRecord, sig: NodeJS.Signals): void {
  signal(rec, sig);
}

/** SIGTERM (resuming a frozen process so it can act on it), then SIGKILL after `graceMs`; waits until gone. */
export async function stopRecorded(rec: ProcessRecord, graceMs = 3000): Promise<void> {
  if (!isAlive(rec)) return;
  signal(rec, 'SIGTERM');
  signal(rec, 'SIGCONT');
  try {
    await waitFor(() => !isAlive(rec), { timeoutMs: graceMs, intervalMs: 25 });
  } catch {
    signal(rec, 'SIGKILL');
    await waitFor(() => !isAlive(rec), { timeoutMs: 5000, intervalMs: 25, what: `pid ${rec.pid} (${rec.command[0] ?? ''}) to exit` });
  }
}

/** SIGKILL at once (a crash, as `lab kill` does), waiting until gone. */
export async function killRecorded(rec: ProcessRecord): Promise<void> {
  if (!isAlive(rec)) return;
  signal(rec, 'SIGKILL');
  await waitFor(() => !isAlive(rec), { timeoutMs: 5000, intervalMs: 10, what: `pid ${rec.pid} to die` });
}
