/**
 * Least-privilege RBAC: the API calls each component makes, as data. The RBAC test records the requests the
 * controller and the speaker really make against the test API server and compares them with these rules in
 * both directions (no call without a rule, no rule without a call), so a rule here is there because code uses it.
 * Each rule says which code needs it.
 */
import type { V1ClusterRole, V1ClusterRoleBinding, V1PolicyRule, V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { webhookNames } from '../api/webhook-endpoints.js';
import { componentLabels, type InstallOptions, names } from './install-options.js';

export interface PermissionRule {
  /** API group, '' for the core group. */
  readonly group: string;
  /** Resources, with a subresource as `services/status`. */
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Restricts get/update/patch/delete to these names (create, list and watch cannot be restricted). */
  readonly resourceNames?: readonly string[];
  readonly why: string;
}

export interface ComponentPermissions {
  /** Granted cluster-wide (ClusterRole). */
  readonly cluster: readonly PermissionRule[];
  /** Granted in the MetalLB namespace (Role). */
  readonly namespaced: readonly PermissionRule[];
}

const configKinds = ['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers', 'bfdprofiles', 'communities'];

export const controllerPermissions: ComponentPermissions = {
  cluster: [
    { group: '', resources: ['services'], verbs: ['get', 'list', 'watch'], why: 'k8s/controller-runtime: Service informer; status writer re-reads on conflict' },
    { group: '', resources: ['services/status'], verbs: ['update'], why: 'k8s/service-status-writer: status.loadBalancer.ingress' },
    { group: '', resources: ['namespaces'], verbs: ['list', 'watch'], why: 'k8s/controller-runtime: Namespace informer (pool namespaceSelectors)' },
    { group: '', resources: ['nodes'], verbs: ['list'], why: 'webhook: node-dependent rules (localPref, peers sharing a node)' },
    { group: 'events.k8s.io', resources: ['events'], verbs: ['create', 'patch'], why: 'k8s/event-recorder: events on Services' },
    {
      group: 'admissionregistration.k8s.io', resources: ['validatingwebhookconfigurations'], verbs: ['get', 'patch'],
      resourceNames: [webhookNames.configuration], why: 'webhook: writes the caBundle',
    },
    {
      group: 'apiextensions.k8s.io', resources: ['customresourcedefinitions'], verbs: ['get', 'patch'],
      resourceNames: ['bgppeers.metallb.io'], why: 'webhook: writes the conversion webhook caBundle',
    },
  ],
  namespaced: [
    { group: 'metallb.io', resources: ['ipaddresspools', 'communities'], verbs: ['list', 'watch'], why: 'k8s/controller-runtime: config informers; webhook: lists before deciding' },
    { group: 'metallb.io', resources: ['l2advertisements', 'bgpadvertisements', 'bgppeers', 'bfdprofiles'], verbs: ['list'], why: 'webhook: lists before deciding' },
    { group: 'metallb.io', resources: ['ipaddresspools/status'], verbs: ['patch'], why: 'k8s/controller-objects: pool status counters' },
    { group: 'metallb.io', resources: ['configurationstates'], verbs: ['create'], why: 'k8s/controller-objects: ConfigurationState/controller' },
    { group: 'metallb.io', resources: ['configurationstates'], verbs: ['get'], resourceNames: ['controller'], why: 'k8s/controller-objects: ConfigurationState/controller' },
    {
      group: 'metallb.io', resources: ['configurationstates/status'], verbs: ['patch'], resourceNames: ['controller'],
      why: 'k8s/controller-objects: ConfigurationState/controller status',
    },
    { group: '', resources: ['secrets'], verbs: ['create'], why: 'webhook: certificate Secret; k8s/controller-objects: memberlist Secret' },
    {
      group: '', resources: ['secrets'], verbs: ['get', 'update'], resourceNames: [webhookNames.certSecret, names.memberlistSecret],
      why: 'webhook: reads and renews its certificate Secret; k8s/controller-objects: reads the memberlist Secret',
    },
    { group: 'coordination.k8s.io', resources: ['leases'], verbs: ['create'], why: 'k8s/leader-elector: the controller Lease' },
    {
      group: 'coordination.k8s.io', resources: ['leases'], verbs: ['get', 'update'], resourceNames: [names.leaseName],
      why: 'k8s/leader-elector: reads, renews and releases the controller Lease',
    },
    { group: 'coordination.k8s.io', resources: ['leases'], verbs: ['list', 'watch'], why: 'k8s/leader-elector: followers watch the Lease to take over on time' },
  ],
};

export const speakerPermissions: ComponentPermissions = {
  cluster: [
    { group: '', resources: ['services', 'nodes', 'namespaces'], verbs: ['list', 'watch'], why: 'speaker informers' },
    { group: 'discovery.k8s.io', resources: ['endpointslices'], verbs: ['list', 'watch'], why: 'speaker: which nodes have ready endpoints' },
    { group: 'events.k8s.io', resources: ['events'], verbs: ['create', 'patch'], why: 'k8s/event-recorder: events on Services' },
  ],
  namespaced: [
    { group: 'metallb.io', resources: configKinds, verbs: ['list', 'watch'], why: 'speaker: config informers' },
    { group: 'metallb.io', resources: ['servicel2statuses', 'servicebgpstatuses'], verbs: ['list', 'watch', 'create', 'delete'], why: 'k8s/status-object-writer: this node\'s status objects' },
    { group: 'metallb.io', resources: ['servicel2statuses/status', 'servicebgpstatuses/status'], verbs: ['update'], why: 'k8s/status-object-writer: their status' },
    { group: 'metallb.io', resources: ['configurationstates'], verbs: ['get', 'create'], why: 'k8s/speaker-configuration-state: ConfigurationState/speaker-<node>' },
    { group: 'metallb.io', resources: ['configurationstates/status'], verbs: ['update'], why: 'k8s/speaker-configuration-state: its status' },
    { group: '', resources: ['secrets'], verbs: ['list', 'watch'], why: 'speaker: BGP passwords, memberlist key' },
    { group: '', resources: ['pods'], verbs: ['list', 'watch'], why: 'speaker: the other speakers to join (gossip)' },
  ],
};

const toPolicyRule = (r: PermissionRule): V1PolicyRule => ({
  apiGroups: [r.group],
  resources: [...r.resources],
  verbs: [...r.verbs],
  ...(r.resourceNames === undefined ? {} : { resourceNames: [...r.resourceNames] }),
});

type Component = 'controller' | 'speaker';

/** MetalLB's names: ClusterRole `<ns>:controller`, Role `controller`; for the speaker Role `pod-lister`. */
export function roleNames(options: InstallOptions, component: Component): { clusterRole: string; role: string } {
  return { clusterRole: `${options.namespace}:${component}`, role: component === 'controller' ? 'controller' : 'pod-lister' };
}

export function rbacObjects(options: InstallOptions, component: Component): [V1ServiceAccount, V1ClusterRole, V1Role, V1ClusterRoleBinding, V1RoleBinding] {
  const perms = component === 'controller' ? controllerPermissions : speakerPermissions;
  const labels = componentLabels(component);
  const { clusterRole, role } = roleNames(options, component);
  const namespace = options.namespace;
  const subjects = [{ kind: 'ServiceAccount', name: component, namespace }];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: component, namespace, labels } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: clusterRole, labels }, rules: perms.cluster.map(toPolicyRule) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: role, namespace, labels }, rules: perms.namespaced.map(toPolicyRule) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: clusterRole, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole }, subjects,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: role, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role }, subjects,
    },
  ];
}
