/**
 * The usable addresses of one pool CIDR, numbered 0..size-1 in address order ("ordinals"), and which of them
 * are in use. With avoidBuggyIPs the IPv4 addresses ending in .0 and .255 have no ordinal, so "lowest free
 * address" is a plain "lowest free ordinal" query and never walks over the excluded addresses one by one.
 * Memory is O(runs of used addresses): an IPv6 /64 costs what it holds, not what it spans.
 */
import { cidrSize, type Cidr, type IpAddress } from '../lib/ip.js';
import { IntervalSet } from './interval-set.js';

/** Usable addresses per IPv4 /24 with avoidBuggyIPs: .1 to .254. */
const usablePerBlock = 254n;

export class AddressSpace {
  readonly cidr: Cidr;
  readonly pool: string;
  readonly avoidBuggyIPs: boolean;
  /** Number of usable addresses. */
  readonly size: bigint;
  private readonly used = new IntervalSet();
  /** `size` as a number, Infinity when past 2^53 (such a space never fills up). */
  private readonly sizeNumber: number;
  /** Whole /24 blocks with .0 and .255 cut out (IPv4, avoidBuggyIPs, prefix <= 24). */
  private readonly blockwise: boolean;
  /** The first and last usable address otherwise. */
  private readonly first: bigint;
  private readonly last: bigint;

  constructor(cidr: Cidr, pool: string, avoidBuggyIPs: boolean) {
    this.cidr = cidr;
    this.pool = pool;
    const buggy = avoidBuggyIPs && cidr.family === 'IPv4';
    this.avoidBuggyIPs = buggy;
    const last = cidr.base + cidrSize(cidr) - 1n;
    this.blockwise = buggy && cidr.prefixLength <= 24;
    if (this.blockwise) {
      this.first = cidr.base + 1n;
      this.last = last - 1n;
      this.size = (cidrSize(cidr) >> 8n) * usablePerBlock;
    } else {
      // A CIDR longer than /24 lies inside one /24: only its first or last address can be .0 or .255.
      this.first = buggy && (cidr.base & 0xffn) === 0n ? cidr.base + 1n : cidr.base;
      this.last = buggy && (last & 0xffn) === 0xffn ? last - 1n : last;
      this.size = this.last >= this.first ? this.last - this.first + 1n : 0n;
    }
    this.sizeNumber = this.size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(this.size) : Number.POSITIVE_INFINITY;
  }

  /** The ordinal of `address` (same family), or undefined when it is outside the space or excluded. */
  ordinalOf(address: bigint): bigint | undefined {
    if (address < this.first || address > this.last) return undefined;
    if (!this.blockwise) return address - this.first;
    const offset = address - this.cidr.base;
    const low = offset & 0xffn;
    if (low === 0n || low === 0xffn) return undefined;
    return (offset >> 8n) * usablePerBlock + low - 1n;
  }

  addressOf(ordinal: bigint): bigint {
    if (!this.blockwise) return this.first + ordinal;
    return this.cidr.base + (ordinal / usablePerBlock) * 256n + (ordinal % usablePerBlock) + 1n;
  }

  /** True when `ip` is a usable address of this space (in the CIDR, and not excluded by avoidBuggyIPs). */
  holds(ip: IpAddress): boolean {
    return ip.family === this.cidr.family && this.ordinalOf(ip.value) !== undefined;
  }

  /** The first and last usable address (first > last when the space is empty). */
  bounds(): { first: bigint; last: bigint } {
    return { first: this.first, last: this.last };
  }

  /** The lowest usable address nobody uses, or undefined when every one is used. */
  lowestFree(): bigint | undefined {
    const ordinal = this.used.lowestAbsent(0n);
    return ordinal < this.size ? this.addressOf(ordinal) : undefined;
  }

  isUsed(address: bigint): boolean {
    const ordinal = this.ordinalOf(address);
    return ordinal !== undefined && this.used.has(ordinal);
  }

  markUsed(address: bigint): void {
    this.used.add(this.requireOrdinal(address));
  }

  markFree(address: bigint): void {
    this.used.delete(this.requireOrdinal(address));
  }

  get isFull(): boolean {
    return this.used.size >= this.sizeNumber;
  }

  get usedCount(): number {
    return this.used.size;
  }

  get runCount(): number {
    return this.used.runCount;
  }

  private requireOrdinal(address: bigint): bigint {
    const ordinal = this.ordinalOf(address);
    if (ordinal === undefined) throw new RangeError(`address ${address} is not usable in pool ${this.pool}`);
    return ordinal;
  }
}
