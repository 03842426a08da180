/**
 * What the test API server knows about each resource: names, scope, subresources, which field selectors it
 * accepts, how names are validated. Built-in kinds are listed here; custom resources come from CRDs
 * (custom-resources.ts).
 */
import type { NameRule } from './names.js';

export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  /** Served versions; the first is the preferred (and storage) version. */
  readonly versions: readonly string[];
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly hasStatus: boolean;
  /** Defined by a CRD: strategic merge patch is refused (415), /status keeps only `.status`. */
  readonly custom: boolean;
  readonly nameRule: NameRule;
  /** Field-selector paths beyond `metadata.name` and `metadata.namespace`. */
  readonly fieldSelectors: readonly string[];
  /** PUT without `metadata.resourceVersion` is allowed (true for most built-ins, false for custom resources). */
  readonly unconditionalUpdate: boolean;
  /** openAPIV3Schema per version (custom resources): used to prune unknown fields, default and validate. */
  readonly schemas?: ReadonlyMap<string, unknown>;
}

/** Storage key of a resource: `group/plural` (versions share storage, as with conversion strategy None). */
export function typeKey(t: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${t.group}/${t.plural}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

interface BuiltinSpec {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly status?: boolean;
  readonly shortNames?: readonly string[];
  readonly nameRule?: NameRule;
  readonly fieldSelectors?: readonly string[];
}

const eventFields = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
  'reportingComponent', 'source', 'type',
];

const builtinSpecs: readonly BuiltinSpec[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, status: true, shortNames: ['ns'],
    nameRule: 'dns1123Label', fieldSelectors: ['status.phase'] },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, status: true, shortNames: ['svc'],
    nameRule: 'dns1035Label', fieldSelectors: ['spec.clusterIP', 'spec.type'] },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, status: true, shortNames: ['no'],
    fieldSelectors: ['spec.unschedulable'] },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, status: true, shortNames: ['po'],
    fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
      'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, fieldSelectors: ['type'] },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], fieldSelectors: eventFields },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true,
    fieldSelectors: ['addressType'] },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'],
    fieldSelectors: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'reason',
      'reportingController', 'type'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, status: true, shortNames: ['deploy'] },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, status: true, shortNames: ['ds'] },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations',
    namespaced: false },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions',
    namespaced: false, status: true, shortNames: ['crd', 'crds'] },
];

export function builtinTypes(): ResourceType[] {
  return builtinSpecs.map((s) => ({
    group: s.group, versions: [s.version], plural: s.plural, singular: s.kind.toLowerCase(), kind: s.kind,
    listKind: `${s.kind}List`, namespaced: s.namespaced, shortNames: s.shortNames ?? [], hasStatus: s.status ?? false,
    custom: false, nameRule: s.nameRule ?? 'dns1123Subdomain', fieldSelectors: s.fieldSelectors ?? [],
    unconditionalUpdate: true,
  }));
}

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
