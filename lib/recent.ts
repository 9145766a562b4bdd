/**
 * A map that keeps only the entries used most recently: for caches whose keys come one after the
 * other (the engine evaluates a fleet cluster by cluster, the clusters of one role together), so
 * what was worked out for a cluster or a role is reused while it is asked for and then let go, and
 * a fleet of thousands of them never holds every answer at once.
 *
 * Two generations rather than an exact LRU list: a hit in the current one costs one lookup (the
 * caches sit on hot paths, asked millions of times), a hit in the previous one moves the entry
 * forward. An entry used since the last `capacity` new keys is always kept; at most twice
 * `capacity` entries are held.
 */
export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('RecentMap: capacity must be at least 1');
  }

  get size(): number {
    let n = this.current.size;
    for (const key of this.previous.keys()) if (!this.current.has(key)) n += 1;
    return n;
  }

  get(key: K): V | undefined {
    const value = this.current.get(key);
    if (value !== undefined) return value;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): this {
    if (!this.current.has(key) && this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
    return this;
  }
}
