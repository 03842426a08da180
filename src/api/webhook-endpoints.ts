/**
 * The names and paths the webhook server and the rendered manifests share (metallb-behaviour.md §1.4, §8). The
 * paths and object names are MetalLB's, so a ValidatingWebhookConfiguration left over from MetalLB reaches the
 * right handler of metallb-ts.
 */
/** The kinds the validating webhook checks (MetalLB's six). */
export const admissionKinds = ['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community'] as const;
export type AdmissionKind = (typeof admissionKinds)[number];

export const webhookNames = {
  configuration: 'metallb-webhook-configuration',
  service: 'metallb-webhook-service',
  certSecret: 'metallb-webhook-cert',
  /** The port the API server calls on the Service; the pods listen on `webhookPort`. */
  servicePort: 443,
} as const;

export const webhookPort = 9443;

export interface AdmissionEndpoint {
  readonly kind: AdmissionKind;
  readonly version: string;
  readonly plural: string;
  /** The webhook's name in the configuration (MetalLB's). */
  readonly webhookName: string;
  readonly path: string;
  readonly operations: readonly ('CREATE' | 'UPDATE' | 'DELETE')[];
}

const endpoint = (kind: AdmissionKind, version: string, plural: string, operations: AdmissionEndpoint['operations']): AdmissionEndpoint => ({
  kind, version, plural, operations,
  webhookName: `${kind.toLowerCase()}validationwebhook.metallb.io`,
  path: `/validate-metallb-io-${version}-${kind.toLowerCase()}`,
});

/** One validating webhook per kind, with MetalLB's operations. */
export const admissionEndpoints: readonly AdmissionEndpoint[] = [
  endpoint('IPAddressPool', 'v1beta1', 'ipaddresspools', ['CREATE', 'UPDATE']),
  endpoint('BGPAdvertisement', 'v1beta1', 'bgpadvertisements', ['CREATE', 'UPDATE']),
  endpoint('L2Advertisement', 'v1beta1', 'l2advertisements', ['CREATE', 'UPDATE']),
  endpoint('Community', 'v1beta1', 'communities', ['CREATE', 'UPDATE']),
  endpoint('BFDProfile', 'v1beta1', 'bfdprofiles', ['CREATE', 'DELETE']),
  endpoint('BGPPeer', 'v1beta2', 'bgppeers', ['CREATE', 'UPDATE']),
];

/**
 * metallb-ts's own extra webhook: CREATE of the six kinds in any namespace but MetalLB's, answered without
 * reading anything (the namespace check). The per-kind webhooks are scoped to the MetalLB namespace.
 */
export const namespaceEndpoint = {
  webhookName: 'namespacevalidationwebhook.metallb.io',
  path: '/validate-metallb-io-namespace',
} as const;

export const conversionPath = '/convert';
