import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/iam/instance-profile-admin.js';
import { accessDenied, makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import {
  ADMINISTRATOR_ACCESS,
  awsPolicyArn,
  EMR_FOR_EC2_ROLE,
  iamRegion,
  POWER_USER_ACCESS,
  ROLE,
  SSM_MANAGED_INSTANCE_CORE,
  UNDECIDABLE_POLICY,
} from '../../iam/policies.js';

const adminAttached = { name: 'AdministratorAccess', arn: awsPolicyArn('AdministratorAccess'), document: ADMINISTRATOR_ACCESS };

describe('iam/instance-profile-admin', () => {
  it('fails with AdministratorAccess, naming the role, policy, statement and action', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [adminAttached] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      `Role ${ROLE} has an effective allow of * on all resources: * via managed policy AdministratorAccess statement #1. Every process on every node of the cluster can use it to take over the account.`,
    );
    expect(o.resources).toEqual([
      { type: 'AwsIamRole', id: ROLE, arn: `arn:aws:iam::123456789012:role/${ROLE}` },
      { type: 'AwsIamPolicy', id: 'AdministratorAccess', arn: awsPolicyArn('AdministratorAccess') },
    ]);
  });

  it('fails on iam:* from a conditional inline statement, saying so', () => {
    const o = only(
      runCluster(
        check,
        makeCluster(),
        iamRegion({
          attached: [{ name: 'AmazonSSMManagedInstanceCore', arn: awsPolicyArn('AmazonSSMManagedInstanceCore'), document: SSM_MANAGED_INSTANCE_CORE }],
          inline: [{ name: 'ops', document: { Statement: [{ Sid: 'IamOps', Effect: 'Allow', Action: 'iam:*', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'false' } } }] } }],
        }),
      ),
    );
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('effective allow of iam:* on all resources');
    expect(o.message).toContain(`inline policy ${ROLE}/ops statement "IamOps" (conditional) — only under a condition`);
    expect(o.resources).toContainEqual({ type: 'Other', id: `${ROLE}/ops` });
  });

  it('fails when only a conditional Deny stands in the way, and mentions it', () => {
    const o = only(
      runCluster(
        check,
        makeCluster(),
        iamRegion({
          attached: [adminAttached],
          inline: [{ name: 'guard', document: { Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } } } }],
        }),
      ),
    );
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`unless a conditional Deny applies: inline policy ${ROLE}/guard statement #1 (conditional)`);
  });

  it('names the instance profile when it differs from the role', () => {
    const o = only(runCluster(check, makeCluster({ ec2: { instanceProfile: 'emr-nodes', additionalMasterSecurityGroups: [], additionalSlaveSecurityGroups: [] } }), iamRegion({ profile: 'emr-nodes', role: 'emr-node-role', attached: [adminAttached] })));
    expect(o.message).toMatch(/^Role emr-node-role \(instance profile emr-nodes\) has an effective allow of \*/);
  });

  it('passes with PowerUserAccess-like and EMR-like policies', () => {
    for (const document of [POWER_USER_ACCESS, EMR_FOR_EC2_ROLE]) {
      const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'P', document }] })));
      expect(o.status).toBe('PASS');
      expect(o.message).toBe(`Role ${ROLE} has no effective allow of * or iam:* on all resources.`);
    }
  });

  it('passes when a permissions boundary removes the administrator grant, and says which', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [adminAttached], boundary: { name: 'EmrNodeBoundary', document: EMR_FOR_EC2_ROLE } })));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('* is granted by managed policy AdministratorAccess statement #1 but the permissions boundary EmrNodeBoundary does not allow it');
  });

  it('passes when an unconditional Deny removes part of IAM, naming the Deny', () => {
    const o = only(
      runCluster(check, makeCluster(), iamRegion({ attached: [adminAttached], inline: [{ name: 'no-iam-writes', document: { Statement: { Sid: 'NoIamWrites', Effect: 'Deny', Action: ['iam:Put*', 'iam:Attach*'], Resource: '*' } } }] })),
    );
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(`denied by inline policy ${ROLE}/no-iam-writes statement "NoIamWrites"`);
  });

  it('is an ERROR when a policy of the role could not be read', () => {
    const arn = 'arn:aws:iam::123456789012:policy/Secret';
    const o = only(runCluster(check, makeCluster(), iamRegion({ extraAttachedArns: [arn], errors: [accessDenied('managedPolicy', arn, 'iam:GetPolicy')] })));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain(`policy ${arn}: iam:GetPolicy AccessDenied`);
  });

  it('is an ERROR, not a PASS, when the policies are too complex to decide', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'Maze', document: UNDECIDABLE_POLICY }] })));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('too complex to decide whether * is allowed');
  });
});
