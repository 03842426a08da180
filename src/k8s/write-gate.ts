/**
 * Keeps concurrent reconciles from ever showing one address on two Services. MetalLB runs every handler
 * under one mutex, API writes included; we let Services be written in parallel, with two rules:
 *
 * 1. An update that takes addresses away from a Service (a release) must have landed (or the Service be
 *    gone) before any other Service is converged: otherwise the freed address could be written to another
 *    Service while the first still shows it. A release whose write failed keeps blocking until its own key
 *    is reconciled again successfully (or a full reprocess redoes it).
 * 2. A full reprocess (and any configuration change, which it applies) runs alone: once it is wanted, no
 *    reconcile starts, and it starts when the running ones have finished.
 *
 * The gate never makes anyone wait: `tryEnter*` says yes or no at once, in the same tick as the decision
 * that follows it, and the caller sets a refused key aside. `onOpen` is called when set-aside work may now
 * get in, and the caller queues it again. (Waiting inside a work-queue worker would hold its slot: with
 * every slot waiting, the key that would unblock them could never run.)
 */
export interface WriteGateOptions {
  /** Something that may let refused work in has happened: queue it again. */
  readonly onOpen: (what: 'services' | 'reprocess') => void;
}

export class WriteGate {
  private readonly options: WriteGateOptions;
  private shared = 0;
  private exclusive = false;
  private exclusiveWanted = false;
  /** Keys whose last decision released addresses their Service may still show: 'inflight' or 'failed'. */
  private readonly releases = new Map<string, 'inflight' | 'failed'>();

  constructor(options: WriteGateOptions) {
    this.options = options;
  }

  /** May a single-Service reconcile of `key` converge now? If yes, it has entered: call leaveShared. */
  tryEnterShared(key: string): boolean {
    if (this.exclusive || this.exclusiveWanted) return false;
    for (const k of this.releases.keys()) if (k !== key) return false;
    this.shared++;
    return true;
  }

  leaveShared(): void {
    this.shared--;
    if (this.shared === 0 && this.exclusiveWanted) this.options.onOpen('reprocess');
  }

  /**
   * May a full reprocess run now? If not, it is wanted from now on: no reconcile enters until it has run.
   * It waits for running reconciles and releases in flight; failed releases it redoes itself.
   */
  tryEnterExclusive(): boolean {
    this.exclusiveWanted = true;
    if (this.exclusive || this.shared > 0) return false;
    for (const state of this.releases.values()) if (state === 'inflight') return false;
    this.exclusiveWanted = false;
    this.exclusive = true;
    return true;
  }

  leaveExclusive(): void {
    this.exclusive = false;
    this.options.onOpen('services');
  }

  /** Records, synchronously with the decision, that `key`'s write takes addresses away. */
  releaseStarted(key: string): void {
    this.releases.set(key, 'inflight');
  }

  /** The release of `key` landed, or the Service is gone, or a newer decision keeps what it shows. */
  releaseSettled(key: string): void {
    if (!this.releases.delete(key)) return;
    if (this.exclusive) return; // leaveExclusive opens for everyone
    this.options.onOpen(this.exclusiveWanted ? 'reprocess' : 'services');
  }

  /** The write of a release failed: its Service still shows the addresses. */
  releaseFailed(key: string): void {
    if (!this.releases.has(key)) return;
    this.releases.set(key, 'failed');
    if (this.exclusiveWanted) this.options.onOpen('reprocess');
  }

  /** Keys with an unsettled release (for diagnostics and tests). */
  pendingReleases(): string[] {
    return [...this.releases.keys()];
  }
}
