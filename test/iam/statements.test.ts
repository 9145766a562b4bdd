import { describe, expect, it } from 'vitest';
import { describeSource, describeStatement, parsePolicy, type PolicySource } from '../../lib/iam/statements.js';

const managed: PolicySource = { kind: 'managed', name: 'DataAccess', arn: 'arn:aws:iam::123456789012:policy/DataAccess' };

describe('parsePolicy', () => {
  it('accepts a single statement object and single-string Action/Resource, lowercasing actions only', () => {
    const { statements, problems } = parsePolicy(managed, { Statement: { Sid: 'One', Effect: 'Allow', Action: 'S3:GetObject', Resource: 'arn:aws:s3:::Bucket/*' } });
    expect(problems).toEqual([]);
    expect(statements).toEqual([
      {
        source: managed,
        index: 1,
        sid: 'One',
        effect: 'Allow',
        actions: { not: false, patterns: ['s3:getobject'] },
        actionsAsWritten: ['S3:GetObject'],
        resources: { not: false, patterns: ['arn:aws:s3:::Bucket/*'] },
        conditional: false,
      },
    ]);
  });

  it('reads NotAction / NotResource lists and marks conditions, numbering statements from 1', () => {
    const { statements } = parsePolicy(managed, {
      Statement: [
        { Effect: 'Allow', Action: ['a:b'], Resource: ['*'] },
        { Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], NotResource: ['arn:aws:s3:::x'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    });
    expect(statements[1]).toMatchObject({
      index: 2,
      effect: 'Deny',
      actions: { not: true, patterns: ['iam:*', 'sts:*'] },
      resources: { not: true, patterns: ['arn:aws:s3:::x'] },
      conditional: true,
    });
    expect(statements[1]!.sid).toBeUndefined();
  });

  it('reports statements it cannot read, naming the policy and the statement', () => {
    const { statements, problems } = parsePolicy(managed, {
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Effect: 'Allow', Action: 's3:*', NotAction: 'kms:*', Resource: '*' },
        { Effect: 'Permit', Action: 's3:*', Resource: '*' },
        { Effect: 'Allow', Action: 's3:*' },
      ],
    });
    expect(statements).toHaveLength(1);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('managed policy DataAccess statement #2 is not a valid statement (needs exactly one of Action and NotAction)');
    expect(problems[1]).toMatch(/^managed policy DataAccess statement #3 is not a valid statement \(Effect: /);
    expect(problems[2]).toContain('statement #4');
  });
});

describe('describeStatement', () => {
  it('names the policy and the Sid, or the index, and says conditional', () => {
    const [a, b] = parsePolicy({ kind: 'inline', roleName: 'EMR_EC2', policyName: 'data' }, {
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } },
      ],
    }).statements;
    expect(describeStatement(a!)).toBe('inline policy EMR_EC2/data statement "Read"');
    expect(describeStatement(b!)).toBe('inline policy EMR_EC2/data statement #2 (conditional)');
    expect(describeSource({ kind: 'boundary', name: 'Limit', arn: 'arn:aws:iam::1:policy/Limit' })).toBe('permissions boundary Limit');
  });
});
