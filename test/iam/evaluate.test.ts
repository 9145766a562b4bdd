import { describe, expect, it } from 'vitest';
import { evaluateAccess, GRANT_FINDING, MISSING_GRANT_FINDING, type RolePolicies } from '../../lib/iam/evaluate.js';
import { describeGrant, describeRefusal } from '../../lib/iam/describe.js';
import type { PolicyDocument } from '../../lib/snapshot.js';
import { ADMINISTRATOR_ACCESS, EMR_FOR_EC2_ROLE, POWER_USER_ACCESS, rolePolicies, SCOPED_EMR_POLICY, SSM_MANAGED_INSTANCE_CORE, UNDECIDABLE_POLICY } from './policies.js';

const doc = (...Statement: Array<Record<string, unknown>>): PolicyDocument => ({ Version: '2012-10-17', Statement });
const every = (p: RolePolicies, action: string) => evaluateAccess(p, action, 'every', GRANT_FINDING);

describe('effective allow on every resource (one action)', () => {
  it('grants through NotAction when the action is not excluded', () => {
    const p = rolePolicies([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })]);
    expect(every(p, 's3:GetObject').allowed).toBe(true);
    expect(every(p, 'iam:PassRole')).toMatchObject({ allowed: false, outcome: 'not-granted' });
  });

  it('lets a Deny override a wildcard Allow, naming the Deny', () => {
    const p = rolePolicies([ADMINISTRATOR_ACCESS, doc({ Sid: 'NoSecrets', Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*' })]);
    const v = every(p, 'secretsmanager:GetSecretValue');
    expect(v).toMatchObject({ allowed: false, outcome: 'denied' });
    expect(v.deniedBy.map((s) => s.sid)).toEqual(['NoSecrets']);
    expect(describeRefusal(v)).toContain('denied by managed policy P2 statement "NoSecrets"');
  });

  it('does not let a conditional Deny remove a grant when looking for grants, and says it may limit it', () => {
    const p = rolePolicies([
      ADMINISTRATOR_ACCESS,
      doc({ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } }),
    ]);
    const v = every(p, 's3:GetObject');
    expect(v.allowed).toBe(true);
    expect(v.conditionalDenies).toHaveLength(1);
    expect(describeGrant(v)).toContain('unless a conditional Deny applies: managed policy P2 statement #1 (conditional)');
    // …but it does count when looking for a missing grant.
    expect(evaluateAccess(p, 's3:GetObject', 'every', MISSING_GRANT_FINDING)).toMatchObject({ allowed: false, outcome: 'denied' });
  });

  it('covers s3:GetObject with s3:Get*', () => {
    const p = rolePolicies([doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' })]);
    expect(every(p, 's3:GetObject').allowed).toBe(true);
    expect(every(p, 's3:PutObject').allowed).toBe(false);
  });

  it('compares action names case-insensitively', () => {
    const p = rolePolicies([doc({ Effect: 'Allow', Action: ['S3:getobject', 'KMS:DECRYPT'], Resource: '*' })]);
    expect(every(p, 's3:GetObject').allowed).toBe(true);
    expect(every(p, 'kms:Decrypt').allowed).toBe(true);
  });

  it('matches `?` to exactly one character', () => {
    const p = rolePolicies([doc({ Effect: 'Allow', Action: 's3:?etObject', Resource: '*' })]);
    expect(every(p, 's3:GetObject').allowed).toBe(true);
    expect(every(p, 's3:PutObject').allowed).toBe(false);
    expect(every(rolePolicies([doc({ Effect: 'Allow', Action: 's3:G?Object', Resource: '*' })]), 's3:GetObject').allowed).toBe(false);
  });

  it('lets a permissions boundary remove an allow, and says so', () => {
    const p = rolePolicies([ADMINISTRATOR_ACCESS], doc({ Effect: 'Allow', Action: ['s3:*', 'logs:*'], Resource: '*' }));
    expect(every(p, 's3:GetObject')).toMatchObject({ allowed: true });
    expect(every(p, 's3:GetObject').boundaryGrants).toHaveLength(1);
    const v = every(p, 'kms:Decrypt');
    expect(v).toMatchObject({ allowed: false, outcome: 'boundary' });
    expect(describeRefusal(v)).toBe('kms:Decrypt is granted by managed policy AdministratorAccess statement #1 but the permissions boundary Boundary does not allow it'.replace('AdministratorAccess', 'P1'));
  });

  it('applies a Deny inside the boundary', () => {
    const p = rolePolicies([ADMINISTRATOR_ACCESS], doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'kms:*', Resource: '*' }));
    const v = every(p, 'kms:Decrypt');
    expect(v).toMatchObject({ allowed: false, outcome: 'boundary' });
    expect(describeRefusal(v)).toContain('the permissions boundary Boundary does not allow it (denied by permissions boundary Boundary statement #2)');
  });

  it('without a boundary, the identity policies decide alone', () => {
    const p = rolePolicies([ADMINISTRATOR_ACCESS]);
    expect(p.boundary).toBeUndefined();
    expect(every(p, 'kms:Decrypt')).toMatchObject({ allowed: true, boundaryGrants: [] });
  });

  it('a boundary alone grants nothing', () => {
    const p = rolePolicies([], ADMINISTRATOR_ACCESS);
    expect(every(p, 's3:GetObject')).toMatchObject({ allowed: false, outcome: 'not-granted' });
  });

  it('honours NotResource: excluding a bucket still grants every other one, excluding * grants nothing', () => {
    const p = rolePolicies([doc({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret-bucket/*' })]);
    expect(every(p, 's3:GetObject').allowed).toBe(true);
    expect(every(rolePolicies([doc({ Effect: 'Allow', Action: 's3:GetObject', NotResource: '*' })]), 's3:GetObject').allowed).toBe(false);
    // A Deny with NotResource leaves the allow only on the excepted, named resources: no longer unscoped.
    const denied = rolePolicies([ADMINISTRATOR_ACCESS, doc({ Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::etl-data/*'] })]);
    expect(every(denied, 's3:GetObject')).toMatchObject({ allowed: false, outcome: 'denied' });
  });

  it('reads a single statement object and single-string Action and Resource', () => {
    const p = rolePolicies([{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' } }]);
    expect(every(p, 'kms:Decrypt').allowed).toBe(true);
  });

  it('does not count a Resource scoped to a bucket as Resource *', () => {
    const p = rolePolicies([SCOPED_EMR_POLICY]);
    for (const a of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 'kms:Decrypt']) expect(every(p, a).allowed).toBe(false);
    // …while a Deny scoped to a bucket does not make a grant on * scoped.
    const q = rolePolicies([doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::secrets/*' })]);
    expect(every(q, 's3:GetObject').allowed).toBe(true);
  });

  it('counts ARNs that name no particular resource as Resource *', () => {
    const allowOn = (action: string, resource: string) => every(rolePolicies([doc({ Effect: 'Allow', Action: action, Resource: resource })]), action).allowed;
    expect(allowOn('s3:GetObject', 'arn:aws:s3:::*')).toBe(true);
    expect(allowOn('s3:GetObject', 'arn:aws:s3:::*/*')).toBe(true);
    expect(allowOn('kms:Decrypt', 'arn:aws:kms:*:*:key/*')).toBe(true);
    expect(allowOn('kms:Decrypt', 'arn:aws:kms:us-east-1:123456789012:key/*')).toBe(true);
    expect(allowOn('iam:PassRole', 'arn:aws:iam::123456789012:role/*')).toBe(true);
    expect(allowOn('sts:AssumeRole', 'arn:aws:iam::*:role/*')).toBe(true);
    expect(allowOn('s3:GetObject', 'arn:aws:s3:::data-*/*')).toBe(false);
    expect(allowOn('kms:Decrypt', 'arn:aws:s3:::*')).toBe(false);
    expect(allowOn('iam:PassRole', 'arn:aws:iam::123456789012:role/emr/*')).toBe(false);
    expect(allowOn('iam:AttachUserPolicy', 'arn:aws:iam::123456789012:role/*')).toBe(false);
  });

  it('tells a conditional grant from an unconditional one', () => {
    const conditional = doc({ Sid: 'Tagged', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'etl' } } });
    const v = every(rolePolicies([conditional]), 'kms:Decrypt');
    expect(v).toMatchObject({ allowed: true, conditional: true });
    expect(describeGrant(v)).toBe('kms:Decrypt via managed policy P1 statement "Tagged" (conditional) — only under a condition');
    const both = every(rolePolicies([conditional, doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })]), 'kms:Decrypt');
    expect(both).toMatchObject({ allowed: true, conditional: false });
    // An empty Condition block is no condition.
    expect(every(rolePolicies([doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: {} })]), 'kms:Decrypt').conditional).toBe(false);
  });

  it('names inline policies as role/policy', () => {
    const v = every(rolePolicies([{ name: 'data', document: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), inline: true }]), 's3:PutObject');
    expect(describeGrant(v)).toBe('s3:PutObject via inline policy R/data statement #1');
  });
});

describe('effective allow of every action of a pattern (* and iam:*)', () => {
  it('AdministratorAccess allows * and iam:*', () => {
    const p = rolePolicies([{ name: 'AdministratorAccess', document: ADMINISTRATOR_ACCESS }]);
    for (const a of ['*', 'iam:*']) {
      const v = every(p, a);
      expect(v).toMatchObject({ allowed: true, conditional: false });
      expect(describeGrant(v)).toBe(`${a} via managed policy AdministratorAccess statement #1`);
    }
  });

  it('iam:*, i*, *:* and NotAction of another service are all iam:*', () => {
    for (const statement of [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Allow', Action: 'I*', Resource: '*' },
      { Effect: 'Allow', Action: '*:*', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:?*', Resource: '*' },
      { Effect: 'Allow', NotAction: ['s3:*', 'kms:*'], Resource: '*' },
    ]) {
      expect(every(rolePolicies([doc(statement)]), 'iam:*').allowed, JSON.stringify(statement)).toBe(true);
    }
    expect(every(rolePolicies([doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' })]), '*').allowed).toBe(false);
  });

  it('PowerUserAccess is neither * nor iam:*, and the answer carries a counterexample', () => {
    const p = rolePolicies([{ name: 'PowerUserAccess', document: POWER_USER_ACCESS }]);
    const all = every(p, '*');
    const iam = every(p, 'iam:*');
    expect(all).toMatchObject({ allowed: false, outcome: 'not-granted' });
    expect(iam).toMatchObject({ allowed: false, outcome: 'not-granted' });
    expect(iam.example).toMatch(/^iam:[A-Za-z0-9]+$/);
    expect(every(p, 'iam:ListRoles').allowed).toBe(true);
    expect(every(p, 'iam:PassRole').allowed).toBe(false);
  });

  it('needs every action: a Deny of one IAM action breaks iam:* and names the Deny', () => {
    const p = rolePolicies([ADMINISTRATOR_ACCESS, doc({ Sid: 'NoUsers', Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' })]);
    const v = every(p, 'iam:*');
    expect(v).toMatchObject({ allowed: false, outcome: 'denied', example: 'iam:CreateUser' });
    expect(v.deniedBy.map((s) => s.sid)).toEqual(['NoUsers']);
  });

  it('combines statements that only together cover iam:*, naming just those', () => {
    const p = rolePolicies([
      doc(
        { Sid: 'Reads', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
        { Sid: 'Rest', Effect: 'Allow', NotAction: ['iam:Get*', 'iam:List*'], Resource: '*' },
        { Sid: 'Logs', Effect: 'Allow', Action: 'logs:*', Resource: '*' },
      ),
    ]);
    const v = every(p, 'iam:*');
    expect(v.allowed).toBe(true);
    expect(v.grants.map((s) => s.sid).sort()).toEqual(['Reads', 'Rest']);
  });

  it('a boundary that does not cover iam:* removes it', () => {
    const p = rolePolicies([ADMINISTRATOR_ACCESS], doc({ Effect: 'Allow', NotAction: 'iam:Delete*', Resource: '*' }));
    const v = every(p, 'iam:*');
    expect(v).toMatchObject({ allowed: false, outcome: 'boundary' });
    expect(v.example).toMatch(/^iam:Delete/);
    expect(every(p, 'iam:PassRole').allowed).toBe(true);
  });

  it('a grant on * needs its Resource to cover every service', () => {
    expect(every(rolePolicies([doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::*' })]), '*').allowed).toBe(false);
    expect(every(rolePolicies([doc({ Effect: 'Allow', Action: '*', Resource: 'arn:*' })]), '*').allowed).toBe(true);
    expect(every(rolePolicies([doc({ Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::123456789012:*' })]), 'iam:*').allowed).toBe(true);
  });

  it('conditional only when no unconditional set covers it', () => {
    const cond = { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } };
    const v = every(rolePolicies([doc({ Effect: 'Allow', Action: '*', Resource: '*', ...cond })]), 'iam:*');
    expect(v).toMatchObject({ allowed: true, conditional: true });
    const w = every(rolePolicies([doc({ Effect: 'Allow', Action: '*', Resource: '*', ...cond }, { Sid: 'Plain', Effect: 'Allow', Action: 'iam:*', Resource: '*' })]), 'iam:*');
    expect(w).toMatchObject({ allowed: true, conditional: false });
    expect(w.grants.map((s) => s.sid)).toEqual(['Plain']);
  });

  it('the AWS managed EMR and SSM policies are not administrators', () => {
    for (const d of [EMR_FOR_EC2_ROLE, SSM_MANAGED_INSTANCE_CORE, SCOPED_EMR_POLICY]) {
      const p = rolePolicies([d]);
      expect(every(p, '*').allowed).toBe(false);
      expect(every(p, 'iam:*').allowed).toBe(false);
    }
  });

  it('answers undecided, not a guess, when the search bound is exceeded', () => {
    const started = performance.now();
    const v = every(rolePolicies([UNDECIDABLE_POLICY]), '*');
    expect(v).toMatchObject({ allowed: false, outcome: 'undecided' });
    expect(describeRefusal(v)).toBe('the policies are too complex to decide whether * is allowed');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('effective allow on some resource (the SSM question)', () => {
  const some = (p: RolePolicies, action: string) => evaluateAccess(p, action, 'some', MISSING_GRANT_FINDING);

  it('AmazonSSMManagedInstanceCore grants the agent and Session Manager actions', () => {
    const p = rolePolicies([SSM_MANAGED_INSTANCE_CORE]);
    for (const a of ['ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:OpenDataChannel']) expect(some(p, a).allowed).toBe(true);
    expect(some(rolePolicies([EMR_FOR_EC2_ROLE]), 'ssm:UpdateInstanceInformation')).toMatchObject({ allowed: false, outcome: 'not-granted' });
  });

  it('a grant on one named resource is enough', () => {
    const p = rolePolicies([doc({ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1' })]);
    expect(some(p, 'ssm:UpdateInstanceInformation').allowed).toBe(true);
  });

  it('a Deny that covers all the granted resources removes it; one that covers part does not', () => {
    const allow = { Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: 'arn:aws:ec2:*:*:instance/*' };
    expect(some(rolePolicies([doc(allow, { Effect: 'Deny', Action: 'ssm:*', Resource: 'arn:aws:ec2:*:*:*' })]), 'ssm:UpdateInstanceInformation')).toMatchObject({
      allowed: false,
      outcome: 'denied',
    });
    expect(some(rolePolicies([doc(allow, { Effect: 'Deny', Action: 'ssm:*', Resource: 'arn:aws:ec2:*:*:instance/i-9' })]), 'ssm:UpdateInstanceInformation').allowed).toBe(true);
  });

  it('counts a conditional Deny against a grant it must confirm', () => {
    const p = rolePolicies([SSM_MANAGED_INSTANCE_CORE, doc({ Effect: 'Deny', Action: 'ssmmessages:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
    expect(some(p, 'ssmmessages:OpenDataChannel')).toMatchObject({ allowed: false, outcome: 'denied' });
    expect(evaluateAccess(p, 'ssmmessages:OpenDataChannel', 'some', GRANT_FINDING).allowed).toBe(true);
  });

  it('the boundary must allow the same resource', () => {
    const p = rolePolicies(
      [doc({ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: 'arn:aws:ec2:*:*:instance/i-1' })],
      doc({ Effect: 'Allow', Action: 'ssm:*', Resource: 'arn:aws:ec2:*:*:instance/i-2' }),
    );
    expect(some(p, 'ssm:UpdateInstanceInformation')).toMatchObject({ allowed: false, outcome: 'boundary' });
  });

  it('rejects a wildcard action for the some-resource question', () => {
    expect(() => some(rolePolicies([ADMINISTRATOR_ACCESS]), 'ssm:*')).toThrow(/concrete action/);
  });
});
