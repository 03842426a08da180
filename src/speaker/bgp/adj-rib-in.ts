/**
 * Adj-RIB-In of one session, reduced to what this speaker needs: received routes are validated and counted, not
 * installed (DESIGN.md). As a graceful restart helper (RFC 4724 §4.2) it keeps a restarting peer's routes as stale
 * until that peer's End-of-RIB, or drops them when the restart or stale timers run out.
 */
import { formatCidr, type IpFamily } from '../../lib/ip.js';
import type { ReceivedUpdate } from '../../protocol/bgp/validate.js';

export interface ReceivedCounts {
  readonly IPv4: number;
  readonly IPv6: number;
  readonly stale: number;
  /** UPDATEs that RFC 7606 handling changed (attribute discard, treat-as-withdraw, AFI/SAFI disable). */
  readonly repaired: number;
}

export class AdjRibIn {
  /** key -> stale flag. */
  private readonly routes = new Map<string, { family: IpFamily; stale: boolean }>();
  private readonly disabled = new Set<IpFamily>();
  private repaired = 0;

  apply(u: ReceivedUpdate): void {
    if (u.action !== undefined) this.repaired++;
    for (const f of u.disabledFamilies) this.disableFamily(f);
    for (const p of u.withdrawn) this.routes.delete(formatCidr(p));
    for (const p of u.announced) if (!this.disabled.has(p.family)) this.routes.set(formatCidr(p), { family: p.family, stale: false });
    if (u.endOfRib !== undefined) this.sweepStale(u.endOfRib);
  }

  /** RFC 4760 §7: drop a family's routes and ignore it for the rest of the session. */
  disableFamily(family: IpFamily): void {
    this.disabled.add(family);
    for (const [k, r] of this.routes) if (r.family === family) this.routes.delete(k);
  }

  /** The session ended gracefully: keep everything, marked stale. */
  markStale(): void {
    for (const r of this.routes.values()) r.stale = true;
    this.disabled.clear();
  }

  /** Drops the stale routes of `family` (or of every family). */
  sweepStale(family?: IpFamily): number {
    let n = 0;
    for (const [k, r] of this.routes) {
      if (r.stale && (family === undefined || r.family === family)) { this.routes.delete(k); n++; }
    }
    return n;
  }

  clear(): void {
    this.routes.clear();
    this.disabled.clear();
  }

  counts(): ReceivedCounts {
    let v4 = 0;
    let v6 = 0;
    let stale = 0;
    for (const r of this.routes.values()) {
      if (r.family === 'IPv4') v4++; else v6++;
      if (r.stale) stale++;
    }
    return { IPv4: v4, IPv6: v6, stale, repaired: this.repaired };
  }
}
