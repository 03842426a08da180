/**
 * Ordered scenario tables for the allocator (MetalLB's allocator_test.go style): each step acts on shared state
 * and states what it expects, either addresses or a failure code. Each step is a subtest named as a sentence.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { AllocationFailureCode, AllocationResult } from '../../src/ipam/allocation-failure.js';
import { formatIp, type IpAddress } from '../../src/lib/ip.js';

export interface Step<S> {
  readonly desc: string;
  readonly run: (state: S) => AllocationResult<readonly IpAddress[] | IpAddress> | void;
  /** Addresses expected (in order), or the failure code; absent for steps that only act. */
  readonly want?: readonly string[] | AllocationFailureCode;
  /** The exact failure message, where MetalLB's wording matters (it ends up in events). */
  readonly message?: string;
}

export function checkResult(result: AllocationResult<readonly IpAddress[] | IpAddress> | void, want: Step<unknown>['want'], message?: string): void {
  if (want === undefined) return;
  assert.ok(result !== undefined, 'step returned no result');
  if (typeof want === 'string') {
    assert.equal(result.ok, false, `expected failure ${want}, got ${result.ok ? JSON.stringify(result.value) : ''}`);
    if (!result.ok) {
      assert.equal(result.failure.code, want, result.failure.message);
      if (message !== undefined) assert.equal(result.failure.message, message);
    }
    return;
  }
  assert.ok(result.ok, result.ok ? '' : `expected ${want.join(',')}, failed: ${result.failure.message}`);
  const value = result.value;
  const got = Array.isArray(value) ? (value as readonly IpAddress[]).map(formatIp) : [formatIp(value as IpAddress)];
  assert.deepEqual(got, want);
}

export async function runSteps<S>(t: TestContext, state: S, steps: readonly Step<S>[]): Promise<void> {
  for (const step of steps) {
    await t.test(step.desc, () => checkResult(step.run(state), step.want, step.message));
  }
}
