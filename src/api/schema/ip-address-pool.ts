import type { FromSchema } from 'json-schema-to-ts';
import { labelSelectorList, metadataSchema, stringList } from './common.js';

/** IPAddressPool metallb.io/v1beta1 (metallb-behaviour.md §2.1). */
export const ipAddressPoolSchema = {
  type: 'object',
  description: 'IPAddressPool is a set of IP addresses that metallb-ts may hand out to LoadBalancer Services.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: metadataSchema,
    spec: {
      type: 'object',
      description: 'The addresses of the pool and how they are allocated.',
      properties: {
        addresses: stringList(
          'CIDRs (192.168.10.0/24, fc00:f853:ccd:e799::/124) or ranges (192.168.9.1-192.168.9.5); a single IP is /32 or /128.',
        ),
        autoAssign: {
          type: 'boolean',
          default: true,
          description: 'When false the pool is used only for Services that ask for it or for one of its IPs.',
        },
        avoidBuggyIPs: {
          type: 'boolean',
          default: false,
          description: 'Never hand out IPv4 addresses ending in .0 or .255.',
        },
        serviceAllocation: {
          type: 'object',
          description: 'Restricts the pool to some namespaces and Services, and orders it among pools.',
          properties: {
            priority: { type: 'integer', description: 'Lower is tried first; 0 or unset is tried last.' },
            namespaces: stringList('Namespaces whose Services may use the pool.'),
            namespaceSelectors: labelSelectorList('Namespaces (by label) whose Services may use the pool.'),
            serviceSelectors: labelSelectorList('Services that may use the pool: any selector matches.'),
          },
          additionalProperties: false,
        },
      },
      required: ['addresses'],
      additionalProperties: false,
    },
    status: {
      type: 'object',
      description: 'Counters written by the controller.',
      properties: {
        assignedIPv4: { type: 'integer', format: 'int64', description: 'IPv4 addresses in use.' },
        assignedIPv6: { type: 'integer', format: 'int64', description: 'IPv6 addresses in use.' },
        availableIPv4: { type: 'integer', format: 'int64', description: 'IPv4 addresses still free.' },
        availableIPv6: { type: 'integer', format: 'int64', description: 'IPv6 addresses still free.' },
      },
      required: ['assignedIPv4', 'assignedIPv6', 'availableIPv4', 'availableIPv6'],
      additionalProperties: false,
    },
  },
  required: ['spec'],
  additionalProperties: false,
} as const;

export type IPAddressPool = FromSchema<typeof ipAddressPoolSchema>;
