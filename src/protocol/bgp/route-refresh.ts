/**
 * ROUTE-REFRESH (RFC 2918 §3): AFI(2) Reserved(1) SAFI(1). RFC 7313 names the reserved byte "Message Subtype"
 * (0 = normal request); we keep it so the message re-encodes as received.
 */
import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';

export interface RouteRefresh {
  readonly type: 'routeRefresh';
  readonly afi: number;
  readonly subtype: number;
  readonly safi: number;
}

export function decodeRouteRefresh(body: Uint8Array): RouteRefresh {
  const r = new Reader(body);
  const rr: RouteRefresh = { type: 'routeRefresh', afi: r.u16(), subtype: r.u8(), safi: r.u8() };
  r.end('ROUTE-REFRESH');
  return rr;
}

export function encodeRouteRefreshBody(w: Writer, rr: RouteRefresh): void {
  w.u16(rr.afi).u8(rr.subtype).u8(rr.safi);
}
