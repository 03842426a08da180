/**
 * BGPPeer conversion between the deprecated v1beta1 and the v1beta2 storage version (the CRD conversion
 * webhook, metallb-behaviour.md §1.4 and §2.4). The common fields are copied as MetalLB does. Two deliberate
 * differences:
 * - unset hold and keepalive times stay unset (MetalLB writes `0s`, which turns keepalives off);
 * - the v1beta2 fields v1beta1 cannot hold are kept in the annotation `metallb-ts.io/v1beta2-fields` and restored
 *   on the way back, so reading and writing a peer through v1beta1 no longer loses them.
 */
import type { BGPPeerManifest, BGPPeerV1beta1 } from './schema/bgp-peer.js';
import { metallbGroup } from './kinds.js';

export const v1beta2FieldsAnnotation = 'metallb-ts.io/v1beta2-fields';

type SpecV1 = NonNullable<BGPPeerV1beta1['spec']>;
type SpecV2 = NonNullable<BGPPeerManifest['spec']>;
type Metadata = NonNullable<BGPPeerManifest['metadata']>;
type SelectorV1 = NonNullable<SpecV1['nodeSelectors']>[number];
type SelectorV2 = NonNullable<SpecV2['nodeSelectors']>[number];

/** The v1beta2 spec fields that v1beta1 has no place for. */
const v1beta2Only = [
  'dynamicASN', 'localASN', 'interface', 'connectTime', 'passwordSecret', 'enableGracefulRestart', 'vrf',
  'disableMP', 'dualStackAddressFamily',
] as const satisfies readonly (keyof SpecV2)[];

type StashedFields = Pick<SpecV2, (typeof v1beta2Only)[number]>;

function copyDefined<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

const common = ['myASN', 'sourceAddress', 'holdTime', 'keepaliveTime', 'routerID', 'password', 'bfdProfile', 'ebgpMultiHop'] as const;

function selectorToV2(sel: SelectorV1): SelectorV2 {
  const out: SelectorV2 = {};
  if (sel.matchLabels !== undefined && Object.keys(sel.matchLabels).length > 0) out.matchLabels = { ...sel.matchLabels };
  if (sel.matchExpressions !== undefined && sel.matchExpressions.length > 0) {
    out.matchExpressions = sel.matchExpressions.map((e) =>
      e.values.length > 0 ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator });
  }
  return out;
}

function selectorToV1(sel: SelectorV2): SelectorV1 {
  const out: SelectorV1 = {};
  if (sel.matchLabels !== undefined && Object.keys(sel.matchLabels).length > 0) out.matchLabels = { ...sel.matchLabels };
  if (sel.matchExpressions !== undefined && sel.matchExpressions.length > 0) {
    out.matchExpressions = sel.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] }));
  }
  return out;
}

function readStash(metadata: Metadata | undefined): { stash: Partial<StashedFields>; metadata: Metadata | undefined } {
  const text = metadata?.annotations?.[v1beta2FieldsAnnotation];
  if (metadata === undefined || text === undefined) return { stash: {}, metadata: metadata && structuredClone(metadata) };
  const copy = structuredClone(metadata);
  const annotations = { ...copy.annotations };
  delete annotations[v1beta2FieldsAnnotation];
  if (Object.keys(annotations).length > 0) copy.annotations = annotations;
  else delete copy.annotations;
  let stash: Partial<StashedFields> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      stash = copyDefined(parsed as StashedFields, v1beta2Only);
    }
  } catch {
    // A mangled annotation restores nothing; the peer converts as MetalLB would.
  }
  return { stash, metadata: copy };
}

/** v1beta1 -> v1beta2 (the hub). */
export function bgpPeerToV1beta2(peer: BGPPeerV1beta1): BGPPeerManifest {
  const spec: SpecV1 = peer.spec ?? { myASN: 0, peerASN: 0, peerAddress: '' };
  const { stash, metadata } = readStash(peer.metadata);
  const out: SpecV2 = { ...copyDefined(spec, common), myASN: spec.myASN, ...stash };
  if (spec.peerASN !== 0) out.peerASN = spec.peerASN;
  if (spec.peerAddress !== '') out.peerAddress = spec.peerAddress;
  if (spec.peerPort !== undefined && spec.peerPort !== 0) out.peerPort = spec.peerPort;
  if (spec.nodeSelectors !== undefined) out.nodeSelectors = spec.nodeSelectors.map(selectorToV2);
  const result: BGPPeerManifest = { apiVersion: `${metallbGroup}/v1beta2`, kind: 'BGPPeer', spec: out };
  if (metadata !== undefined) result.metadata = metadata;
  return result;
}

/** v1beta2 -> v1beta1; fields v1beta1 cannot hold go into the `metallb-ts.io/v1beta2-fields` annotation. */
export function bgpPeerToV1beta1(peer: BGPPeerManifest): BGPPeerV1beta1 {
  const spec: SpecV2 = peer.spec ?? { myASN: 0 };
  const out: SpecV1 = {
    ...copyDefined(spec, common),
    myASN: spec.myASN,
    peerASN: spec.peerASN ?? 0,
    peerAddress: spec.peerAddress ?? '',
  };
  if (spec.peerPort !== undefined) out.peerPort = spec.peerPort;
  if (spec.nodeSelectors !== undefined) out.nodeSelectors = spec.nodeSelectors.map(selectorToV1);
  const stash = copyDefined(spec, v1beta2Only);
  const metadata = peer.metadata === undefined ? undefined : structuredClone(peer.metadata);
  const result: BGPPeerV1beta1 = { apiVersion: `${metallbGroup}/v1beta1`, kind: 'BGPPeer', spec: out };
  if (Object.keys(stash).length > 0) {
    result.metadata = { ...metadata, annotations: { ...metadata?.annotations, [v1beta2FieldsAnnotation]: JSON.stringify(stash) } };
  } else if (metadata !== undefined) {
    result.metadata = metadata;
  }
  return result;
}
