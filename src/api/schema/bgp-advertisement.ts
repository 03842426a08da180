import type { FromSchema } from 'json-schema-to-ts';
import { labelSelectorList, specObject, stringList } from './common.js';

export const serviceSelectorsVsAggregationRule = {
  rule:
    '!has(self.serviceSelectors) || self.serviceSelectors.size() == 0 || ((!has(self.aggregationLength) || ' +
    'self.aggregationLength == 32) && (!has(self.aggregationLengthV6) || self.aggregationLengthV6 == 128))',
  message:
    'serviceSelectors and aggregationLength are mutually exclusive, can only be used together with default ' +
    'aggregationLength (32) and aggregationLengthV6 (128)',
} as const;

/** BGPAdvertisement metallb.io/v1beta1 (metallb-behaviour.md §2.3). */
export const bgpAdvertisementSchema = specObject(
  'BGPAdvertisement announces the IPs of some pools to BGP peers, with the attributes to use.',
  {
    type: 'object',
    description: 'Which pools, nodes, peers and Services the advertisement applies to, and how prefixes look.',
    properties: {
      aggregationLength: {
        type: 'integer',
        format: 'int32',
        minimum: 1,
        default: 32,
        description: 'IPv4 prefix length announced: each Service IP is masked to this length.',
      },
      aggregationLengthV6: {
        type: 'integer',
        format: 'int32',
        default: 128,
        description: 'IPv6 prefix length announced: each Service IP is masked to this length.',
      },
      localPref: {
        type: 'integer',
        format: 'int32',
        description: 'LOCAL_PREF sent to iBGP peers; 0 means none.',
      },
      communities: stringList('Communities: A:B (16 bits each), large:A:B:C (32 bits each) or a Community alias.'),
      ipAddressPools: stringList('Pools by name. With no pools and no pool selectors, every pool.'),
      ipAddressPoolSelectors: labelSelectorList('Pools by label: any selector matches.'),
      nodeSelectors: labelSelectorList('Nodes that announce (act as next hop); empty means every node.'),
      peers: stringList('BGPPeer names to announce to; empty means every peer.'),
      serviceSelectors: labelSelectorList('Services to announce: any selector matches; empty means every Service.'),
    },
    additionalProperties: false,
    'x-kubernetes-validations': [serviceSelectorsVsAggregationRule],
  } as const,
);

export type BGPAdvertisement = FromSchema<typeof bgpAdvertisementSchema>;
