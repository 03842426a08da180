/**
 * Which nodes advertise the Service over BGP, with which prefixes, to which peers: on every node, the speaker's
 * common checks and MetalLB's BGP decision (`bgpDecision`) on that node's own configuration, the BGPPeers that
 * run a session there (`peersForNode`) and each advertisement's `peers` list; compared with the
 * ServiceBGPStatus objects the speakers wrote.
 */
import { bgpDecision, peersForNode } from '../speaker/bgp/advertisements.js';
import { checkService } from '../speaker/service-check.js';
import { formatCidr } from '../lib/ip.js';
import type { ClusterSnapshot } from './snapshot.js';
import { bgpReasonMessage, serviceCheckMessage } from './speaker-reasons.js';
import type { SpeakerView } from './speaker-view.js';

export interface BgpPrefixExplanation {
  readonly prefix: string;
  /** 0 = not sent. */
  readonly localPref: number;
  /** `A:B` and `A:B:C`. */
  readonly communities: readonly string[];
  /** The BGPPeers (running on this node) this prefix goes to. */
  readonly peers: readonly string[];
}

export interface BgpNodeExplanation {
  readonly node: string;
  readonly announces: boolean;
  readonly reason: string;
  readonly message: string;
  readonly prefixes: readonly BgpPrefixExplanation[];
  /** The BGPPeers that have a session on this node. */
  readonly sessions: readonly string[];
}

export interface BgpExplanation {
  readonly state: 'announced' | 'notAnnounced' | 'notApplicable';
  readonly reason: string;
  readonly message: string;
  readonly nodes: readonly BgpNodeExplanation[];
  /** ServiceBGPStatus objects: which node says it sent the Service to which peers. */
  readonly announcedBy: readonly { readonly node: string; readonly peers: readonly string[] }[];
}

const community = (v: number): string => `${v >>> 16}:${v & 0xffff}`;

function statuses(s: ClusterSnapshot, key: string): { node: string; peers: string[] }[] {
  return s.bgpStatuses
    .filter((o) => `${o.status?.serviceNamespace ?? o.metadata?.labels?.['metallb.io/service-namespace'] ?? ''}/${o.status?.serviceName ?? o.metadata?.labels?.['metallb.io/service-name'] ?? ''}` === key)
    .map((o) => ({ node: o.status?.node ?? '', peers: [...(o.status?.peers ?? [])].sort() }))
    .filter((o) => o.node !== '')
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

function explainNode(s: ClusterSnapshot, view: SpeakerView, nodeName: string): BgpNodeExplanation {
  const node = view.nodes.find((n) => n.name === nodeName)!;
  const no = (reason: string, message: string, sessions: readonly string[] = []): BgpNodeExplanation =>
    ({ node: nodeName, announces: false, reason, message, prefixes: [], sessions });
  const built = view.configs.get(nodeName);
  if (built?.config === undefined) return no('configInvalid', `its speaker rejects the configuration (${(built?.errors ?? []).join('; ')}) and keeps its last valid one`);
  const config = built.config;
  const sessions = peersForNode(config, node).map((p) => p.name);
  const check = checkService(view.service, config, s.loadBalancerClass);
  if (!check.ok) return no(check.reason, serviceCheckMessage(check.reason, check.detail), sessions);
  const svc = view.service!;
  const decision = bgpDecision(config, node, { labels: svc.labels, externalTrafficPolicy: svc.externalTrafficPolicy, ips: check.ips, pool: check.pool }, view.endpoints);
  if (!decision.announce) return no(decision.reason, bgpReasonMessage(decision.reason, check.pool), sessions);
  const prefixes = decision.prefixes.map((p) => ({
    prefix: formatCidr(p.prefix),
    localPref: p.localPref,
    communities: [...p.communities.map(community), ...p.largeCommunities.map((l) => `${l.globalAdmin}:${l.localData1}:${l.localData2}`)],
    peers: (p.peers.length === 0 ? sessions : p.peers.filter((name) => sessions.includes(name))),
  }));
  const peers = [...new Set(prefixes.flatMap((p) => p.peers))].sort();
  const message = peers.length === 0
    ? 'it would advertise the Service, but no BGPPeer has a session on it (or the advertisements\' peers lists name none of its sessions)'
    : `advertises ${[...new Set(prefixes.map((p) => p.prefix))].join(', ')} to ${peers.join(', ')}`;
  return { node: nodeName, announces: peers.length > 0, reason: peers.length > 0 ? 'advertised' : 'noPeers', message, prefixes, sessions };
}

export function explainBgp(s: ClusterSnapshot, key: string, view: SpeakerView): BgpExplanation {
  const announcedBy = statuses(s, key);
  const out = (state: BgpExplanation['state'], reason: string, message: string, nodes: BgpNodeExplanation[] = []): BgpExplanation =>
    ({ state, reason, message, nodes, announcedBy });
  const shared = view.shared.config;
  if (shared === undefined) return out('notAnnounced', 'configInvalid', `the speakers reject the configuration: ${view.shared.errors.join('; ')}`);
  const check = checkService(view.service, shared, s.loadBalancerClass);
  if (!check.ok) return out('notApplicable', check.reason, serviceCheckMessage(check.reason, check.detail));
  const anyAd = s.bgpAdvertisements.length > 0 && [...view.configs.values()].some((c) => (c.config?.advertisements.get(check.pool)?.bgp.length ?? 0) > 0);
  if (!anyAd) return out('notApplicable', 'noBGPAdvertisement', `no BGPAdvertisement selects pool ${check.pool}: the Service is not advertised over BGP`);
  const nodes = view.nodes.map((n) => explainNode(s, view, n.name));
  const advertising = nodes.filter((n) => n.announces);
  if (advertising.length === 0) return out('notAnnounced', 'noNode', 'no node advertises it (see each node)', nodes);
  const peers = [...new Set(advertising.flatMap((n) => n.prefixes.flatMap((p) => p.peers)))].sort();
  return out('announced', 'advertised', `${advertising.map((n) => n.node).join(', ')} advertise it to ${peers.join(', ')} (the routers see one next hop per node: ECMP)`, nodes);
}
