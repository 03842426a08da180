/**
 * Real BGP routers for the lab and the network tests (lab-notes.md §3): FRR, BIRD 2 and GoBGP, each run inside a
 * host namespace of a harness network with its own files, and read back through their own CLIs. They are the
 * peers our speaker must interoperate with; none of this is product code.
 */
import { ipIn } from '../netns/command.js';

export type RouterKind = 'frr' | 'bird' | 'gobgp';

export interface RouterNeighbor {
  readonly address: string;
  readonly asn: number;
  /** TCP MD5 password (RFC 2385). */
  readonly password?: string;
  /** BFD (RFC 5880) to this neighbor with these timers; FRR only (its bfdd). */
  readonly bfd?: RouterBfd;
}

export interface RouterBfd {
  readonly receiveIntervalMs: number;
  readonly transmitIntervalMs: number;
  readonly detectMultiplier: number;
}

export interface RouterConfig {
  readonly asn: number;
  readonly routerId: string;
  readonly neighbors: readonly RouterNeighbor[];
  readonly holdTimeSec: number;
  readonly connectRetrySec: number;
  readonly gracefulRestart?: boolean;
}

/** One path to a prefix as the router holds it, normalised across routers. */
export interface ReceivedPath {
  readonly peer: string;
  readonly nextHop: string;
  readonly asPath: readonly number[];
  readonly localPref?: number;
  /** `A:B`, numeric, sorted. */
  readonly communities: readonly string[];
  /** `A:B:C`, sorted. */
  readonly largeCommunities: readonly string[];
  readonly stale: boolean;
}

export interface BgpRouter {
  readonly kind: RouterKind;
  readonly host: string;
  start(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  running(): boolean;
  /** Neighbor addresses whose session is Established. */
  established(): Promise<Set<string>>;
  /** Every path the router holds for `prefix` (`10.200.0.10/32`, `fd00:200::10/128`). */
  paths(prefix: string): Promise<ReceivedPath[]>;
  /** The prefixes the router holds for a family. */
  prefixes(family: 4 | 6): Promise<string[]>;
  /** The router's log so far (for failure messages). */
  output(): string;
}

interface IpRouteJson { dst: string; gateway?: string; protocol?: string; nexthops?: { gateway?: string }[] }

/** The gateways of the kernel route to `prefix` in `netns` (several with ECMP); empty when there is none. */
export async function kernelNextHops(netns: string, prefix: string): Promise<string[]> {
  const six = prefix.includes(':');
  const { stdout } = await ipIn(netns, [...(six ? ['-6'] : ['-4']), '-j', 'route', 'show', prefix]);
  const rows = JSON.parse(stdout === '' ? '[]' : stdout) as IpRouteJson[];
  const out: string[] = [];
  for (const r of rows) {
    if (r.gateway !== undefined) out.push(r.gateway);
    for (const nh of r.nexthops ?? []) if (nh.gateway !== undefined) out.push(nh.gateway);
  }
  return out.sort();
}

export function sortedStrings(values: Iterable<string>): string[] {
  return [...values].sort();
}
