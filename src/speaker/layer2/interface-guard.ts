/**
 * MetalLB's `announceFailed` rule (metallb-behaviour.md §5.1, layer-2 SetBalancer): when the L2Advertisements
 * restrict a Service to interfaces none of which exists on this node, the elected node announces nothing (there
 * is no fallback to another node) and says so. A `Layer2Announce` in front of the announcer: it refuses such a
 * balancer, withdraws what it had, and reports each refusal once until the Service is announced again.
 */
import { formatIp, type IpAddress } from '../../lib/ip.js';
import type { InterfaceSelection } from './announcements.js';

/** What the guard needs of the announcer (`Announcer` is one). */
export interface GuardedAnnouncer {
  setBalancer(name: string, ips: readonly IpAddress[], interfaces: InterfaceSelection | readonly string[]): void;
  deleteBalancer(name: string): void;
  hasInterface(interfaces: InterfaceSelection | readonly string[]): boolean;
}

export interface AnnounceFailure {
  readonly ips: readonly IpAddress[];
  readonly interfaces: readonly string[];
}

export class InterfaceGuard {
  private readonly inner: GuardedAnnouncer;
  private readonly onFailed: (name: string, failure: AnnounceFailure) => void;
  private readonly failed = new Map<string, string>();

  constructor(inner: GuardedAnnouncer, onFailed: (name: string, failure: AnnounceFailure) => void) {
    this.inner = inner;
    this.onFailed = onFailed;
  }

  setBalancer(name: string, ips: readonly IpAddress[], interfaces: 'all' | readonly string[]): void {
    if (interfaces === 'all' || this.inner.hasInterface(interfaces)) {
      this.failed.delete(name);
      this.inner.setBalancer(name, ips, interfaces);
      return;
    }
    this.inner.deleteBalancer(name);
    const key = `${ips.map(formatIp).join(',')}|${interfaces.join(',')}`;
    if (this.failed.get(name) === key) return;
    this.failed.set(name, key);
    this.onFailed(name, { ips, interfaces });
  }

  deleteBalancer(name: string): void {
    this.failed.delete(name);
    this.inner.deleteBalancer(name);
  }

  /** Whether the last announcement of `name` was refused for missing interfaces. */
  isFailing(name: string): boolean {
    return this.failed.has(name);
  }
}
