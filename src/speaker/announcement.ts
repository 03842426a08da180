/**
 * What this node announces for one Service, per protocol, as observed on the drivers (the announcer's
 * balancers, the BGP sessions' desired sets), and the change between two observations. Status objects,
 * events and the `metallb_speaker_announced` gauge all follow these changes, so they say what the node
 * really does, not what it meant to do. Pure.
 */
export type Protocol = 'layer2' | 'bgp';

export interface Layer2Announcement {
  /** IP texts (Go's form), in ingress order. */
  readonly ips: readonly string[];
  /** 'all', or the interfaces the L2Advertisements restrict it to (sorted). */
  readonly interfaces: 'all' | readonly string[];
}

export interface BgpAnnouncement {
  readonly ips: readonly string[];
  /** The peers (sorted BGPPeer names) that get at least one of its prefixes. */
  readonly peers: readonly string[];
}

export type AnnouncementChange =
  | { readonly key: string; readonly protocol: 'layer2'; readonly before?: Layer2Announcement; readonly after?: Layer2Announcement; readonly reason?: string }
  | { readonly key: string; readonly protocol: 'bgp'; readonly before?: BgpAnnouncement; readonly after?: BgpAnnouncement; readonly reason?: string };

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function sameLayer2(a: Layer2Announcement | undefined, b: Layer2Announcement | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const interfaces = a.interfaces === 'all' || b.interfaces === 'all' ? a.interfaces === b.interfaces : sameList(a.interfaces, b.interfaces);
  return interfaces && sameList(a.ips, b.ips);
}

export function sameBgp(a: BgpAnnouncement | undefined, b: BgpAnnouncement | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameList(a.ips, b.ips) && sameList(a.peers, b.peers);
}

/**
 * Whether a change starts announcing (or announces other IPs): MetalLB emits `nodeAssigned` on every handling of
 * the Service; we emit it only here, so a busy cluster does not flood its events (MetalLB #2387).
 */
export function isAssignment(change: AnnouncementChange): boolean {
  if (change.after === undefined) return false;
  return change.before === undefined || !sameList(change.before.ips, change.after.ips);
}
