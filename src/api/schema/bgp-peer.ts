import type { FromSchema } from 'json-schema-to-ts';
import { labelSelectorList, specObject } from './common.js';

const asn = (description: string, minimum: number) =>
  ({ type: 'integer', format: 'int64', minimum, maximum: 4294967295, description }) as const;

const duration = (description: string) => ({ type: 'string', description }) as const;

export const connectTimeRangeRule = {
  rule: 'duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535',
  message: 'connect time should be between 1 seconds to 65535',
} as const;

export const connectTimeWholeSecondsRule = {
  rule: 'duration(self).getMilliseconds() % 1000 == 0',
  message: 'connect time should contain a whole number of seconds',
} as const;

export const gracefulRestartImmutableRule = {
  rule: 'self == oldSelf',
  message: 'EnableGracefulRestart cannot be changed after creation',
} as const;

/** BGPPeer metallb.io/v1beta2, the storage version (metallb-behaviour.md §2.4). */
export const bgpPeerSchema = specObject('BGPPeer is a BGP session the speakers establish with a router.', {
  type: 'object',
  description: 'The session parameters.',
  properties: {
    myASN: asn('The local AS number.', 0),
    peerASN: asn('The remote AS number; exactly one of peerASN and dynamicASN.', 0),
    dynamicASN: {
      type: 'string',
      enum: ['internal', 'external'],
      description: 'Accept any remote AS equal to (internal) or different from (external) myASN.',
    },
    localASN: asn('The AS number presented to this peer instead of myASN.', 1),
    peerAddress: { type: 'string', description: 'The address to connect to; exactly one of peerAddress and interface.' },
    interface: { type: 'string', description: 'Unnumbered BGP over this host interface.' },
    sourceAddress: { type: 'string', description: 'The local address of the session.' },
    peerPort: {
      type: 'integer', minimum: 1, maximum: 16384, default: 179,
      description: 'The remote TCP port.',
    },
    holdTime: duration('BGP hold time: 0 or at least 3s (the other timer is derived when only one is set).'),
    keepaliveTime: duration('BGP keepalive interval, at most the hold time.'),
    connectTime: {
      type: 'string',
      description: 'Interval between connection attempts, whole seconds from 1s to 65535s.',
      'x-kubernetes-validations': [connectTimeRangeRule, connectTimeWholeSecondsRule],
    },
    routerID: { type: 'string', description: 'The BGP identifier to send, an IPv4 address.' },
    nodeSelectors: labelSelectorList('Nodes that establish this session: any selector matches; empty means every node.'),
    password: { type: 'string', description: 'TCP MD5 password; not with passwordSecret.' },
    passwordSecret: {
      type: 'object',
      description: 'A kubernetes.io/basic-auth Secret in the MetalLB namespace whose "password" key is the TCP MD5 password.',
      properties: {
        name: { type: 'string', description: 'The Secret name.' },
        namespace: { type: 'string', description: 'The Secret namespace.' },
      },
      additionalProperties: false,
      'x-kubernetes-map-type': 'atomic',
    },
    bfdProfile: { type: 'string', description: 'The BFDProfile of the BFD session that backs this BGP session.' },
    enableGracefulRestart: {
      type: 'boolean',
      description: 'Negotiate BGP graceful restart (RFC 4724). Immutable.',
      'x-kubernetes-validations': [gracefulRestartImmutableRule],
    },
    ebgpMultiHop: { type: 'boolean', description: 'The eBGP peer is more than one hop away.' },
    vrf: { type: 'string', description: 'The Linux VRF to establish the session from.' },
    disableMP: { type: 'boolean', default: false, description: 'Deprecated, has no effect.' },
    dualStackAddressFamily: {
      type: 'boolean', default: false,
      description: 'Announce IPv4 and IPv6 prefixes on this session whatever its address family.',
    },
  },
  required: ['myASN'],
  additionalProperties: false,
} as const);

/** A v1beta2 BGPPeer after validation: the schema defaults are filled in. */
export type BGPPeer = FromSchema<typeof bgpPeerSchema>;
/** A v1beta2 BGPPeer as written (defaults not yet applied), what conversion produces and takes. */
export type BGPPeerManifest = FromSchema<typeof bgpPeerSchema, { keepDefaultedPropertiesOptional: true }>;

/** The deprecated BGPPeer metallb.io/v1beta1, served and converted to and from v1beta2. */
export const bgpPeerV1beta1Schema = specObject('BGPPeer (deprecated version) is a BGP session with a router.', {
  type: 'object',
  description: 'The session parameters.',
  properties: {
    myASN: asn('The local AS number.', 0),
    peerASN: asn('The remote AS number.', 0),
    peerAddress: { type: 'string', description: 'The address to connect to.' },
    sourceAddress: { type: 'string', description: 'The local address of the session.' },
    peerPort: { type: 'integer', minimum: 0, maximum: 16384, description: 'The remote TCP port.' },
    holdTime: duration('BGP hold time.'),
    keepaliveTime: duration('BGP keepalive interval.'),
    routerID: { type: 'string', description: 'The BGP identifier to send.' },
    nodeSelectors: {
      type: 'array',
      description: 'Nodes that establish this session.',
      items: {
        type: 'object',
        properties: {
          matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
          matchExpressions: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                operator: { type: 'string' },
                values: { type: 'array', items: { type: 'string' }, minItems: 1 },
              },
              required: ['key', 'operator', 'values'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
    password: { type: 'string', description: 'TCP MD5 password.' },
    bfdProfile: { type: 'string', description: 'The BFDProfile of the BFD session.' },
    ebgpMultiHop: { type: 'boolean', description: 'The eBGP peer is more than one hop away.' },
  },
  required: ['myASN', 'peerASN', 'peerAddress'],
  additionalProperties: false,
} as const);

export type BGPPeerV1beta1 = FromSchema<typeof bgpPeerV1beta1Schema>;
