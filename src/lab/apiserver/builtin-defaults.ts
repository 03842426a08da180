/**
 * The defaulting the real server does for the built-in kinds our components read: Services get cluster IPs
 * (families per `ipFamilyPolicy`/`ipFamilies`, as a dual-stack cluster with IPv4 first), default protocol,
 * type and traffic policies, and keep allocated values across updates; Namespaces get the
 * `kubernetes.io/metadata.name` label and phase Active. NodePorts are not allocated.
 */
import { ApiError } from './api-error.js';
import type { Json } from './patch.js';
import { metadataOf, type JsonObject } from './store.js';

type Family = 'IPv4' | 'IPv6';

function obj(v: Json | undefined): JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
}

function strings(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function familyOf(ip: string): Family {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

export class ClusterIpAllocator {
  private nextV4 = 10;
  private nextV6 = 10;

  allocate(family: Family): string {
    if (family === 'IPv4') {
      const n = this.nextV4++;
      return `10.96.${(n >> 8) & 0xff}.${n & 0xff}`;
    }
    return `fd00:10:96::${(this.nextV6++).toString(16)}`;
  }
}

function defaultPorts(spec: JsonObject): void {
  const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
  for (const p of ports) {
    const port = obj(p);
    if (port['protocol'] === undefined) port['protocol'] = 'TCP';
    if (port['targetPort'] === undefined && port['port'] !== undefined) port['targetPort'] = port['port'];
  }
}

function wantedFamilies(spec: JsonObject, existing: string[]): Family[] {
  const policy = spec['ipFamilyPolicy'];
  const given = strings(spec['ipFamilies']).filter((f): f is Family => f === 'IPv4' || f === 'IPv6');
  const first: Family = given[0] ?? (existing[0] !== undefined ? familyOf(existing[0]) : 'IPv4');
  if (policy === 'RequireDualStack' || policy === 'PreferDualStack') {
    return [first, given[1] ?? (first === 'IPv4' ? 'IPv6' : 'IPv4')];
  }
  return [first];
}

/** Fills `spec.clusterIP(s)`, `ipFamilies` and `ipFamilyPolicy`, keeping what `old` had allocated. */
function assignClusterIps(spec: JsonObject, old: JsonObject | undefined, alloc: ClusterIpAllocator): void {
  if (spec['type'] === 'ExternalName') return;
  let ips = strings(spec['clusterIPs']);
  if (ips.length === 0 && typeof spec['clusterIP'] === 'string' && spec['clusterIP'] !== '') ips = [spec['clusterIP']];
  const oldIps = old === undefined ? [] : strings(obj(old['spec'])['clusterIPs']);
  if (ips.length === 0 && oldIps.length > 0) ips = [...oldIps];
  if (old !== undefined && oldIps.length > 0 && ips[0] !== oldIps[0]) {
    throw ApiError.invalid('Service', String(metadataOf(old)['name']), '', [{ field: 'spec.clusterIPs[0]', message: 'Invalid value: field is immutable' }]);
  }
  if (spec['ipFamilyPolicy'] === undefined) spec['ipFamilyPolicy'] = 'SingleStack';
  if (ips[0] === 'None') {
    spec['clusterIP'] = 'None';
    spec['clusterIPs'] = ['None'];
    spec['ipFamilies'] = wantedFamilies(spec, []);
    return;
  }
  const families = wantedFamilies(spec, ips);
  ips = ips.slice(0, families.length);
  for (let i = ips.length; i < families.length; i++) ips.push(alloc.allocate(families[i]!));
  spec['clusterIPs'] = ips;
  spec['clusterIP'] = ips[0]!;
  spec['ipFamilies'] = ips.map(familyOf);
}

export function defaultService(service: JsonObject, old: JsonObject | undefined, alloc: ClusterIpAllocator): void {
  const spec = obj(service['spec']);
  service['spec'] = spec;
  if (spec['type'] === undefined) spec['type'] = 'ClusterIP';
  if (spec['sessionAffinity'] === undefined) spec['sessionAffinity'] = 'None';
  if (spec['internalTrafficPolicy'] === undefined && spec['type'] !== 'ExternalName') spec['internalTrafficPolicy'] = 'Cluster';
  if ((spec['type'] === 'LoadBalancer' || spec['type'] === 'NodePort') && spec['externalTrafficPolicy'] === undefined) {
    spec['externalTrafficPolicy'] = 'Cluster';
  }
  if (spec['type'] === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] === undefined) spec['allocateLoadBalancerNodePorts'] = true;
  defaultPorts(spec);
  assignClusterIps(spec, old, alloc);
  if (service['status'] === undefined) service['status'] = { loadBalancer: {} };
}

export function defaultNamespace(ns: JsonObject): void {
  const meta = metadataOf(ns);
  meta['labels'] = { ...obj(meta['labels']), 'kubernetes.io/metadata.name': String(meta['name']) };
  ns['metadata'] = meta;
  ns['spec'] = obj(ns['spec']);
  if (ns['status'] === undefined) ns['status'] = { phase: 'Active' };
}

/** Secrets: `stringData` is folded into `data` (base64) and never stored, as the real server does. */
export function defaultSecret(secret: JsonObject): void {
  const stringData = obj(secret['stringData']);
  if (Object.keys(stringData).length > 0) {
    const data = obj(secret['data']);
    for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    secret['data'] = data;
  }
  delete secret['stringData'];
}
