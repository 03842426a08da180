/**
 * The object store: every object by type, namespace and name; one global, monotonically increasing
 * resourceVersion (as etcd's revision); a bounded history of changes for watch replay. Objects going in
 * and out are deep copies, so no caller can change stored state behind the store's back.
 */
import { cloneJson, type Json } from './patch.js';

export type JsonObject = { [key: string]: Json };
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  readonly rv: number;
  readonly type: ChangeType;
  /** `group/plural` of the object. */
  readonly typeKey: string;
  /** The object after the change (for DELETED: as it was, carrying the deletion resourceVersion). */
  readonly object: JsonObject;
  /** The object before the change (MODIFIED only): lets a selector watch turn it into ADDED/DELETED. */
  readonly previous?: JsonObject;
}

export type ChangeListener = (change: Change) => void;

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

export function metadataOf(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? m : {};
}

export class ObjectStore {
  private rv = 1;
  private compactedRv = 1;
  private readonly tables = new Map<string, Map<string, JsonObject>>();
  private history: Change[] = [];
  private readonly listeners = new Set<ChangeListener>();
  private readonly historySize: number;

  constructor(historySize: number) {
    this.historySize = historySize;
  }

  currentRv(): number {
    return this.rv;
  }

  /** Watches from a resourceVersion older than this get 410 Expired. */
  oldestWatchableRv(): number {
    return this.compactedRv;
  }

  get(typeKey: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const o = this.tables.get(typeKey)?.get(objectKey(namespace, name));
    return o === undefined ? undefined : cloneJson(o);
  }

  /** Objects of a type (in one namespace, or all), sorted by namespace/name; not copied (read-only use). */
  listShared(typeKey: string, namespace?: string): readonly JsonObject[] {
    const table = this.tables.get(typeKey);
    if (table === undefined) return [];
    const out: { key: string; obj: JsonObject }[] = [];
    for (const [key, obj] of table) {
      if (namespace !== undefined && metadataOf(obj)['namespace'] !== namespace) continue;
      out.push({ key, obj });
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out.map((e) => e.obj);
  }

  count(typeKey: string): number {
    return this.tables.get(typeKey)?.size ?? 0;
  }

  /**
   * Records a change: gives `object` the next resourceVersion, stores (or removes) it, appends it to the
   * history and tells every listener, synchronously. Returns a copy of what was stored.
   */
  commit(typeKey: string, type: ChangeType, object: JsonObject, previous?: JsonObject): JsonObject {
    this.rv++;
    const stored = cloneJson(object);
    const meta = metadataOf(stored);
    meta['resourceVersion'] = String(this.rv);
    stored['metadata'] = meta;
    const key = objectKey(meta['namespace'] as string | undefined, meta['name'] as string);
    let table = this.tables.get(typeKey);
    if (table === undefined) this.tables.set(typeKey, (table = new Map()));
    if (type === 'DELETED') table.delete(key);
    else table.set(key, stored);
    const change: Change = { rv: this.rv, type, typeKey, object: stored, ...(previous === undefined ? {} : { previous }) };
    this.history.push(change);
    if (this.history.length > this.historySize * 2) this.trimHistory();
    for (const listener of this.listeners) listener(change);
    return cloneJson(stored);
  }

  private trimHistory(): void {
    const drop = this.history.length - this.historySize;
    this.compactedRv = this.history[drop - 1]!.rv;
    this.history = this.history.slice(drop);
  }

  /** Forgets all history: every watch from an older resourceVersion now gets 410 Expired. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  /** Changes after `rv`, oldest first; undefined when `rv` is older than the retained history. */
  changesSince(rv: number): readonly Change[] | undefined {
    if (rv < this.compactedRv) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
