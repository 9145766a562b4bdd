/**
 * Questions about every catalogued action of a pattern (`iam:*`) on every resource, answered with
 * one bit per (action, resource type) pair and statement: a statement's bits say which pairs it
 * matches and covers in full. A role's answer is then a few bitwise passes over its statements'
 * bits, and the bits are computed once per statement — statements are shared by every role that
 * holds the same policy document (role.ts), so the cost grows with distinct policies, not roles.
 */
import { catalogued } from './catalogue.js';
import { globMatch } from './glob.js';
import { coversEveryResource, targetKey, type ResourceTarget } from './resources.js';
import type { PatternSpec, Statement } from './statements.js';

/** The statements of a role that take part, by role (the evaluator's layers). */
export interface MaskLayers {
  identityAllows: readonly Statement[];
  identityDenies: readonly Statement[];
  boundary?: { allows: readonly Statement[]; denies: readonly Statement[] };
}

export interface CatalogueQuestion {
  /** The catalogued actions asked about (`iam:AttachRolePolicy`…). */
  readonly actions: readonly string[];
  /** Index of the first action not allowed on every resource, or undefined when all are. */
  firstRefused(layers: MaskLayers): number | undefined;
  /** The statement matches some asked action and covers every resource of one of its types. */
  touches(s: Statement): boolean;
}

class MaskQuestion implements CatalogueQuestion {
  readonly actions: readonly string[];
  private readonly lower: readonly string[];
  private readonly targets: ResourceTarget[] = [];
  /** Per action: its pairs' indices and how they combine. */
  private readonly perAction: { mode: 'all' | 'any'; pairs: number[] }[] = [];
  /** Per pair: the target index. */
  private readonly pairTarget: number[] = [];
  private readonly pairAction: number[] = [];
  private readonly masks = new WeakMap<Statement, Uint8Array>();
  /** Actions each action pattern matches: patterns repeat across policies. */
  private readonly patternBits = new Map<string, Uint8Array>();

  constructor(actions: readonly string[]) {
    this.actions = actions;
    this.lower = actions.map((a) => a.toLowerCase());
    const targetIndex = new Map<string, number>();
    actions.forEach((action, i) => {
      const { mode, targets } = catalogued(action)!.targets;
      const pairs: number[] = [];
      for (const target of targets) {
        const key = targetKey(target);
        let t = targetIndex.get(key);
        if (t === undefined) {
          t = this.targets.length;
          this.targets.push(target);
          targetIndex.set(key, t);
        }
        pairs.push(this.pairTarget.length);
        this.pairTarget.push(t);
        this.pairAction.push(i);
      }
      this.perAction.push({ mode, pairs });
    });
  }

  private bitsOfPattern(pattern: string): Uint8Array {
    let bits = this.patternBits.get(pattern);
    if (!bits) {
      bits = new Uint8Array(this.lower.length);
      this.lower.forEach((name, i) => {
        if (globMatch(pattern, name)) bits![i] = 1;
      });
      if (this.patternBits.size >= 20_000) this.patternBits.clear();
      this.patternBits.set(pattern, bits);
    }
    return bits;
  }

  private actionBits(spec: PatternSpec): Uint8Array {
    const out = new Uint8Array(this.lower.length);
    for (const p of spec.patterns) {
      const bits = this.bitsOfPattern(p);
      for (let i = 0; i < out.length; i += 1) out[i]! |= bits[i]!;
    }
    if (spec.not) for (let i = 0; i < out.length; i += 1) out[i] = out[i] ? 0 : 1;
    return out;
  }

  mask(s: Statement): Uint8Array {
    let mask = this.masks.get(s);
    if (mask) return mask;
    const actions = this.actionBits(s.actions);
    mask = new Uint8Array(this.pairTarget.length);
    // Most statements name no action asked about: their resources need no look.
    if (actions.includes(1)) {
      const covers = this.targets.map((t) => coversEveryResource(s.resources, t));
      for (let p = 0; p < mask.length; p += 1) mask[p] = actions[this.pairAction[p]!]! && covers[this.pairTarget[p]!] ? 1 : 0;
    }
    this.masks.set(s, mask);
    return mask;
  }

  private union(list: readonly Statement[]): Uint8Array {
    const out = new Uint8Array(this.pairTarget.length);
    for (const s of list) {
      const m = this.mask(s);
      for (let p = 0; p < out.length; p += 1) out[p]! |= m[p]!;
    }
    return out;
  }

  firstRefused(layers: MaskLayers): number | undefined {
    const granted = this.union(layers.identityAllows);
    const denied = this.union(layers.identityDenies);
    const boundaryAllows = layers.boundary ? this.union(layers.boundary.allows) : undefined;
    const boundaryDenies = layers.boundary ? this.union(layers.boundary.denies) : undefined;
    const ok = (p: number): boolean => granted[p] === 1 && denied[p] === 0 && (!boundaryAllows || (boundaryAllows[p] === 1 && boundaryDenies![p] === 0));
    for (let i = 0; i < this.perAction.length; i += 1) {
      const { mode, pairs } = this.perAction[i]!;
      const allowed = mode === 'all' ? pairs.every(ok) : pairs.some(ok);
      if (!allowed) return i;
    }
    return undefined;
  }

  touches(s: Statement): boolean {
    return this.mask(s).includes(1);
  }
}

const questions = new Map<string, CatalogueQuestion>();

/** The question for an action pattern and the catalogued actions it stands for (one per pattern, kept). */
export function catalogueQuestion(pattern: string, actions: readonly string[]): CatalogueQuestion {
  let q = questions.get(pattern);
  if (!q) {
    q = new MaskQuestion(actions);
    if (questions.size >= 100) questions.clear();
    questions.set(pattern, q);
  }
  return q;
}
