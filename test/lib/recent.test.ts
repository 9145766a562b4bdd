import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../lib/recent.js';

describe('RecentMap', () => {
  it('keeps the entries used most recently, dropping the least recently used one when full', () => {
    const m = new RecentMap<string, number>(2);
    m.set('a', 1).set('b', 2);
    expect(m.get('a')).toBe(1); // a is now the most recent
    m.set('c', 3);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    expect(m.get('c')).toBe(3);
    expect(m.size).toBe(2);
  });

  it('replaces a key in place without dropping another entry', () => {
    const m = new RecentMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 10);
    expect(m.size).toBe(2);
    expect(m.get('a')).toBe(10);
    expect(m.get('b')).toBe(2);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RecentMap(0)).toThrow(/capacity/);
  });
});
