/**
 * A set of non-negative integers (bigint) kept as maximal runs `[start, end]`, ordered by start. Memory is
 * O(runs) <= O(members), whatever the range the members come from, and "the lowest integer >= x that is not
 * a member" is one floor query: x itself, or the end of the run that holds x plus one (runs are maximal, so
 * that is never a member).
 */
import { assert } from '../lib/assert.js';
import { SortedMap, compareBigint } from './sorted-map.js';

export class IntervalSet {
  /** start -> end (inclusive); runs never touch or overlap. */
  private readonly runs = new SortedMap<bigint, bigint>(compareBigint);
  private count = 0;

  /** Number of members. */
  get size(): number {
    return this.count;
  }

  /** Number of maximal runs (what the memory is proportional to). */
  get runCount(): number {
    return this.runs.size;
  }

  has(n: bigint): boolean {
    const run = this.runs.floor(n);
    return run !== undefined && run[1] >= n;
  }

  /** The lowest integer >= `from` that is not a member. */
  lowestAbsent(from = 0n): bigint {
    const run = this.runs.floor(from);
    return run !== undefined && run[1] >= from ? run[1] + 1n : from;
  }

  add(n: bigint): void {
    const left = this.runs.floor(n);
    assert(left === undefined || left[1] < n, `interval set already holds ${n}`);
    const joinsLeft = left !== undefined && left[1] === n - 1n;
    const rightEnd = this.runs.get(n + 1n);
    if (joinsLeft && rightEnd !== undefined) {
      this.runs.delete(n + 1n);
      this.runs.set(left[0], rightEnd);
    } else if (joinsLeft) {
      this.runs.set(left[0], n);
    } else if (rightEnd !== undefined) {
      this.runs.delete(n + 1n);
      this.runs.set(n, rightEnd);
    } else {
      this.runs.set(n, n);
    }
    this.count++;
  }

  delete(n: bigint): void {
    const run = this.runs.floor(n);
    assert(run !== undefined && run[1] >= n, `interval set does not hold ${n}`);
    const [start, end] = run;
    if (start === n) this.runs.delete(start);
    else this.runs.set(start, n - 1n);
    if (end > n) this.runs.set(n + 1n, end);
    this.count--;
  }

  /** The runs in order, for tests and diagnostics. */
  toRuns(): [bigint, bigint][] {
    const out: [bigint, bigint][] = [];
    for (let run = this.runs.first(); run !== undefined; run = this.runs.higher(run[0])) out.push(run);
    return out;
  }
}
