/**
 * IAM wildcard patterns (`*` = any run of characters, `?` = exactly one character), matched over
 * whole strings. Action names compare case-insensitively, resource ARNs case-sensitively: callers
 * lowercase both sides for actions.
 *
 * A pattern is also an automaton whose states are positions in the pattern; `GlobState` is the set
 * of positions reachable after some input. The witness search (witness.ts) runs many patterns in
 * lockstep over this representation.
 */

/** Positions of the pattern reachable after the input so far, sorted; empty = dead. */
export type GlobState = readonly number[];

export function globStart(pattern: string): GlobState {
  const out = [0];
  for (let p = 0; p < pattern.length && pattern[p] === '*'; p += 1) out.push(p + 1);
  return out;
}

/**
 * The state after one more character. Positions stay sorted: each position moves to itself (`*`)
 * or the next one, and a position before a `*` also reaches the positions after it (a `*` may match
 * nothing).
 */
export function globStep(pattern: string, state: GlobState, char: string): GlobState {
  const next: number[] = [];
  let last = -1;
  for (const p of state) {
    if (p >= pattern.length) continue;
    const c = pattern[p];
    let q: number;
    if (c === '*') q = p;
    else if (c === '?' || c === char) q = p + 1;
    else continue;
    for (;;) {
      if (q > last) {
        next.push(q);
        last = q;
      }
      if (q < pattern.length && pattern[q] === '*') q += 1;
      else break;
    }
  }
  return next;
}

export function globAccepts(pattern: string, state: GlobState): boolean {
  return state.length > 0 && state[state.length - 1] === pattern.length;
}

const STAR = 0x2a;
const ANY_ONE = 0x3f;

/**
 * Whole-string match of `text` against `pattern` (both already case-normalised by the caller).
 * The usual wildcard matcher that retries from the last `*` only: nothing is allocated, and it is
 * asked millions of times in a scan of thousands of roles. (The position sets above serve the
 * witness search, which needs every position at once.)
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (c === STAR) {
      star = p;
      p += 1;
      resume = t;
    } else if (c !== -1 && (c === ANY_ONE || c === text.charCodeAt(t))) {
      p += 1;
      t += 1;
    } else if (star >= 0) {
      // The last `*` takes one more character; everything after it is matched again from there.
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p += 1;
  return p === pattern.length;
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
