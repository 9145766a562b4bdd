/**
 * Decides questions about infinite sets of strings described by IAM wildcard patterns, such as
 * "is every IAM action allowed?", by searching for a counterexample instead of enumerating a
 * catalogue of actions. All patterns run in lockstep (a product automaton); the search is breadth
 * first, so a witness found is a shortest one. It is exact: a string exists iff it is found.
 *
 * Why exact without trying every character: in a given state, a character that no live pattern
 * names at its next position behaves like any other such character (only `*`/`?` take it), so one
 * representative per class of the universe suffices.
 */
import { RecentMap } from '../recent.js';
import { globAccepts, globStart, globStep, type GlobState } from './glob.js';
import type { Tri } from './tri.js';

/** The strings that count: a deterministic automaton over characters. */
export interface Universe {
  readonly start: number;
  /** Next state, or undefined when no string of the universe continues this way. */
  step(state: number, char: string): number | undefined;
  accepts(state: number): boolean;
  /**
   * Characters outside `taken`, one for each class of characters the universe treats alike:
   * every character no live pattern names next behaves like its class's representative.
   */
  representatives(taken: ReadonlySet<string>): string[];
}

const SERVICE_CHARS = new Set('abcdefghijklmnopqrstuvwxyz0123456789-');
const NAME_CHARS = new Set('abcdefghijklmnopqrstuvwxyz0123456789');

/**
 * Lowercased action names `service:Action`: a service prefix of letters, digits and hyphens, and an
 * action name of letters and digits — the form of every IAM action (`s3:GetObject`,
 * `ssmmessages:OpenDataChannel`, `aws-portal:ViewBilling`).
 */
export const ACTION_UNIVERSE: Universe = {
  start: 0,
  step(state, c) {
    switch (state) {
      case 0:
        return SERVICE_CHARS.has(c) ? 1 : undefined;
      case 1:
        return c === ':' ? 2 : SERVICE_CHARS.has(c) ? 1 : undefined;
      case 2:
      case 3:
        return NAME_CHARS.has(c) ? 3 : undefined;
      default:
        return undefined;
    }
  },
  accepts: (state) => state === 3,
  representatives(taken) {
    const out: string[] = [];
    const alnum = [...NAME_CHARS].find((c) => !taken.has(c));
    if (alnum) out.push(alnum);
    for (const c of ['-', ':']) if (!taken.has(c)) out.push(c);
    return out;
  },
};

/** Any non-empty string (resource ARNs and names). */
export const ANY_STRING_UNIVERSE: Universe = {
  start: 0,
  step: () => 1,
  accepts: (state) => state === 1,
  representatives(taken) {
    const c = ['x', 'y', 'z', '0', '_', '~', '\u00a7', '\u00b6'].find((ch) => !taken.has(ch));
    return c ? [c] : [];
  },
};

export type SearchResult = { kind: 'found'; witness: string } | { kind: 'none' } | { kind: 'limit' };

export interface SearchOptions {
  /** Index of a pattern every witness must match: states where it is dead are not explored. */
  required?: number;
  /** Safety bounds on explored states and on pattern steps; beyond them the answer is `limit` (undecided). */
  maxStates?: number;
  maxWork?: number;
}

export const DEFAULT_MAX_STATES = 50_000;
/** Bound on pattern steps (the search's cost): about a second at worst on a 2-core machine. */
export const DEFAULT_MAX_WORK = 2_000_000;

/**
 * One pattern as a deterministic automaton built on demand: its states are the position sets of
 * glob.ts, numbered; 0 is the dead state. Transitions are cached, so a search pays for each only once.
 */
class PatternAutomaton {
  private readonly sets: GlobState[] = [[]];
  private readonly ids = new Map<string, number>([['', 0]]);
  private readonly transitions: Array<Map<string, number>> = [new Map<string, number>()];
  private readonly named: string[][] = [[]];
  readonly accepting: boolean[] = [false];
  /** The state accepts whatever follows (a position from which only `*` remain). */
  readonly universal: boolean[] = [false];
  readonly start: number;

  constructor(private readonly pattern: string) {
    this.start = this.idOf(globStart(pattern));
  }

  private idOf(set: GlobState): number {
    const key = set.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(set);
      this.ids.set(key, id);
      this.transitions.push(new Map<string, number>());
      this.accepting.push(globAccepts(this.pattern, set));
      this.universal.push(set.some((pos) => pos < this.pattern.length && /^\*+$/.test(this.pattern.slice(pos))));
      const named = new Set<string>();
      for (const pos of set) {
        const c = this.pattern[pos];
        if (c !== undefined && c !== '*' && c !== '?') named.add(c);
      }
      this.named.push([...named]);
    }
    return id;
  }

  step(state: number, char: string): number {
    if (state === 0) return 0;
    const cached = this.transitions[state]!.get(char);
    if (cached !== undefined) return cached;
    const next = this.idOf(globStep(this.pattern, this.sets[state]!, char));
    this.transitions[state]!.set(char, next);
    return next;
  }

  /** Characters the pattern names at its next positions in this state. */
  namedNext(state: number): readonly string[] {
    return this.named[state]!;
  }
}

/**
 * Automata are pure functions of their pattern and fill their transition tables as searches go:
 * keeping them lets the many searches of one audit (the same policies, several questions, several
 * clusters) share that work. The most recently used are kept: the patterns of shared managed
 * policies stay, those of a role's own inline policy go when its clusters are done. Some hundreds
 * (each holds a table per state, 5–10 KB): keeping up to 20,000 held ~50 MB at 5,000 roles, and
 * fewer did not make the benchmark slower.
 */
const automata = new RecentMap<string, PatternAutomaton>(500);

function automatonOf(pattern: string): PatternAutomaton {
  let a = automata.get(pattern);
  if (!a) {
    a = new PatternAutomaton(pattern);
    automata.set(pattern, a);
  }
  return a;
}

/**
 * Finds a string of the universe for which `goal` holds, given which patterns the string matches
 * (patterns already case-normalised like the universe's strings). `goal` is three-valued: asked
 * with some matches unknown (undefined), it answers false only if no completion can satisfy it,
 * which lets the search drop every continuation of such a prefix.
 */
export function searchWitness(
  patterns: readonly string[],
  universe: Universe,
  goal: (matches: (pattern: number) => Tri) => Tri,
  options: SearchOptions = {},
): SearchResult {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const maxWork = options.maxWork ?? DEFAULT_MAX_WORK;
  const required = options.required;
  const automata = patterns.map(automatonOf);
  let work = 0;

  /** Only the live patterns are kept (index and state, by increasing index): most die within a few characters. */
  interface Node {
    u: number;
    live: number[];
    states: number[];
    text: string;
  }
  const keyOf = (n: Omit<Node, 'text'>): string => {
    let key = String(n.u);
    for (let k = 0; k < n.live.length; k += 1) {
      const i = n.live[k]!;
      const st = n.states[k]!;
      // Once a pattern accepts whatever follows, its exact state no longer matters.
      key += automata[i]!.universal[st] ? `|${i}:U` : `|${i}:${st}`;
    }
    return key;
  };
  // One scratch valuation, filled for the live patterns of the node being judged and cleared after:
  // dead patterns read as 0 (no match, ever).
  const scratch = new Int8Array(patterns.length);
  const read = (i: number): Tri => (scratch[i] === 0 ? false : scratch[i] === 1 ? true : undefined);
  const judge = (n: Node, now: boolean): Tri => {
    n.live.forEach((i, k) => {
      const a = automata[i]!;
      const st = n.states[k]!;
      scratch[i] = now ? (a.accepting[st] ? 1 : 0) : a.universal[st] ? 1 : 2;
    });
    const verdict = goal(read);
    for (const i of n.live) scratch[i] = 0;
    return verdict;
  };
  /** No string starting with this prefix can reach the goal. */
  const hopeless = (n: Node): boolean => judge(n, false) === false;
  const isGoal = (n: Node): boolean => universe.accepts(n.u) && judge(n, true) === true;
  /** The characters some live pattern names next: only they, and one representative per class, lead anywhere new. */
  const nextChars = (n: Node): string[] => {
    const named = new Set<string>();
    n.live.forEach((i, k) => {
      for (const c of automata[i]!.namedNext(n.states[k]!)) named.add(c);
    });
    return [...named, ...universe.representatives(named)];
  };

  const first: Node = { u: universe.start, live: [], states: [], text: '' };
  automata.forEach((a, i) => {
    if (a.start !== 0) {
      first.live.push(i);
      first.states.push(a.start);
    }
  });
  if (required !== undefined && automata[required]!.start === 0) return { kind: 'none' };
  const seen = new Set<string>([keyOf(first)]);
  let frontier: Node[] = [first];
  while (frontier.length > 0) {
    const next: Node[] = [];
    for (const node of frontier) {
      if (hopeless(node)) continue;
      if (isGoal(node)) return { kind: 'found', witness: node.text };
      for (const c of nextChars(node)) {
        const u = universe.step(node.u, c);
        if (u === undefined) continue;
        const child: Node = { u, live: [], states: [], text: node.text + c };
        node.live.forEach((i, k) => {
          const st = automata[i]!.step(node.states[k]!, c);
          if (st !== 0) {
            child.live.push(i);
            child.states.push(st);
          }
        });
        work += node.live.length;
        if (required !== undefined && !child.live.includes(required)) continue;
        const key = keyOf(child);
        if (seen.has(key)) continue;
        if (seen.size >= maxStates || work >= maxWork) return { kind: 'limit' };
        seen.add(key);
        next.push(child);
      }
    }
    frontier = next;
  }
  return { kind: 'none' };
}
