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
      `Role ${ROLE} can escalate its privileges with an effective allow on Resource * of: iam:PassRole via inline policy ${ROLE}/extra statement "Pass", together with elasticmapreduce:RunJobFlow via inline policy ${ROLE}/extra statement "Launch", ec2:RunInstances via inline policy ${ROLE}/extra statement "Launch".`,
    );
    expect(o.resources).toContainEqual({ type: 'Other', id: `${ROLE}/extra` });
  });

  it('passes on iam:PassRole alone, saying no launch action goes with it', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/*' })));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('iam:PassRole on * is allowed');
  });

  it('passes on a launch action with iam:PassRole scoped to one role', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole' }, { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' })));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe(`Role ${ROLE} has no privilege escalation path on all resources.`);
  });

  it('fails on an IAM write that grants permissions', () => {
    const o = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'iam:Attach*Policy', Resource: '*' })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`iam:AttachRolePolicy via inline policy ${ROLE}/extra statement #1; iam:AttachUserPolicy via inline policy ${ROLE}/extra statement #1.`);
  });

  it('fails on sts:AssumeRole on every role, conditional included; passes when it names roles', () => {
    const cond = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*', Condition: { StringEquals: { 'aws:ResourceAccount': '123456789012' } } })));
    expect(cond.status).toBe('FAIL');
    expect(cond.message).toContain(`sts:AssumeRole via inline policy ${ROLE}/extra statement #1 (conditional) — only under a condition`);
    const named = only(runCluster(check, makeCluster(), inline({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::123456789012:role/etl-reader' })));
    expect(named.status).toBe('PASS');
  });

  it('PowerUserAccess-like escapes through sts:AssumeRole, not through IAM', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'PowerUserAccess', document: POWER_USER_ACCESS }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sts:AssumeRole via managed policy PowerUserAccess statement #1');
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
});
