/**
 * `lab status`: the lab as scripts and people need it, from the plan, the state file, the API server and the
 * router. The JSON shape is documented in the README and docs/lab.md and only grows:
 *
 *   {"name", "kubeconfig", "api": {url, state},
 *    "hosts": {"client", "router" (+asn, daemon), "outside", "nodes": {name: {netns, ipv4, ipv6, mac, asn, speaker, link}}},
 *    "services": [{namespace, name, ips, layer2, bgp}], "bgpSessions": [{node, peer, state}], "pools": [...]}
 */
import * as k8s from '@kubernetes/client-node';
import { errorMessage } from '../../lib/errors.js';
import { withDeadline } from './lab-api.js';
import { labPeerNames } from './lab-objects.js';
import { labAsn, metallbNamespace, type LabHostPlan, type LabPlan } from './lab-plan.js';
import { labNetwork, labRouter } from './lab-router.js';
import type { LabState } from './lab-state.js';
import { isAlive, isFrozen } from './processes.js';

export type ApiState = 'running' | 'frozen' | 'down';

export interface HostStatus {
  readonly netns: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly mac?: string;
}

export interface NodeStatus extends HostStatus {
  readonly mac: string;
  readonly asn: number;
  /** The speaker process: `running` or `stopped` (`lab kill`). */
  readonly speaker: 'running' | 'stopped';
  /** The node's LAN link: `up` or `cut` (`lab kill --link`). */
  readonly link: 'up' | 'cut';
}

export interface ServiceStatus {
  readonly namespace: string;
  readonly name: string;
  readonly ips: readonly string[];
  /** The node announcing it over layer 2 (its ServiceL2Status; of several, one whose speaker runs), or null. */
  readonly layer2: string | null;
  /** The nodes announcing it over BGP (their ServiceBGPStatus), sorted. */
  readonly bgp: readonly string[];
}

export interface SessionStatus {
  readonly node: string;
  /** The BGPPeer name. */
  readonly peer: string;
  /** As the router sees it: `Established` or `NotEstablished`. */
  readonly state: 'Established' | 'NotEstablished';
}

export interface PoolStatus {
  readonly name: string;
  readonly assignedIPv4: number;
  readonly availableIPv4: number;
  readonly assignedIPv6: number;
  readonly availableIPv6: number;
}

export interface LabStatus {
  readonly name: string;
  readonly kubeconfig: string;
  readonly api: { readonly url: string; readonly state: ApiState };
  readonly hosts: {
    readonly client: HostStatus & { readonly mac: string };
    readonly router: HostStatus & { readonly asn: number; readonly daemon: string };
    readonly outside: HostStatus;
    readonly nodes: Readonly<Record<string, NodeStatus>>;
  };
  readonly services: readonly ServiceStatus[];
  readonly bgpSessions: readonly SessionStatus[];
  readonly pools: readonly PoolStatus[];
  /** What could not be read (the API server frozen, the router not answering). */
  readonly warnings: readonly string[];
}

const host = (h: LabHostPlan): HostStatus => ({ netns: h.netns, ipv4: h.ipv4, ipv6: h.ipv6 });

export function apiState(state: LabState): ApiState {
  const rec = state.processes['api'];
  if (rec === undefined) return 'down';
  if (isFrozen(rec)) return 'frozen';
  return isAlive(rec) ? 'running' : 'down';
}

interface StatusObject {
  metadata?: { labels?: Record<string, string> };
  status?: { node?: string; serviceName?: string; serviceNamespace?: string };
}

interface ClusterPart {
  services: ServiceStatus[];
  pools: PoolStatus[];
}

async function readCluster(kc: k8s.KubeConfig, speakerRunning: (node: string) => boolean): Promise<ClusterPart> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const list = async (plural: string): Promise<Record<string, unknown>[]> =>
    ((await custom.listNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: metallbNamespace, plural })) as { items: Record<string, unknown>[] }).items;
  const [services, l2, bgp, pools] = await Promise.all([
    core.listServiceForAllNamespaces(), list('servicel2statuses'), list('servicebgpstatuses'), list('ipaddresspools'),
  ]);
  const about = (o: StatusObject, ns: string, name: string): boolean =>
    (o.status?.serviceNamespace ?? o.metadata?.labels?.['metallb.io/service-namespace']) === ns
    && (o.status?.serviceName ?? o.metadata?.labels?.['metallb.io/service-name']) === name;
  const out = services.items.filter((s) => s.spec?.type === 'LoadBalancer').map((s): ServiceStatus => {
    const ns = s.metadata?.namespace ?? '';
    const name = s.metadata?.name ?? '';
    const l2Nodes = (l2 as StatusObject[]).filter((o) => about(o, ns, name)).map((o) => o.status?.node ?? '').filter((n) => n !== '').sort();
    const bgpNodes = (bgp as StatusObject[]).filter((o) => about(o, ns, name)).map((o) => o.status?.node ?? '').filter((n) => n !== '');
    return {
      namespace: ns, name,
      ips: (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== ''),
      // A killed speaker cannot remove its ServiceL2Status: the node whose speaker runs is the one answering.
      layer2: l2Nodes.find(speakerRunning) ?? l2Nodes[0] ?? null,
      bgp: [...new Set(bgpNodes)].sort(),
    };
  }).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const poolStatus = pools.map((p): PoolStatus => {
    const st = (p['status'] ?? {}) as Partial<Record<keyof Omit<PoolStatus, 'name'>, number>>;
    return {
      name: String((p['metadata'] as { name?: string } | undefined)?.name ?? ''),
      assignedIPv4: st.assignedIPv4 ?? 0, availableIPv4: st.availableIPv4 ?? 0, assignedIPv6: st.assignedIPv6 ?? 0, availableIPv6: st.availableIPv6 ?? 0,
    };
  });
  return { services: out, pools: poolStatus };
}

async function readSessions(plan: LabPlan): Promise<SessionStatus[]> {
  const router = labRouter(plan, labNetwork(plan));
  if (router === undefined) return [];
  const up = await router.established();
  return plan.hosts.nodes.flatMap((n) => [
    { node: n.name, peer: labPeerNames.ipv4, state: up.has(n.ipv4) ? 'Established' as const : 'NotEstablished' as const },
    { node: n.name, peer: labPeerNames.ipv6, state: up.has(n.ipv6) ? 'Established' as const : 'NotEstablished' as const },
  ]);
}

export async function labStatus(plan: LabPlan, state: LabState, kc: k8s.KubeConfig, timeoutMs = 5000): Promise<LabStatus> {
  const warnings: string[] = [];
  const api = apiState(state);
  let cluster: ClusterPart = { services: [], pools: [] };
  if (api === 'running') {
    try {
      const running = (node: string): boolean => {
        const rec = state.processes[`speaker/${node}`];
        return rec !== undefined && isAlive(rec);
      };
      cluster = await withDeadline(readCluster(kc, running), timeoutMs, 'reading Services and status objects');
    } catch (err) {
      warnings.push(`cluster not read: ${errorMessage(err)}`);
    }
  } else {
    warnings.push(`the API server is ${api}${api === 'frozen' ? ' (lab kill api; lab revive api resumes it)' : ''}: Services and pools not read`);
  }
  let sessions: SessionStatus[] = [];
  try {
    sessions = await withDeadline(readSessions(plan), timeoutMs, 'reading the router');
  } catch (err) {
    warnings.push(`router not read: ${errorMessage(err)}`);
  }
  const nodes: Record<string, NodeStatus> = {};
  for (const n of plan.hosts.nodes) {
    const speaker = state.processes[`speaker/${n.name}`];
    nodes[n.name] = {
      ...host(n), mac: n.mac, asn: labAsn.node,
      speaker: speaker !== undefined && isAlive(speaker) ? 'running' : 'stopped',
      link: state.cutLinks.includes(n.name) ? 'cut' : 'up',
    };
  }
  return {
    name: plan.name,
    kubeconfig: plan.paths.kubeconfig,
    api: { url: `http://127.0.0.1:${state.apiPort ?? 0}`, state: api },
    hosts: {
      client: { ...host(plan.hosts.client), mac: plan.hosts.client.mac },
      router: { ...host(plan.hosts.router), asn: labAsn.router, daemon: plan.router },
      outside: host(plan.hosts.outside),
      nodes,
    },
    services: cluster.services,
    bgpSessions: sessions,
    pools: cluster.pools,
    warnings,
  };
}

/** The text form of `lab status`. */
export function statusText(s: LabStatus): string[] {
  const lines = [`lab ${s.name}: API ${s.api.url} (${s.api.state}), kubeconfig ${s.kubeconfig}`, '', 'HOST      NAMESPACE               IPV4          IPV6            NOTE'];
  const row = (name: string, h: HostStatus, note: string): string =>
    `${name.padEnd(9)} ${h.netns.padEnd(23)} ${h.ipv4.padEnd(13)} ${h.ipv6.padEnd(15)} ${note}`;
  for (const [name, n] of Object.entries(s.hosts.nodes)) {
    lines.push(row(name, n, `AS ${n.asn}, speaker ${n.speaker}${n.link === 'cut' ? ', link CUT' : ''}`));
  }
  lines.push(row('router', s.hosts.router, s.hosts.router.daemon === 'none' ? 'no daemon' : `${s.hosts.router.daemon}, AS ${s.hosts.router.asn}`));
  lines.push(row('client', s.hosts.client, ''), row('outside', s.hosts.outside, 'behind the router'));
  lines.push('', 'SERVICE                  IPS                            LAYER2   BGP');
  if (s.services.length === 0) lines.push('(no LoadBalancer Services)');
  for (const svc of s.services) {
    lines.push(`${`${svc.namespace}/${svc.name}`.padEnd(24)} ${(svc.ips.join(',') || '<pending>').padEnd(30)} ${(svc.layer2 ?? '-').padEnd(8)} ${svc.bgp.join(',') || '-'}`);
  }
  if (s.bgpSessions.length > 0) {
    lines.push('', 'BGP SESSIONS (router view)');
    for (const x of s.bgpSessions) lines.push(`  ${x.node} -> ${x.peer}: ${x.state}`);
  }
  if (s.pools.length > 0) {
    lines.push('', 'POOL                 ASSIGNED IPV4  AVAILABLE IPV4  ASSIGNED IPV6  AVAILABLE IPV6');
    for (const p of s.pools) {
      lines.push(`${p.name.padEnd(20)} ${String(p.assignedIPv4).padEnd(14)} ${String(p.availableIPv4).padEnd(15)} ${String(p.assignedIPv6).padEnd(14)} ${p.availableIPv6}`);
    }
  }
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines;
}
