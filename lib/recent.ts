/**
 * A map that keeps only the entries used most recently: for caches whose keys come one after the
 * other (the engine evaluates a fleet cluster by cluster, the clusters of one role together), so
 * what was worked out for a cluster or a role is reused while it is asked for and then let go, and
 * a fleet of thousands of them never holds every answer at once.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('RecentMap: capacity must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Most recently used last: the first entry is the one to drop.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    return this;
  }
}
