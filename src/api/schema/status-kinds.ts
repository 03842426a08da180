import type { FromSchema } from 'json-schema-to-ts';
import { metadataSchema } from './common.js';

export const immutableRule = { rule: 'self == oldSelf', message: 'Value is immutable' } as const;

const immutableString = (description: string) =>
  ({ type: 'string', description, 'x-kubernetes-validations': [immutableRule] }) as const;

const statusObject = <const Status extends object>(description: string, status: Status) =>
  ({
    type: 'object',
    description,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: metadataSchema,
      spec: { type: 'object', additionalProperties: false },
      status,
    },
    additionalProperties: false,
  }) as const;

/** ServiceL2Status metallb.io/v1beta1: which node announces a Service over layer 2 (written by speakers). */
export const serviceL2StatusSchema = statusObject('ServiceL2Status shows the node announcing a Service over layer 2.', {
  type: 'object',
  description: 'The announcing node and interfaces.',
  properties: {
    node: immutableString('The announcing node.'),
    serviceName: immutableString('The Service name.'),
    serviceNamespace: immutableString('The Service namespace.'),
    interfaces: {
      type: 'array',
      description: 'The interfaces announced on, when restricted by the L2Advertisements.',
      items: {
        type: 'object',
        properties: { name: { type: 'string', description: 'The interface name.' } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const);

export type ServiceL2Status = FromSchema<typeof serviceL2StatusSchema>;

/** ServiceBGPStatus metallb.io/v1beta1: one per (Service, announcing node) (written by speakers). */
export const serviceBgpStatusSchema = statusObject('ServiceBGPStatus shows a node announcing a Service over BGP.', {
  type: 'object',
  description: 'The announcing node and the peers the Service is configured to go to.',
  properties: {
    node: immutableString('The announcing node.'),
    serviceName: immutableString('The Service name.'),
    serviceNamespace: immutableString('The Service namespace.'),
    peers: { type: 'array', description: 'BGPPeer names, sorted.', items: { type: 'string' } },
  },
  additionalProperties: false,
} as const);

export type ServiceBGPStatus = FromSchema<typeof serviceBgpStatusSchema>;

const conditionSchema = {
  type: 'object',
  properties: {
    type: {
      type: 'string', maxLength: 316,
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'The condition type, e.g. configReconcilerValid.',
    },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'The generation observed.' },
    lastTransitionTime: { type: 'string', format: 'date-time', description: 'When the status last changed.' },
    reason: {
      type: 'string', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'A CamelCase reason.',
    },
    message: { type: 'string', maxLength: 32768, description: 'A human readable message.' },
  },
  required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
  additionalProperties: false,
} as const;

/** ConfigurationState metallb.io/v1beta1: whether a component accepted the configuration. */
export const configurationStateSchema = {
  type: 'object',
  description: 'ConfigurationState shows whether a controller or speaker accepted the configuration.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: metadataSchema,
    status: {
      type: 'object',
      description: 'The result and its conditions.',
      properties: {
        result: { type: 'string', enum: ['Valid', 'Invalid', 'Unknown'], description: 'Valid, Invalid or Unknown.' },
        errorSummary: { type: 'string', description: 'The messages of the failed conditions, one a line.' },
        conditions: {
          type: 'array',
          description: 'One condition per reconciler.',
          items: conditionSchema,
          'x-kubernetes-list-map-keys': ['type'],
          'x-kubernetes-list-type': 'map',
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

export type ConfigurationState = FromSchema<typeof configurationStateSchema>;
