/** "Did you mean …?" for mistyped commands, flags and check ids. */

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `input`, when it is close enough to be a plausible typo (or the input
 * is a distinctive part of it, e.g. `ssh` for `network/ssh-from-internet`).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(needle, candidate.toLowerCase());
    if (!best || score < best.score) best = { candidate, score };
  }
  if (best && best.score <= Math.max(2, Math.floor(needle.length / 3))) return best.candidate;
  const containing = candidates.filter((c) => needle.length >= 3 && c.toLowerCase().includes(needle));
  return containing.length === 1 ? containing[0] : undefined;
}
