/**
 * Schema pieces shared by the metallb.io kinds. Every schema in this directory is the one source of truth for
 * its kind: ajv validates objects against it (`object-validator.ts`), `crds.ts` renders it into the CRD
 * manifests of `deploy/crds/`, and the TypeScript types are derived from it with json-schema-to-ts.
 *
 * Conventions (so the three uses agree):
 * - objects carry `additionalProperties: false`; ajv uses it to report unknown (mistyped) fields, the CRD
 *   renderer drops it because a structural schema prunes unknown fields by itself;
 * - `metadataSchema` types the fields we read; the CRD renderer writes it as plain `type: object`, the only
 *   form a CRD may have for metadata;
 * - `x-kubernetes-validations` CEL rules are evaluated offline by `cel-rules.ts`.
 */
export const metadataSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** metav1.LabelSelector as controller-gen renders it. */
export const labelSelectorSchema = {
  type: 'object',
  description: 'A label selector: the result of matchLabels and matchExpressions are ANDed; an empty selector matches everything.',
  properties: {
    matchExpressions: {
      type: 'array',
      description: 'A list of label selector requirements, ANDed.',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string', description: 'The label key that the selector applies to.' },
          operator: { type: 'string', description: 'One of In, NotIn, Exists and DoesNotExist.' },
          values: {
            type: 'array',
            description: 'Non-empty for In and NotIn, empty for Exists and DoesNotExist.',
            items: { type: 'string' },
            'x-kubernetes-list-type': 'atomic',
          },
        },
        required: ['key', 'operator'],
        additionalProperties: false,
      },
      'x-kubernetes-list-type': 'atomic',
    },
    matchLabels: {
      type: 'object',
      description: 'Labels that must all be present with these values.',
      additionalProperties: { type: 'string' },
    },
  },
  additionalProperties: false,
  'x-kubernetes-map-type': 'atomic',
} as const;

export function labelSelectorList(description: string) {
  return { type: 'array', description, items: labelSelectorSchema } as const;
}

export function stringList(description: string) {
  return { type: 'array', description, items: { type: 'string' } } as const;
}

/** The shape of a top-level object with a spec (and an empty status). */
export function specObject<const Spec extends object>(description: string, spec: Spec) {
  return {
    type: 'object',
    description,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: metadataSchema,
      spec,
      status: { type: 'object', additionalProperties: false },
    },
    additionalProperties: false,
  } as const;
}
