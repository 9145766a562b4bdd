import { describe, expect, it } from 'vitest';
import { coversEveryResource, isUnscoped, resourceTargetsOf, type ResourceTarget } from '../../lib/iam/resources.js';

/** The one target of an action with one resource type. */
const targetOf = (action: string): ResourceTarget => {
  const { targets } = resourceTargetsOf(action);
  expect(targets, action).toHaveLength(1);
  return targets[0]!;
};
const typeTarget = (action: string, type: string): ResourceTarget => resourceTargetsOf(action).targets.find((t) => t.type === type)!;

describe('resourceTargetsOf (from the shipped catalogue)', () => {
  it('knows the resource type and ARN format of the actions the checks ask about', () => {
    expect(targetOf('kms:Decrypt')).toEqual({ service: 'kms', type: 'key', format: 'key/?*' });
    expect(targetOf('sts:AssumeRole')).toEqual({ service: 'iam', type: 'role', format: 'role/?*' });
    expect(targetOf('IAM:AttachUserPolicy')).toMatchObject({ service: 'iam', type: 'user' });
    expect(targetOf('secretsmanager:GetSecretValue')).toMatchObject({ service: 'secretsmanager', format: 'secret:?*' });
    expect(targetOf('dynamodb:Scan')).toMatchObject({ service: 'dynamodb', format: 'table/?*' });
  });

  it('s3:GetObject acts on an object or an access point object (optional types: any one of them)', () => {
    const t = resourceTargetsOf('s3:GetObject');
    expect(t.mode).toBe('any');
    expect(t.targets.find((x) => x.type === 'object')).toEqual({ service: 's3', type: 'object', format: '?*/?*' });
  });

  it('knows every required resource type of the escalation actions', () => {
    const run = resourceTargetsOf('ec2:RunInstances');
    expect(run.mode).toBe('all');
    expect(run.targets.map((t) => t.type)).toEqual(['image', 'instance', 'network-interface', 'security-group', 'subnet']);
    expect(targetOf('lambda:CreateFunction')).toMatchObject({ service: 'lambda', type: 'function' });
    expect(targetOf('glue:CreateJob')).toMatchObject({ service: 'glue', type: 'job' });
    expect(targetOf('cloudformation:CreateStack')).toMatchObject({ service: 'cloudformation', type: 'stack' });
    // RunJobFlow supports no resource-level permissions: only a wildcard resource part is every resource.
    expect(targetOf('elasticmapreduce:RunJobFlow')).toEqual({ service: 'elasticmapreduce' });
    for (const a of ['iam:PassRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary']) {
      expect(targetOf(a), a).toMatchObject({ service: 'iam', type: 'role' });
    }
    for (const a of ['iam:AttachUserPolicy', 'iam:PutUserPolicy', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile']) expect(targetOf(a), a).toMatchObject({ service: 'iam', type: 'user' });
    for (const a of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion']) expect(targetOf(a), a).toMatchObject({ service: 'iam', type: 'policy' });
    expect(targetOf('iam:AddUserToGroup')).toMatchObject({ service: 'iam', type: 'group' });
  });

  it('falls back to the service for an action it does not know, or to every service for `*`', () => {
    expect(targetOf('s3:NoSuchAction')).toEqual({ service: 's3' });
    expect(targetOf('*')).toEqual({});
    expect(targetOf('*:Get*')).toEqual({});
  });

  it('unscoped per type: arn:aws:ec2:*:*:subnet/* is every subnet, not every instance', () => {
    expect(isUnscoped('arn:aws:ec2:*:*:subnet/*', typeTarget('ec2:RunInstances', 'subnet'))).toBe(true);
    expect(isUnscoped('arn:aws:ec2:*:*:subnet/*', typeTarget('ec2:RunInstances', 'instance'))).toBe(false);
    expect(isUnscoped('arn:aws:ec2:*::image/*', typeTarget('ec2:RunInstances', 'image'))).toBe(true);
    expect(isUnscoped('arn:aws:lambda:*:*:function:*', targetOf('lambda:CreateFunction'))).toBe(true);
    expect(isUnscoped('arn:aws:lambda:*:*:function:emr-*', targetOf('lambda:CreateFunction'))).toBe(false);
  });
});

describe('isUnscoped: which patterns cover every resource (CHECKS.md)', () => {
  const object = typeTarget('s3:GetObject', 'object');
  const key = targetOf('kms:Decrypt');
  const secret = targetOf('secretsmanager:GetSecretValue');
  const role = targetOf('iam:PassRole');
  const table = targetOf('dynamodb:GetItem');
  it.each([
    ['*', {}, true],
    ['**', object, true],
    ['?', object, false],
    ['arn:*', {}, true],
    ['arn:aws:*', {}, true],
    ['arn:aws:*:*:*:*', {}, true],
    ['arn:aws:s3:::*', {}, false],
    ['arn:aws:s3:::*', object, true],
    ['arn:aws:s3:::*/*', object, true],
    ['arn:aws:s3:*', object, true],
    ['arn:aws:s3*', object, true],
    ['arn:aws:s3', object, false],
    ['arn:aws:s3:::*', key, false],
    ['arn:aws:kms:*:*:key/*', key, true],
    // A fixed region or the role's own account does not narrow it.
    ['arn:aws:kms:us-east-1:123456789012:key/*', key, true],
    ['arn:aws:secretsmanager:eu-west-1:*:secret:*', secret, true],
    ['arn:aws:kms:*:*:key/1111', key, false],
    ['arn:aws:kms:*:*:alias/*', key, false],
    ['arn:aws:kms:*:*:*', key, true],
    ['arn:aws:secretsmanager:*:*:secret:*', secret, true],
    ['arn:aws:iam::*:role/*', role, true],
    ['arn:aws:iam::*:*', role, true],
    ['arn:aws:IAM::*:role/*', role, true],
    ['arn:aws:iam::*:role/*', targetOf('iam:CreateAccessKey'), false],
    ['arn:aws-cn:dynamodb:*:*:table/*', table, true],
    ['my-bucket', object, false],
    // Any literal character in the name part scopes the pattern: the real patterns of issue 21.
    ['arn:aws:s3:::*transcribe*', object, false],
    ['arn:aws:s3:::*transcribe*/*', object, false],
    ['arn:aws:s3:::*/AWSLogs/*/Config/*', object, false],
    ['arn:aws:s3:::*/AWSLogs/*', object, false],
    ['arn:aws:s3:::*/*aws-glue-*/*', object, false],
    ['arn:aws:s3:::*-datalake/*', object, false],
    ['arn:aws:s3:::acme-*/*', object, false],
    ['arn:aws:s3:::my-bucket/*', object, false],
    ['arn:aws:s3:::data-*', object, false],
    ['arn:aws:secretsmanager:*:*:secret:*directconnect*', secret, false],
    ['arn:aws:secretsmanager:*:*:secret:prod/*', secret, false],
    ['arn:aws:iam::*:role/*-ROSA-Worker-Role', role, false],
    ['arn:aws:iam::*:role/*-emr-jobs', role, false],
    ['arn:aws:iam::*:role/emr/*', role, false],
    ['arn:aws:dynamodb:*:*:table/*-stack-*', table, false],
  ] as const)('%s for %j → %s', (pattern, target, expected) => {
    expect(isUnscoped(pattern, target)).toBe(expected);
  });
});

describe('coversEveryResource', () => {
  const object = typeTarget('s3:GetObject', 'object');
  it('Resource: one unscoped pattern is enough', () => {
    expect(coversEveryResource({ not: false, patterns: ['arn:aws:s3:::b/*', '*'] }, object)).toBe(true);
    expect(coversEveryResource({ not: false, patterns: ['arn:aws:s3:::b/*', 'arn:aws:s3:::*transcribe*'] }, object)).toBe(false);
  });

  it('NotResource: covers unless it excludes every resource of the type', () => {
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::secret/*'] }, object)).toBe(true);
    expect(coversEveryResource({ not: true, patterns: ['*'] }, object)).toBe(false);
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::*'] }, object)).toBe(false);
    // Excluding all of S3 still leaves every KMS key…
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::*'] }, targetOf('kms:Decrypt'))).toBe(true);
    // …but not every resource of every service.
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::*'] }, {})).toBe(false);
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::secret/*'] }, {})).toBe(true);
  });
});
