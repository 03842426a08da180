/**
 * A keyed work queue with controller-runtime's contract (style-anchors.md §1.7, §4.7): keys are
 * deduplicated while waiting; a key is reconciled by at most one worker at a time (a key added while it is
 * being reconciled runs once more afterwards); a reconcile that throws is retried with per-key capped,
 * jittered exponential backoff; `TerminalError` means "record it, don't retry"; `{ requeueAfterMs }`
 * schedules the next run. Reconcile reads current state by key; it is never handed the event.
 */
import { backoffDelayMs, type BackoffOptions } from '../lib/backoff.js';
import type { Clock, Timer } from '../lib/clock.js';
import { MetallbError, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

/** A failure that retrying cannot fix (MetalLB's SyncStateErrorNoRetry). */
export class TerminalError extends MetallbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TERMINAL', message, options);
    this.name = 'TerminalError';
  }
}

export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void>;

export interface WorkQueueOptions {
  readonly name: string;
  readonly reconcile: Reconciler;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Keys reconciled at the same time (different keys only). Default 1. */
  readonly concurrency?: number;
  /** Retry delays per key (default 50 ms doubling to 60 s, 20% jitter). */
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** Called after each reconcile: `error` is undefined on success. */
  readonly onResult?: (key: string, durationMs: number, error: unknown) => void;
}

export function defaultRetryBackoff(): BackoffOptions {
  return { initialMs: 50, maxMs: 60_000, factor: 2, jitter: 0.2 };
}

export class WorkQueue {
  private readonly options: WorkQueueOptions;
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { atMs: number; timer: Timer }>();
  private active = 0;
  private started = false;
  private shuttingDown = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions) {
    this.options = options;
  }

  /** Queues `key` unless it is already waiting. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued when its current run ends
    this.queue.push(key);
    this.pump();
  }

  /** Queues `key` after `delayMs` (an earlier pending schedule wins). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const atMs = this.options.clock.nowMs() + delayMs;
    const pending = this.delayed.get(key);
    if (pending !== undefined && pending.atMs <= atMs) return;
    pending?.timer.cancel();
    const timer = this.options.clock.setTimer(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { atMs, timer });
  }

  /** Keys waiting or being reconciled (delayed keys not counted). */
  depth(): number {
    return this.queue.length - this.head + this.active;
  }

  /** Resolves when nothing is waiting, running or scheduled. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  start(): void {
    this.started = true;
    this.pump();
  }

  /** Stops taking work, drops waiting and scheduled keys, and waits for running reconciles to end. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    this.queue.length = 0;
    this.head = 0;
    this.dirty.clear();
    await this.idle();
  }

  private isIdle(): boolean {
    return this.queue.length - this.head === 0 && this.active === 0 && this.delayed.size === 0;
  }

  private pump(): void {
    if (!this.started || this.shuttingDown) return;
    const limit = this.options.concurrency ?? 1;
    while (this.active < limit && this.head < this.queue.length) {
      const key = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      this.active++;
      void this.runOne(key);
    }
  }

  private async runOne(key: string): Promise<void> {
    const startMs = this.options.clock.nowMs();
    let result: ReconcileResult | void = undefined;
    let error: unknown;
    try {
      result = await this.options.reconcile(key);
    } catch (err) {
      error = err;
    }
    this.options.onResult?.(key, this.options.clock.nowMs() - startMs, error);
    this.processing.delete(key);
    this.active--;
    this.afterRun(key, result, error);
    if (this.dirty.has(key) && !this.shuttingDown) this.queue.push(key);
    this.pump();
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private afterRun(key: string, result: ReconcileResult | void, error: unknown): void {
    if (error === undefined) {
      this.failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      return;
    }
    if (error instanceof TerminalError) {
      this.failures.delete(key);
      this.options.logger.error({ queue: this.options.name, key, err: errorMessage(error) }, 'reconcile failed, not retrying');
      return;
    }
    const attempt = this.failures.get(key) ?? 0;
    this.failures.set(key, attempt + 1);
    const delayMs = backoffDelayMs(attempt, this.options.backoff ?? defaultRetryBackoff(), this.options.random);
    this.options.logger.warn({ queue: this.options.name, key, err: errorMessage(error), attempt: attempt + 1, retryInMs: delayMs }, 'reconcile failed, retrying');
    this.addAfter(key, delayMs);
  }
}
