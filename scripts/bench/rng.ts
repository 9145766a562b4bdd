/**
 * A small seeded PRNG (mulberry32) and the draws the account generator needs. Seeded so that the
 * same N always builds the same account: call counts and minimums are then reproducible.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /**
   * An index in [0, n) skewed towards low indexes (Zipf-like, exponent s): a few security groups,
   * roles and configurations are shared by many clusters, most by few — as in real accounts.
   */
  skewed(n: number, s?: number): number;
  /** Weighted choice: `weights` need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    skewed: (n, s = 1.1) => {
      // Inverse-CDF sampling over precomputable weights 1/(k+1)^s; n is small (≤ a few hundred).
      let total = 0;
      for (let k = 0; k < n; k++) total += 1 / Math.pow(k + 1, s);
      let x = next() * total;
      for (let k = 0; k < n; k++) {
        x -= 1 / Math.pow(k + 1, s);
        if (x < 0) return k;
      }
      return n - 1;
    },
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let x = next() * total;
      for (const [item, w] of items) {
        x -= w;
        if (x < 0) return item;
      }
      const last = items[items.length - 1];
      if (!last) throw new Error('weighted choice from an empty list');
      return last[0];
    },
  };
  return rng;
}

/** FNV-1a of a string: a stable per-request number (deterministic latency jitter). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
