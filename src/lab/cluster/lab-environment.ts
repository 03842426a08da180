/**
 * What a lab needs from the machine, checked before anything is made, with a message that says what to do:
 * root (namespaces, nftables, raw sockets), network namespace support, the tools the lab runs, and the chosen
 * router's daemon (installed by `sudo bash scripts/setup`).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MetallbError } from '../../lib/errors.js';
import type { RouterChoice } from './lab-plan.js';

const routerBinaries: Readonly<Record<RouterChoice, readonly string[]>> = {
  frr: ['/usr/lib/frr/zebra', '/usr/lib/frr/bgpd', 'vtysh'],
  bird: ['bird', 'birdc'],
  gobgp: ['gobgpd', 'gobgp'],
  none: [],
};

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1" >/dev/null 2>&1 || test -x "$1"', 'sh', binary], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Throws `ELABENV` with a clear message when the lab cannot run here. */
export function checkLabEnvironment(router: RouterChoice): void {
  if (process.platform !== 'linux') throw new MetallbError('ELABENV', `the lab needs Linux network namespaces; this is ${process.platform}`);
  if (process.getuid?.() !== 0) {
    throw new MetallbError('ELABENV', 'the lab needs root (it creates network namespaces, nftables rules and raw sockets): run it with sudo');
  }
  const missing = ['ip', 'nft', 'socat', 'sysctl', 'curl', ...routerBinaries[router]].filter((b) => !onPath(b));
  if (missing.length > 0) {
    throw new MetallbError('ELABENV', `the lab needs ${missing.join(', ')}: run 'sudo bash scripts/setup' to install them${router === 'none' ? '' : ` (or --router none)`}`);
  }
  const probe = `mlbts-probe-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? (err as Error).message;
    throw new MetallbError('ELABENV', `this machine cannot create network namespaces (${detail}); the lab needs them (a container needs CAP_SYS_ADMIN and CAP_NET_ADMIN)`);
  }
}
