/**
 * Running the host tools the lab is built from (`ip`, `nft`, `sysctl`, `socat`), asynchronously: the test
 * process often hosts responders that must keep answering while a tool runs in another namespace.
 */
import { execFile } from 'node:child_process';
import { MetallbError } from '../../lib/errors.js';

export interface RunOptions {
  /** Bytes for the tool's stdin (e.g. an `nft -f -` ruleset or an `ip -batch -` script). */
  readonly input?: string;
  /** Kill the tool after this long; default 20 s. */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file args...`; rejects with code `ECOMMAND` (and the tool's stderr in the message) on a non-zero exit. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file, args,
      { encoding: 'utf8', timeout: options.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve({ stdout, stderr });
          return;
        }
        const detail = stderr.trim().split('\n').slice(-3).join(' | ') || err.message;
        reject(new MetallbError('ECOMMAND', `running ${[file, ...args].join(' ')}: ${detail}`, { cause: err }));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a tool inside network namespace `netns` (`ip netns exec`). */
export function runIn(netns: string, file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('ip', ['netns', 'exec', netns, file, ...args], options);
}

/** Runs `ip` with `-n netns` (cheaper than `ip netns exec`: no new mount namespace). */
export function ipIn(netns: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('ip', ['-n', netns, ...args], options);
}

/** Runs several `ip` commands in one process (`ip -n netns -batch -`), one command per line. */
export async function ipBatch(netns: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await run('ip', ['-n', netns, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/** Sets sysctls inside `netns` (keys as `net.ipv4.ip_forward`). */
export async function sysctlIn(netns: string, values: Readonly<Record<string, string | number>>): Promise<void> {
  const pairs = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  if (pairs.length > 0) await runIn(netns, 'sysctl', ['-qw', ...pairs]);
}
