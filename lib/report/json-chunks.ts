/**
 * JSON reports written piece by piece. A scan of thousands of clusters has hundreds of thousands
 * of results: one `JSON.stringify` of the whole report is a string of hundreds of megabytes (past
 * V8's limit for OCSF at 5,000 clusters) and the objects it is made from on top. Here a long list
 * is a `LazyList` whose items are built and serialised one at a time, and the text comes out in
 * chunks a writer can pass on as they come. The text is byte for byte what
 * `JSON.stringify(value, null, 2)` gives for the same value with the lists filled in.
 */

/**
 * A JSON array whose items are produced while it is written (each item serialised, then dropped).
 * Its items are plain JSON values or WithSharedTail objects: a LazyList inside one is not looked for.
 */
export class LazyList<T = unknown> {
  constructor(readonly items: Iterable<T>) {}
}

/**
 * A value many items of a LazyList hold (a check's compliance mapping in each of its results):
 * serialised once per depth instead of once per item.
 */
export class SharedJson {
  private readonly texts: (string | undefined)[] = [];

  constructor(readonly value: unknown) {}

  /** Its text nested at `depth`, as `JSON.stringify(value, null, 2)` would write it there. */
  at(depth: number): string {
    return (this.texts[depth] ??= nested(this.value, depth) ?? 'null');
  }
}

/**
 * An item of a LazyList written as the object `{ ...head, [key]: shared.value }`: `head` is
 * serialised, and the shared value's text spliced in as its last field.
 */
export class WithSharedTail {
  constructor(
    readonly head: Record<string, unknown>,
    readonly key: string,
    readonly shared: SharedJson,
  ) {}
}

/** `JSON.stringify(value, null, 2)` of a WithSharedTail nested at `depth`. */
function spliced(item: WithSharedTail, depth: number): string {
  const head = nested(item.head, depth) ?? '{}';
  if (omitted(item.shared.value)) return head;
  const inner = INDENT.repeat(depth + 1);
  const close = INDENT.repeat(depth);
  const field = `${inner}${JSON.stringify(item.key)}: ${item.shared.at(depth + 1)}`;
  // The head ends with `\n${close}}`, or is `{}` when it has no field.
  return head === '{}' ? `{\n${field}\n${close}}` : `${head.slice(0, head.length - close.length - 2)},\n${field}\n${close}}`;
}

/** A value that may hold LazyLists anywhere in its plain objects and arrays. */
export type Streamable = unknown;

const INDENT = '  ';

/** `JSON.stringify(value, null, 2)` of a value nested at `depth`, its inner lines indented to match. */
function nested(value: unknown, depth: number): string | undefined {
  if (depth === 0) return JSON.stringify(value, null, 2);
  // Serialised inside `depth` one-item arrays, the value comes out indented for that depth; the
  // wrapper's lines are then cut off (a slice, not a copy, and no pass over the text to re-indent).
  let wrapped: unknown = value;
  for (let d = 0; d < depth; d += 1) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  const { head, tail } = wrapperOf(depth);
  return text.slice(head, text.length - tail);
}

const wrappers: { head: number; tail: number }[] = [];

/** Lengths of what `depth` one-item arrays add before and after the value: `[\n  [\n    ` … `\n  ]\n]`. */
function wrapperOf(depth: number): { head: number; tail: number } {
  let known = wrappers[depth];
  if (!known) {
    let head = 0;
    let tail = 0;
    for (let d = 0; d < depth; d += 1) {
      head += INDENT.length * d + 2; // `${indent}[\n`
      tail += 1 + INDENT.length * d + 1; // `\n${indent}]`
    }
    known = { head: head + INDENT.length * depth, tail };
    wrappers[depth] = known;
  }
  return known;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** Whether a LazyList is somewhere inside (only plain objects and arrays are looked into). */
function holdsLazy(value: unknown): boolean {
  if (value instanceof LazyList) return true;
  if (Array.isArray(value)) return value.some(holdsLazy);
  if (isPlainObject(value)) return Object.values(value).some(holdsLazy);
  return false;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const omitted = (value: unknown): boolean => value === undefined || typeof value === 'function' || typeof value === 'symbol';

function* chunksAt(value: unknown, depth: number): Generator<string> {
  if (!holdsLazy(value)) {
    yield nested(value, depth) ?? 'null';
    return;
  }
  const inner = INDENT.repeat(depth + 1);
  const close = INDENT.repeat(depth);
  if (value instanceof LazyList || Array.isArray(value)) {
    const items: Iterable<unknown> = value instanceof LazyList ? value.items : value;
    let first = true;
    for (const item of items) {
      yield `${first ? '[' : ','}\n${inner}`;
      first = false;
      if (omitted(item)) yield 'null';
      else if (item instanceof WithSharedTail) yield spliced(item, depth + 1);
      // Items of a lazy list are plain values (no lazy list inside): no need to look through them.
      else if (value instanceof LazyList) yield nested(item, depth + 1) ?? 'null';
      else yield* chunksAt(item, depth + 1);
    }
    yield first ? '[]' : `\n${close}]`;
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => !omitted(v));
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  let first = true;
  for (const [key, v] of entries) {
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* chunksAt(v, depth + 1);
  }
  yield `\n${close}}`;
}

/** The pretty-printed JSON text of `value` (LazyLists filled in as it goes), then a newline, in chunks. */
export function* jsonChunks(value: Streamable): Generator<string> {
  yield* chunksAt(value, 0);
  yield '\n';
}

/** The items of `source` through `f`, one at a time as they are asked for (again on every pass). */
export function mapLazily<T, U>(source: Iterable<T>, f: (item: T) => U): Iterable<U> {
  return {
    *[Symbol.iterator]() {
      for (const item of source) yield f(item);
    },
  };
}

/** A report as a renderer gives it: the whole text, or its chunks in order (large machine formats). */
export type ReportText = string | Iterable<string>;

/** The whole text of a report (for tests and small outputs; a huge one may pass V8's string limit). */
export function wholeText(report: ReportText): string {
  return typeof report === 'string' ? report : [...report].join('');
}
