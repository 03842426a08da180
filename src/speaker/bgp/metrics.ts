/**
 * MetalLB's native BGP metrics (metallb-behaviour.md §7), same names and `peer` label (`addr:port`, IPv6 in
 * brackets as Go's JoinHostPort writes it), registered in an injected prom-client Registry. A session in a VRF
 * also carries FRR mode's `vrf` label (the same address may be a peer in two VRFs); default-VRF sessions keep
 * MetalLB native's label set, `peer` alone.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The label names of a session's series, BGP's and BFD's alike. */
export const sessionMetricLabels = ['peer', 'vrf'] as const;
export type SessionMetricLabel = (typeof sessionMetricLabels)[number];
/** The labels of one session's series: `vrf` only for a session in a VRF. */
export type SessionMetricLabels = { readonly peer: string; readonly vrf?: string };

export class BgpMetrics {
  readonly sessionUp: Gauge<SessionMetricLabel>;
  readonly updatesTotal: Counter<SessionMetricLabel>;
  readonly announcedPrefixes: Gauge<SessionMetricLabel>;
  readonly pendingPrefixes: Gauge<SessionMetricLabel>;

  constructor(registry: Registry) {
    this.sessionUp = new Gauge({ name: 'metallb_bgp_session_up', help: 'BGP session state (1 is up, 0 is down)', labelNames: sessionMetricLabels, registers: [registry] });
    this.updatesTotal = new Counter({ name: 'metallb_bgp_updates_total', help: 'Number of BGP UPDATE messages sent', labelNames: sessionMetricLabels, registers: [registry] });
    this.announcedPrefixes = new Gauge({
      name: 'metallb_bgp_announced_prefixes_total', help: 'Number of prefixes currently being advertised on the BGP session',
      labelNames: sessionMetricLabels, registers: [registry],
    });
    this.pendingPrefixes = new Gauge({
      name: 'metallb_bgp_pending_prefixes_total', help: 'Number of prefixes that should be advertised on the BGP session',
      labelNames: sessionMetricLabels, registers: [registry],
    });
  }

  /** Removes a peer's series when its session is deleted. */
  forget(labels: SessionMetricLabels): void {
    for (const m of [this.sessionUp, this.updatesTotal, this.announcedPrefixes, this.pendingPrefixes]) m.remove(labels);
  }
}

/** `addr:port`, with brackets around IPv6 (Go's net.JoinHostPort). */
export function peerLabel(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The series labels of a session to `peer` (`peerLabel`), in `vrf` when set. */
export function sessionLabels(peer: string, vrf: string | undefined): SessionMetricLabels {
  return vrf === undefined || vrf === '' ? { peer } : { peer, vrf };
}
