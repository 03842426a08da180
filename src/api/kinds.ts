/**
 * The metallb.io kinds: group, versions, names and schemas. `object-validator.ts` and `crds.ts` both read this
 * table, so a kind exists in one place.
 */
import { bfdProfileSchema } from './schema/bfd-profile.js';
import { bgpAdvertisementSchema } from './schema/bgp-advertisement.js';
import { bgpPeerSchema, bgpPeerV1beta1Schema } from './schema/bgp-peer.js';
import { communitySchema } from './schema/community.js';
import { ipAddressPoolSchema } from './schema/ip-address-pool.js';
import { l2AdvertisementSchema } from './schema/l2-advertisement.js';
import { configurationStateSchema, serviceBgpStatusSchema, serviceL2StatusSchema } from './schema/status-kinds.js';

export const metallbGroup = 'metallb.io';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly priority?: number;
}

export interface KindVersion {
  readonly name: string;
  readonly schema: object;
  readonly storage: boolean;
  readonly deprecationWarning?: string;
  readonly printerColumns: readonly PrinterColumn[];
}

export interface KindDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly versions: readonly KindVersion[];
  /** Served through the conversion webhook (BGPPeer v1beta1 <-> v1beta2). */
  readonly conversionWebhook: boolean;
}

const col = (name: string, type: PrinterColumn['type'], jsonPath: string, priority?: number): PrinterColumn =>
  priority === undefined ? { name, type, jsonPath } : { name, type, jsonPath, priority };

const one = (schema: object, printerColumns: readonly PrinterColumn[]): KindVersion[] =>
  [{ name: 'v1beta1', schema, storage: true, printerColumns }];

const statusColumns = (nodeColumn: string) => [
  col(nodeColumn, 'string', '.status.node'),
  col('Service Name', 'string', '.status.serviceName'),
  col('Service Namespace', 'string', '.status.serviceNamespace'),
];

const peerColumns = [
  col('Address', 'string', '.spec.peerAddress'),
  col('ASN', 'string', '.spec.peerASN'),
  col('BFD Profile', 'string', '.spec.bfdProfile'),
  col('Multi Hops', 'string', '.spec.ebgpMultiHop'),
];

const advertisementColumns = (third: PrinterColumn) => [
  col('IPAddressPools', 'string', '.spec.ipAddressPools'),
  col('IPAddressPool Selectors', 'string', '.spec.ipAddressPoolSelectors'),
  third,
  col('Node Selectors', 'string', '.spec.nodeSelectors', 10),
];

export const metallbKinds: readonly KindDefinition[] = [
  {
    kind: 'BFDProfile', plural: 'bfdprofiles', conversionWebhook: false,
    versions: one(bfdProfileSchema, [
      col('Passive Mode', 'boolean', '.spec.passiveMode'),
      col('Transmit Interval', 'integer', '.spec.transmitInterval'),
      col('Receive Interval', 'integer', '.spec.receiveInterval'),
      col('Multiplier', 'integer', '.spec.detectMultiplier'),
    ]),
  },
  {
    kind: 'BGPAdvertisement', plural: 'bgpadvertisements', conversionWebhook: false,
    versions: one(bgpAdvertisementSchema, advertisementColumns(col('Peers', 'string', '.spec.peers'))),
  },
  {
    kind: 'BGPPeer', plural: 'bgppeers', conversionWebhook: true,
    versions: [
      {
        name: 'v1beta1', schema: bgpPeerV1beta1Schema, storage: false, printerColumns: peerColumns,
        deprecationWarning: 'v1beta1 is deprecated, please use v1beta2',
      },
      { name: 'v1beta2', schema: bgpPeerSchema, storage: true, printerColumns: peerColumns },
    ],
  },
  { kind: 'Community', plural: 'communities', conversionWebhook: false, versions: one(communitySchema, []) },
  {
    kind: 'ConfigurationState', plural: 'configurationstates', conversionWebhook: false,
    versions: one(configurationStateSchema, [
      col('Result', 'string', '.status.result'),
      col('ErrorSummary', 'string', '.status.errorSummary'),
      col('Age', 'date', '.metadata.creationTimestamp'),
    ]),
  },
  {
    kind: 'IPAddressPool', plural: 'ipaddresspools', conversionWebhook: false,
    versions: one(ipAddressPoolSchema, [
      col('Auto Assign', 'boolean', '.spec.autoAssign'),
      col('Avoid Buggy IPs', 'boolean', '.spec.avoidBuggyIPs'),
      col('Addresses', 'string', '.spec.addresses'),
    ]),
  },
  {
    kind: 'L2Advertisement', plural: 'l2advertisements', conversionWebhook: false,
    versions: one(l2AdvertisementSchema, advertisementColumns(col('Interfaces', 'string', '.spec.interfaces'))),
  },
  {
    kind: 'ServiceBGPStatus', plural: 'servicebgpstatuses', conversionWebhook: false,
    versions: one(serviceBgpStatusSchema, statusColumns('Node')),
  },
  {
    kind: 'ServiceL2Status', plural: 'servicel2statuses', conversionWebhook: false,
    versions: one(serviceL2StatusSchema, statusColumns('Allocated Node')),
  },
];

export function findKind(kind: string): KindDefinition | undefined {
  return metallbKinds.find((k) => k.kind === kind);
}
