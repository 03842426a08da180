/**
 * Watching a lab Service from a host while something breaks: the prober (probe-main.ts) runs inside the
 * host's namespace, and its lines are read as they come. `failover(since)` is the time from `since` to the
 * first answer from a node other than the one answering before, and how many attempts failed meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MetallbError } from '../../lib/errors.js';
import { waitFor } from '../netns/wait.js';

const probeMain = fileURLToPath(new URL('./probe-main.js', import.meta.url));

export interface ProbeLine {
  readonly t: number;
  readonly node?: string;
  readonly error?: string;
}

export interface Failover {
  readonly from: string;
  readonly to: string;
  readonly ms: number;
  readonly failedAttempts: number;
}

export const wallNow = (): number => performance.timeOrigin + performance.now();

export class FailoverProbe {
  readonly lines: ProbeLine[] = [];
  private readonly child: ChildProcess;
  private partial = '';

  constructor(netns: string, url: string) {
    this.child = spawn('ip', ['netns', 'exec', netns, process.execPath, probeMain, '--url', url], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      for (const p of parts) if (p !== '') this.lines.push(JSON.parse(p) as ProbeLine);
    });
  }

  /** The node that answered the last `n` attempts in a row, once there is one. */
  async steady(n = 5, timeoutMs = 15_000): Promise<string> {
    return waitFor(() => {
      const last = this.lines.slice(-n);
      const node = last[0]?.node;
      return last.length === n && node !== undefined && last.every((l) => l.node === node) ? node : undefined;
    }, { timeoutMs, intervalMs: 20, what: `${n} answers in a row from one node` });
  }

  /** Waits for an answer from a node other than `from` after `sinceMs` (wall clock). */
  async failover(from: string, sinceMs: number, timeoutMs = 30_000): Promise<Failover> {
    const first = await waitFor(() => this.lines.find((l) => l.t >= sinceMs && l.node !== undefined && l.node !== from), {
      timeoutMs, intervalMs: 10, what: `an answer from another node than ${from}`,
    }).catch((err: unknown) => { throw new MetallbError('ENOFAILOVER', `no other node answered within ${timeoutMs} ms`, { cause: err }); });
    const failedAttempts = this.lines.filter((l) => l.t >= sinceMs && l.t < first.t && l.error !== undefined).length;
    return { from, to: first.node ?? '?', ms: first.t - sinceMs, failedAttempts };
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
