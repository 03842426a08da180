import type { FromSchema } from 'json-schema-to-ts';
import { specObject } from './common.js';

/** BFDProfile metallb.io/v1beta1 (metallb-behaviour.md §2.5). Intervals in milliseconds. */
export const bfdProfileSchema = specObject('BFDProfile is a set of BFD session parameters that BGPPeers refer to.', {
  type: 'object',
  description: 'BFD session parameters; unset fields take the defaults.',
  properties: {
    receiveInterval: {
      type: 'integer', format: 'int32', minimum: 10, maximum: 60000,
      description: 'Minimum interval between received control packets, in ms (default 300).',
    },
    transmitInterval: {
      type: 'integer', format: 'int32', minimum: 10, maximum: 60000,
      description: 'Minimum interval between sent control packets, in ms (default 300).',
    },
    detectMultiplier: {
      type: 'integer', format: 'int32', minimum: 2, maximum: 255,
      description: 'Packets that may be lost before the session is down (default 3).',
    },
    echoInterval: {
      type: 'integer', format: 'int32', minimum: 10, maximum: 60000,
      description: 'Minimum interval between echo packets, in ms (default 50).',
    },
    echoMode: { type: 'boolean', description: 'Send echo packets (not with multihop sessions nor IPv6 pools).' },
    passiveMode: { type: 'boolean', description: 'Wait for the peer to start the session.' },
    minimumTtl: {
      type: 'integer', format: 'int32', minimum: 1, maximum: 254,
      description: 'Lowest TTL accepted on multihop sessions (default 254).',
    },
  },
  additionalProperties: false,
} as const);

export type BFDProfile = FromSchema<typeof bfdProfileSchema>;
