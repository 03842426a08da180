/**
 * The CRDs the test server starts with: the project's `deploy/crds/*.yaml` when present, else a minimal
 * stand-in for each metallb.io kind (names, scope, versions and the status subresource; schema-less, so
 * nothing is pruned or validated).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { JsonObject } from './store.js';

/** `deploy/crds` of this package (the compiled file lives in dist/src/lab/apiserver/). */
export function defaultCrdDir(): string {
  return fileURLToPath(new URL('../../../../deploy/crds', import.meta.url));
}

/** Every CustomResourceDefinition document in the YAML/JSON files of `dir` (sorted by file name). */
export function loadCrdFiles(dir: string): JsonObject[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const out: JsonObject[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const value = doc.toJS() as unknown;
      if (typeof value === 'object' && value !== null && (value as JsonObject)['kind'] === 'CustomResourceDefinition') {
        out.push(value as JsonObject);
      }
    }
  }
  return out;
}

interface Stand {
  readonly kind: string;
  readonly plural: string;
  readonly versions: readonly string[];
  readonly status: boolean;
}

const metallbKinds: readonly Stand[] = [
  { kind: 'IPAddressPool', plural: 'ipaddresspools', versions: ['v1beta1'], status: true },
  { kind: 'L2Advertisement', plural: 'l2advertisements', versions: ['v1beta1'], status: false },
  { kind: 'BGPAdvertisement', plural: 'bgpadvertisements', versions: ['v1beta1'], status: false },
  { kind: 'BGPPeer', plural: 'bgppeers', versions: ['v1beta2', 'v1beta1'], status: false },
  { kind: 'BFDProfile', plural: 'bfdprofiles', versions: ['v1beta1'], status: false },
  { kind: 'Community', plural: 'communities', versions: ['v1beta1'], status: false },
  { kind: 'ServiceL2Status', plural: 'servicel2statuses', versions: ['v1beta1'], status: true },
  { kind: 'ServiceBGPStatus', plural: 'servicebgpstatuses', versions: ['v1beta1'], status: true },
  { kind: 'ConfigurationState', plural: 'configurationstates', versions: ['v1beta1'], status: true },
];

/** Schema-less stand-ins for the metallb.io CRDs (used until deploy/crds exists). */
export function standInMetallbCrds(): JsonObject[] {
  return metallbKinds.map((k) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.metallb.io` },
    spec: {
      group: 'metallb.io',
      scope: 'Namespaced',
      names: { kind: k.kind, plural: k.plural, singular: k.kind.toLowerCase(), listKind: `${k.kind}List` },
      versions: k.versions.map((v, i) => ({
        name: v, served: true, storage: i === 0,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        ...(k.status ? { subresources: { status: {} } } : {}),
      })),
    },
  }));
}
