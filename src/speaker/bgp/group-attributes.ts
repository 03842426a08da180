/**
 * The path attributes of one group of advertisements toward one peer (RFC 4271 §5.1, MetalLB native's choices):
 * ORIGIN IGP; AS_PATH empty for iBGP and our AS for eBGP (AS_TRANS plus AS4_PATH toward an OLD speaker,
 * RFC 6793 §4.2.2); NEXT_HOP = our address for IPv4 (IPv6 next hops go in MP_REACH_NLRI); LOCAL_PREF to iBGP only;
 * COMMUNITIES and LARGE_COMMUNITY as the advertisement says.
 */
import type { IpAddress, IpFamily } from '../../lib/ip.js';
import { Writer } from '../../protocol/wire/writer.js';
import { encodeAttributes } from '../../protocol/bgp/attribute-codec.js';
import type { MutablePathAttributes } from '../../protocol/bgp/attributes.js';
import { needsAs4Path } from '../../protocol/bgp/as-path.js';
import type { GroupEncoding } from './adj-rib-out.js';
import type { Advertisement } from './advertisement.js';

/** RFC 4271 §5.1.5 gives no default; 100 is what FRR, BIRD and GoBGP assume. */
export const defaultLocalPref = 100;

export interface GroupContext {
  readonly family: IpFamily;
  readonly sample: Advertisement;
  readonly ebgp: boolean;
  readonly as4: boolean;
  readonly localAsn: number;
  readonly nextHop: IpAddress | undefined;
  readonly linkLocal?: IpAddress;
}

/** The encoded attributes, or undefined when no next hop of the family is known (the group stays pending). */
export function encodeGroupAttributes(g: GroupContext): GroupEncoding | undefined {
  if (g.nextHop === undefined) return undefined;
  const attrs: MutablePathAttributes = { origin: 0 };
  attrs.asPath = g.ebgp ? [{ kind: 'sequence', asns: [g.localAsn] }] : [];
  if (!g.as4 && needsAs4Path(attrs.asPath)) attrs.as4Path = attrs.asPath;
  if (g.family === 'IPv4') attrs.nextHop = g.nextHop;
  if (!g.ebgp) attrs.localPref = g.sample.localPref ?? defaultLocalPref;
  if (g.sample.communities.length > 0) attrs.communities = g.sample.communities;
  if (g.sample.largeCommunities.length > 0) attrs.largeCommunities = g.sample.largeCommunities;
  const w = new Writer(64);
  encodeAttributes(w, attrs, { as4: g.as4 });
  if (g.family === 'IPv4') return { attributes: w.finish() };
  return { attributes: w.finish(), hops: g.linkLocal === undefined ? { nextHop: g.nextHop } : { nextHop: g.nextHop, linkLocalNextHop: g.linkLocal } };
}
