/**
 * The freshest copy of each object we know: the informer's, or the one our own last write returned when
 * the informer has not caught up yet. Without it, a reconcile that runs just after a status write would
 * see the old status and take the Service's addresses for free. resourceVersions are compared as numbers
 * when both are decimal (etcd revisions, as every API server we know serves them; the API calls them
 * opaque); otherwise the informer's copy wins.
 */
import type { KubeObject } from './kube-object.js';

function newer(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return a.length !== b.length ? a.length > b.length : a > b;
}

export class FreshView<T extends KubeObject> {
  private readonly written = new Map<string, T>();
  private readonly cached: (key: string) => T | undefined;

  constructor(cached: (key: string) => T | undefined) {
    this.cached = cached;
  }

  get(key: string): T | undefined {
    const fromCache = this.cached(key);
    const mine = this.written.get(key);
    if (mine === undefined) return fromCache;
    if (fromCache !== undefined && newer(mine.metadata?.resourceVersion, fromCache.metadata?.resourceVersion)
      && mine.metadata?.uid === fromCache.metadata?.uid) {
      return mine;
    }
    this.written.delete(key); // the informer caught up (or the object is gone)
    return fromCache;
  }

  /** Remembers what a write returned. */
  wrote(key: string, obj: T): void {
    this.written.set(key, obj);
  }

  forget(key: string): void {
    this.written.delete(key);
  }

  clear(): void {
    this.written.clear();
  }
}
