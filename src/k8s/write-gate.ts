/**
 * Keeps concurrent reconciles from ever showing one address on two Services. MetalLB runs every handler
 * under one mutex, API writes included; we let Services be written in parallel, with two rules:
 *
 * 1. An update that takes addresses away from a Service (a release) must have landed (or the Service be
 *    gone) before any other Service is converged: otherwise the freed address could be written to another
 *    Service while the first still shows it. A release whose write failed keeps blocking until its own key
 *    is reconciled again successfully.
 * 2. A full reprocess (and any configuration change, which it applies) runs alone: it waits for the
 *    running reconciles to finish, and none starts until it is done.
 *
 * Shared entries are for single-Service reconciles; the exclusive entry is for the full reprocess, which
 * writes its own releases first and the rest only after they landed. Waiters queue in order, and a waiting
 * exclusive entry keeps new shared entries out, so a reprocess is not starved.
 */
interface Waiter {
  readonly exclusive: boolean;
  readonly key: string | undefined;
  readonly resolve: () => void;
}

export class WriteGate {
  private shared = 0;
  private exclusive = false;
  private waiters: Waiter[] = [];
  /** Keys whose last decision released addresses their Service may still show: 'inflight' or 'failed'. */
  private readonly releases = new Map<string, 'inflight' | 'failed'>();

  /** Waits until a single-Service reconcile of `key` may converge. */
  enterShared(key: string): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ exclusive: false, key, resolve });
      this.wake();
    });
  }

  leaveShared(): void {
    this.shared--;
    this.wake();
  }

  /** Waits until a full reprocess may run alone. */
  enterExclusive(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ exclusive: true, key: undefined, resolve });
      this.wake();
    });
  }

  leaveExclusive(): void {
    this.exclusive = false;
    this.wake();
  }

  /** Records, synchronously with the decision, that `key`'s write takes addresses away. */
  releaseStarted(key: string): void {
    this.releases.set(key, 'inflight');
  }

  /** The release of `key` landed, or the Service is gone, or a newer decision keeps what it shows. */
  releaseSettled(key: string): void {
    if (this.releases.delete(key)) this.wake();
  }

  /** The write of a release failed: its Service still shows the addresses. */
  releaseFailed(key: string): void {
    if (this.releases.has(key)) {
      this.releases.set(key, 'failed');
      this.wake();
    }
  }

  /** Keys with an unsettled release (for diagnostics and tests). */
  pendingReleases(): string[] {
    return [...this.releases.keys()];
  }

  private sharedMayEnter(key: string): boolean {
    if (this.exclusive) return false;
    for (const k of this.releases.keys()) if (k !== key) return false;
    return true;
  }

  /** A reprocess waits for running reconciles and for releases in flight; failed ones it redoes itself. */
  private exclusiveMayEnter(): boolean {
    if (this.exclusive || this.shared > 0) return false;
    for (const state of this.releases.values()) if (state === 'inflight') return false;
    return true;
  }

  /** Admits waiters in order; nobody behind a waiting reprocess is admitted before it. */
  private wake(): void {
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i]!;
      if (w.exclusive) {
        if (!this.exclusiveMayEnter()) return;
        this.waiters.splice(i, 1);
        this.exclusive = true;
        w.resolve();
        return;
      }
      if (this.sharedMayEnter(w.key!)) {
        this.waiters.splice(i--, 1);
        this.shared++;
        w.resolve();
      }
    }
  }
}
