/**
 * `explain`: one answer to "why does this Service have (or lack) its IP, which node announces it and why that
 * one, which peers got its route", computed from a snapshot of the cluster with the controller's and the
 * speakers' own code (allocation.ts, layer2.ts, bgp.ts), plus what the cluster reports about itself
 * (ConfigurationState, ServiceL2Status/ServiceBGPStatus, events). Pure.
 */
import { explainAllocation, type AllocationExplanation } from './allocation.js';
import { explainBgp, type BgpExplanation } from './bgp.js';
import { explainLayer2, type Layer2Explanation } from './layer2.js';
import type { ClusterSnapshot, ServiceEventRecord } from './snapshot.js';
import { speakerView } from './speaker-view.js';

export interface ComponentState {
  /** `controller` or the speaker's node name. */
  readonly component: string;
  readonly result: string;
  readonly errorSummary?: string;
}

export interface Explanation {
  /** `namespace/name`. */
  readonly service: string;
  /** The answer in a few sentences. */
  readonly summary: readonly string[];
  readonly allocation: AllocationExplanation;
  readonly layer2: Layer2Explanation;
  readonly bgp: BgpExplanation;
  /** The ConfigurationState objects (controller and each speaker). */
  readonly configuration: readonly ComponentState[];
  readonly events: readonly ServiceEventRecord[];
}

function configuration(s: ClusterSnapshot): ComponentState[] {
  return s.configurationStates.map((c) => {
    const name = c.metadata?.name ?? '';
    const component = c.metadata?.labels?.['metallb.io/node-name'] ?? (name.startsWith('speaker-') ? name.slice('speaker-'.length) : name);
    const out: ComponentState = { component, result: c.status?.result ?? 'Unknown' };
    return c.status?.errorSummary === undefined || c.status.errorSummary === '' ? out : { ...out, errorSummary: c.status.errorSummary };
  }).sort((a, b) => (a.component === 'controller' ? -1 : b.component === 'controller' ? 1 : a.component.localeCompare(b.component)));
}

function summarize(key: string, a: AllocationExplanation, l2: Layer2Explanation, bgp: BgpExplanation, config: readonly ComponentState[]): string[] {
  const lines: string[] = [];
  if (a.state === 'notFound') return [`${key}: ${a.message}`];
  if (a.state === 'notHandled') return [`${key} gets no address from MetalLB: ${a.message}`];
  if (a.ips.length === 0) {
    lines.push(`${key} is pending (no address): ${a.message}`);
    for (const p of a.pools) if (p.reason !== 'fits') lines.push(`  pool ${p.name}: ${p.message}`);
    for (const err of a.configErrors) lines.push(`  ${err}`);
  }
  const pool = a.pool ?? a.dryRun?.pool ?? null;
  if (a.ips.length > 0) lines.push(`${key} has ${a.ips.join(', ')}${pool === null ? '' : ` (pool ${pool})`}${a.reason === 'allocated' ? `: ${a.message}` : `; ${a.message}`}`);
  if (a.ips.length > 0) {
    if (l2.state !== 'notApplicable' || l2.reason === 'noL2Advertisement') lines.push(`layer 2: ${l2.message}`);
    if (bgp.state !== 'notApplicable' || bgp.reason === 'noBGPAdvertisement') lines.push(`BGP: ${bgp.message}`);
  }
  const invalid = config.filter((c) => c.result === 'Invalid');
  if (invalid.length > 0 && a.reason !== 'configInvalid') {
    lines.push(`configuration: ${invalid.map((c) => c.component).join(', ')} report${invalid.length === 1 ? 's' : ''} it Invalid (ConfigurationState): ${invalid[0]?.errorSummary ?? ''}`);
  }
  return lines;
}

export function explain(s: ClusterSnapshot, key: string): Explanation {
  const allocation = explainAllocation(s, key);
  const view = speakerView(s, key);
  const layer2 = explainLayer2(s, key, view);
  const bgp = explainBgp(s, key, view);
  const config = configuration(s);
  return { service: key, summary: summarize(key, allocation, layer2, bgp, config), allocation, layer2, bgp, configuration: config, events: s.events };
}
