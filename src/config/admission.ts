/**
 * The admission decision of the validating webhook (metallb-behaviour.md §1.4, §2.10), pure: the webhook server
 * lists what `admissionInputs()` names through its reader and hands it here with the request.
 *
 * As MetalLB: a CREATE outside the MetalLB namespace is denied; the incoming object replaces (or joins) the
 * existing objects of its kind and the whole configuration is built with the controller's own `build()`;
 * references to objects that may not exist yet (Secrets, BFD profiles, Community aliases: the transient rules)
 * never deny, so creation order does not matter; deleting a BFDProfile that a BGPPeer uses is denied; other
 * DELETEs are not intercepted.
 *
 * Deliberate differences, each making the webhook safer to leave on:
 * - A change is denied only for problems it introduces. The configuration is built before and after the change
 *   and only problems found after and not before count; problems already there come back as warnings. An
 *   invalid configuration that got in while the webhook was down (failurePolicy Ignore) therefore never blocks
 *   unrelated changes, and the change that fixes it passes.
 * - Every metallb.io kind and the Nodes are read for every kind (MetalLB reads only the incoming kind, plus
 *   pools and Nodes for advertisements), so cross-kind problems a change introduces (a new pool that makes an
 *   advertisement's localPref conflict) are caught here and not only later by the controller.
 * - `disableMP` on a BGPPeer gives MetalLB's deprecation warning but does not skip the other checks (MetalLB
 *   skips them on CREATE, admitting peers that are otherwise invalid).
 * - An UPDATE of an object outside the MetalLB namespace is allowed with a warning (it can only exist because it
 *   was created while the webhook was down; blocking its cleanup would help nobody).
 */
import { bgpPeerToV1beta2 } from '../api/bgp-peer-conversion.js';
import { type ObjectResult, validateObject } from '../api/object-validator.js';
import type { BGPPeerV1beta1 } from '../api/schema/bgp-peer.js';
import { type AdmissionKind, admissionKinds } from '../api/webhook-endpoints.js';
import { build } from './build.js';
import { type ConfigProblem, formatProblem } from './problems.js';
import { type ClusterResources, resourceKinds } from './resources.js';

export { admissionKinds, type AdmissionKind };

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  readonly kind: AdmissionKind;
  /** The version of `object`/`oldObject` (v1beta1, or v1beta2 for BGPPeer). */
  readonly version: string;
  readonly operation: AdmissionOperation;
  /** The namespace of the request. */
  readonly namespace: string | undefined;
  readonly name: string;
  /** The new object (CREATE, UPDATE). */
  readonly object: unknown;
  /** The object before (UPDATE, DELETE). */
  readonly oldObject: unknown;
}

/** Why a request was denied: a stable code for tests, metrics and logs. */
export type DenialReason = 'wrong-namespace' | 'schema' | 'invalid-config' | 'bfd-profile-in-use';

export type AdmissionDecision =
  | { readonly allowed: true; readonly warnings: readonly string[] }
  | { readonly allowed: false; readonly reason: DenialReason; readonly message: string; readonly warnings: readonly string[] };

/** The lists of `ClusterResources` the reader fills for a request. */
export type AdmissionInput = 'pools' | 'l2Advertisements' | 'bgpAdvertisements' | 'peers' | 'bfdProfiles' | 'communities' | 'nodes';

export interface AdmissionOptions {
  /** The MetalLB namespace. */
  readonly namespace: string;
}

const keyOfKind: Readonly<Record<AdmissionKind, AdmissionInput>> = {
  IPAddressPool: 'pools',
  L2Advertisement: 'l2Advertisements',
  BGPAdvertisement: 'bgpAdvertisements',
  BGPPeer: 'peers',
  BFDProfile: 'bfdProfiles',
  Community: 'communities',
};

const everything: readonly AdmissionInput[] = ['pools', 'l2Advertisements', 'bgpAdvertisements', 'peers', 'bfdProfiles', 'communities', 'nodes'];

/** Past this many, warnings are summarised (the API server caps the size of warning headers). */
const maxWarnings = 8;

export function isAdmissionKind(kind: string): kind is AdmissionKind {
  return (admissionKinds as readonly string[]).includes(kind);
}

/** What the reader must list (in the MetalLB namespace; Nodes cluster-wide) before `decideAdmission`. */
export function admissionInputs(request: Pick<AdmissionRequest, 'kind' | 'operation' | 'namespace'>, options: AdmissionOptions): readonly AdmissionInput[] {
  if (request.operation === 'DELETE') return request.kind === 'BFDProfile' ? ['peers'] : [];
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return [];
  if (request.namespace !== options.namespace) return [];
  return everything;
}

const allow = (warnings: readonly string[] = []): AdmissionDecision => ({ allowed: true, warnings: capWarnings(warnings) });

function deny(reason: DenialReason, message: string, warnings: readonly string[] = []): AdmissionDecision {
  return { allowed: false, reason, message, warnings: capWarnings(warnings) };
}

function capWarnings(warnings: readonly string[]): readonly string[] {
  if (warnings.length <= maxWarnings) return warnings;
  return [...warnings.slice(0, maxWarnings - 1), `and ${warnings.length - maxWarnings + 1} more warnings`];
}

export function decideAdmission(request: AdmissionRequest, existing: Partial<Pick<ClusterResources, AdmissionInput>>, options: AdmissionOptions): AdmissionDecision {
  const where = `${request.kind}/${request.name}`;
  switch (request.operation) {
    case 'CONNECT':
      return allow();
    case 'DELETE':
      return request.kind === 'BFDProfile' ? decideBfdProfileDelete(request.name, existing.peers ?? []) : allow();
    case 'CREATE':
      if (request.namespace !== options.namespace) {
        return deny('wrong-namespace', `${where}: must be created in the MetalLB namespace "${options.namespace}", not "${request.namespace ?? ''}" ` +
          '(metallb-ts reads its objects only from its own namespace)');
      }
      return decideChange(request, existing);
    case 'UPDATE':
      if (request.namespace !== options.namespace) {
        return allow([`${where} is not in the MetalLB namespace "${options.namespace}": metallb-ts ignores it`]);
      }
      return decideChange(request, existing);
  }
}

function decideBfdProfileDelete(name: string, peers: readonly unknown[]): AdmissionDecision {
  const users = peers
    .map((p) => p as { metadata?: { name?: string }; spec?: { bfdProfile?: string } })
    .filter((p) => p.spec?.bfdProfile === name)
    .map((p) => `"${p.metadata?.name ?? ''}"`);
  if (users.length === 0) return allow();
  return deny('bfd-profile-in-use', `BFDProfile/${name}: used by BGPPeer ${users.join(', ')}: remove the bfdProfile reference from ${users.length === 1 ? 'it' : 'them'} first`);
}

type Named = { readonly metadata?: { readonly name?: string } };

/** The incoming object, schema-checked and defaulted; BGPPeer v1beta1 converted to v1beta2. */
function checkIncoming(request: AdmissionRequest): ObjectResult<Named> {
  if (request.kind === 'BGPPeer' && request.version === 'v1beta1') {
    const v1 = validateObject<BGPPeerV1beta1>('BGPPeer', 'v1beta1', request.object);
    if (v1.problems !== undefined) return { problems: v1.problems };
    return validateObject<Named>('BGPPeer', 'v1beta2', bgpPeerToV1beta2(v1.object));
  }
  return validateObject<Named>(request.kind, request.version, request.object);
}

/** Existing objects as build() reads them: defaulted by their schema; ones too broken to read are left out. */
function normalise(kind: AdmissionKind, objects: readonly unknown[]): Named[] {
  const version = kind === 'BGPPeer' ? 'v1beta2' : 'v1beta1';
  return objects.flatMap((o) => {
    const checked = validateObject<Named>(kind, version, o);
    return checked.object === undefined ? [] : [checked.object];
  });
}

function resourcesOf(existing: Partial<Pick<ClusterResources, AdmissionInput>>): Partial<ClusterResources> {
  const out: Record<string, readonly unknown[]> = { nodes: existing.nodes ?? [] };
  for (const kind of admissionKinds) out[keyOfKind[kind]] = normalise(kind, existing[keyOfKind[kind]] ?? []);
  return out as Partial<ClusterResources>;
}

const problemKey = (p: ConfigProblem): string => `${p.code}\u0000${p.kind}\u0000${p.name}\u0000${p.path}\u0000${p.message}`;

function decideChange(request: AdmissionRequest, existing: Partial<Pick<ClusterResources, AdmissionInput>>): AdmissionDecision {
  const where = `${request.kind}/${request.name}`;
  const incoming = checkIncoming(request);
  if (incoming.problems !== undefined) {
    return deny('schema', incoming.problems.map((p) => `${where}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`).join('; '));
  }
  const key = keyOfKind[request.kind];
  const before = resourcesOf(existing);
  const others = (before[key] ?? []) as readonly Named[];
  const after = { ...before, [key]: [...others.filter((o) => o.metadata?.name !== request.name), incoming.object] };
  const problemsBefore = new Set(allProblems(before).filter((p) => !p.transient).map(problemKey));
  const built = build(after);
  const introduced = (built.errors ?? []).filter((p) => !p.transient && !problemsBefore.has(problemKey(p)));
  const warnings = [
    ...disableMpWarning(request.kind, incoming.object),
    ...(built.errors ?? []).filter((p) => p.transient && concerns(p, request)).map((p) => `${formatProblem(p)} (it may be created later)`),
    ...built.warnings.filter((p) => concerns(p, request) && p.code !== 'deprecated-disable-mp').map(formatProblem),
    ...preexisting(problemsBefore.size, built.errors ?? [], introduced),
  ];
  if (introduced.length > 0) return deny('invalid-config', introduced.map(formatProblem).join('; '), warnings);
  return allow(warnings);
}

function allProblems(resources: Partial<ClusterResources>): readonly ConfigProblem[] {
  return build(resources).errors ?? [];
}

function concerns(p: ConfigProblem, request: AdmissionRequest): boolean {
  return p.kind === request.kind && p.name === request.name;
}

function disableMpWarning(kind: AdmissionKind, object: Named): string[] {
  const spec = (object as { spec?: { disableMP?: boolean } }).spec;
  // MetalLB's text (metallb-behaviour.md §2.10).
  return kind === 'BGPPeer' && spec?.disableMP === true ? ['disable mp is deprecated and has no effect, and will be removed in a future release'] : [];
}

function preexisting(countBefore: number, after: readonly ConfigProblem[], introduced: readonly ConfigProblem[]): string[] {
  if (countBefore === 0) return [];
  const still = after.filter((p) => !p.transient && !introduced.includes(p));
  if (still.length === 0) return [];
  return [`the MetalLB configuration already has ${still.length} problem${still.length === 1 ? '' : 's'} this change does not introduce ` +
    `(the controller keeps its last valid configuration; see ConfigurationState/controller), first: ${formatProblem(still[0]!)}`];
}

/** The `ClusterResources` key of each admission kind (for readers that list by kind). */
export const admissionInputKinds: Readonly<Record<AdmissionInput, string>> = {
  pools: resourceKinds.pools,
  l2Advertisements: resourceKinds.l2Advertisements,
  bgpAdvertisements: resourceKinds.bgpAdvertisements,
  peers: resourceKinds.peers,
  bfdProfiles: resourceKinds.bfdProfiles,
  communities: resourceKinds.communities,
  nodes: resourceKinds.nodes,
};
