import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/iam/instance-profile-privilege-escalation.js';
import { accessDenied, makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { EMR_FOR_EC2_ROLE, iamRegion, POWER_USER_ACCESS, ROLE, SCOPED_EMR_POLICY } from '../../iam/policies.js';

const inline = (...Statement: Array<Record<string, unknown>>) => iamRegion({ attached: [{ name: 'Scoped', document: SCOPED_EMR_POLICY }], inline: [{ name: 'extra', document: { Statement } }] });

describe('iam/instance-profile-privilege-escalation', () => {
  it('fails on iam:PassRole with elasticmapreduce:RunJobFlow on *, naming both and their statements', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }, { Sid: 'Launch', Effect: 'Allow', Action: ['elasticmapreduce:RunJobFlow', 'ec2:Run*'], Resource: '*' })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      `Role ${ROLE} can escalate its privileges through: iam:PassRole on every role via inline policy ${ROLE}/extra statement "Pass", together with elasticmapreduce:RunJobFlow via inline policy ${ROLE}/extra statement "Launch", ec2:RunInstances via inline policy ${ROLE}/extra statement "Launch" (on any resource scope: the caller names what it launches).`,
    );
    expect(o.resources).toContainEqual({ type: 'Other', id: `${ROLE}/extra` });
  });

  it('passes on iam:PassRole alone, saying no launch action goes with it', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/*' })));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('iam:PassRole on every role is allowed');
  });

  it('passes on a launch action with iam:PassRole scoped to one role', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' }, { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' })));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe(`Role ${ROLE} has no privilege escalation path.`);
  });

  it('fails on an IAM write that grants permissions', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:Attach*Policy', Resource: '*' })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`iam:AttachRolePolicy on every resource via inline policy ${ROLE}/extra statement #1; iam:AttachUserPolicy on every resource via inline policy ${ROLE}/extra statement #1.`);
  });

  // ---------------------------------------------------------------- resource-type wildcards (issue 11, item 2)

  const EC2 = 'arn:aws:ec2:*:*';
  it('fails on iam:PassRole on * with ec2:RunInstances written as one wildcard per resource type', () => {
    const runInstances = { Sid: 'Run', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: [`${EC2}:instance/*`, `${EC2}:subnet/*`, `${EC2}:network-interface/*`, `${EC2}:security-group/*`, `${EC2}:volume/*`, 'arn:aws:ec2:*::image/*'] };
    const o = only(runCluster(check, makeCluster(), inline({ Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }, runInstances)));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`iam:PassRole on every role via inline policy ${ROLE}/extra statement "Pass", together with ec2:RunInstances via inline policy ${ROLE}/extra statement "Run"`);
  });

  it('fails on lambda:CreateFunction on function:emr-* with iam:PassRole on role/*: the launch half counts with any scope', () => {
    const o = only(
      runCluster(
        check,
        makeCluster(),
        inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/*' }, { Sid: 'Fn', Effect: 'Allow', Action: 'lambda:CreateFunction', Resource: 'arn:aws:lambda:*:*:function:emr-*' }),
      ),
    );
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`lambda:CreateFunction via inline policy ${ROLE}/extra statement "Fn"`);
  });

  it('passes when iam:PassRole is scoped to a role path, however wide the launch action', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/emr/*' }, { Effect: 'Allow', Action: ['lambda:CreateFunction', 'glue:CreateJob'], Resource: '*' })));
    expect(o.status).toBe('PASS');
  });

  it('passes when a Deny takes the launch action away from every resource', () => {
    const denied = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }, { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' }, { Effect: 'Deny', Action: 'ec2:Run*', Resource: '*' })));
    expect(denied.status).toBe('PASS');
    expect(denied.message).toContain('iam:PassRole on every role is allowed');
  });

  // ---------------------------------------------------------------- self-modification (issue 11, item 3)

  const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
  it.each(['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:UpdateAssumeRolePolicy'])('fails on %s allowed only on the role itself', (action) => {
    const o = only(runCluster(check, makeCluster(), inline({ Sid: 'Self', Effect: 'Allow', Action: action, Resource: ROLE_ARN })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(`Role ${ROLE} can escalate its privileges through: self-modification: ${action} on ${ROLE_ARN} via inline policy ${ROLE}/extra statement "Self".`);
  });

  it('fails on a pattern covering the role, in a single-value Statement with a lowercase action', () => {
    const region = iamRegion({ inline: [{ name: 'self', document: { Statement: { Effect: 'Allow', Action: 'iam:putrolepolicy', Resource: 'arn:aws:iam::123456789012:role/EMR_*' } } }] });
    const o = only(runCluster(check, makeCluster(), region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`iam:PutRolePolicy on ${ROLE_ARN} via inline policy ${ROLE}/self statement #1`);
  });

  it('fails on iam:CreatePolicyVersion on a customer managed policy attached to the role, not on an unrelated one', () => {
    const own = 'arn:aws:iam::123456789012:policy/Scoped';
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'], Resource: own })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`self-modification: iam:CreatePolicyVersion on ${own} via inline policy ${ROLE}/extra statement #1, iam:SetDefaultPolicyVersion on ${own}`);
    const other = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: 'arn:aws:iam::123456789012:policy/SomeoneElse' })));
    expect(other.status).toBe('PASS');
  });

  it('passes on a self-escalation action allowed on another role, or denied on this one; a conditional Deny does not clear it', () => {
    const elsewhere = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::123456789012:role/other' })));
    expect(elsewhere.status).toBe('PASS');
    const denied = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: ROLE_ARN }, { Effect: 'Deny', Action: 'iam:Put*', Resource: ROLE_ARN })));
    expect(denied.status).toBe('PASS');
    const notResource = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: ROLE_ARN }, { Effect: 'Deny', Action: 'iam:PutRolePolicy', NotResource: 'arn:aws:iam::*:role/other' })));
    expect(notResource.status).toBe('PASS');
    const conditional = only(
      runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: ROLE_ARN }, { Effect: 'Deny', Action: 'iam:PutRolePolicy', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } })),
    );
    expect(conditional.status).toBe('FAIL');
    expect(conditional.message).toContain('unless a conditional Deny applies');
  });

  it('fails on Allow * with a Deny of iam:* outside the role itself — and on Allow * minus iam:*, through sts:AssumeRole', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'Admin', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }] } }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sts:AssumeRole on every resource via managed policy Admin statement #1');
    expect(o.message).not.toContain('iam:');
  });

  it('fails on sts:AssumeRole on every role, conditional included; passes when it names roles', () => {
    const cond = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*', Condition: { StringEquals: { 'aws:ResourceAccount': '123456789012' } } })));
    expect(cond.status).toBe('FAIL');
    expect(cond.message).toContain(`sts:AssumeRole on every resource via inline policy ${ROLE}/extra statement #1 (conditional) — only under a condition`);
    const named = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::123456789012:role/etl-reader' })));
    expect(named.status).toBe('PASS');
  });

  it('PowerUserAccess-like escapes through sts:AssumeRole, not through IAM', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'PowerUserAccess', document: POWER_USER_ACCESS }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sts:AssumeRole on every resource via managed policy PowerUserAccess statement #1');
    expect(o.message).not.toContain('iam:PassRole');
  });

  it('passes with AmazonElasticMapReduceforEC2Role-like policies', () => {
    expect(only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'EMR', document: EMR_FOR_EC2_ROLE }] }))).status).toBe('PASS');
  });

  it('is an ERROR when the instance profile could not be read', () => {
    const o = only(runCluster(check, makeCluster(), { errors: [accessDenied('instanceProfile', 'EMR_EC2_DefaultRole', 'iam:GetInstanceProfile')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('iam:GetInstanceProfile AccessDenied');
  });

  describe('PassRole on a scoped pattern is a PassRole of some roles, not of every role (issue 21)', () => {
    it.each(['arn:aws:iam::*:role/*-ROSA-Worker-Role', 'arn:aws:iam::*:role/*-emr-jobs', 'arn:aws:iam::123456789012:role/emr/*'])('PassRole on %s with RunJobFlow PASSes', (resource) => {
      const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: resource }, { Effect: 'Allow', Action: 'elasticmapreduce:RunJobFlow', Resource: '*' })));
      expect(o.status).toBe('PASS');
    });

    it.each(['arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:role/*', 'arn:aws:iam::*:*'])('PassRole on %s with a scoped launch action FAILs (the launch half keeps any scope)', (resource) => {
      const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: resource }, { Effect: 'Allow', Action: 'lambda:CreateFunction', Resource: 'arn:aws:lambda:*:*:function:etl-*' })));
      expect(o.status).toBe('FAIL');
      expect(o.message).toContain('lambda:CreateFunction');
    });
  });

  describe('iam:PassedToService decides which launch actions a PassRole pairs with', () => {
    const pass = (values: string | string[], operator = 'StringEquals') => ({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { [operator]: { 'iam:PassedToService': values } } });
    it('PassRole to servicecatalog does not pair with cloudformation:CreateStack', () => {
      const o = only(runCluster(check, makeCluster(), inline(pass('servicecatalog.amazonaws.com'), { Effect: 'Allow', Action: 'cloudformation:CreateStack', Resource: '*' })));
      expect(o.status).toBe('PASS');
      expect(o.message).toContain('iam:PassedToService');
    });
    it('PassRole to ec2 pairs with ec2:RunInstances, and a wildcard service with anything', () => {
      const ec2 = only(runCluster(check, makeCluster(), inline(pass(['ec2.amazonaws.com']), { Effect: 'Allow', Action: ['ec2:RunInstances', 'glue:CreateJob'], Resource: '*' })));
      expect(ec2.status).toBe('FAIL');
      expect(ec2.message).toContain('ec2:RunInstances');
      expect(ec2.message).not.toContain('glue:CreateJob');
      const any = only(runCluster(check, makeCluster(), inline(pass('*.amazonaws.com', 'StringLike'), { Effect: 'Allow', Action: 'glue:CreateJob', Resource: '*' })));
      expect(any.status).toBe('FAIL');
    });
    it('a PassRole only a service can use does not count', () => {
      const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'true' } } }, { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' })));
      expect(o.status).toBe('PASS');
    });
  });
});
