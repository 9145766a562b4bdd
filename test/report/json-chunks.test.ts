import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks, LazyList, mapLazily, SharedJson, wholeText, WithSharedTail } from '../../lib/report/json-chunks.js';

/** The same value with every LazyList replaced by the array it stands for. */
function filled(value: unknown): unknown {
  if (value instanceof WithSharedTail) return filled({ ...value.head, [value.key]: value.shared.value });
  if (value instanceof LazyList) return [...(value.items as Iterable<unknown>)].map(filled);
  if (Array.isArray(value)) return value.map(filled);
  if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, filled(v)]));
  }
  return value;
}

const leaf = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant(undefined));

/** Plain JSON values: what a lazy list's items are. */
const plain = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 })),
})).value;

/** Objects whose last field is a shared value (its key not an array index, as documented). */
const withSharedTail = fc
  .tuple(fc.dictionary(fc.string({ maxLength: 6 }), plain, { maxKeys: 4 }), fc.string({ maxLength: 5 }).map((k) => `k${k}`), plain)
  .filter(([head, key]) => !(key in head))
  .map(([head, key, value]) => new WithSharedTail(head, key, new SharedJson(value)));

/** Values with lazy lists anywhere in their plain objects and arrays. */
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
    fc.array(fc.oneof(plain, withSharedTail), { maxLength: 4 }).map((items) => new LazyList(items)),
  ),
})).value;

describe('jsonChunks', () => {
  it('writes byte for byte what JSON.stringify(value, null, 2) writes for the filled-in value', () => {
    fc.assert(
      fc.property(json, (value) => {
        const expected = `${JSON.stringify(filled(value), null, 2) ?? 'null'}\n`;
        expect(wholeText(jsonChunks(value))).toBe(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it('splices a shared value as the last field of every item that holds it, also of an item with no other field', () => {
    const shared = new SharedJson([{ framework: 'cis', id: '5.3' }]);
    const items = [1, 2, 3].map((n) => new WithSharedTail({ n, empty: undefined }, 'compliance', shared));
    const text = wholeText(jsonChunks({ results: new LazyList(items), alone: new LazyList([new WithSharedTail({}, 'compliance', shared)]) }));
    expect(text).toBe(`${JSON.stringify({ results: [1, 2, 3].map((n) => ({ n, compliance: shared.value })), alone: [{ compliance: shared.value }] }, null, 2)}\n`);
    expect(new SharedJson({ a: [1] }).at(1)).toBe('{\n    "a": [\n      1\n    ]\n  }');
  });

  it('keeps strings with line breaks, quotes and non-ASCII exactly (escapes are not layout)', () => {
    const value = { results: new LazyList([{ message: 'a\nb "q" \u2028 é', n: [1, { x: 'y\n' }] }]), dates: new Date(0) };
    expect(wholeText(jsonChunks(value))).toBe(`${JSON.stringify(filled(value), null, 2)}\n`);
  });

  it('builds the items of a lazy list one at a time, as they are written', () => {
    const built: number[] = [];
    const list = new LazyList(mapLazily([1, 2, 3], (n) => (built.push(n), { n })));
    const chunks = jsonChunks({ results: list })[Symbol.iterator]();
    chunks.next();
    chunks.next();
    expect(built.length).toBeLessThan(3);
    while (!chunks.next().done);
    expect(built).toEqual([1, 2, 3]);
  });

  it('writes an empty lazy list as [] and may be written twice', () => {
    const value = { results: new LazyList(mapLazily([] as number[], (n) => n)), other: new LazyList(mapLazily([1], (n) => n + 1)) };
    const once = wholeText(jsonChunks(value));
    expect(once).toBe('{\n  "results": [],\n  "other": [\n    2\n  ]\n}\n');
    expect(wholeText(jsonChunks(value))).toBe(once);
  });
});
