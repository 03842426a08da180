/**
 * The ServiceL2Status and ServiceBGPStatus objects one speaker keeps (metallb-behaviour.md §2.7), as a pure
 * plan from what it announces to the writes that bring the cluster there:
 *  - ServiceL2Status: only the node announcing a Service over layer 2 keeps one (`interfaces` only when the
 *    L2Advertisements restrict them); every other node deletes its own.
 *  - ServiceBGPStatus: one per (Service, node announcing it over BGP), `peers` = the sorted BGPPeer names that get
 *    its prefixes; deleted when no peer does.
 * Objects are named `l2-`/`bgp-` + a generated suffix, carry the three `metallb.io/` labels, and are owned by the
 * speaker Pod when it is known. A speaker only ever touches objects labelled with its own node.
 */
import type { BgpAnnouncement, Layer2Announcement } from './announcement.js';

export const statusLabels = {
  node: 'metallb.io/node',
  serviceName: 'metallb.io/service-name',
  serviceNamespace: 'metallb.io/service-namespace',
} as const;

export type StatusKind = 'ServiceL2Status' | 'ServiceBGPStatus';

export const statusKinds = {
  ServiceL2Status: { plural: 'servicel2statuses', generateName: 'l2-' },
  ServiceBGPStatus: { plural: 'servicebgpstatuses', generateName: 'bgp-' },
} as const satisfies Record<StatusKind, { plural: string; generateName: string }>;

export interface StatusBody {
  readonly node: string;
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly interfaces?: readonly { readonly name: string }[];
  readonly peers?: readonly string[];
}

/** One of our status objects as cached (plain JSON). */
export interface StatusObject {
  readonly metadata?: {
    readonly name?: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly status?: Partial<StatusBody>;
}

export interface OwnerPod {
  readonly name: string;
  readonly uid: string;
}

export type StatusAction =
  | { readonly type: 'create'; readonly labels: Readonly<Record<string, string>>; readonly status: StatusBody }
  | { readonly type: 'updateStatus'; readonly object: StatusObject; readonly status: StatusBody }
  | { readonly type: 'delete'; readonly name: string };

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

export function layer2StatusBody(node: string, service: ServiceRef, a: Layer2Announcement | undefined): StatusBody | undefined {
  if (a === undefined) return undefined;
  const base = { node, serviceName: service.name, serviceNamespace: service.namespace };
  return a.interfaces === 'all' ? base : { ...base, interfaces: a.interfaces.map((name) => ({ name })) };
}

export function bgpStatusBody(node: string, service: ServiceRef, a: BgpAnnouncement | undefined): StatusBody | undefined {
  if (a === undefined || a.peers.length === 0) return undefined;
  return { node, serviceName: service.name, serviceNamespace: service.namespace, peers: [...a.peers] };
}

export function statusObjectLabels(node: string, service: ServiceRef): Record<string, string> {
  return { [statusLabels.node]: node, [statusLabels.serviceName]: service.name, [statusLabels.serviceNamespace]: service.namespace };
}

/** Whether a cached object is this node's, for this Service. */
export function isStatusOf(obj: StatusObject, node: string, service: ServiceRef): boolean {
  const l = obj.metadata?.labels ?? {};
  return l[statusLabels.node] === node && l[statusLabels.serviceName] === service.name && l[statusLabels.serviceNamespace] === service.namespace;
}

/** The Service an object is about, from its labels (undefined when they are missing). */
export function serviceOfStatus(obj: StatusObject): ServiceRef | undefined {
  const l = obj.metadata?.labels ?? {};
  const name = l[statusLabels.serviceName];
  const namespace = l[statusLabels.serviceNamespace];
  return name === undefined || namespace === undefined ? undefined : { namespace, name };
}

function sameBody(have: Partial<StatusBody> | undefined, want: StatusBody): boolean {
  const norm = (b: Partial<StatusBody> | undefined) => JSON.stringify({
    node: b?.node, serviceName: b?.serviceName, serviceNamespace: b?.serviceNamespace,
    interfaces: b?.interfaces === undefined || b.interfaces.length === 0 ? undefined : b.interfaces.map((i) => i.name),
    peers: b?.peers === undefined || b.peers.length === 0 ? undefined : [...b.peers],
  });
  return norm(have) === norm(want);
}

/**
 * The writes for one Service: `existing` are this node's objects for it. Keeps the oldest-named one and
 * deletes the rest; creates one when none exists (its status is written right after, the status subresource
 * ignores it on create); rewrites a status that differs.
 */
export function planStatusObjects(desired: StatusBody | undefined, existing: readonly StatusObject[], labels: Readonly<Record<string, string>>): StatusAction[] {
  const sorted = [...existing].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (desired === undefined) return sorted.map((o) => ({ type: 'delete', name: o.metadata?.name ?? '' }));
  const [keep, ...extra] = sorted;
  const actions: StatusAction[] = extra.map((o) => ({ type: 'delete', name: o.metadata?.name ?? '' }));
  if (keep === undefined) actions.push({ type: 'create', labels, status: desired });
  else if (!sameBody(keep.status, desired)) actions.push({ type: 'updateStatus', object: keep, status: desired });
  return actions;
}
