/**
 * `apiextensions.k8s.io/v1` ConversionReview for BGPPeer v1beta1 <-> v1beta2 (the CRD conversion webhook,
 * metallb-behaviour.md §1.4), pure. Each object is converted through `api/bgp-peer-conversion.ts`; metadata is
 * kept except the annotation that carries v1beta2-only fields through v1beta1, status is kept as it is. One
 * object that cannot be converted fails the whole review, as the API server expects.
 */
import { bgpPeerToV1beta1, bgpPeerToV1beta2 } from '../../api/bgp-peer-conversion.js';
import { metallbGroup } from '../../api/kinds.js';
import type { BGPPeerManifest, BGPPeerV1beta1 } from '../../api/schema/bgp-peer.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const served = [`${metallbGroup}/v1beta1`, `${metallbGroup}/v1beta2`];

function convertOne(obj: unknown, desired: string): Record<string, unknown> {
  if (!isRecord(obj) || obj['kind'] !== 'BGPPeer' || !served.includes(String(obj['apiVersion']))) {
    throw new Error(`cannot convert ${isRecord(obj) ? `${String(obj['apiVersion'])} ${String(obj['kind'])}` : 'a non-object'}: only metallb.io BGPPeer`);
  }
  if (obj['apiVersion'] === desired) return obj;
  const converted = (desired === `${metallbGroup}/v1beta2`
    ? bgpPeerToV1beta2(obj as BGPPeerV1beta1)
    : bgpPeerToV1beta1(obj as BGPPeerManifest)) as Record<string, unknown>;
  return obj['status'] === undefined ? converted : { ...converted, status: obj['status'] };
}

export function handleConversionReview(body: unknown): { readonly httpCode: 200 | 400; readonly body: object } {
  if (!isRecord(body) || body['apiVersion'] !== 'apiextensions.k8s.io/v1' || body['kind'] !== 'ConversionReview' || !isRecord(body['request'])) {
    return { httpCode: 400, body: { message: 'expected an apiextensions.k8s.io/v1 ConversionReview with a request' } };
  }
  const req = body['request'];
  const uid = typeof req['uid'] === 'string' ? req['uid'] : '';
  const desired = String(req['desiredAPIVersion']);
  const reply = (response: object): { httpCode: 200; body: object } =>
    ({ httpCode: 200, body: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid, ...response } } });
  if (!served.includes(desired)) {
    return reply({ convertedObjects: [], result: { status: 'Failure', message: `cannot convert to ${desired}: metallb.io BGPPeer is served as v1beta1 and v1beta2` } });
  }
  try {
    const objects = Array.isArray(req['objects']) ? req['objects'] : [];
    return reply({ convertedObjects: objects.map((o) => convertOne(o, desired)), result: { status: 'Success' } });
  } catch (err) {
    return reply({ convertedObjects: [], result: { status: 'Failure', message: (err as Error).message } });
  }
}
