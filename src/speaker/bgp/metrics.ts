/**
 * MetalLB's native BGP metrics (metallb-behaviour.md §7), same names and `peer` label (`addr:port`, IPv6 in
 * brackets as Go's JoinHostPort writes it), registered in an injected prom-client Registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class BgpMetrics {
  readonly sessionUp: Gauge<'peer'>;
  readonly updatesTotal: Counter<'peer'>;
  readonly announcedPrefixes: Gauge<'peer'>;
  readonly pendingPrefixes: Gauge<'peer'>;

  constructor(registry: Registry) {
    this.sessionUp = new Gauge({ name: 'metallb_bgp_session_up', help: 'BGP session state (1 is up, 0 is down)', labelNames: ['peer'], registers: [registry] });
    this.updatesTotal = new Counter({ name: 'metallb_bgp_updates_total', help: 'Number of BGP UPDATE messages sent', labelNames: ['peer'], registers: [registry] });
    this.announcedPrefixes = new Gauge({
      name: 'metallb_bgp_announced_prefixes_total', help: 'Number of prefixes currently being advertised on the BGP session',
      labelNames: ['peer'], registers: [registry],
    });
    this.pendingPrefixes = new Gauge({
      name: 'metallb_bgp_pending_prefixes_total', help: 'Number of prefixes that should be advertised on the BGP session',
      labelNames: ['peer'], registers: [registry],
    });
  }

  /** Removes a peer's series when its session is deleted. */
  forget(peer: string): void {
    for (const m of [this.sessionUp, this.updatesTotal, this.announcedPrefixes, this.pendingPrefixes]) m.remove({ peer });
  }
}

/** `addr:port`, with brackets around IPv6 (Go's net.JoinHostPort). */
export function peerLabel(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
