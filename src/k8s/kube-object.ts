/**
 * Kubernetes objects as plain JSON in wire form: what a watch delivers and what the informer caches.
 * Only the metadata every kind shares is typed here; kinds narrow it.
 */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
}

export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
}

/** The work-queue and cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKeyOf(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

export function keyOfObject(obj: KubeObject): string {
  return objectKeyOf(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

/** Splits a key made by `objectKeyOf`. */
export function splitObjectKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
