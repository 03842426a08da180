/**
 * The gate of the network test tier. Where root, network namespaces or a needed binary are missing, the
 * suite is skipped with a loud message on stderr; under CI=true the skip becomes a failing test instead.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

export interface NetworkNeeds {
  /** Executables that must be on PATH (e.g. `bird`, `vtysh`, `gobgpd`, `nft`). */
  readonly binaries?: readonly string[];
}

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1 || test -x "$1"`, 'sh', binary], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let netnsProblemCache: string | null | undefined;

function netnsProblem(): string | undefined {
  if (netnsProblemCache !== undefined) return netnsProblemCache ?? undefined;
  const probe = `mtprobe-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    netnsProblemCache = null;
  } catch (err) {
    netnsProblemCache = `cannot create a network namespace: ${(err as Error).message.split('\n')[0] ?? ''}`;
  }
  return netnsProblemCache ?? undefined;
}

/** Why the network tier cannot run here, or undefined when it can. */
export function networkTierProblem(needs: NetworkNeeds = {}): string | undefined {
  if (process.platform !== 'linux') return `needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'needs root (run the tests as root, e.g. sudo bash scripts/test)';
  if (!onPath('ip')) return 'needs iproute2 (`ip`); run scripts/setup as root';
  const missing = (needs.binaries ?? []).filter((b) => !onPath(b));
  if (missing.length > 0) return `missing ${missing.join(', ')}; run scripts/setup as root to install the Debian packages`;
  return netnsProblem();
}

/**
 * `describe` for a network-tier suite. When the tier cannot run: under CI=true a failing test says why;
 * elsewhere the suite is skipped and a banner on stderr says so.
 */
export function describeNetwork(name: string, needs: NetworkNeeds, fn: () => void): void {
  const problem = networkTierProblem(needs);
  if (problem === undefined) {
    describe(name, fn);
    return;
  }
  if (process.env['CI'] === 'true') {
    test(`${name}: the network tier must run under CI`, () => {
      throw new Error(`network tier unavailable under CI=true: ${problem}`);
    });
    return;
  }
  process.stderr.write(`\n!!! NETWORK TIER SKIPPED: "${name}": ${problem}\n\n`);
  describe(name, { skip: `NETWORK TIER SKIPPED: ${problem}` }, fn);
}

/** A short random prefix for the namespaces of one test run, so two runs never collide. */
export { runPrefix } from '../../src/lab/netns/prefix.js';
