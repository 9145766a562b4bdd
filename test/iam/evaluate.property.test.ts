/**
 * The evaluator against a reference model that is obviously right because it is small: regular
 * expressions for the wildcards, explicit set semantics, a fixed list of actions and resources.
 * The evaluator's own answers for wildcard questions come with evidence (a counterexample, or a
 * resource it is allowed on) that the reference checks; its "allowed" answers are checked against
 * every action of the list and random action names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateAccess, type EvaluateOptions, type RolePolicies } from '../../lib/iam/evaluate.js';
import type { Statement } from '../../lib/iam/statements.js';
import { rolePolicies } from './policies.js';

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

const ACTION_FORM = /^[a-z0-9-]+:[a-z0-9]+$/;
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
          for (const a of [...ACTIONS, ...samples].filter(within)) {
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
