/**
 * "Effective allow" (CHECKS.md) of an action for a role: some Allow statement of its identity
 * policies (attached managed + inline) matches the action and the resource, no Deny statement
 * that counts matches them, and the permissions boundary, if any, allows them too (its own Denies
 * included).
 *
 * Precisely:
 * - Action / NotAction: IAM wildcards `*` and `?` over the whole action name, case-insensitive.
 *   A question about a wildcard (`*`, `iam:*`) is answered for every action name it stands for,
 *   not only the ones AWS has published so far: it is allowed when no action name of the form
 *   `service:Action` within it is left unallowed. So `*`, `*:*`, `i*`, `iam:*`, or NotAction
 *   `["s3:*"]` allow `iam:*`; Allow `iam:*` with a Deny of `iam:CreateUser` does not.
 * - Resource scope `every` ("on `*`"): a statement takes part when it covers every resource of
 *   the action (resources.ts). A Deny limited to some resources leaves the allow on the others,
 *   which is still an unscoped grant.
 *   An action with several resource types (ec2:RunInstances) is allowed on every resource when it
 *   is on every resource of each type: statements may cover one type each.
 * - Resource scope `some`: allowed on at least one resource — a resource name exists that an
 *   Allow matches and no counted Deny matches (the boundary likewise), decided exactly.
 * - One named resource (evaluateOnResource): the statements whose Resource / NotResource match
 *   that ARN take part — the question "may the role do this to itself".
 * - What Denies take away: withoutDenies gives the same policies without any Deny, and denialsOf
 *   the Denies that take part in an "every resource" question (administrator-equivalence: a grant
 *   of `*` that only Denies reduce).
 * - Conditions are not evaluated. A conditional Allow grants (CHECKS.md: conditions are usually
 *   satisfiable from the instance); the verdict says whether the grant depends on one. A
 *   conditional Deny is counted or not by the caller (`conditionalDenies`): a check that reports
 *   a grant ignores it (counting it could hide a grant: no false all-clear), a check that reports
 *   a missing grant applies it (the same principle from the other side). Conditional Denies that
 *   match but were ignored are listed in the verdict.
 * - Statements are evaluated from the snapshot's parsed documents; SCPs, resource policies and
 *   session policies are out of scope (they are not the role's).
 */
import { RecentMap } from '../recent.js';
import type { PatternSpec, Statement } from './statements.js';
import { globMatch, hasWildcard } from './glob.js';
import { coversEveryResource, partialCoverage, resourceTargetsOf, type ResourceTarget } from './resources.js';
import { actionsOf } from './catalogue.js';
import { admitsService } from './conditions.js';
import { catalogueQuestion, type CatalogueQuestion } from './catalogue-masks.js';
import { and, anyOf, not, xor, type Tri } from './tri.js';
import { ACTION_UNIVERSE, ANY_STRING_UNIVERSE, searchWitness, type SearchResult } from './witness.js';

/** The policies in force for a role, parsed. */
export interface RolePolicies {
  roleName: string;
  /** Statements of the attached managed policies and inline policies. */
  identity: readonly Statement[];
  /** The permissions boundary's statements, when the role has one. */
  boundary?: { name: string; arn: string; statements: readonly Statement[] };
  /** Statements left out because the instance can never meet their Condition (statements.ts), to be mentioned. */
  neverMet?: readonly { statement: Statement; test: string }[];
}

export type ResourceScope = 'every' | 'some';

export interface EvaluateOptions {
  /** `ignore`: a conditional Deny may not apply, so it removes nothing. `apply`: it removes what it matches. */
  conditionalDenies: 'ignore' | 'apply';
}

/** For checks that report a grant: a conditional Deny may not apply, so it cannot clear the finding. */
export const GRANT_FINDING: EvaluateOptions = { conditionalDenies: 'ignore' };
/** For checks that report a missing grant: a conditional Deny may apply, so it cannot vouch for the grant. */
export const MISSING_GRANT_FINDING: EvaluateOptions = { conditionalDenies: 'apply' };

export type VerdictOutcome =
  /** Effectively allowed. */
  | 'allowed'
  /** No Allow of the identity policies grants it. */
  | 'not-granted'
  /** Granted, but a Deny removes it. */
  | 'denied'
  /** Granted and not denied, but the permissions boundary does not allow it. */
  | 'boundary'
  /** The policies were too complex to decide within the search bound. */
  | 'undecided';

export interface Verdict {
  action: string;
  /** `resource`: asked about one named resource (evaluateOnResource). */
  scope: ResourceScope | 'resource';
  outcome: VerdictOutcome;
  allowed: boolean;
  /** Allowed only through statements with a Condition. */
  conditional: boolean;
  /** Identity Allow statements that grant it (for a wildcard question: a smallest set that does). */
  grants: readonly Statement[];
  /** Boundary Allow statements that let it through. */
  boundaryGrants: readonly Statement[];
  /** Deny statements (identity or boundary) that remove it. */
  deniedBy: readonly Statement[];
  /** Matching conditional Denies that were not counted (`conditionalDenies: 'ignore'`). */
  conditionalDenies: readonly Statement[];
  /** For a wildcard question that is not allowed: an action name that is not. */
  example?: string;
  /** For scope `some`, when allowed: a resource it is allowed on (a pattern-free name or ARN); for scope `resource`, that resource. */
  allowedOn?: string;
  /** For an action with several resource types, when not allowed on every resource: a type it is not allowed on every resource of. */
  resourceType?: string;
  /** The role's permissions boundary, when it has one. */
  boundary?: { name: string; arn: string };
}

export interface Layers {
  identityAllows: readonly Statement[];
  identityDenies: readonly Statement[];
  boundary?: { allows: readonly Statement[]; denies: readonly Statement[] };
  /** Conditional Denies left out (mode `ignore`). */
  ignoredDenies: readonly Statement[];
}

function layersOf(policies: RolePolicies, options: EvaluateOptions, keep: (s: Statement) => boolean): Layers {
  const counts = (s: Statement): boolean => s.effect === 'Deny' && (options.conditionalDenies === 'apply' || !s.conditional);
  const identity = policies.identity.filter(keep);
  const boundary = policies.boundary?.statements.filter(keep);
  return {
    identityAllows: identity.filter((s) => s.effect === 'Allow'),
    identityDenies: identity.filter(counts),
    ...(boundary ? { boundary: { allows: boundary.filter((s) => s.effect === 'Allow'), denies: boundary.filter(counts) } } : {}),
    ignoredDenies: [...identity, ...(boundary ?? [])].filter((s) => s.effect === 'Deny' && !counts(s)),
  };
}

type Level = 'granted' | 'not-denied' | 'effective';

/**
 * The policy logic for one string, given whether each statement matches it. Three-valued
 * (undefined = not known yet) so the witness search can drop a prefix whose every continuation
 * is already decided; with known matches it answers true or false.
 */
function holds(layers: Layers, matches: (s: Statement) => Tri, level: Level, unconditionalOnly = false): Tri {
  const grants = (s: Statement): Tri => (unconditionalOnly && s.conditional ? false : matches(s));
  const granted = anyOf(layers.identityAllows, grants);
  if (granted === false || level === 'granted') return granted;
  const kept = and(granted, not(anyOf(layers.identityDenies, matches)));
  if (kept === false || level === 'not-denied' || !layers.boundary) return kept;
  return and(kept, and(anyOf(layers.boundary.allows, grants), not(anyOf(layers.boundary.denies, matches))));
}

function specMatches(spec: PatternSpec, text: string): boolean {
  return spec.patterns.some((p) => globMatch(p, text)) !== spec.not;
}

/** The statement's Action / NotAction matches the (lowercased) action, within its restriction if it has one. */
function actionMatches(s: Statement, a: string): boolean {
  if (!specMatches(s.actions, a)) return false;
  if (!s.restrict) return true;
  return s.restrict.only.some((p) => globMatch(p, a)) && !s.restrict.except.some((p) => globMatch(p, a));
}

const derived = new WeakMap<Statement, Map<string, Statement | null>>();

/**
 * The statements that take part in "every resource" of a wildcard question: those covering every
 * resource of its target, and the others restricted to the actions whose every resource they do
 * cover (resources.ts, partialCoverage) — so `*` and a concrete action agree on one policy set.
 */
function everyResourceStatements(list: readonly Statement[], target: ResourceTarget, wildcard: boolean): Statement[] {
  const out: Statement[] = [];
  const key = `${target.service ?? ''}\u0000${target.type ?? ''}`;
  for (const s of list) {
    if (coversEveryResource(s.resources, target)) {
      out.push(s);
      continue;
    }
    if (!wildcard) continue;
    let byTarget = derived.get(s);
    if (!byTarget) {
      byTarget = new Map();
      derived.set(s, byTarget);
    }
    let d = byTarget.get(key);
    if (d === undefined) {
      const restrict = partialCoverage(s.resources, target);
      d = restrict ? { ...s, restrict } : null;
      byTarget.set(key, d);
    }
    if (d) out.push(d);
  }
  return out;
}

function everyResourcePolicies(policies: RolePolicies, target: ResourceTarget, wildcard: boolean): RolePolicies {
  return {
    roleName: policies.roleName,
    identity: everyResourceStatements(policies.identity, target, wildcard),
    ...(policies.boundary ? { boundary: { ...policies.boundary, statements: everyResourceStatements(policies.boundary.statements, target, wildcard) } } : {}),
  };
}

/**
 * Searches strings (action names, or resources) for one where `goal` holds, given a statement
 * matcher over the `spec` (actions or resources) of the statements the goal looks at. `target`, if
 * any, is a pattern every string must match. Only these statements' patterns take part.
 */
function searchStatements(
  statements: readonly Statement[],
  spec: 'actions' | 'resources',
  target: string | undefined,
  goal: (matches: (s: Statement) => Tri) => Tri,
): SearchResult {
  const patterns: string[] = [];
  const index = new Map<string, number>();
  const add = (pattern: string): number => {
    let i = index.get(pattern);
    if (i === undefined) {
      i = patterns.length;
      patterns.push(pattern);
      index.set(pattern, i);
    }
    return i;
  };
  const targetIndex = target === undefined ? undefined : add(target);
  const specs = new Map<Statement, { indices: number[]; not: boolean; only?: number[]; except?: number[] }>();
  for (const s of statements) {
    const entry: { indices: number[]; not: boolean; only?: number[]; except?: number[] } = { indices: s[spec].patterns.map(add), not: s[spec].not };
    if (spec === 'actions' && s.restrict) {
      entry.only = s.restrict.only.map(add);
      entry.except = s.restrict.except.map(add);
    }
    specs.set(s, entry);
  }
  return searchWitness(
    patterns,
    spec === 'actions' ? ACTION_UNIVERSE : ANY_STRING_UNIVERSE,
    (value) => {
      const matches = (s: Statement): Tri => {
        const m = specs.get(s);
        if (m === undefined) return false;
        const base = xor(anyOf(m.indices, value), m.not);
        return m.only ? and(base, and(anyOf(m.only, value), not(anyOf(m.except ?? [], value)))) : base;
      };
      return targetIndex === undefined ? goal(matches) : and(value(targetIndex), goal(matches));
    },
    targetIndex === undefined ? {} : { required: targetIndex },
  );
}

/**
 * Whether one statement's actions meet an action pattern (`*`, `iam:*`), per statement object.
 * Managed policies' statements are shared by every role attaching the policy (role.ts), so this
 * cache grows with distinct policy statements and patterns asked, never with roles or clusters;
 * weak, it goes with the snapshot.
 */
const meets = new WeakMap<Statement, Map<string, SearchResult['kind']>>();

function meetsPattern(s: Statement, pattern: string): SearchResult['kind'] {
  let byPattern = meets.get(s);
  if (!byPattern) {
    byPattern = new Map();
    meets.set(s, byPattern);
  }
  let kind = byPattern.get(pattern);
  if (kind === undefined) {
    kind = searchStatements([s], 'actions', pattern, (m) => m(s)).kind;
    byPattern.set(pattern, kind);
  }
  return kind;
}

function allStatements(layers: Layers): Statement[] {
  return [...layers.identityAllows, ...layers.identityDenies, ...(layers.boundary ? [...layers.boundary.allows, ...layers.boundary.denies] : []), ...layers.ignoredDenies];
}

const empty = (policies: RolePolicies, action: string, scope: Verdict['scope']): Omit<Verdict, 'outcome' | 'allowed'> => ({
  action,
  scope,
  ...(policies.boundary ? { boundary: { name: policies.boundary.name, arn: policies.boundary.arn } } : {}),
  conditional: false,
  grants: [],
  boundaryGrants: [],
  deniedBy: [],
  conditionalDenies: [],
});

/**
 * Verdicts of the policy sets asked about most recently: the checks of a cluster, and the clusters
 * of one role (the engine evaluates them one after the other), ask the same questions and pay once.
 * Bounded, not weak: a fleet of 5,000 roles of their own kept some sixty verdicts each for the whole
 * run (~120 MB) for no gain. A role's views (forPassedToService, withoutDenies) count as sets too.
 */
const MAX_MEMOISED_ROLES = 32;
const verdicts = new RecentMap<RolePolicies, Map<string, Verdict>>(MAX_MEMOISED_ROLES);

function verdictMemo(policies: RolePolicies): Map<string, Verdict> {
  let memo = verdicts.get(policies);
  if (!memo) {
    memo = new Map();
    verdicts.set(policies, memo);
  }
  return memo;
}

/** Is `action` (a concrete action, or a pattern such as `*` or `iam:*`) effectively allowed? */
export function evaluateAccess(policies: RolePolicies, action: string, scope: ResourceScope, options: EvaluateOptions): Verdict {
  const memo = verdictMemo(policies);
  const key = `${scope}\u0000${options.conditionalDenies}\u0000${action}`;
  const known = memo.get(key);
  if (known) return known;
  const verdict = decide(policies, action, scope, options);
  memo.set(key, verdict);
  return verdict;
}

function decide(policies: RolePolicies, action: string, scope: ResourceScope, options: EvaluateOptions): Verdict {
  const a = action.toLowerCase();
  if (scope === 'some') {
    if (hasWildcard(a)) throw new Error('evaluateAccess: scope "some" takes a concrete action');
    return someResource(policies, a, empty(policies, action, 'some'), options);
  }
  const base = empty(policies, action, 'every');
  const question = hasWildcard(a) ? catalogueActionsOf(a) : undefined;
  if (question) return everyCataloguedAction(policies, a, question, base, options);
  if (a === '*') {
    // `*` takes in actions of services no one has published yet: one of them, refused, refutes it
    // without the search (most roles), which is needed only when something grants that much.
    const probe = decide(policies, UNPUBLISHED_ACTION, 'every', options);
    if (!probe.allowed && probe.outcome !== 'undecided') return { ...probe, action: base.action, example: UNPUBLISHED_ACTION };
  }
  const { mode, targets } = resourceTargetsOf(a);
  const perType = targets.map((target) => {
    const layers = layersOf(everyResourcePolicies(policies, target, hasWildcard(a)), options, () => true);
    const v = hasWildcard(a) ? everyActionOf(layers, a, base) : concreteAction(layers, a, base);
    return targets.length > 1 && target.type ? { ...v, resourceType: target.type } : v;
  });
  return mode === 'all' ? allOf(perType) : anyOfVerdicts(perType);
}

/**
 * A wildcard question within one catalogued service (`iam:*`, `iam:Put*`) is answered on the
 * catalogue: every catalogued action it stands for must be allowed on every resource. So an
 * explicit list of all current IAM actions is `iam:*`, and a Deny of an action AWS has not
 * published does not make `iam:*` any less administrator-equivalent.
 */
const catalogueQuestions = new Map<string, CatalogueQuestion | null>();

function catalogueActionsOf(pattern: string): CatalogueQuestion | undefined {
  let known = catalogueQuestions.get(pattern);
  if (known === undefined) {
    known = uncachedCatalogueActionsOf(pattern) ?? null;
    if (catalogueQuestions.size >= 1000) catalogueQuestions.clear();
    catalogueQuestions.set(pattern, known);
  }
  return known ?? undefined;
}

function uncachedCatalogueActionsOf(pattern: string): CatalogueQuestion | undefined {
  const colon = pattern.indexOf(':');
  if (colon < 0) return undefined;
  const service = pattern.slice(0, colon);
  if (hasWildcard(service)) return undefined;
  const actions = actionsOf(service).filter((name) => globMatch(pattern, name.toLowerCase()));
  return actions.length > 0 ? catalogueQuestion(pattern, actions) : undefined;
}

function everyCataloguedAction(policies: RolePolicies, pattern: string, question: CatalogueQuestion, base: VerdictBase, options: EvaluateOptions): Verdict {
  const layers = layersOf(policies, options, () => true);
  const failing = question.firstRefused(layers);
  if (failing !== undefined) {
    const name = question.actions[failing]!;
    const v = decide(policies, name, 'every', options);
    const { resourceType: _type, ...rest } = v;
    return { ...rest, action: base.action, scope: 'every', example: name, ...(v.outcome === 'undecided' ? { outcome: 'undecided' as const } : {}) };
  }
  const conditional = question.firstRefused({ ...layers, identityAllows: layers.identityAllows.filter((s) => !s.conditional), ...(layers.boundary ? { boundary: { ...layers.boundary, allows: layers.boundary.allows.filter((s) => !s.conditional) } } : {}) }) !== undefined;
  const covers = (allows: readonly Statement[], boundaryAllows: readonly Statement[] | undefined): boolean =>
    question.firstRefused({ ...layers, identityAllows: allows, ...(layers.boundary && boundaryAllows ? { boundary: { ...layers.boundary, allows: boundaryAllows } } : {}) }) === undefined;
  const { grants, boundaryGrants } = explainingGrants(layers, conditional, (st) => question.touches(st), covers);
  const conditionalDenies = layers.ignoredDenies.filter((s) => question.touches(s));
  return { ...base, outcome: 'allowed', allowed: true, conditional, grants, boundaryGrants, conditionalDenies };
}

/** An action with optional resource types only is allowed on every resource when it is on every resource of one of them. */
function anyOfVerdicts(verdicts: Verdict[]): Verdict {
  if (verdicts.length === 1) return verdicts[0]!;
  const allowed = verdicts.find((v) => v.allowed);
  if (allowed) {
    const { resourceType: _type, ...rest } = allowed;
    return rest;
  }
  return verdicts.find((v) => v.outcome === 'undecided') ?? verdicts.find((v) => v.outcome !== 'not-granted') ?? verdicts[0]!;
}

/** An action name of a service outside the catalogue (a sample of what `*` covers beyond it). */
const UNPUBLISHED_ACTION = 'zz-unpublished:zzaction';

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

/**
 * Every resource of an action with several resource types is every resource of each type: the
 * verdict is allowed when it is for each type (statements may cover one type each), else the
 * first refusal (a decided one before an undecided one).
 */
function allOf(verdicts: Verdict[]): Verdict {
  if (verdicts.length === 1) return verdicts[0]!;
  const refused = verdicts.find((v) => !v.allowed && v.outcome !== 'undecided') ?? verdicts.find((v) => !v.allowed);
  if (refused) return refused;
  const { resourceType: _type, ...first } = verdicts[0]!;
  return {
    ...first,
    conditional: verdicts.some((v) => v.conditional),
    grants: unique(verdicts.flatMap((v) => v.grants)),
    boundaryGrants: unique(verdicts.flatMap((v) => v.boundaryGrants)),
    conditionalDenies: unique(verdicts.flatMap((v) => v.conditionalDenies)),
  };
}

// ---------------------------------------------------------------- one action, one named resource

/**
 * Is the concrete `action` effectively allowed on the named `resource` (an ARN without wildcards)?
 * A statement takes part when its Resource / NotResource matches that ARN (a pattern or `*` that
 * covers it counts). Decided exactly: no search is needed for one action on one resource.
 */
export function evaluateOnResource(policies: RolePolicies, action: string, resource: string, options: EvaluateOptions): Verdict {
  const memo = verdictMemo(policies);
  const key = `resource\u0000${options.conditionalDenies}\u0000${action}\u0000${resource}`;
  const known = memo.get(key);
  if (known) return known;
  const a = action.toLowerCase();
  if (hasWildcard(a)) throw new Error('evaluateOnResource takes a concrete action');
  const layers = layersOf(policies, options, (s) => specMatches(s.resources, resource));
  const verdict = { ...concreteAction(layers, a, empty(policies, action, 'resource')), allowedOn: resource };
  memo.set(key, verdict);
  return verdict;
}

// ---------------------------------------------------------------- PassRole to one service

const byService = new WeakMap<RolePolicies, Map<string, RolePolicies>>();

/**
 * The same policies as seen by a PassRole to one service principal (`ec2.amazonaws.com`): Allow
 * statements whose `iam:PassedToService` does not admit it are left out, so a PassRole limited to
 * `servicecatalog.amazonaws.com` does not pair with cloudformation:CreateStack.
 */
export function forPassedToService(policies: RolePolicies, principal: string): RolePolicies {
  let known = byService.get(policies);
  if (!known) {
    known = new Map();
    byService.set(policies, known);
  }
  const cached = known.get(principal);
  if (cached) return cached;
  const keep = (list: readonly Statement[]): Statement[] => list.filter((s) => s.effect !== 'Allow' || !s.passedToService || admitsService(s.passedToService, principal));
  const view: RolePolicies = {
    roleName: policies.roleName,
    identity: keep(policies.identity),
    ...(policies.boundary ? { boundary: { ...policies.boundary, statements: keep(policies.boundary.statements) } } : {}),
  };
  known.set(principal, view);
  return view;
}

// ---------------------------------------------------------------- what the Denies take away

const denyFree = new WeakMap<RolePolicies, RolePolicies>();

/** The same policies without any Deny statement (identity and boundary): what the role would hold if no Deny applied. */
export function withoutDenies(policies: RolePolicies): RolePolicies {
  const known = denyFree.get(policies);
  if (known) return known;
  const allows = (list: readonly Statement[]): Statement[] => list.filter((s) => s.effect === 'Allow');
  const stripped: RolePolicies = {
    roleName: policies.roleName,
    identity: allows(policies.identity),
    ...(policies.boundary ? { boundary: { ...policies.boundary, statements: allows(policies.boundary.statements) } } : {}),
  };
  denyFree.set(policies, stripped);
  return stripped;
}

/**
 * The Deny statements (identity and boundary) that take part in the question "is `action` allowed
 * on every resource" and match some action within it: what they remove from a grant of `*` or
 * `iam:*`. Conditional Denies are among them only when the options count them.
 */
export function denialsOf(policies: RolePolicies, action: string, options: EvaluateOptions): Statement[] {
  const a = action.toLowerCase();
  const question = hasWildcard(a) ? catalogueActionsOf(a) : undefined;
  if (question) {
    const layers = layersOf(policies, options, () => true);
    return [...layers.identityDenies, ...(layers.boundary?.denies ?? [])].filter((s) => question.touches(s));
  }
  const found: Statement[] = [];
  for (const target of resourceTargetsOf(a).targets) {
    const layers = layersOf(everyResourcePolicies(policies, target, hasWildcard(a)), options, () => true);
    for (const s of [...layers.identityDenies, ...(layers.boundary?.denies ?? [])]) {
      const hit = hasWildcard(a) ? meetsPattern(s, a) !== 'none' : actionMatches(s, a);
      if (hit && !found.includes(s)) found.push(s);
    }
  }
  return found;
}

// ---------------------------------------------------------------- one action, every resource

type VerdictBase = Omit<Verdict, 'outcome' | 'allowed'>;

function concreteAction(layers: Layers, a: string, start: VerdictBase): Verdict {
  const m = (s: Statement): boolean => actionMatches(s, a);
  const base = {
    ...start,
    grants: layers.identityAllows.filter(m),
    boundaryGrants: layers.boundary?.allows.filter(m) ?? [],
    conditionalDenies: layers.ignoredDenies.filter(m),
  };
  const deniedBy = [...layers.identityDenies, ...(layers.boundary?.denies ?? [])].filter(m);
  if (!holds(layers, m, 'granted')) return { ...base, outcome: 'not-granted', allowed: false };
  if (!holds(layers, m, 'not-denied')) return { ...base, deniedBy, outcome: 'denied', allowed: false };
  if (!holds(layers, m, 'effective')) return { ...base, deniedBy, outcome: 'boundary', allowed: false };
  const conditional = !holds(layers, m, 'effective', true);
  return { ...base, outcome: 'allowed', allowed: true, conditional };
}

// ---------------------------------------------------------------- every action of a pattern, every resource

function everyActionOf(layers: Layers, t: string, start: VerdictBase): Verdict {
  const everything = allStatements(layers);
  /** A counterexample: an action name within `t` for which the policy logic fails. */
  const counterexample = (l: Layers, level: Level, unconditionalOnly = false): SearchResult =>
    searchStatements(allStatements(l), 'actions', t, (m) => not(holds(l, m, level, unconditionalOnly)));
  const intersects = (s: Statement): boolean => meetsPattern(s, t) === 'found';

  const conditionalDenies = layers.ignoredDenies.filter(intersects);
  const base = { ...start, conditionalDenies };
  const undecided: Verdict = { ...base, outcome: 'undecided', allowed: false };

  const failure = (outcome: VerdictOutcome, example: string): Verdict => {
    const m = (s: Statement): boolean => actionMatches(s, example);
    return {
      ...base,
      outcome,
      allowed: false,
      example,
      // What grants part of it is told only when something takes that grant away.
      grants: outcome === 'not-granted' ? [] : layers.identityAllows.filter(intersects),
      deniedBy: everything.filter((s) => s.effect === 'Deny' && !layers.ignoredDenies.includes(s) && m(s)),
    };
  };
  for (const [level, outcome] of [
    ['granted', 'not-granted'],
    ['not-denied', 'denied'],
    ['effective', 'boundary'],
  ] as const) {
    const found = counterexample(layers, level);
    if (found.kind === 'limit') return undecided;
    if (found.kind === 'found') return failure(outcome, found.witness);
  }

  const unconditional = counterexample(layers, 'effective', true);
  if (unconditional.kind === 'limit') return undecided;
  const conditional = unconditional.kind === 'found';
  // Explain with a smallest set of Allows that still covers the pattern (unconditional ones when they suffice).
  const covers = (allows: readonly Statement[], boundaryAllows: readonly Statement[] | undefined): boolean => {
    const l: Layers = { ...layers, identityAllows: allows, ...(layers.boundary && boundaryAllows ? { boundary: { ...layers.boundary, allows: boundaryAllows } } : {}) };
    return counterexample(l, 'effective', !conditional).kind === 'none';
  };
  const { grants, boundaryGrants } = explainingGrants(layers, conditional, intersects, covers);
  return { ...base, outcome: 'allowed', allowed: true, conditional, grants, boundaryGrants };
}

// ---------------------------------------------------------------- one action, some resource

/** A resource a Resource pattern matches, without wildcards (`*` and `?` filled with `x`). */
const sampleOf = (pattern: string): string => pattern.replace(/[*?]/g, 'x');

function someResource(policies: RolePolicies, a: string, start: VerdictBase, options: EvaluateOptions): Verdict {
  const layers = layersOf(policies, options, (s) => specMatches(s.actions, a));
  // The common cases need no search: nothing grants it, or nothing can take a grant away.
  if (layers.identityAllows.length === 0) return { ...start, conditionalDenies: layers.ignoredDenies, outcome: 'not-granted', allowed: false };
  if (layers.identityDenies.length === 0 && layers.ignoredDenies.length === 0 && !layers.boundary) {
    const unconditional = layers.identityAllows.filter((s) => !s.conditional);
    const pool = unconditional.length > 0 ? unconditional : layers.identityAllows;
    const named = pool.find((s) => !s.resources.not);
    if (named) {
      const at = sampleOf(named.resources.patterns[0]!);
      const m = (s: Statement): boolean => (unconditional.length === 0 || !s.conditional) && specMatches(s.resources, at);
      return { ...start, conditionalDenies: [], outcome: 'allowed', allowed: true, allowedOn: at, conditional: unconditional.length === 0, grants: layers.identityAllows.filter(m), boundaryGrants: [] };
    }
  }
  const witness = (level: Level, unconditionalOnly = false): SearchResult =>
    searchStatements(allStatements(layers), 'resources', undefined, (m) => holds(layers, m, level, unconditionalOnly));
  const base = { ...start, conditionalDenies: layers.ignoredDenies };
  const undecided: Verdict = { ...base, outcome: 'undecided', allowed: false };

  const effective = witness('effective');
  if (effective.kind === 'limit') return undecided;
  if (effective.kind === 'found') {
    const unconditional = witness('effective', true);
    if (unconditional.kind === 'limit') return undecided;
    const at = unconditional.kind === 'found' ? unconditional.witness : effective.witness;
    const onlyUnconditional = unconditional.kind === 'found';
    const m = (s: Statement): boolean => (!onlyUnconditional || !s.conditional) && specMatches(s.resources, at);
    return {
      ...base,
      outcome: 'allowed',
      allowed: true,
      allowedOn: at,
      conditional: !onlyUnconditional,
      grants: layers.identityAllows.filter(m),
      boundaryGrants: layers.boundary?.allows.filter(m) ?? [],
    };
  }
  const granted = witness('granted');
  if (granted.kind === 'limit') return undecided;
  if (granted.kind === 'none') return { ...base, outcome: 'not-granted', allowed: false };
  const notDenied = witness('not-denied');
  if (notDenied.kind === 'limit') return undecided;
  // Explain at a resource the identity policies grant: what denies it, or that the boundary does not allow it.
  const at = notDenied.kind === 'found' ? notDenied.witness : granted.witness;
  const m = (s: Statement): boolean => specMatches(s.resources, at);
  const grants = layers.identityAllows.filter(m);
  if (notDenied.kind === 'none') {
    const deniedBy = [...layers.identityDenies, ...(layers.boundary?.denies ?? [])].filter(m);
    return { ...base, grants, deniedBy, outcome: 'denied', allowed: false };
  }
  return { ...base, grants, deniedBy: layers.boundary?.denies.filter(m) ?? [], outcome: 'boundary', allowed: false };
}

/**
 * The statements that explain an allow: a smallest set of identity Allows (then of boundary Allows)
 * that still covers it — one statement alone when one does (AdministratorAccess; smallest first), else
 * the relevant ones minus each that the others can do without. Unconditional statements only, unless
 * the allow itself is conditional.
 */
function explainingGrants(
  layers: Layers,
  conditional: boolean,
  relevant: (s: Statement) => boolean,
  covers: (allows: readonly Statement[], boundaryAllows: readonly Statement[] | undefined) => boolean,
): { grants: Statement[]; boundaryGrants: Statement[] } {
  const minimal = (pool: readonly Statement[], test: (kept: readonly Statement[]) => boolean): Statement[] => {
    // A statement that meets none of the question's actions cannot explain any of it: only the
    // relevant ones are tried (each try is a search).
    const candidates = (conditional ? pool : pool.filter((s) => !s.conditional)).filter(relevant);
    const single = [...candidates].sort((x, y) => x.actions.patterns.length - y.actions.patterns.length).find((s) => test([s]));
    if (single) return [single];
    let kept = candidates;
    for (const s of [...kept]) {
      const without = kept.filter((k) => k !== s);
      if (test(without)) kept = without;
    }
    return kept;
  };
  const grants = minimal(layers.identityAllows, (kept) => covers(kept, layers.boundary?.allows));
  const boundaryGrants = layers.boundary ? minimal(layers.boundary.allows, (kept) => covers(grants, kept)) : [];
  return { grants, boundaryGrants };
}
