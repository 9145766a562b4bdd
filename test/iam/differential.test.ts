/**
 * Differential tests: the product's evaluator against `@cloud-copilot/iam-simulate` as an oracle,
 * on generated statements — Action / NotAction with wildcards, Resource / NotResource of the shapes
 * real EC2 roles use (issue 21), Deny, a permissions boundary, and conditions an instance can never
 * meet. The question is the one whose answer needs no convention: one concrete action on one
 * concrete ARN, for a request the role signs itself (aws:ViaAWSService and
 * aws:PrincipalIsAWSService false; no aws:CalledVia).
 *
 * Documented exceptions (CHECKS.md conventions the oracle does not share, not generated here): an
 * Allow with a satisfiable Condition counts for the product (it cannot know the request), and a
 * conditional Deny is ignored by a check that reports a grant. "Every resource" is tested by
 * test/iam/resources.test.ts and evaluate.property.test.ts; here its soundness is sampled: an action
 * the product allows on every resource is allowed by the oracle on a fresh ARN of the type.
 */
import fc from 'fast-check';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { evaluateAccess, evaluateOnResource, GRANT_FINDING } from '../../lib/iam/evaluate.js';
import type { PolicyDocument } from '../../lib/snapshot.js';
import { rolePolicies } from './policies.js';

const ACCOUNT = '123456789012';
const CASES = [
  { action: 's3:GetObject', arns: ['arn:aws:s3:::acme-logs/AWSLogs/1/Config/x', 'arn:aws:s3:::team-datalake/k', 'arn:aws:s3:::my-transcribe-out/a', 'arn:aws:s3:::zq9/zq9'] },
  { action: 'iam:PassRole', arns: [`arn:aws:iam::${ACCOUNT}:role/a-ROSA-Worker-Role`, `arn:aws:iam::${ACCOUNT}:role/x-emr-jobs`, `arn:aws:iam::${ACCOUNT}:role/zq9`] },
  { action: 'secretsmanager:GetSecretValue', arns: [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:my-directconnect-key`, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:zq9`] },
  { action: 'kms:Decrypt', arns: [`arn:aws:kms:us-east-1:${ACCOUNT}:key/zq9`] },
] as const;

const ACTION_PATTERNS = ['*', 's3:*', 's3:Get*', 's3:GetObject', 'iam:*', 'iam:Pass*', 'iam:PassRole', 'kms:*', 'kms:Decrypt', 'secretsmanager:*', 'secretsmanager:Get*', 'iam:Pass?ole', 'ec2:*'];
const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::*/*',
  'arn:aws:s3:::*transcribe*',
  'arn:aws:s3:::*transcribe*/*',
  'arn:aws:s3:::*/AWSLogs/*/Config/*',
  'arn:aws:s3:::*-datalake/*',
  'arn:aws:s3:::acme-*/*',
  'arn:aws:iam::*:role/*',
  'arn:aws:iam::*:role/*-ROSA-Worker-Role',
  'arn:aws:iam::*:role/*-emr-jobs',
  `arn:aws:secretsmanager:*:${ACCOUNT}:secret:*`,
  'arn:aws:secretsmanager:*:*:secret:*directconnect*',
  'arn:aws:kms:*:*:key/*',
];
const NEVER_MET = [undefined, { Bool: { 'aws:ViaAWSService': 'true' } }, { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['athena.amazonaws.com'] } }, { Bool: { 'aws:PrincipalIsAWSService': 'true' } }];

const statement = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  notAction: fc.boolean(),
  actions: fc.subarray(ACTION_PATTERNS, { minLength: 1, maxLength: 3 }),
  notResource: fc.boolean(),
  resources: fc.subarray(RESOURCE_PATTERNS, { minLength: 1, maxLength: 3 }),
  condition: fc.nat(NEVER_MET.length - 1),
});
type Gen = typeof statement extends fc.Arbitrary<infer T> ? T : never;

const toDoc = (list: readonly Gen[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: list.map((s) => ({
    Effect: s.Effect,
    [s.notAction ? 'NotAction' : 'Action']: s.actions,
    [s.notResource ? 'NotResource' : 'Resource']: s.resources,
    ...(NEVER_MET[s.condition] ? { Condition: NEVER_MET[s.condition] } : {}),
  })),
});

async function oracle(identity: PolicyDocument, boundary: PolicyDocument | undefined, action: string, arn: string): Promise<boolean> {
  const simulation: Simulation = {
    identityPolicies: [{ name: 'identity', policy: identity }],
    ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action,
      principal: `arn:aws:iam::${ACCOUNT}:role/emr-ec2`,
      resource: { accountId: ACCOUNT, resource: arn },
      contextVariables: { 'aws:ViaAWSService': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  return response.overallResult === 'Allowed';
}

describe('the evaluator against iam-simulate', () => {
  it('agrees on one concrete action on one concrete ARN', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 4 }), fc.option(fc.array(statement, { minLength: 1, maxLength: 2 }), { nil: undefined }), fc.nat(CASES.length - 1), async (identity, boundary, c) => {
        const doc = toDoc(identity);
        const bdoc = boundary ? toDoc(boundary) : undefined;
        const policies = rolePolicies([doc], bdoc);
        for (const arn of CASES[c]!.arns) {
          const product = evaluateOnResource(policies, CASES[c]!.action, arn, GRANT_FINDING).allowed;
          expect(product, `${CASES[c]!.action} on ${arn}\n${JSON.stringify(doc)}\n${JSON.stringify(bdoc)}`).toBe(await oracle(doc, bdoc, CASES[c]!.action, arn));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('"every resource" is sound: allowed on every resource means the oracle allows a fresh ARN of the type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 4 }), fc.nat(CASES.length - 1), async (identity, c) => {
        const doc = toDoc(identity);
        const { action, arns } = CASES[c]!;
        const fresh = arns[arns.length - 1]!;
        const every = evaluateAccess(rolePolicies([doc]), action, 'every', GRANT_FINDING);
        // NotResource: CHECKS.md counts a NotResource that excludes some named resources as every resource (a documented exception).
        if (every.allowed && !identity.some((s) => s.notResource)) expect(await oracle(doc, undefined, action, fresh), `${action}\n${JSON.stringify(doc)}`).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
