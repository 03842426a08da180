/**
 * Randomness as an injected dependency: the protocol takes a `Random` (uniform in [0, 1)) so simulations are
 * reproducible from a seed. `seededRandom` is the mulberry32 generator (public domain), good enough for
 * choosing probe orders and gossip targets; it is not for keys or nonces.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** Shuffles in place (Fisher-Yates) and returns the array. */
export function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
  return items;
}

/** Up to `k` distinct items chosen at random. */
export function pickRandom<T>(items: readonly T[], k: number, random: Random): T[] {
  if (k >= items.length) return shuffle([...items], random);
  const copy = [...items];
  const out: T[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + randomIndex(random, copy.length - i);
    const t = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = t;
    out.push(copy[i] as T);
  }
  return out;
}
