/**
 * Time as an injected dependency. Drivers take a Clock; protocol/ code never reads time itself.
 * `nowMs()` is monotonic milliseconds (not wall time); use `wallMs()` only for timestamps shown to people.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  nowMs(): number;
  wallMs(): number;
  setTimer(delayMs: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  nowMs: () => performance.now(),
  wallMs: () => Date.now(),
  setTimer(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
};

interface PendingTimer {
  readonly atMs: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock for tests and simulations: time moves only when `advance` is called, and timers fire in
 * deadline order (ties in the order they were set), each seeing `nowMs()` equal to its deadline.
 */
export class FakeClock implements Clock {
  private currentMs: number;
  private seq = 0;
  private pending: PendingTimer[] = [];

  private readonly wallOffsetMs: number;

  constructor(startMs = 0, wallOffsetMs = 1_700_000_000_000) {
    this.currentMs = startMs;
    this.wallOffsetMs = wallOffsetMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  wallMs(): number {
    return this.wallOffsetMs + this.currentMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const timer: PendingTimer = { atMs: this.currentMs + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.pending.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Number of timers that are armed and not cancelled. */
  pendingCount(): number {
    return this.pending.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including timers set by timers). */
  advance(ms: number): void {
    const targetMs = this.currentMs + ms;
    for (;;) {
      const next = this.nextDue(targetMs);
      if (next === undefined) break;
      this.currentMs = next.atMs;
      next.cancelled = true;
      next.fn();
    }
    this.pending = this.pending.filter((t) => !t.cancelled);
    this.currentMs = targetMs;
  }

  /** Fires the earliest pending timer, if any, and returns whether one fired. */
  runNext(): boolean {
    const next = this.nextDue(Number.POSITIVE_INFINITY);
    if (next === undefined) return false;
    this.currentMs = Math.max(this.currentMs, next.atMs);
    next.cancelled = true;
    next.fn();
    return true;
  }

  private nextDue(limitMs: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.pending) {
      if (t.cancelled || t.atMs > limitMs) continue;
      if (best === undefined || t.atMs < best.atMs || (t.atMs === best.atMs && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
