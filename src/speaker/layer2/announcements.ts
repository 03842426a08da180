/**
 * Which IPs this node announces, for which services, on which interfaces (MetalLB `Announce.ips` and
 * `ipRefcnt`): several services may share one IP, which stays announced while any of them holds it. Each
 * service's set is replaced whole by `set` (declarative); the result says which IPs started or stopped
 * being held, so the announcer can join or leave multicast groups. No I/O.
 */
import { formatIp, type IpAddress } from '../../lib/ip.js';
import { dropReasons, type DropReason } from './drop-reasons.js';

/** `all` when an L2Advertisement lists no interfaces, else the union of the listed ones. */
export type InterfaceSelection = 'all' | ReadonlySet<string>;

export interface Balancer {
  readonly ips: readonly IpAddress[];
  readonly interfaces: InterfaceSelection;
}

export interface HeldChange {
  /** IPs that were not announced before and are now. */
  readonly started: readonly IpAddress[];
  /** IPs that were announced before and no longer are. */
  readonly stopped: readonly IpAddress[];
}

export function selectionMatches(selection: InterfaceSelection, ifname: string): boolean {
  return selection === 'all' || selection.has(ifname);
}

export class Announcements {
  private readonly balancers = new Map<string, Balancer>();
  /** IP text -> service names holding it. */
  private readonly holders = new Map<string, Set<string>>();
  private readonly ipsByKey = new Map<string, IpAddress>();

  /** Replaces what service `name` announces. Duplicate IPs in `ips` count once. */
  set(name: string, ips: readonly IpAddress[], interfaces: InterfaceSelection): HeldChange {
    const unique = [...new Map(ips.map((ip) => [formatIp(ip), ip])).values()];
    const previous = this.balancers.get(name);
    this.balancers.set(name, { ips: unique, interfaces });
    const keep = new Set(unique.map(formatIp));
    const stopped = (previous?.ips ?? []).filter((ip) => !keep.has(formatIp(ip))).filter((ip) => this.release(name, ip));
    const started = unique.filter((ip) => this.hold(name, ip));
    return { started, stopped };
  }

  delete(name: string): HeldChange {
    const previous = this.balancers.get(name);
    this.balancers.delete(name);
    return { started: [], stopped: (previous?.ips ?? []).filter((ip) => this.release(name, ip)) };
  }

  get(name: string): Balancer | undefined {
    return this.balancers.get(name);
  }

  names(): string[] {
    return [...this.balancers.keys()];
  }

  isHeld(ip: IpAddress): boolean {
    return this.holders.has(formatIp(ip));
  }

  heldIps(): IpAddress[] {
    return [...this.ipsByKey.values()];
  }

  /** Whether `ip` is answered on `ifname`: undefined = yes; else `notAnnounced` or `interfaceNotMatched`. */
  policy(ip: IpAddress, ifname: string): DropReason | undefined {
    const names = this.holders.get(formatIp(ip));
    if (names === undefined) return dropReasons.notAnnounced;
    for (const name of names) {
      const balancer = this.balancers.get(name);
      if (balancer !== undefined && selectionMatches(balancer.interfaces, ifname)) return undefined;
    }
    return dropReasons.interfaceNotMatched;
  }

  /** True when `name` is the first holder of `ip`. */
  private hold(name: string, ip: IpAddress): boolean {
    const key = formatIp(ip);
    const names = this.holders.get(key);
    if (names !== undefined) {
      names.add(name);
      return false;
    }
    this.holders.set(key, new Set([name]));
    this.ipsByKey.set(key, ip);
    return true;
  }

  /** True when `name` was the last holder of `ip`. */
  private release(name: string, ip: IpAddress): boolean {
    const key = formatIp(ip);
    const names = this.holders.get(key);
    if (names === undefined || !names.delete(name) || names.size > 0) return false;
    this.holders.delete(key);
    this.ipsByKey.delete(key);
    return true;
  }
}
