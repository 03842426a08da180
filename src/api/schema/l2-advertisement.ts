import type { FromSchema } from 'json-schema-to-ts';
import { labelSelectorList, labelSelectorSchema, specObject, stringList } from './common.js';

/** L2Advertisement metallb.io/v1beta1 (metallb-behaviour.md §2.2). */
export const l2AdvertisementSchema = specObject(
  'L2Advertisement announces the IPs of some pools over layer 2 (ARP and NDP).',
  {
    type: 'object',
    description: 'Which pools, nodes, interfaces and Services the advertisement applies to.',
    properties: {
      ipAddressPools: stringList('Pools by name. With no pools and no pool selectors, every pool.'),
      ipAddressPoolSelectors: labelSelectorList('Pools by label: any selector matches.'),
      nodeSelectors: labelSelectorList('Nodes that may announce: any selector matches; empty means every node.'),
      interfaces: stringList('Interfaces to announce on; empty means every interface.'),
      serviceSelectors: labelSelectorList('Services to announce: any selector matches; empty means every Service.'),
      preferredNodeSelectors: {
        type: 'array',
        description: 'Soft preferences for the announcing node: a node scores the sum of the weights it matches.',
        items: {
          type: 'object',
          properties: {
            weight: { type: 'integer', format: 'int32', minimum: 1, maximum: 100, description: 'Weight, 1-100.' },
            preference: labelSelectorSchema,
          },
          required: ['preference', 'weight'],
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  } as const,
);

export type L2Advertisement = FromSchema<typeof l2AdvertisementSchema>;
