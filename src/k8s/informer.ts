/**
 * A list-watch cache of one resource, with what client-node's own `ListWatch` (1.4.0) lacks
 * (k8s-api-notes.md §2.3): it restarts after any error with capped, jittered backoff; `stop()` is final
 * (client-node fires `error` on stop); `synced` resolves once the first list is in the cache; a periodic,
 * jittered relist diffs a fresh list against the cache; watches ask for bookmarks and a server-side
 * timeout, and a clean end re-watches from the last resourceVersion without a relist. A 410 Expired
 * relists. Objects are kept as plain JSON in wire form (typed list items are converted), the same shape
 * a watch delivers.
 */
import * as k8s from '@kubernetes/client-node';
import { Backoff, type BackoffOptions } from '../lib/backoff.js';
import type { Clock, Timer } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { objectKeyOf, type KubeObject } from './kube-object.js';

/** A list answer: typed client-node models or plain JSON (both are converted to plain JSON). */
export interface ListResult {
  readonly metadata?: { readonly resourceVersion?: string | undefined } | undefined;
  readonly items: readonly unknown[];
}

export interface InformerOptions {
  /** For logs and metrics, e.g. "services". */
  readonly name: string;
  readonly kubeConfig: k8s.KubeConfig;
  /** The collection URL to watch, e.g. `/api/v1/services` or `/apis/metallb.io/v1beta1/namespaces/x/ipaddresspools`. */
  readonly path: string;
  /** Lists the same collection with the same selectors. */
  readonly list: (selectors: { labelSelector?: string; fieldSelector?: string }) => Promise<ListResult>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Backoff between failed attempts (default 250 ms doubling to 30 s, 20% jitter). */
  readonly backoff?: BackoffOptions;
  /** Full relist period, jittered by up to +10% (default 10 min; 0 disables). */
  readonly relistIntervalMs?: number;
  /** Server-side watch timeout; client-go picks 5-10 min at random. */
  readonly watchTimeoutSec?: () => number;
  readonly random?: () => number;
  /** Told whether the last list/watch attempt reached the API server (false on each failure, true on success). */
  readonly onHealth?: (healthy: boolean) => void;
}

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(obj: T, old: T): void;
  delete?(obj: T): void;
}

type WatchEnd = 'closed' | 'expired' | 'relist' | 'stopped';

export function defaultInformerBackoff(): BackoffOptions {
  return { initialMs: 250, maxMs: 30_000, factor: 2, jitter: 0.2 };
}

export class Informer<T extends KubeObject> {
  private readonly options: InformerOptions;
  private readonly watcher: k8s.Watch;
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly backoff: Backoff;
  private resourceVersion = '';
  private stopped = false;
  private running: Promise<void> | undefined;
  private current: AbortController | undefined;
  private wake: (() => void) | undefined;
  private nextRelistMs = 0;
  private resolveSynced!: () => void;
  private isSynced = false;
  /** Resolves once the first list has been applied to the cache (and its handlers called). */
  readonly synced: Promise<void>;
  /** Lists done so far (tests check that a dropped watch resumes without one). */
  listCount = 0;

  constructor(options: InformerOptions) {
    this.options = options;
    this.watcher = new k8s.Watch(options.kubeConfig);
    this.backoff = new Backoff(options.backoff ?? defaultInformerBackoff(), options.random ?? Math.random);
    this.synced = new Promise((resolve) => { this.resolveSynced = resolve; });
  }

  on(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(objectKeyOf(namespace, name));
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  size(): number {
    return this.cache.size;
  }

  start(): void {
    if (this.running !== undefined || this.stopped) return;
    this.running = this.run();
  }

  /** Stops for good: aborts the watch, cancels any wait, and resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          if (this.stopped) break;
        }
        const startedMs = this.options.clock.nowMs();
        const { end, events } = await this.watchOnce();
        if (end === 'expired' || end === 'relist') needList = true;
        if (end === 'closed' && events === 0 && this.options.clock.nowMs() - startedMs < 1000) {
          await this.sleep(this.backoff.next()); // a server closing at once must not make us spin
        }
      } catch (err) {
        if (this.stopped) break;
        if (isGone(err)) needList = true;
        this.options.onHealth?.(false);
        const delayMs = this.backoff.next();
        this.options.logger.warn({ informer: this.options.name, err: errorMessage(err), retryInMs: delayMs }, 'list/watch failed, retrying');
        await this.sleep(delayMs);
      }
    }
  }

  private async relist(): Promise<void> {
    const { labelSelector, fieldSelector } = this.options;
    const result = await this.options.list({
      ...(labelSelector === undefined ? {} : { labelSelector }), ...(fieldSelector === undefined ? {} : { fieldSelector }),
    });
    this.listCount++;
    if (this.stopped) return;
    this.options.onHealth?.(true);
    const fresh = new Map<string, T>();
    for (const item of result.items) {
      const plain = toPlain(item) as T;
      fresh.set(keyOf(plain), plain);
    }
    for (const [key, old] of [...this.cache]) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.emit('delete', old);
      }
    }
    for (const [key, obj] of fresh) this.upsert(key, obj);
    this.resourceVersion = result.metadata?.resourceVersion ?? '';
    this.scheduleRelist();
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
  }

  private scheduleRelist(): void {
    const every = this.options.relistIntervalMs ?? 600_000;
    const random = this.options.random ?? Math.random;
    this.nextRelistMs = every > 0 ? this.options.clock.nowMs() + every * (1 + 0.1 * random()) : Number.POSITIVE_INFINITY;
  }

  private upsert(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (old === undefined) this.emit('add', obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj, old);
  }

  private emit(kind: 'add' | 'delete', obj: T): void;
  private emit(kind: 'update', obj: T, old: T): void;
  private emit(kind: keyof InformerHandlers<T>, obj: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        if (kind === 'update') h.update?.(obj, old!);
        else h[kind]?.(obj);
      } catch (err) {
        this.options.logger.error({ informer: this.options.name, err: errorMessage(err) }, 'informer handler threw');
      }
    }
  }

  private handleEvent(type: string, obj: T): 'expired' | 'error' | undefined {
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(keyOf(obj), obj);
        break;
      case 'DELETED': {
        const key = keyOf(obj);
        const old = this.cache.get(key);
        if (old !== undefined) {
          this.cache.delete(key);
          this.emit('delete', obj);
        }
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR':
        return (obj as unknown as { code?: number }).code === 410 ? 'expired' : 'error';
      default:
        return undefined;
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
    return undefined;
  }

  /** One watch stream from the current resourceVersion, until it ends; rejects on transport errors. */
  private watchOnce(): Promise<{ end: WatchEnd; events: number }> {
    const { labelSelector, fieldSelector, clock } = this.options;
    const timeoutSec = this.options.watchTimeoutSec?.() ?? Math.round(300 + 300 * (this.options.random ?? Math.random)());
    return new Promise((resolve, reject) => {
      let events = 0;
      let outcome: WatchEnd | 'error' = 'closed';
      let relistTimer: Timer | undefined;
      let finished = false;
      const finish = (err: unknown): void => {
        finished = true;
        relistTimer?.cancel();
        this.current = undefined;
        if (this.stopped) resolve({ end: 'stopped', events });
        else if (outcome === 'relist' || outcome === 'expired') resolve({ end: outcome, events });
        else if (err !== null && err !== undefined) reject(err);
        else if (outcome === 'error') reject(new Error('watch ended with an ERROR event'));
        else resolve({ end: 'closed', events });
      };
      const params: Record<string, string | boolean | number> = {
        resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: timeoutSec,
        ...(labelSelector === undefined ? {} : { labelSelector }), ...(fieldSelector === undefined ? {} : { fieldSelector }),
      };
      this.watcher.watch(this.options.path, params, (type, obj: T) => {
        const r = this.handleEvent(type, obj);
        if (r !== undefined) outcome = r;
        else if (type !== 'BOOKMARK') { events++; this.backoff.reset(); }
      }, finish).then((ctl) => {
        if (finished) return;
        if (this.stopped) {
          ctl.abort();
          return;
        }
        this.current = ctl;
        this.options.onHealth?.(true);
        const dueMs = this.nextRelistMs - clock.nowMs();
        if (Number.isFinite(dueMs)) relistTimer = clock.setTimer(dueMs, () => { outcome = 'relist'; ctl.abort(); });
      }, reject);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(ms, () => { this.wake = undefined; resolve(); });
      this.wake = () => { timer.cancel(); this.wake = undefined; resolve(); };
    });
  }
}

function keyOf(obj: KubeObject): string {
  return objectKeyOf(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

function isGone(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: number } | undefined;
  return e?.statusCode === 410 || e?.code === 410;
}

/**
 * Typed client-node models (Dates, class instances) as wire-form JSON. For the built-in kinds we read,
 * model property names equal the wire names; custom resources arrive as plain JSON already.
 */
function toPlain(obj: unknown): unknown {
  return JSON.parse(JSON.stringify(obj));
}
