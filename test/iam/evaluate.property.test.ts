/**
 * The evaluator against a reference model that is obviously right because it is small: regular
 * expressions for the wildcards, explicit set semantics, a fixed list of actions and resources.
 * The evaluator's own answers for wildcard questions come with evidence (a counterexample, or a
 * resource it is allowed on) that the reference checks; its "allowed" answers are checked against
 * every action of the list and random action names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { denialsOf, evaluateAccess, evaluateOnResource, GRANT_FINDING, withoutDenies, type EvaluateOptions, type RolePolicies } from '../../lib/iam/evaluate.js';
import type { Statement } from '../../lib/iam/statements.js';
import { rolePolicies } from './policies.js';
import { catalogued, catalogueServices } from '../../lib/iam/catalogue.js';
import { resourceTargetsOf } from '../../lib/iam/resources.js';

const ACTIONS = [
  'iam:getrole',
  'iam:passrole',
  'iam:createuser',
  'iam:attachrolepolicy',
  'iam:listroles',
  'iam:x',
  's3:getobject',
  's3:putobject',
  's3:listbucket',
  'kms:decrypt',
  'kms:encrypt',
  'ec2:runinstances',
  'ec2:describeinstances',
  'sts:assumerole',
  'ssm:getparameter',
  'ssm:updateinstanceinformation',
  'ssmmessages:openchannel',
  'dynamodb:getitem',
  'a-b:x',
] as const;

const FIXED_PATTERNS = ['*', 'iam:*', 'i*', '*:get*', 's3:*', '*object', '?3:*', 'iam:?*', '*:*', 'ss*:*', 'iam:*role*', 'kms:?ecrypt'];

/** Reference matching: the wildcard pattern as a regular expression. */
function regex(pattern: string, caseInsensitive: boolean): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'si' : 's');
}

const mutate = (action: string, how: number, at: number): string => {
  switch (how) {
    case 0:
      return action;
    case 1:
      return action.toUpperCase();
    case 2:
      return `${action.slice(0, at % action.length)}*`;
    case 3: {
      const i = at % action.length;
      return `${action.slice(0, i)}?${action.slice(i + 1)}`;
    }
    default:
      return `*${action.slice(at % action.length)}`;
  }
};

const actionPattern = fc.oneof(
  fc.constantFrom(...FIXED_PATTERNS),
  fc.tuple(fc.constantFrom(...ACTIONS), fc.integer({ min: 0, max: 4 }), fc.nat(40)).map(([a, how, at]) => mutate(a, how, at)),
);

/** Resource specs whose meaning for "every resource" is plain: `covers` is the reference answer. */
const EVERY_RESOURCE_SPECS = [
  { spec: { Resource: '*' }, covers: true },
  { spec: { Resource: ['arn:aws:s3:::bucket/*'] }, covers: false },
  { spec: { NotResource: '*' }, covers: false },
  { spec: { NotResource: 'arn:aws:s3:::bucket/*' }, covers: true },
] as const;

interface GenStatement {
  effect: 'Allow' | 'Deny';
  not: boolean;
  patterns: string[];
  resource: number;
  conditional: boolean;
}

const statement = fc.record({
  effect: fc.constantFrom('Allow' as const, 'Deny' as const),
  not: fc.boolean(),
  patterns: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
  resource: fc.integer({ min: 0, max: EVERY_RESOURCE_SPECS.length - 1 }),
  conditional: fc.boolean(),
});

const toDoc = (statements: GenStatement[]) => ({
  Version: '2012-10-17',
  Statement: statements.map((s) => ({
    Effect: s.effect,
    [s.not ? 'NotAction' : 'Action']: s.patterns,
    ...EVERY_RESOURCE_SPECS[s.resource]!.spec,
    ...(s.conditional ? { Condition: { Bool: { 'aws:SecureTransport': 'true' } } } : {}),
  })),
});

const scenario = fc.record({
  identity: fc.array(statement, { maxLength: 5 }),
  boundary: fc.option(fc.array(statement, { maxLength: 3 }), { nil: undefined }),
  conditionalDenies: fc.constantFrom('ignore' as const, 'apply' as const),
});

type Scenario = { identity: GenStatement[]; boundary: GenStatement[] | undefined; conditionalDenies: EvaluateOptions['conditionalDenies'] };

const policiesOf = (s: Scenario): RolePolicies => rolePolicies([toDoc(s.identity)], s.boundary ? toDoc(s.boundary) : undefined);

/** Reference effective allow of a concrete action on every resource. */
function reference(s: Scenario, action: string, unconditionalOnly = false): boolean {
  const matches = (st: GenStatement): boolean => EVERY_RESOURCE_SPECS[st.resource]!.covers && st.patterns.some((p) => regex(p, true).test(action)) !== st.not;
  const grants = (list: GenStatement[]): boolean => list.some((st) => st.effect === 'Allow' && (!unconditionalOnly || !st.conditional) && matches(st));
  const denies = (list: GenStatement[]): boolean => list.some((st) => st.effect === 'Deny' && (s.conditionalDenies === 'apply' || !st.conditional) && matches(st));
  const identity = grants(s.identity) && !denies(s.identity);
  return identity && (s.boundary === undefined || (grants(s.boundary) && !denies(s.boundary)));
}

const ACTION_FORM = /^[a-z0-9-]+:[a-z0-9]+$/i;

/**
 * A wildcard within one catalogued service (`iam:*`) stands for the catalogued actions of that
 * service (CHECKS.md, every IAM action): an action name AWS has not published is not asked about.
 */
const askedAbout = (target: string, action: string): boolean => {
  const service = target.split(':')[0] ?? '';
  return !target.includes(':') || /[*?]/.test(service) || catalogueServices().every((known) => known !== service.toLowerCase()) || catalogued(action) !== undefined;
};
const randomAction = fc
  .tuple(fc.stringMatching(/^[a-z0-9-]{1,6}$/), fc.stringMatching(/^[a-z0-9]{1,10}$/))
  .map(([svc, name]) => `${svc}:${name}`);

describe('evaluator against the reference model', () => {
  it('agrees on every concrete action, conditional flag included', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const policies = policiesOf(s);
        for (const action of ACTIONS) {
          const v = evaluateAccess(policies, action, 'every', { conditionalDenies: s.conditionalDenies });
          const expected = reference(s, action);
          expect(v.allowed, action).toBe(expected);
          if (expected) expect(v.conditional, action).toBe(!reference(s, action, true));
          else expect(v.outcome).not.toBe('allowed');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers wildcard questions soundly: a counterexample when not allowed, no refused action when allowed', () => {
    fc.assert(
      fc.property(scenario, actionPattern, fc.array(randomAction, { maxLength: 30 }), (s, target, samples) => {
        const v = evaluateAccess(policiesOf(s), target, 'every', { conditionalDenies: s.conditionalDenies });
        const within = (a: string): boolean => regex(target, true).test(a);
        if (v.allowed) {
          for (const a of [...ACTIONS, ...samples].filter(within).filter((a) => askedAbout(target, a))) {
            expect(reference(s, a), `${target} allowed but ${a} is not`).toBe(true);
            if (!v.conditional) expect(reference(s, a, true), `${target} unconditional but ${a} needs a condition`).toBe(true);
          }
        } else {
          expect(v.outcome).not.toBe('undecided');
          const example = v.example ?? target.toLowerCase();
          expect(example).toMatch(ACTION_FORM);
          expect(within(example)).toBe(true);
          expect(reference(s, example), `${example} should be refused`).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- some resource

const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:s3:::b/*',
  'arn:aws:s3:::b/k',
  'arn:aws:s3:::*',
  'arn:aws:ec2:*:*:instance/*',
  'arn:aws:ec2:*:*:instance/i-1',
  'arn:aws:ec2:us-east-1:1:instance/i-?',
  'arn:aws:ec2:*',
];

/** Resources for the reference's exhaustive look: the patterns made concrete in a few ways, and fresh names. */
const CANDIDATES = [
  ...new Set(RESOURCE_PATTERNS.flatMap((p) => ['', 'x', 'zz9', '*'].map((fill) => p.replaceAll('*', fill).replaceAll('?', fill.slice(0, 1) || 'q')))),
  'fresh-name',
  'arn:aws:kms:us-east-1:1:key/k',
].filter((r) => r.length > 0);

interface GenResourceStatement {
  effect: 'Allow' | 'Deny';
  notResource: boolean;
  resources: string[];
  conditional: boolean;
}

const resourceStatement = fc.record({
  effect: fc.constantFrom('Allow' as const, 'Deny' as const),
  notResource: fc.boolean(),
  resources: fc.array(fc.constantFrom(...RESOURCE_PATTERNS), { minLength: 1, maxLength: 2 }),
  conditional: fc.boolean(),
});

const toResourceDoc = (statements: GenResourceStatement[]) => ({
  Version: '2012-10-17',
  Statement: statements.map((s) => ({
    Effect: s.effect,
    Action: 'ssm:UpdateInstanceInformation',
    [s.notResource ? 'NotResource' : 'Resource']: s.resources,
    ...(s.conditional ? { Condition: { Bool: { 'aws:SecureTransport': 'true' } } } : {}),
  })),
});

function referenceAt(identity: GenResourceStatement[], boundary: GenResourceStatement[] | undefined, resource: string): boolean {
  const matches = (st: GenResourceStatement): boolean => st.resources.some((p) => regex(p, false).test(resource)) !== st.notResource;
  // Conditional Denies count (the missing-grant setting).
  const layer = (list: GenResourceStatement[]): boolean => list.some((st) => st.effect === 'Allow' && matches(st)) && !list.some((st) => st.effect === 'Deny' && matches(st));
  return layer(identity) && (boundary === undefined || layer(boundary));
}

describe('evaluator on "some resource" against the reference model', () => {
  it('finds a resource whenever one of the candidates is allowed, and every resource it names is allowed', () => {
    fc.assert(
      fc.property(
        fc.array(resourceStatement, { maxLength: 5 }),
        fc.option(fc.array(resourceStatement, { maxLength: 3 }), { nil: undefined }),
        (identity, boundary) => {
          const policies = rolePolicies([toResourceDoc(identity)], boundary ? toResourceDoc(boundary) : undefined);
          const v = evaluateAccess(policies, 'ssm:UpdateInstanceInformation', 'some', { conditionalDenies: 'apply' });
          if (CANDIDATES.some((r) => referenceAt(identity, boundary, r))) expect(v.allowed).toBe(true);
          if (v.allowed) {
            expect(v.allowedOn).toBeDefined();
            expect(referenceAt(identity, boundary, v.allowedOn!), `allowed on ${v.allowedOn}`).toBe(true);
          } else {
            expect(v.outcome).not.toBe('undecided');
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('evaluator on one named resource against the reference model', () => {
  it('agrees on every candidate resource (the self-escalation question: an action on the role itself)', () => {
    fc.assert(
      fc.property(fc.array(resourceStatement, { maxLength: 5 }), fc.option(fc.array(resourceStatement, { maxLength: 3 }), { nil: undefined }), (identity, boundary) => {
        const policies = rolePolicies([toResourceDoc(identity)], boundary ? toResourceDoc(boundary) : undefined);
        for (const r of CANDIDATES.filter((c) => !c.includes('*') && !c.includes('?'))) {
          const v = evaluateOnResource(policies, 'ssm:UpdateInstanceInformation', r, { conditionalDenies: 'apply' });
          expect(v.allowed, r).toBe(referenceAt(identity, boundary, r));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('statement attribution', () => {
  it('every statement named as granting an allowed concrete action matches it', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom(...ACTIONS), (s, action) => {
        const v = evaluateAccess(policiesOf(s), action, 'every', { conditionalDenies: s.conditionalDenies });
        const matches = (st: Statement): boolean => st.actions.patterns.some((p) => regex(p, true).test(action)) !== st.actions.not;
        for (const st of [...v.grants, ...v.boundaryGrants]) {
          expect(st.effect).toBe('Allow');
          expect(matches(st)).toBe(true);
        }
        for (const st of v.deniedBy) {
          expect(st.effect).toBe('Deny');
          expect(matches(st)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- Deny subtraction (administrator-equivalence)

describe('Deny subtraction against the reference model', () => {
  it('the effective allow of a pattern is its Deny-free allow minus the Denies denialsOf names, action by action', () => {
    fc.assert(
      fc.property(scenario, actionPattern, fc.array(randomAction, { maxLength: 20 }), (s, target, samples) => {
        const policies = policiesOf(s);
        const options = { conditionalDenies: s.conditionalDenies };
        const denials = denialsOf(policies, target, options);
        const within = (a: string): boolean => regex(target, true).test(a);
        const matches = (st: Statement, a: string): boolean => st.actions.patterns.some((p) => regex(p, true).test(a)) !== st.actions.not;
        for (const d of denials) {
          expect(d.effect).toBe('Deny');
          if (s.conditionalDenies === 'ignore') expect(d.conditional).toBe(false);
        }
        const bare = withoutDenies(policies);
        for (const a of [...ACTIONS, ...samples].filter(within).filter((a) => askedAbout(target, a))) {
          const withoutDeny = { ...s, identity: s.identity.filter((st) => st.effect === 'Allow'), boundary: s.boundary?.filter((st) => st.effect === 'Allow') };
          expect(evaluateAccess(bare, a, 'every', options).allowed, `${a} without Denies`).toBe(reference(withoutDeny, a));
          expect(reference(s, a), `${a} within ${target}`).toBe(reference(withoutDeny, a) && !denials.some((d) => matches(d, a)));
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- resource-type wildcards

/** The resource types of the actions, as `service/type` (a sentinel `service/-` for actions with none), and how they combine — from the shipped catalogue. */
const typesOf = (action: string): { mode: 'all' | 'any'; types: string[] } => {
  const { mode, targets } = resourceTargetsOf(action);
  return { mode, types: targets.map((t) => `${t.service ?? action.split(':')[0]}/${t.type ?? '-'}`) };
};

/** Resource specs with the reference answer "does it cover every resource of type t". */
const TYPED_SPECS: Array<{ spec: Record<string, unknown>; covers: (type: string) => boolean }> = [
  { spec: { Resource: '*' }, covers: () => true },
  { spec: { Resource: 'arn:aws:s3:::bucket/*' }, covers: () => false },
  { spec: { NotResource: '*' }, covers: () => false },
  { spec: { Resource: 'arn:aws:iam::*:role/*' }, covers: (t) => t === 'iam/role' },
  { spec: { Resource: 'arn:aws:iam::123456789012:role/emr-*' }, covers: () => false },
  { spec: { Resource: 'arn:aws:kms:*:*:key/*' }, covers: (t) => t === 'kms/key' },
  { spec: { Resource: ['arn:aws:ec2:*:*:instance/*', 'arn:aws:ec2:*::image/*'] }, covers: (t) => t === 'ec2/instance' || t === 'ec2/image' },
  { spec: { Resource: ['arn:aws:ec2:*:*:subnet/*', 'arn:aws:ec2:*:*:network-interface/*'] }, covers: (t) => t === 'ec2/subnet' || t === 'ec2/network-interface' },
  { spec: { Resource: ['arn:aws:ec2:*:*:security-group/*', 'arn:aws:ec2:us-east-1:123456789012:volume/*'] }, covers: (t) => t === 'ec2/security-group' || t === 'ec2/volume' },
  { spec: { NotResource: 'arn:aws:ec2:*:*:subnet/*' }, covers: (t) => t !== 'ec2/subnet' },
  { spec: { Resource: 'arn:aws:ec2:*:*:subnet/subnet-1' }, covers: () => false },
  { spec: { Resource: 'arn:aws:iam::*:*' }, covers: (t) => t.startsWith('iam/') },
  { spec: { Resource: ['arn:aws:s3:::*', 'arn:aws:kms:*:*:key/*'] }, covers: (t) => t.startsWith('s3/') || t === 'kms/key' },
];
/**
 * The specs that cover only some of ec2:RunInstances' resource types (alone, or as a NotResource
 * that leaves one out): left out of the wildcard property. For them a wildcard question ("is `*`
 * allowed on every resource?") is answered per action name, not per resource type, so it may say
 * "allowed" where RunInstances is not — the direction of a finding, never of an all-clear.
 */
const SPLIT_EC2 = new Set([6, 7, 8, 9]);

const typedStatement = fc.record({
  effect: fc.constantFrom('Allow' as const, 'Deny' as const),
  not: fc.boolean(),
  patterns: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
  resource: fc.integer({ min: 0, max: TYPED_SPECS.length - 1 }),
  conditional: fc.boolean(),
});

const toTypedDoc = (statements: GenStatement[]) => ({
  Version: '2012-10-17',
  Statement: statements.map((s) => ({
    Effect: s.effect,
    [s.not ? 'NotAction' : 'Action']: s.patterns,
    ...TYPED_SPECS[s.resource]!.spec,
    ...(s.conditional ? { Condition: { Bool: { 'aws:SecureTransport': 'true' } } } : {}),
  })),
});

/** Reference: allowed on every resource of each of the action's types (statements may cover one type each). */
function typedReference(s: Scenario, action: string): boolean {
  const { mode, types } = typesOf(action);
  return types[mode === 'all' ? 'every' : 'some']((type) => {
    const matches = (st: GenStatement): boolean => TYPED_SPECS[st.resource]!.covers(type) && st.patterns.some((p) => regex(p, true).test(action)) !== st.not;
    const layer = (list: GenStatement[]): boolean =>
      list.some((st) => st.effect === 'Allow' && matches(st)) && !list.some((st) => st.effect === 'Deny' && (s.conditionalDenies === 'apply' || !st.conditional) && matches(st));
    return layer(s.identity) && (s.boundary === undefined || layer(s.boundary));
  });
}

describe('"every resource" with resource-type wildcards against the reference model', () => {
  it('agrees on every concrete action: one wildcard per resource type, across statements, covers every resource', () => {
    fc.assert(
      fc.property(
        fc.record({
          identity: fc.array(typedStatement, { maxLength: 6 }),
          boundary: fc.option(fc.array(typedStatement, { maxLength: 3 }), { nil: undefined }),
          conditionalDenies: fc.constantFrom('ignore' as const, 'apply' as const),
        }),
        (s) => {
          const policies = rolePolicies([toTypedDoc(s.identity)], s.boundary ? toTypedDoc(s.boundary) : undefined);
          for (const action of ACTIONS) {
            const v = evaluateAccess(policies, action, 'every', { conditionalDenies: s.conditionalDenies });
            expect(v.allowed, action).toBe(typedReference(s, action));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers wildcard questions soundly with typed resources: a wildcard and its concrete actions agree', () => {
    const wholeStatement = typedStatement.filter((st) => !SPLIT_EC2.has(st.resource));
    fc.assert(
      fc.property(
        fc.record({
          identity: fc.array(wholeStatement, { maxLength: 5 }),
          boundary: fc.option(fc.array(wholeStatement, { maxLength: 3 }), { nil: undefined }),
          conditionalDenies: fc.constantFrom('ignore' as const, 'apply' as const),
        }),
        actionPattern,
        fc.array(randomAction, { maxLength: 20 }),
        (s, target, samples) => {
          const policies = rolePolicies([toTypedDoc(s.identity)], s.boundary ? toTypedDoc(s.boundary) : undefined);
          const v = evaluateAccess(policies, target, 'every', { conditionalDenies: s.conditionalDenies });
          const within = (a: string): boolean => regex(target, true).test(a);
          if (v.allowed) {
            for (const a of [...ACTIONS, ...samples].filter(within).filter((a) => askedAbout(target, a))) expect(typedReference(s, a), `${target} allowed but ${a} is not`).toBe(true);
          } else if (v.outcome !== 'undecided') {
            const example = v.example ?? target.toLowerCase();
            expect(within(example)).toBe(true);
            expect(typedReference(s, example), `${example} should be refused`).toBe(false);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds ec2:RunInstances allowed when each of its types is covered by some statement, and not when one is missing', () => {
    const all = [6, 7, 8].map((resource) => ({ effect: 'Allow' as const, not: false, patterns: ['ec2:RunInstances'], resource, conditional: false }));
    const s: Scenario = { identity: all, boundary: undefined, conditionalDenies: 'ignore' };
    expect(typedReference(s, 'ec2:runinstances')).toBe(true);
    expect(evaluateAccess(rolePolicies([toTypedDoc(all)]), 'ec2:RunInstances', 'every', GRANT_FINDING).allowed).toBe(true);
    const v = evaluateAccess(rolePolicies([toTypedDoc(all.slice(0, 2))]), 'ec2:RunInstances', 'every', GRANT_FINDING);
    expect(v.allowed).toBe(false);
    expect(v.resourceType).toBe('security-group');
  });
});
