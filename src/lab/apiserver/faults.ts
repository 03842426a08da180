/**
 * Fault hooks: make chosen requests fail (409, 429 with Retry-After, 500, 503) or wait, drop every watch,
 * compact the history so re-watches get 410. Rules match on verb, resource, subresource, namespace, name
 * and the requesting user (its bearer token), optionally a number of times or with a probability drawn from
 * a seeded generator, so a failing run can be replayed.
 */
import { ApiError, type StatusReason } from './api-error.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestInfo {
  readonly verb: Verb;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** The bearer token of the request, or undefined. The test server takes tokens as user names. */
  readonly user: string | undefined;
}

export interface FaultMatch {
  readonly verb?: Verb | readonly Verb[];
  readonly resource?: string;
  /** `null` matches only requests to the main resource. */
  readonly subresource?: string | null;
  readonly namespace?: string;
  readonly name?: string;
  readonly user?: string;
  readonly when?: (request: RequestInfo) => boolean;
  /** How many matching requests to affect (default: all). */
  readonly times?: number;
  /** Chance of affecting each matching request, 0..1 (default 1). */
  readonly probability?: number;
}

export interface ErrorFault extends FaultMatch {
  readonly code: 409 | 429 | 500 | 503;
  readonly retryAfterSec?: number;
  readonly message?: string;
}

export interface DelayFault extends FaultMatch {
  readonly delayMs: number;
}

export interface FaultHandle {
  /** Requests this rule has affected so far. */
  readonly hits: () => number;
  readonly remove: () => void;
}

interface Rule<T> {
  readonly spec: T;
  hits: number;
}

const reasons: Record<ErrorFault['code'], StatusReason> = {
  409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable',
};

/** mulberry32: small, seedable, good enough to choose which requests fail. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WatchControl {
  dropWatches(abrupt: boolean, match?: (user: string | undefined, typeKey: string) => boolean): number;
  compact(): void;
}

export class Faults {
  private errors: Rule<ErrorFault>[] = [];
  private delays: Rule<DelayFault>[] = [];
  private random: () => number;
  private readonly watches: WatchControl;

  constructor(watches: WatchControl, seed = 1) {
    this.watches = watches;
    this.random = seeded(seed);
  }

  /** Re-seeds the generator behind `probability`. */
  seed(seed: number): void {
    this.random = seeded(seed);
  }

  /** Fails matching requests with `code` (the body is the Status the real server would send). */
  inject(spec: ErrorFault): FaultHandle {
    const rule: Rule<ErrorFault> = { spec, hits: 0 };
    this.errors.push(rule);
    return { hits: () => rule.hits, remove: () => { this.errors = this.errors.filter((r) => r !== rule); } };
  }

  /** Holds matching requests for `delayMs` before serving them. */
  delay(spec: DelayFault): FaultHandle {
    const rule: Rule<DelayFault> = { spec, hits: 0 };
    this.delays.push(rule);
    return { hits: () => rule.hits, remove: () => { this.delays = this.delays.filter((r) => r !== rule); } };
  }

  /** Ends every open watch (or those of one user/resource); `abrupt` resets the connection instead. */
  dropWatches(options: { abrupt?: boolean; user?: string; resource?: string } = {}): number {
    return this.watches.dropWatches(options.abrupt ?? false, (user, typeKey) =>
      (options.user === undefined || options.user === user) && (options.resource === undefined || typeKey.endsWith(`/${options.resource}`)));
  }

  /** Forgets the watch history: every re-watch from an older resourceVersion gets 410 Expired. */
  compact(): void {
    this.watches.compact();
  }

  clear(): void {
    this.errors = [];
    this.delays = [];
  }

  /** The error to answer `request` with, if a rule says so. */
  errorFor(request: RequestInfo): ApiError | undefined {
    const rule = this.pick(this.errors, request);
    if (rule === undefined) return undefined;
    const { code } = rule.spec;
    const message = rule.spec.message ?? `injected fault: ${code} for ${request.verb} ${request.resource}`;
    const retry = rule.spec.retryAfterSec ?? (code === 429 ? 1 : undefined);
    return new ApiError(code, reasons[code], message, retry === undefined ? undefined : { retryAfterSeconds: retry });
  }

  delayFor(request: RequestInfo): number {
    return this.pick(this.delays, request)?.spec.delayMs ?? 0;
  }

  private pick<T extends FaultMatch>(rules: Rule<T>[], request: RequestInfo): Rule<T> | undefined {
    for (const rule of rules) {
      const s = rule.spec;
      if (!matches(s, request)) continue;
      if (s.times !== undefined && rule.hits >= s.times) continue;
      if (s.probability !== undefined && this.random() >= s.probability) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  }
}

function matches(s: FaultMatch, r: RequestInfo): boolean {
  if (s.verb !== undefined && !(typeof s.verb === 'string' ? s.verb === r.verb : s.verb.includes(r.verb))) return false;
  if (s.resource !== undefined && s.resource !== r.resource) return false;
  if (s.subresource !== undefined && (s.subresource ?? undefined) !== r.subresource) return false;
  if (s.namespace !== undefined && s.namespace !== r.namespace) return false;
  if (s.name !== undefined && s.name !== r.name) return false;
  if (s.user !== undefined && s.user !== r.user) return false;
  return s.when === undefined || s.when(r);
}
