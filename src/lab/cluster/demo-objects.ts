/**
 * The objects `lab demo` applies, as a user would write them (docs/lab.md shows the same YAML).
 */
import type { LabObjectInput } from './lab-api.js';
import { metallbNamespace, podHttpPort } from './lab-plan.js';

export const demoPool = {
  apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'demo', namespace: metallbNamespace },
  spec: { addresses: ['10.200.0.10-10.200.0.50', 'fd00:200::10-fd00:200::50'] },
} as const satisfies LabObjectInput;

export const demoL2Advertisement = {
  apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'demo', namespace: metallbNamespace },
  spec: { ipAddressPools: ['demo'] },
} as const satisfies LabObjectInput;

export const demoBgpAdvertisement = {
  apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'demo', namespace: metallbNamespace },
  spec: { ipAddressPools: ['demo'] },
} as const satisfies LabObjectInput;

export const demoService = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
  spec: {
    type: 'LoadBalancer',
    ipFamilyPolicy: 'PreferDualStack',
    ipFamilies: ['IPv4', 'IPv6'],
    // Local: the node that receives the traffic serves it, so the answer names the announcing node.
    externalTrafficPolicy: 'Local',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: podHttpPort, protocol: 'TCP' }],
  },
} as const satisfies LabObjectInput;
