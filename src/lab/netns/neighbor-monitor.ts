/**
 * Watches a namespace's neighbor table as the kernel changes it (`ip -ts monitor neigh`), with the time of
 * each change, so a test can say when the client's kernel moved an entry without polling (polling by
 * spawning `ip` costs tens of milliseconds on a busy machine and blocks the caller's event loop while it forks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MetallbError } from '../../lib/errors.js';
import { ipIn } from './command.js';
import { waitFor } from './wait.js';

export interface NeighborEvent {
  /** Wall-clock time of the change as `ip` received it, in ms since the epoch (microsecond fraction kept). */
  readonly atWallMs: number;
  readonly ip: string;
  readonly lladdr: string | undefined;
  /** The rest of the line: device, state, `Deleted`... */
  readonly line: string;
}

const linePattern = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\]\s+(Deleted\s+)?(\S+)\s+(.*)$/;

/** Parses one `ip -ts monitor neigh` line (local time, as `ip` prints it); undefined for other lines. */
export function parseNeighborEvent(text: string): NeighborEvent | undefined {
  const m = linePattern.exec(text.trim());
  if (m === null) return undefined;
  const [, seconds, micros, deleted, ip, rest] = m as unknown as [string, string, string, string | undefined, string, string];
  const lladdr = /lladdr (\S+)/.exec(rest)?.[1];
  return { atWallMs: Date.parse(seconds) + Number(micros) / 1000, ip, lladdr: deleted === undefined ? lladdr : undefined, line: `${deleted ?? ''}${rest}` };
}

/** Now, in the same wall-clock terms as `NeighborEvent.atWallMs` (sub-millisecond). */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class NeighborMonitor {
  readonly events: NeighborEvent[] = [];
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const event = parseNeighborEvent(line);
      if (event !== undefined) this.events.push(event);
    });
  }

  /**
   * Starts monitoring `netns` and resolves once the subscription is proven: a permanent entry for a
   * TEST-NET-1 address (192.0.2.254) is added on `ifname`, seen, and removed again.
   */
  static async start(netns: string, ifname: string): Promise<NeighborMonitor> {
    const child = spawn('ip', ['-n', netns, '-ts', 'monitor', 'neigh'], { stdio: ['ignore', 'pipe', 'ignore'] });
    if (child.pid === undefined) throw new MetallbError('ESPAWN', `starting ip monitor in ${netns}`);
    const monitor = new NeighborMonitor(child);
    const marker = '192.0.2.254';
    try {
      await waitFor(async () => {
        await ipIn(netns, ['neigh', 'replace', marker, 'lladdr', '02:00:00:00:00:fe', 'dev', ifname, 'nud', 'permanent']);
        return monitor.events.some((e) => e.ip === marker);
      }, { timeoutMs: 5000, intervalMs: 50, what: `ip monitor in ${netns} to report changes` });
    } catch (err) {
      monitor.stop();
      throw err;
    } finally {
      await ipIn(netns, ['neigh', 'del', marker, 'dev', ifname]).catch(() => undefined);
    }
    return monitor;
  }

  /** The first event at or after `sinceWallMs` where `ip` maps to `lladdr`. */
  firstMove(ip: string, lladdr: string, sinceWallMs: number): NeighborEvent | undefined {
    return this.events.find((e) => e.ip === ip && e.lladdr === lladdr && e.atWallMs >= sinceWallMs);
  }

  /** Stops the `ip` process (by its PID). */
  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
