/**
 * An ordered map with floor/ceiling queries, on sorted-btree's B+ tree (O(log n) per operation). Wrapped so the
 * allocator depends on the few operations it uses, and so the CommonJS default export is unwrapped in one place.
 */
import btree from 'sorted-btree';

const BTree = btree.default;

export function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class SortedMap<K, V> {
  private readonly tree: InstanceType<typeof BTree<K, V>>;

  constructor(compare: (a: K, b: K) => number) {
    this.tree = new BTree<K, V>(undefined, compare);
  }

  get size(): number {
    return this.tree.size;
  }

  get(key: K): V | undefined {
    return this.tree.get(key);
  }

  set(key: K, value: V): void {
    this.tree.set(key, value, true);
  }

  delete(key: K): boolean {
    return this.tree.delete(key);
  }

  /** The entry with the smallest key. */
  first(): [K, V] | undefined {
    const key = this.tree.minKey();
    return key === undefined ? undefined : [key, this.tree.get(key) as V];
  }

  /** The entry with the largest key <= `key`. */
  floor(key: K): [K, V] | undefined {
    return this.tree.getPairOrNextLower(key);
  }

  /** The entry with the smallest key >= `key`. */
  ceiling(key: K): [K, V] | undefined {
    return this.tree.getPairOrNextHigher(key);
  }

  /** The entry with the smallest key > `key`. */
  higher(key: K): [K, V] | undefined {
    return this.tree.nextHigherPair(key);
  }
}
