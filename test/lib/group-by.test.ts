import { describe, expect, it } from 'vitest';
import { groupBy } from '../../lib/group-by.js';

describe('groupBy', () => {
  it('groups in one pass, groups and items in the order first seen', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...groups.keys()]).toEqual(['b', 'a', 'c']);
    expect(groups.get('b')).toEqual(['b1', 'b2']);
    expect(groups.get('a')).toEqual(['a1', 'a2']);
  });

  it('keeps null and undefined keys apart from the others', () => {
    const groups = groupBy([{ k: null }, { k: 'x' }, { k: null }], (i) => i.k);
    expect(groups.get(null)).toHaveLength(2);
    expect(groups.get('x')).toHaveLength(1);
  });
});
