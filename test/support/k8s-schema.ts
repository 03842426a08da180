/**
 * Checks Kubernetes objects against Kubernetes' own OpenAPI definitions, two ways:
 * - `kubernetes-models` validators (ajv compiled from the Kubernetes OpenAPI spec): types, required fields,
 *   formats;
 * - the field lists of @kubernetes/client-node's models (generated from the same spec): unknown fields, which
 *   the OpenAPI schemas allow but `kubectl apply` (strict field validation) refuses.
 */
import * as k8s from '@kubernetes/client-node';

type ModelClass = new (data: unknown) => { validate(): void };

/** Problems kubernetes-models finds, as `Kind/name: message`. */
export async function modelProblems(obj: Record<string, unknown>): Promise<string[]> {
  const apiVersion = String(obj['apiVersion']);
  const kind = String(obj['kind']);
  const where = `${kind}/${String((obj['metadata'] as { name?: string } | undefined)?.name)}`;
  const module = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, ModelClass | undefined>;
  const Model = module[kind];
  if (Model === undefined) return [`${where}: kubernetes-models has no ${apiVersion} ${kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
}

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

type WithTypeMap = { getAttributeTypeMap(): Attribute[] };

const models = k8s as unknown as Record<string, WithTypeMap | undefined>;

/** The client-node model class for `apiVersion` + `kind`: `apps/v1` Deployment -> V1Deployment. */
function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

function walk(value: unknown, type: string, path: string, out: string[]): void {
  if (value === undefined || value === null) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, array[1]!, `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, map[1]!, `${path}.${k}`, out);
    return;
  }
  const model = models[type];
  if (model === undefined || typeof model.getAttributeTypeMap !== 'function' || typeof value !== 'object') return;
  const attributes = model.getAttributeTypeMap();
  for (const [key, v] of Object.entries(value)) {
    const attr = attributes.find((a) => a.baseName === key);
    if (attr === undefined) out.push(`${path}.${key}: unknown field of ${type}`);
    else walk(v, attr.type, `${path}.${key}`, out);
  }
}

/** Fields that the Kubernetes API does not define, as `Kind/name.path: unknown field of Type`. */
export function unknownFields(obj: Record<string, unknown>): string[] {
  const kind = String(obj['kind']);
  const type = modelName(String(obj['apiVersion']), kind);
  if (models[type] === undefined) return [`${kind}: client-node has no model ${type}`];
  const out: string[] = [];
  walk(obj, type, `${kind}/${String((obj['metadata'] as { name?: string } | undefined)?.name)}`, out);
  return out;
}
