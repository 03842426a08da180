/**
 * Why an assignment or allocation failed: a stable code to branch on and MetalLB's message text, which the
 * controller puts into its events (`Failed to allocate IP for "ns/name": <message>`).
 */
import type { IpAddress } from '../lib/ip.js';
import { goQuote, goQuoteIps } from './go-format.js';

export type AllocationFailureCode =
  | 'notInConfig'
  | 'poolIncompatible'
  | 'tooManyAddresses'
  | 'sameFamily'
  | 'sharingKeyInUse'
  | 'portInUse'
  | 'noAvailableIps'
  | 'noAvailableIpsInPool'
  | 'noIpForFamily'
  | 'unknownPool'
  | 'wrongFamily'
  /** The addresses do not make a family: unparsable, none or three, or two of one family. */
  | 'invalidAddresses'
  /** The requested addresses (annotation or spec.loadBalancerIP) are unusable as written. */
  | 'invalidRequest'
  /** Requested addresses conflict with the Service's family or with the `address-pool` annotation. */
  | 'requestMismatch';

export interface AllocationFailure {
  readonly code: AllocationFailureCode;
  readonly message: string;
}

export type AllocationResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: AllocationFailure };

export function ok<T>(value: T): AllocationResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: AllocationFailureCode, message: string): AllocationResult<T> {
  return { ok: false, failure: { code, message } };
}

/** MetalLB formats a missing address (a nil net.IP) as `<nil>`, hence the optional entries. */
export function notInConfig<T>(ips: readonly (IpAddress | undefined)[]): AllocationResult<T> {
  return fail('notInConfig', `${goQuoteIps(ips)} is not allowed in config`);
}

export function noAvailableIps<T>(): AllocationResult<T> {
  return fail('noAvailableIps', 'no available IPs');
}

export function unknownPool<T>(name: string): AllocationResult<T> {
  return fail('unknownPool', `unknown pool ${goQuote(name)}`);
}

export function noAvailableIpsInPool<T>(pool: string): AllocationResult<T> {
  return fail('noAvailableIpsInPool', `no available IPs in pool ${pool}`);
}
