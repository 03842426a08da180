import type { FromSchema } from 'json-schema-to-ts';
import { specObject } from './common.js';

/** Community metallb.io/v1beta1 (metallb-behaviour.md §2.6): named community values. */
export const communitySchema = specObject('Community gives names to BGP community values.', {
  type: 'object',
  description: 'The aliases.',
  properties: {
    communities: {
      type: 'array',
      description: 'Aliases; names are unique across all Community objects.',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'The alias, used in BGPAdvertisement communities.' },
          value: { type: 'string', description: 'A:B (16 bits each) or large:A:B:C (32 bits each).' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const);

export type Community = FromSchema<typeof communitySchema>;
