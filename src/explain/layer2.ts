/**
 * Which node announces the Service over layer 2 and why that one: the speaker's common checks
 * (`checkService`), then MetalLB's election (`electL2`) with its per-node exclusions and the candidates in
 * election order (preference score, then sha256(node#ip)), compared with the ServiceL2Status the speakers wrote.
 */
import { createHash } from 'node:crypto';
import { announceInterfaces, electL2, type Exclusion } from '../speaker/layer2/election.js';
import { checkService } from '../speaker/service-check.js';
import { formatIp } from '../lib/ip.js';
import type { ClusterSnapshot } from './snapshot.js';
import type { SpeakerView } from './speaker-view.js';
import { serviceCheckMessage } from './speaker-reasons.js';

export interface Layer2Candidate {
  readonly node: string;
  readonly score: number;
  /** The first 8 hex digits of sha256(node + "#" + first IP): lowest wins among equal scores. */
  readonly hash: string;
}

export interface Layer2Exclusion {
  readonly node: string;
  readonly reason: Exclusion;
  readonly message: string;
}

export interface Layer2Explanation {
  readonly state: 'announced' | 'notAnnounced' | 'notApplicable';
  readonly reason: string;
  readonly message: string;
  /** The L2Advertisements of the Service's pool that select the Service. */
  readonly advertisements: readonly string[];
  readonly elected: string | null;
  readonly candidates: readonly Layer2Candidate[];
  readonly excluded: readonly Layer2Exclusion[];
  readonly interfaces: 'all' | readonly string[] | null;
  /** Nodes with a ServiceL2Status for the Service (what the speakers say they do). */
  readonly announcedBy: readonly string[];
  readonly liveSpeakers: readonly string[] | 'everyNode';
}

const exclusionMessages: Readonly<Record<Exclusion, string>> = {
  noSpeaker: 'no ready speaker Pod on it (the speakers elect among the live gossip members)',
  networkUnavailable: 'its NetworkUnavailable condition is True',
  excludeLabel: 'it has the label node.kubernetes.io/exclude-from-external-load-balancers',
  noAdvertisement: 'no L2Advertisement for the Service selects it (nodeSelectors)',
  noServingEndpoint: 'externalTrafficPolicy is Local and no serving endpoint of the Service runs on it',
};

function statusNodes(s: ClusterSnapshot, key: string): string[] {
  return [...new Set(s.l2Statuses
    .filter((o) => `${o.status?.serviceNamespace ?? o.metadata?.labels?.['metallb.io/service-namespace'] ?? ''}/${o.status?.serviceName ?? o.metadata?.labels?.['metallb.io/service-name'] ?? ''}` === key)
    .map((o) => o.status?.node ?? '').filter((n) => n !== ''))].sort();
}

export function explainLayer2(s: ClusterSnapshot, key: string, view: SpeakerView): Layer2Explanation {
  const announcedBy = statusNodes(s, key);
  const live = view.liveSpeakers === 'everyNode' ? 'everyNode' : [...view.liveSpeakers].sort();
  const out = (state: Layer2Explanation['state'], reason: string, message: string, extra: Partial<Layer2Explanation> = {}): Layer2Explanation => ({
    state, reason, message, advertisements: [], elected: null, candidates: [], excluded: [], interfaces: null, announcedBy, liveSpeakers: live, ...extra,
  });
  if (view.shared.config === undefined) return out('notAnnounced', 'configInvalid', `the speakers reject the configuration: ${view.shared.errors.join('; ')}`);
  const config = view.shared.config;
  const check = checkService(view.service, config, s.loadBalancerClass);
  if (!check.ok) return out('notApplicable', check.reason, serviceCheckMessage(check.reason, check.detail));
  const poolAds = config.advertisements.get(check.pool)?.l2 ?? [];
  if (poolAds.length === 0) return out('notApplicable', 'noL2Advertisement', `no L2Advertisement selects pool ${check.pool}: the Service is not announced over layer 2`);
  const svc = view.service!;
  const election = electL2({
    service: { labels: svc.labels, annotations: svc.annotations, externalTrafficPolicy: svc.externalTrafficPolicy, ips: check.ips },
    advertisements: poolAds, nodes: view.nodes, liveSpeakers: view.liveSpeakers, endpoints: view.endpoints,
  });
  const advertisements = poolAds.filter((ad) => election.advertisements.includes(ad)).map((ad) => ad.name);
  const excluded = [...election.excluded].map(([node, reason]) => ({ node, reason, message: exclusionMessages[reason] }));
  const ipText = formatIp(check.ips[0]!);
  const candidates = election.candidates.map((node) => ({
    node, score: election.scores.get(node) ?? 0, hash: createHash('sha256').update(`${node}#${ipText}`).digest('hex').slice(0, 8),
  }));
  const common = { advertisements, excluded, candidates };
  switch (election.withdraw) {
    case 'noServingEndpoint':
      return out('notAnnounced', 'noServingEndpoint', 'no endpoint of the Service is ready or serving: no node announces it (notOwner on every node)', common);
    case 'sharedIPWithServiceSelector':
      return out('notAnnounced', 'sharedIPWithServiceSelector', 'it shares its IP (allow-shared-ip) and an L2Advertisement of its pool has serviceSelectors, which MetalLB refuses', common);
    case 'noCandidate':
      return out('notAnnounced', advertisements.length === 0 ? 'noMatchingAdvertisement' : 'noCandidate',
        advertisements.length === 0 ? `no L2Advertisement of pool ${check.pool} selects the Service (serviceSelectors)` : 'no node can announce it (see the excluded nodes)', common);
    case undefined:
      break;
  }
  const elected = candidates[0]!;
  const winner = view.nodes.find((n) => n.name === elected.node)!;
  const why = candidates.length === 1 ? 'the only candidate'
    : elected.score > (candidates[1]?.score ?? 0) ? `the highest preference score (${elected.score})`
      : `the lowest sha256("${elected.node}#${ipText}") = ${elected.hash}... among ${candidates.length} candidates`;
  let message = `${elected.node} announces ${check.ips.map(formatIp).join(', ')}: ${why}`;
  if (announcedBy.length > 0 && (announcedBy.length !== 1 || announcedBy[0] !== elected.node)) {
    message += `; but ServiceL2Status says ${announcedBy.join(', ')} (the speakers' gossip view may differ from the Pods' readiness, or a speaker has not caught up)`;
  } else if (announcedBy.length === 0) {
    message += '; no ServiceL2Status confirms it yet';
  }
  return out('announced', 'elected', message, { ...common, elected: elected.node, interfaces: announceInterfaces(election.advertisements, winner) });
}
