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

/** Whole-string match of `text` against `pattern` (both already case-normalised by the caller). */
export function globMatch(pattern: string, text: string): boolean {
  let state = globStart(pattern);
  for (let i = 0; i < text.length; i += 1) {
    state = globStep(pattern, state, text[i]!);
    if (state.length === 0) return false;
  }
  return globAccepts(pattern, state);
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
