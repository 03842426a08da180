/**
 * Looking at a namespace from outside and probing across the lab: the kernel's neighbor table and addresses,
 * ping, and one TCP request (socat). Used by tests to check what the kernel believes, not what we sent.
 */
import { ipIn, runIn } from './command.js';

export interface NeighborEntry {
  readonly ip: string;
  readonly ifname: string;
  readonly lladdr: string | undefined;
  readonly states: readonly string[];
}

interface IpNeighJson { dst: string; dev: string; lladdr?: string; state?: string[] }

/** The neighbor table of `netns` (`ip -j neigh show`). */
export async function neighbors(netns: string): Promise<NeighborEntry[]> {
  const { stdout } = await ipIn(netns, ['-j', 'neigh', 'show']);
  const rows = JSON.parse(stdout === '' ? '[]' : stdout) as IpNeighJson[];
  return rows.map((r) => ({ ip: r.dst, ifname: r.dev, lladdr: r.lladdr, states: r.state ?? [] }));
}

/** The entry for `ip`, if the kernel has one with a link-layer address (not FAILED/INCOMPLETE). */
export async function neighborMac(netns: string, ip: string): Promise<string | undefined> {
  const entry = (await neighbors(netns)).find((n) => n.ip === ip);
  if (entry === undefined || entry.states.includes('FAILED') || entry.states.includes('INCOMPLETE')) return undefined;
  return entry.lladdr;
}

export async function flushNeighbors(netns: string, ifname: string): Promise<void> {
  await ipIn(netns, ['neigh', 'flush', 'dev', ifname]);
}

export interface InterfaceAddress {
  readonly ifname: string;
  readonly address: string;
  readonly prefixLength: number;
}

interface IpAddrJson { ifname: string; addr_info?: { local: string; prefixlen: number }[] }

/** Every address on every interface of `netns`. */
export async function addresses(netns: string): Promise<InterfaceAddress[]> {
  const { stdout } = await ipIn(netns, ['-j', 'addr', 'show']);
  const rows = JSON.parse(stdout) as IpAddrJson[];
  return rows.flatMap((r) => (r.addr_info ?? []).map((a) => ({ ifname: r.ifname, address: a.local, prefixLength: a.prefixlen })));
}

/** True if one ping from `netns` to `ip` is answered within `timeoutSec`. */
export async function ping(netns: string, ip: string, timeoutSec = 2): Promise<boolean> {
  try {
    await runIn(netns, 'ping', ['-n', '-q', '-c1', `-W${timeoutSec}`, ip], { timeoutMs: (timeoutSec + 2) * 1000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a TCP connection from `netns` to `ip:port` and returns everything the server sent before closing
 * (the lab pod answers one line). Rejects if the connection fails within `timeoutMs`.
 */
export async function tcpRequest(netns: string, ip: string, port: number, timeoutMs = 3000): Promise<string> {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const seconds = (timeoutMs / 1000).toFixed(1);
  const { stdout } = await runIn(netns, 'socat', ['-T', seconds, '-u', `TCP:${host}:${port},connect-timeout=${seconds}`, 'STDOUT'],
    { timeoutMs: timeoutMs + 2000 });
  return stdout;
}
