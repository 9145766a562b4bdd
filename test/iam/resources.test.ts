import { describe, expect, it } from 'vitest';
import { coversEveryResource, isUnscoped, resourceTargetOf, resourceTargetsOf } from '../../lib/iam/resources.js';

describe('resourceTargetOf', () => {
  it('knows the resource type of the actions the checks ask about', () => {
    expect(resourceTargetOf('kms:Decrypt')).toEqual({ service: 'kms', type: 'key' });
    expect(resourceTargetOf('sts:AssumeRole')).toEqual({ service: 'iam', type: 'role' });
    expect(resourceTargetOf('IAM:AttachUserPolicy')).toEqual({ service: 'iam', type: 'user' });
  });

  it('falls back to the service, or to every service for `*`', () => {
    expect(resourceTargetOf('s3:GetObject')).toEqual({ service: 's3' });
    expect(resourceTargetOf('iam:*')).toEqual({ service: 'iam' });
    expect(resourceTargetOf('*')).toEqual({});
    expect(resourceTargetOf('*:Get*')).toEqual({});
  });
});

describe('resourceTargetsOf', () => {
  it('knows every resource type of the actions the escalation list names', () => {
    expect(resourceTargetsOf('ec2:RunInstances').map((t) => t.type)).toEqual(['image', 'instance', 'network-interface', 'security-group', 'subnet', 'volume']);
    expect(resourceTargetsOf('lambda:CreateFunction')).toEqual([{ service: 'lambda', type: 'function' }]);
    expect(resourceTargetsOf('glue:CreateJob')).toEqual([{ service: 'glue', type: 'job' }]);
    expect(resourceTargetsOf('cloudformation:CreateStack')).toEqual([{ service: 'cloudformation', type: 'stack' }]);
    // RunJobFlow supports no resource-level permissions: only a wildcard resource part is every resource.
    expect(resourceTargetsOf('elasticmapreduce:RunJobFlow')).toEqual([{ service: 'elasticmapreduce' }]);
    for (const a of ['iam:PassRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'sts:AssumeRole']) {
      expect(resourceTargetsOf(a), a).toEqual([{ service: 'iam', type: 'role' }]);
    }
    for (const a of ['iam:AttachUserPolicy', 'iam:PutUserPolicy', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile']) expect(resourceTargetsOf(a), a).toEqual([{ service: 'iam', type: 'user' }]);
    for (const a of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion']) expect(resourceTargetsOf(a), a).toEqual([{ service: 'iam', type: 'policy' }]);
    expect(resourceTargetsOf('iam:AddUserToGroup')).toEqual([{ service: 'iam', type: 'group' }]);
  });

  it('unscoped per type: arn:aws:ec2:*:*:subnet/* is every subnet, not every instance', () => {
    expect(isUnscoped('arn:aws:ec2:*:*:subnet/*', { service: 'ec2', type: 'subnet' })).toBe(true);
    expect(isUnscoped('arn:aws:ec2:*:*:subnet/*', { service: 'ec2', type: 'instance' })).toBe(false);
    expect(isUnscoped('arn:aws:ec2:*::image/*', { service: 'ec2', type: 'image' })).toBe(true);
    expect(isUnscoped('arn:aws:lambda:*:*:function:*', { service: 'lambda', type: 'function' })).toBe(true);
    expect(isUnscoped('arn:aws:lambda:*:*:function:emr-*', { service: 'lambda', type: 'function' })).toBe(false);
  });
});

describe('isUnscoped', () => {
  it.each([
    ['*', {}, true],
    ['*', { service: 's3' }, true],
    ['arn:*', {}, true],
    ['arn:aws:*', {}, true],
    ['arn:aws:*:*:*:*', {}, true],
    ['arn:aws:s3:::*', {}, false],
    ['arn:aws:s3:::*', { service: 's3' }, true],
    ['arn:aws:s3:::*/*', { service: 's3' }, true],
    ['arn:aws:s3:*', { service: 's3' }, true],
    ['arn:aws:s3*', { service: 's3' }, true],
    ['arn:aws:s3', { service: 's3' }, false],
    ['arn:aws:s3:::my-bucket/*', { service: 's3' }, false],
    ['arn:aws:s3:::data-*', { service: 's3' }, false],
    ['arn:aws:s3:::*', { service: 'kms' }, false],
    ['arn:aws:kms:*:*:key/*', { service: 'kms', type: 'key' }, true],
    ['arn:aws:kms:us-east-1:123456789012:key/*', { service: 'kms', type: 'key' }, true],
    ['arn:aws:kms:*:*:key/1111', { service: 'kms', type: 'key' }, false],
    ['arn:aws:kms:*:*:alias/*', { service: 'kms', type: 'key' }, false],
    ['arn:aws:secretsmanager:*:*:secret:*', { service: 'secretsmanager', type: 'secret' }, true],
    ['arn:aws:secretsmanager:*:*:secret:prod/*', { service: 'secretsmanager', type: 'secret' }, false],
    ['arn:aws:iam::*:role/*', { service: 'iam', type: 'role' }, true],
    ['arn:aws:iam::*:role/emr/*', { service: 'iam', type: 'role' }, false],
    ['arn:aws:iam::*:role/*', { service: 'iam', type: 'user' }, false],
    ['arn:aws:IAM::*:role/*', { service: 'iam', type: 'role' }, true],
    ['arn:aws-cn:dynamodb:*:*:table/*', { service: 'dynamodb', type: 'table' }, true],
    ['my-bucket', { service: 's3' }, false],
  ])('%s for %j → %s', (pattern, target, expected) => {
    expect(isUnscoped(pattern, target)).toBe(expected);
  });
});

describe('coversEveryResource', () => {
  it('Resource: one unscoped pattern is enough', () => {
    expect(coversEveryResource({ not: false, patterns: ['arn:aws:s3:::b/*', '*'] }, { service: 's3' })).toBe(true);
    expect(coversEveryResource({ not: false, patterns: ['arn:aws:s3:::b/*'] }, { service: 's3' })).toBe(false);
  });

  it('NotResource: covers unless it excludes every resource of the service', () => {
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::secret/*'] }, { service: 's3' })).toBe(true);
    expect(coversEveryResource({ not: true, patterns: ['*'] }, { service: 's3' })).toBe(false);
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::*'] }, { service: 's3' })).toBe(false);
    // Excluding all of S3 still leaves every KMS key…
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::*'] }, { service: 'kms', type: 'key' })).toBe(true);
    // …but not every resource of every service.
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::*'] }, {})).toBe(false);
    expect(coversEveryResource({ not: true, patterns: ['arn:aws:s3:::secret/*'] }, {})).toBe(true);
  });
});
