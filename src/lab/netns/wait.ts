/**
 * Polling with a deadline, for tests and the lab against real kernels and daemons (never a fixed sleep).
 */
import { MetallbError, errorMessage } from '../../lib/errors.js';

export interface WaitOptions {
  /** Give up after this long (default 5 s). */
  readonly timeoutMs?: number;
  /** Pause between attempts (default 25 ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message. */
  readonly what?: string;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` until it returns a truthy value (which is returned) or the deadline passes. A throw counts as
 * "not yet"; on timeout the error (code `ETIMEDOUT`) carries the last value or error.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = performance.now() + timeoutMs;
  let last = 'no attempt';
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false && value !== '' && value !== 0) return value;
      last = `last value ${JSON.stringify(value)}`;
    } catch (err) {
      last = `last error: ${errorMessage(err)}`;
    }
    if (performance.now() >= deadline) {
      throw new MetallbError('ETIMEDOUT', `waiting ${timeoutMs} ms for ${options.what ?? 'a condition'}: ${last}`);
    }
    await pause(Math.min(intervalMs, Math.max(0, deadline - performance.now())));
  }
}

/** Polls until `fn` resolves without throwing; returns its value. */
export async function eventually<T>(fn: () => Promise<T> | T, options: WaitOptions = {}): Promise<T> {
  let result: T | undefined;
  await waitFor(async () => {
    result = await fn();
    return true;
  }, options);
  return result as T;
}
