/**
 * MetalLB's layer-2 election (metallb-behaviour.md §5.1, `speaker/layer2_controller.go`), pure: every node
 * computes the same ordered candidate list from the same inputs, and the first candidate announces.
 *
 *  1. no endpoint can serve                        -> notOwner
 *  2. ads = the pool's L2Advertisements whose serviceSelectors match the Service (or that have none)
 *  3. allow-shared-ip and any ad in ads has serviceSelectors -> sharedIPWithServiceSelector
 *  4. no ad in ads admits this node                -> noMatchingAdvertisement
 *  5. candidates = live speakers, minus NetworkUnavailable, minus the exclude-from-external-load-balancers
 *     label (unless ignored), restricted to nodes some ad in ads admits (all ads, not only this node's)
 *  6. externalTrafficPolicy Local: only nodes hosting an endpoint that can serve
 *  7. none left                                     -> notOwner
 *  8. order: preference score descending (sum over ads of the weights of matching preferredNodeSelectors, on
 *     nodes that ad admits), then sha256(node + "#" + first ingress IP in Go's text form) ascending
 *
 * The input is plain data. Later inputs (link state, drain, conflict detection) arrive as new optional
 * fields that remove or demote candidates, so callers that do not set them keep MetalLB's behaviour.
 */
import { createHash } from 'node:crypto';
import { anySelectorMatches, selectorMatches, type Labels } from '../../api/label-selector.js';
import { selectorsAdmit } from '../../config/node-selection.js';
import type { L2Advertisement } from '../../config/types.js';
import { formatIp, type IpAddress } from '../../lib/ip.js';

/** What the election reads of an L2Advertisement: config's `L2Advertisement` is one. */
export type L2AdvertisementInput = Pick<L2Advertisement, 'nodeSelectors' | 'interfaces' | 'serviceSelectors' | 'preferredNodeSelectors'>;

export interface ElectionNode {
  readonly name: string;
  readonly labels: Labels;
  /** The Node's `NetworkUnavailable` condition is `True`. */
  readonly networkUnavailable: boolean;
}

/** An EndpointSlice endpoint, as much as the election reads of it. */
export interface ElectionEndpoint {
  readonly nodeName?: string | undefined;
  readonly conditions: { readonly ready?: boolean | null | undefined; readonly serving?: boolean | null | undefined };
}

export interface ElectionService {
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** `status.loadBalancer.ingress` IPs in order; the first one is hashed. */
  readonly ips: readonly IpAddress[];
}

export interface L2ElectionInput {
  readonly service: ElectionService;
  /** The L2Advertisements of the Service's pool. */
  readonly advertisements: readonly L2AdvertisementInput[];
  /** Every Node object the speaker knows. */
  readonly nodes: readonly ElectionNode[];
  /**
   * Nodes with a live speaker (the gossip member set), or `everyNode` when membership is disabled: MetalLB
   * then assumes a speaker on every known Node.
   */
  readonly liveSpeakers: ReadonlySet<string> | 'everyNode';
  readonly endpoints: readonly ElectionEndpoint[];
  /** MetalLB `--ignore-exclude-lb`. */
  readonly ignoreExcludeLabel?: boolean;
}

export const excludeFromLoadBalancersLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';
export const allowSharedIpAnnotations = ['metallb.io/allow-shared-ip', 'metallb.universe.tf/allow-shared-ip'] as const;

export type WithdrawReason = 'notOwner' | 'noMatchingAdvertisement' | 'sharedIPWithServiceSelector';

/** Why a node is not a candidate (for `explain` and logs). */
export type Exclusion = 'noSpeaker' | 'networkUnavailable' | 'excludeLabel' | 'noAdvertisement' | 'noServingEndpoint';

/** Why nobody announces, the same on every node: no endpoint can serve (step 1), a shared IP meets
 * serviceSelectors (step 3), or no candidate is left (step 7). */
export type ClusterWithdrawal = 'noServingEndpoint' | 'sharedIPWithServiceSelector' | 'noCandidate';

export interface L2Election {
  readonly withdraw?: ClusterWithdrawal;
  /** Candidates in election order: the first one announces. */
  readonly candidates: readonly string[];
  readonly scores: ReadonlyMap<string, number>;
  readonly excluded: ReadonlyMap<string, Exclusion>;
  /** The advertisements that apply to the Service (step 2). */
  readonly advertisements: readonly L2AdvertisementInput[];
}

/** EndpointSlice "can serve": ready unset or true, or serving true (terminating but serving counts). */
export function endpointCanServe(endpoint: ElectionEndpoint): boolean {
  const { ready, serving } = endpoint.conditions;
  return ready === undefined || ready === null || ready || serving === true;
}

export function advertisementAdmitsNode(ad: L2AdvertisementInput, node: ElectionNode): boolean {
  return selectorsAdmit(ad.nodeSelectors, node.labels);
}

/** Step 2: the advertisements whose serviceSelectors match the Service (or that have none). */
export function advertisementsForService(ads: readonly L2AdvertisementInput[], service: ElectionService): L2AdvertisementInput[] {
  return ads.filter((ad) => ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, service.labels));
}

/** Sum over `ads` of the weights of the preferences `node` matches, counted only where the ad admits it. */
export function preferenceScore(ads: readonly L2AdvertisementInput[], node: ElectionNode): number {
  let score = 0;
  for (const ad of ads) {
    if (!advertisementAdmitsNode(ad, node)) continue;
    for (const p of ad.preferredNodeSelectors) if (selectorMatches(p.preference, node.labels)) score += p.weight;
  }
  return score;
}

/** Step 8: score descending, then sha256(node#ip) ascending, bytewise. Returns a new array. */
export function sortL2Candidates(candidates: readonly string[], ipText: string, scores: ReadonlyMap<string, number>): string[] {
  const hash = new Map(candidates.map((n) => [n, createHash('sha256').update(`${n}#${ipText}`).digest()]));
  return [...candidates].sort((a, b) => {
    const byScore = (scores.get(b) ?? 0) - (scores.get(a) ?? 0);
    return byScore !== 0 ? byScore : Buffer.compare(hash.get(a) as Buffer, hash.get(b) as Buffer);
  });
}

function exclusionOf(input: L2ElectionInput, ads: readonly L2AdvertisementInput[], node: ElectionNode, serving: ReadonlySet<string>): Exclusion | undefined {
  if (input.liveSpeakers !== 'everyNode' && !input.liveSpeakers.has(node.name)) return 'noSpeaker';
  if (node.networkUnavailable) return 'networkUnavailable';
  if (input.ignoreExcludeLabel !== true && Object.hasOwn(node.labels, excludeFromLoadBalancersLabel)) return 'excludeLabel';
  if (!ads.some((ad) => advertisementAdmitsNode(ad, node))) return 'noAdvertisement';
  if (input.service.externalTrafficPolicy === 'Local' && !serving.has(node.name)) return 'noServingEndpoint';
  return undefined;
}

/** The cluster-wide part of the election: the same on every node. */
export function electL2(input: L2ElectionInput): L2Election {
  const ads = advertisementsForService(input.advertisements, input.service);
  const empty = { candidates: [], scores: new Map<string, number>(), excluded: new Map<string, Exclusion>(), advertisements: ads };
  if (!input.endpoints.some(endpointCanServe)) return { ...empty, withdraw: 'noServingEndpoint' };
  const shared = allowSharedIpAnnotations.some((a) => Object.hasOwn(input.service.annotations, a));
  if (shared && ads.some((ad) => ad.serviceSelectors.length > 0)) return { ...empty, withdraw: 'sharedIPWithServiceSelector' };
  const serving = new Set(input.endpoints.filter((e) => endpointCanServe(e) && e.nodeName !== undefined).map((e) => e.nodeName as string));
  const excluded = new Map<string, Exclusion>();
  const scores = new Map<string, number>();
  const eligible: string[] = [];
  for (const node of input.nodes) {
    const why = exclusionOf(input, ads, node, serving);
    if (why !== undefined) {
      excluded.set(node.name, why);
      continue;
    }
    eligible.push(node.name);
    const score = preferenceScore(ads, node);
    if (score !== 0) scores.set(node.name, score);
  }
  const first = input.service.ips[0];
  if (eligible.length === 0 || first === undefined) return { candidates: [], scores, excluded, advertisements: ads, withdraw: 'noCandidate' };
  return { candidates: sortL2Candidates(eligible, formatIp(first), scores), scores, excluded, advertisements: ads };
}

export type L2Decision =
  | { readonly announce: true; readonly election: L2Election }
  | { readonly announce: false; readonly reason: WithdrawReason; readonly election: L2Election };

/** Whether `myNode` announces the Service (MetalLB `ShouldAnnounce`: "" = announce, else the reason). */
export function shouldAnnounceL2(input: L2ElectionInput, myNode: string): L2Decision {
  const election = electL2(input);
  const withdraw = (reason: WithdrawReason): L2Decision => ({ announce: false, reason, election });
  if (election.withdraw === 'noServingEndpoint') return withdraw('notOwner');
  if (election.withdraw === 'sharedIPWithServiceSelector') return withdraw('sharedIPWithServiceSelector');
  const me = input.nodes.find((n) => n.name === myNode);
  if (me === undefined || !election.advertisements.some((ad) => advertisementAdmitsNode(ad, me))) {
    return withdraw('noMatchingAdvertisement');
  }
  if (election.candidates[0] !== myNode) return withdraw('notOwner');
  return { announce: true, election };
}

/**
 * The interfaces this node announces the Service's IPs on (MetalLB `ipAdvertisementFor`): over the
 * advertisements that apply to the Service and admit this node, 'all' if any lists no interfaces, else the
 * union of the lists.
 */
export function announceInterfaces(ads: readonly L2AdvertisementInput[], node: ElectionNode): 'all' | string[] {
  const mine = ads.filter((ad) => advertisementAdmitsNode(ad, node));
  if (mine.some((ad) => ad.interfaces.length === 0)) return 'all';
  return [...new Set(mine.flatMap((ad) => ad.interfaces))].sort();
}
