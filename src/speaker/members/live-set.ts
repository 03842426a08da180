/**
 * The live member set as a stream: the election consumes it either by callback (`onChange`) or by async
 * iteration (latest value wins: a slow consumer skips intermediate sets, never sees a stale one).
 */
export type Members = readonly string[];

export class LiveSet {
  private current: Members = [];
  private version = 0;
  private readonly listeners = new Set<(members: Members) => void>();
  private readonly waiters = new Set<() => void>();
  private ended = false;

  get members(): Members {
    return this.current;
  }

  /** Publishes a new set (sorted names); returns whether it differed from the current one. */
  publish(members: Members): boolean {
    if (members.length === this.current.length && members.every((m, i) => m === this.current[i])) return false;
    this.current = Object.freeze([...members]);
    this.version++;
    for (const l of [...this.listeners]) l(this.current);
    for (const w of [...this.waiters]) w();
    return true;
  }

  /**
   * Calls the listeners with the unchanged set: the cluster may have seen it differently for a while (we had
   * to refute a suspicion or a death), so whoever acts on it should assert its view again.
   */
  touch(): void {
    for (const l of [...this.listeners]) l(this.current);
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  onChange(listener: (members: Members) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends every iteration (on close). */
  end(): void {
    this.ended = true;
    for (const w of [...this.waiters]) w();
  }

  /** The current set at once, then each new one; ends when the member list closes or `signal` aborts. */
  async *changes(signal?: AbortSignal): AsyncGenerator<Members> {
    let seen = -1;
    const onAbort = (): void => {
      for (const w of [...this.waiters]) w();
    };
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (this.ended || signal?.aborted === true) return;
        if (seen !== this.version) {
          seen = this.version;
          yield this.current;
          continue;
        }
        await new Promise<void>((resolve) => {
          const w = (): void => {
            this.waiters.delete(w);
            resolve();
          };
          this.waiters.add(w);
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
