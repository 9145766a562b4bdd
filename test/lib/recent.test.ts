import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../lib/recent.js';

describe('RecentMap', () => {
  it('keeps what was used since the last `capacity` new keys, and drops what was not', () => {
    const m = new RecentMap<string, number>(2);
    m.set('a', 1).set('b', 2);
    m.set('c', 3); // a new generation: a and b are kept one more round
    expect(m.get('a')).toBe(1); // used: moved forward
    m.set('d', 4); // b was not used in its round: gone
    expect(m.get('b')).toBeUndefined();
    m.set('e', 5);
    m.set('f', 6); // c and a were not used since d: gone
    expect(m.get('c')).toBeUndefined();
    expect(m.get('a')).toBeUndefined();
    expect(m.get('f')).toBe(6);
  });

  it('replaces a value in place', () => {
    const m = new RecentMap<string, number>(2);
    m.set('a', 1).set('a', 10);
    expect(m.get('a')).toBe(10);
    expect(m.size).toBe(1);
  });

  it('never holds more than twice its capacity and always holds the last `capacity` keys used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 })), { maxLength: 80 }), (capacity, ops) => {
        const m = new RecentMap<number, number>(capacity);
        const used: number[] = [];
        const values = new Map<number, number>();
        for (const [write, key] of ops) {
          if (write) {
            m.set(key, key * 10);
            values.set(key, key * 10);
          } else if (m.get(key) === undefined) continue;
          used.push(key);
          expect(m.size).toBeLessThanOrEqual(2 * capacity);
          // The last `capacity` distinct keys used are all present, with their latest value.
          const recent = [...new Set([...used].reverse())].slice(0, capacity);
          for (const k of recent) expect(m.get(k)).toBe(values.get(k));
          used.push(...recent.reverse());
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a capacity below one', () => {
    expect(() => new RecentMap(0)).toThrow(/capacity/);
  });
});
