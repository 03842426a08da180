/**
 * The queue of state changes waiting to be piggybacked (SWIM's dissemination component, memberlist's
 * `TransmitLimitedQueue`): each item is sent a limited number of times, the least-sent first (newest first on
 * a tie), and a newer item about a member replaces any older one about the same member, so the queue holds at
 * most one fact per member. The queue is bounded; when full, the most-sent item is dropped and counted.
 */
import type { PacketBuilder } from './packet.js';

interface Item {
  readonly key: string;
  readonly encoded: Uint8Array;
  readonly id: number;
  transmits: number;
}

export class BroadcastQueue {
  private readonly items = new Map<string, Item>();
  private nextId = 0;
  private readonly maxItems: number;
  /** Items dropped because the queue was full. */
  overflowed = 0;

  constructor(maxItems = 4096) {
    this.maxItems = maxItems;
  }

  get size(): number {
    return this.items.size;
  }

  /** Whether a fact about `key` is still waiting to be sent (again). */
  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Queues an encoded message about member `key`, replacing what was queued about it. */
  enqueue(key: string, encoded: Uint8Array): void {
    this.items.delete(key);
    if (this.items.size >= this.maxItems) this.dropMostSent();
    this.items.set(key, { key, encoded, id: this.nextId++, transmits: 0 });
  }

  /**
   * Adds as many queued messages to `builder` as fit, counting a transmit for each and retiring those that
   * reach `limit`. Returns how many were added.
   */
  fill(builder: PacketBuilder, limit: number): number {
    if (this.items.size === 0) return 0;
    const ordered = [...this.items.values()].sort((a, b) => a.transmits - b.transmits || b.id - a.id);
    let added = 0;
    for (const item of ordered) {
      if (builder.freeBytes < 8) break;
      if (!builder.tryAddEncoded(item.encoded)) continue;
      added++;
      item.transmits++;
      if (item.transmits >= limit) this.items.delete(item.key);
    }
    return added;
  }

  private dropMostSent(): void {
    let worst: Item | undefined;
    for (const item of this.items.values()) {
      if (worst === undefined || item.transmits > worst.transmits || (item.transmits === worst.transmits && item.id < worst.id)) worst = item;
    }
    if (worst !== undefined) {
      this.items.delete(worst.key);
      this.overflowed++;
    }
  }
}
