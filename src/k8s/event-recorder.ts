/**
 * Events (events.k8s.io/v1) about objects, aggregated so nothing floods (MetalLB's speaker was seen writing
 * 24,000 events in 10 minutes): an event identical to a recent one (same object, type, reason and note)
 * joins its `series` (count, lastObservedTime), written with at most one PATCH per interval; each object
 * may start at most `burst` new events, then one per `refillMs` (client-go's spam filter); the rest are
 * counted as dropped. Recording never blocks or fails the caller; `flush()` waits for the writes.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock, Timer } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

export interface EventRecorderOptions {
  readonly events: k8s.EventsV1Api;
  /** `metallb-controller`, as MetalLB's event source. */
  readonly reportingController: string;
  /** The pod name. */
  readonly reportingInstance: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A repeat within this time of the last occurrence joins the series (default 10 min). */
  readonly seriesWindowMs?: number;
  /** Minimum time between series updates of one event (default 30 s). */
  readonly seriesUpdateIntervalMs?: number;
  /** New events one object may start at once (default 25), and the refill period (default 5 min). */
  readonly burst?: number;
  readonly refillMs?: number;
  /** Events remembered for aggregation (default 4096). */
  readonly maxCached?: number;
}

export interface EventRecorderStats {
  created: number;
  seriesUpdates: number;
  dropped: number;
  failed: number;
}

interface Entry {
  readonly name: string;
  readonly namespace: string;
  count: number;
  writtenCount: number;
  lastObservedMs: number;
  lastObservedWallMs: number;
  lastWriteMs: number;
  timer: Timer | undefined;
  created: Promise<boolean>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const maxNoteBytes = 1024;

/** MicroTime as the API server parses it: RFC 3339 with exactly six fractional digits. */
export function microTime(wallMs: number): string {
  return new Date(wallMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private sequence = 0;
  readonly stats: EventRecorderStats = { created: 0, seriesUpdates: 0, dropped: 0, failed: 0 };

  constructor(options: EventRecorderOptions) {
    this.options = options;
  }

  record(subject: EventSubject, type: EventType, reason: string, action: string, note: string): void {
    const key = `${subject.uid ?? `${subject.namespace ?? ''}/${subject.name}`}|${type}|${reason}|${note}`;
    const nowMs = this.options.clock.nowMs();
    const existing = this.entries.get(key);
    if (existing !== undefined && nowMs - existing.lastObservedMs <= (this.options.seriesWindowMs ?? 600_000)) {
      existing.count++;
      existing.lastObservedMs = nowMs;
      existing.lastObservedWallMs = this.options.clock.wallMs();
      this.entries.delete(key);
      this.entries.set(key, existing); // most recently used last
      this.scheduleSeriesUpdate(existing);
      return;
    }
    if (!this.takeToken(subject, nowMs)) {
      this.stats.dropped++;
      this.options.logger.debug({ subject: subject.name, reason }, 'event dropped by the spam filter');
      return;
    }
    this.entries.delete(key);
    this.entries.set(key, this.create(subject, type, reason, action, note, nowMs));
    this.evict();
  }

  /** Writes pending series updates now and waits for every write in flight. */
  async flush(): Promise<void> {
    for (const entry of this.entries.values()) {
      if (entry.timer !== undefined) {
        entry.timer.cancel();
        entry.timer = undefined;
        this.track(this.updateSeries(entry));
      }
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Cancels pending series updates (writes in flight finish on their own). */
  close(): void {
    for (const entry of this.entries.values()) entry.timer?.cancel();
  }

  private takeToken(subject: EventSubject, nowMs: number): boolean {
    const key = subject.uid ?? `${subject.kind}/${subject.namespace ?? ''}/${subject.name}`;
    const burst = this.options.burst ?? 25;
    const refillMs = this.options.refillMs ?? 300_000;
    const b = this.buckets.get(key) ?? { tokens: burst, updatedMs: nowMs };
    b.tokens = Math.min(burst, b.tokens + (nowMs - b.updatedMs) / refillMs);
    b.updatedMs = nowMs;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private create(subject: EventSubject, type: EventType, reason: string, action: string, note: string, nowMs: number): Entry {
    const wallMs = this.options.clock.wallMs();
    // client-go names events `<object>.<unix nanoseconds in hex>`; the sequence keeps names unique within a millisecond.
    const stamp = BigInt(Math.floor(wallMs)) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    const namespace = subject.namespace ?? 'default';
    const body: k8s.EventsV1Event = {
      metadata: { name: `${subject.name}.${stamp.toString(16)}`, namespace },
      eventTime: new k8s.V1MicroTime(wallMs),
      reportingController: this.options.reportingController,
      reportingInstance: this.options.reportingInstance,
      action, reason, type, note: truncate(note),
      regarding: {
        apiVersion: subject.apiVersion, kind: subject.kind, name: subject.name,
        ...(subject.namespace === undefined ? {} : { namespace: subject.namespace }), ...(subject.uid === undefined ? {} : { uid: subject.uid }),
      },
    };
    const created = this.options.events.createNamespacedEvent({ namespace, body }).then(() => {
      this.stats.created++;
      return true;
    }, (err: unknown) => {
      this.stats.failed++;
      this.options.logger.warn({ event: body.metadata?.name, reason, err: errorMessage(err) }, 'writing event failed');
      return false;
    });
    this.track(created);
    return {
      name: body.metadata!.name!, namespace, count: 1, writtenCount: 1, lastObservedMs: nowMs, lastObservedWallMs: wallMs,
      lastWriteMs: nowMs, timer: undefined, created,
    };
  }

  private scheduleSeriesUpdate(entry: Entry): void {
    if (entry.timer !== undefined) return;
    const dueMs = Math.max(0, entry.lastWriteMs + (this.options.seriesUpdateIntervalMs ?? 30_000) - this.options.clock.nowMs());
    entry.timer = this.options.clock.setTimer(dueMs, () => {
      entry.timer = undefined;
      entry.lastWriteMs = this.options.clock.nowMs();
      this.track(this.updateSeries(entry));
    });
  }

  private async updateSeries(entry: Entry): Promise<void> {
    if (!(await entry.created) || entry.count === entry.writtenCount) return;
    const count = entry.count;
    try {
      await this.options.events.patchNamespacedEvent({
        name: entry.name, namespace: entry.namespace,
        body: { series: { count, lastObservedTime: microTime(entry.lastObservedWallMs) } },
      }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      entry.writtenCount = Math.max(entry.writtenCount, count);
      this.stats.seriesUpdates++;
    } catch (err) {
      this.stats.failed++;
      this.options.logger.warn({ event: entry.name, err: errorMessage(err) }, 'updating event series failed');
    }
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private evict(): void {
    const max = this.options.maxCached ?? 4096;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= max) break;
      if (entry.timer !== undefined) continue;
      this.entries.delete(key);
    }
    if (this.buckets.size > max * 4) this.buckets.clear();
  }
}

function truncate(note: string): string {
  if (Buffer.byteLength(note) <= maxNoteBytes) return note;
  let cut = note.slice(0, maxNoteBytes);
  while (Buffer.byteLength(cut) > maxNoteBytes - 3) cut = cut.slice(0, -1);
  return `${cut}...`;
}
