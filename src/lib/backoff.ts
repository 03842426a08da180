/** Capped exponential backoff with jitter (pure: the caller supplies the random source). */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Fraction of the delay randomised, 0..1 (0.2 = +-20%). */
  readonly jitter: number;
}

export function defaultBackoffOptions(): BackoffOptions {
  return { initialMs: 1000, maxMs: 120_000, factor: 2, jitter: 0.2 };
}

/** The delay before retry number `attempt` (0-based). */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  const spread = base * options.jitter;
  return Math.max(0, Math.round(base - spread + 2 * spread * random()));
}

/** Tracks attempts for one retrying thing; `reset()` on success. */
export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;
  private readonly random: () => number;

  constructor(options: BackoffOptions = defaultBackoffOptions(), random: () => number = Math.random) {
    this.options = options;
    this.random = random;
  }

  next(): number {
    return backoffDelayMs(this.attempt++, this.options, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}
