/**
 * One watch response: headers flushed at once, then one JSON event per line. From resourceVersion unset or
 * "0" it starts with a synthetic ADDED per object; from N it replays the retained changes after N, or sends
 * one ERROR 410 Expired and closes when N is older than the retained history (as the real server does).
 * Objects entering or leaving the selector arrive as ADDED / DELETED. Bookmarks when asked for.
 */
import type { ServerResponse } from 'node:http';
import type { Change, JsonObject, ObjectStore } from './store.js';

export interface WatchFilter {
  readonly typeKey: string;
  readonly namespace: string | undefined;
  readonly matches: (o: JsonObject) => boolean;
  /** Adds apiVersion and kind as served at the watched version. */
  readonly present: (o: JsonObject) => JsonObject;
  readonly kind: string;
  readonly apiVersion: string;
}

export interface WatchOptions {
  readonly resourceVersion: string | undefined;
  readonly bookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  readonly timeoutMs: number | undefined;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class WatchStream {
  private readonly res: ServerResponse;
  private readonly filter: WatchFilter;
  private readonly store: ObjectStore;
  private unsubscribe: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly onClose: () => void;
  /** The `user` the request was made as (for fault matching), and what was watched. */
  readonly user: string | undefined;

  constructor(res: ServerResponse, filter: WatchFilter, store: ObjectStore, user: string | undefined, onClose: () => void) {
    this.res = res;
    this.filter = filter;
    this.store = store;
    this.user = user;
    this.onClose = onClose;
  }

  get typeKey(): string {
    return this.filter.typeKey;
  }

  start(options: WatchOptions): void {
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    this.res.flushHeaders();
    this.res.on('close', () => this.close(false));
    const rv = options.resourceVersion;
    if (rv === undefined || rv === '' || rv === '0') {
      for (const o of this.store.listShared(this.filter.typeKey, this.filter.namespace)) {
        if (this.filter.matches(o)) this.send('ADDED', o);
      }
    } else {
      const replay = this.store.changesSince(Number(rv));
      if (replay === undefined) {
        this.expire(rv);
        return;
      }
      for (const change of replay) this.deliver(change);
    }
    this.unsubscribe = this.store.subscribe((c) => this.deliver(c));
    if (options.bookmarks) {
      const every = setInterval(() => this.bookmark(), options.bookmarkIntervalMs);
      this.timers.push(every);
    }
    if (options.timeoutMs !== undefined) {
      this.timers.push(setTimeout(() => {
        if (options.bookmarks) this.bookmark();
        this.close(false);
      }, options.timeoutMs));
    }
  }

  private expire(rv: string): void {
    const status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: `too old resource version: ${rv} (${this.store.oldestWatchableRv()})`, reason: 'Expired', code: 410,
    };
    this.write(JSON.stringify({ type: 'ERROR', object: status }));
    this.close(false);
  }

  private deliver(change: Change): void {
    if (change.typeKey !== this.filter.typeKey) return;
    const inNamespace = (o: JsonObject): boolean =>
      this.filter.namespace === undefined || (o['metadata'] as JsonObject | undefined)?.['namespace'] === this.filter.namespace;
    const now = inNamespace(change.object) && this.filter.matches(change.object);
    if (change.type !== 'MODIFIED') {
      if (now) this.send(change.type, change.object);
      return;
    }
    const before = change.previous !== undefined && inNamespace(change.previous) && this.filter.matches(change.previous);
    if (before && now) this.send('MODIFIED', change.object);
    else if (now) this.send('ADDED', change.object);
    else if (before) this.send('DELETED', change.object);
  }

  private send(type: EventType, obj: JsonObject): void {
    this.write(JSON.stringify({ type, object: this.filter.present(obj) }));
  }

  private bookmark(): void {
    const object = {
      kind: this.filter.kind, apiVersion: this.filter.apiVersion,
      metadata: { resourceVersion: String(this.store.currentRv()), creationTimestamp: null },
    };
    this.write(JSON.stringify({ type: 'BOOKMARK', object }));
  }

  private write(line: string): void {
    if (!this.closed) this.res.write(`${line}\n`);
  }

  /** Ends the stream: cleanly (the client re-watches from its last resourceVersion) or by resetting the socket. */
  close(abrupt: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (abrupt) this.res.socket?.destroy();
    else this.res.end();
    this.onClose();
  }
}
