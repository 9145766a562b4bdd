import { describe, expect, it } from 'vitest';
import { iamActions } from '../../../lib/iam/catalogue.js';
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
  UNDECIDABLE_GRANT,
  UNDECIDABLE_POLICY,
} from '../../iam/policies.js';
import { parsePolicyDocument } from '../../../lib/collect/iam.js';
import type { PolicyDocument } from '../../../lib/snapshot.js';

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

  // ---------------------------------------------------------------- administrator-equivalent (issue 11, item 1)

  const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
  const withDeny = (grant: PolicyDocument, ...Statement: Array<Record<string, unknown>>) =>
    iamRegion({ attached: [{ name: 'Grant', document: grant }], inline: [{ name: 'guard', document: { Statement } }] });
  const IAM_ALL: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] };

  it('fails on Allow * with a Deny of iam:CreateUser: administrator-equivalent, naming what the Deny removed', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [adminAttached], inline: [{ name: 'guard', document: { Statement: [{ Sid: 'NoUsers', Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }] } }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`Role ${ROLE} is administrator-equivalent: it has an allow of * on all resources (* via managed policy AdministratorAccess statement #1) from which Deny statements remove only iam:CreateUser (inline policy ${ROLE}/guard statement "NoUsers")`);
    expect(o.message).toContain(`iam:AttachRolePolicy on ${ROLE_ARN} via managed policy AdministratorAccess statement #1`);
    expect(o.resources).toContainEqual({ type: 'Other', id: `${ROLE}/guard` });
  });

  it('fails on Allow iam:* with a Deny of iam:CreateAccessKey, and with a Deny of iam:CreateLoginProfile', () => {
    for (const denied of ['iam:CreateAccessKey', 'iam:CreateLoginProfile']) {
      const o = only(runCluster(check, makeCluster(), withDeny(IAM_ALL, { Effect: 'Deny', Action: [denied], Resource: '*' })));
      expect(o.status, denied).toBe('FAIL');
      expect(o.message).toContain(`it has an allow of iam:* on all resources (iam:* via managed policy Grant statement #1) from which Deny statements remove only ${denied} (inline policy ${ROLE}/guard statement #1)`);
      expect(o.message).toContain(`iam:PutRolePolicy on ${ROLE_ARN}`);
    }
  });

  it('fails on Allow * with a Deny of organizations:*, naming the Deny rather than the remaining iam:*', () => {
    const o = only(runCluster(check, makeCluster(), withDeny(ADMINISTRATOR_ACCESS, { Effect: 'Deny', Action: 'organizations:*', Resource: '*' })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('it has an allow of * on all resources');
    expect(o.message).toContain(`remove only organizations:* (inline policy ${ROLE}/guard statement #1)`);
  });

  it('fails when a Deny of iam:Put* and iam:Attach* still leaves a self-escalation action on the role itself', () => {
    const o = only(runCluster(check, makeCluster(), withDeny(ADMINISTRATOR_ACCESS, { Sid: 'NoIamWrites', Effect: 'Deny', Action: ['iam:Put*', 'iam:Attach*'], Resource: '*' })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`remove only iam:Put*, iam:Attach* (inline policy ${ROLE}/guard statement "NoIamWrites")`);
    expect(o.message).toContain(`iam:UpdateAssumeRolePolicy on ${ROLE_ARN}`);
    expect(o.message).not.toContain('iam:PutRolePolicy on');
  });

  it('counts iam:CreatePolicyVersion on a customer managed policy attached to the role', () => {
    const selfOnly = { Effect: 'Deny', NotAction: ['iam:CreatePolicyVersion', 's3:*'], Resource: '*' };
    const o = only(runCluster(check, makeCluster(), withDeny(ADMINISTRATOR_ACCESS, selfOnly)));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`remove only every action except iam:CreatePolicyVersion, s3:* (inline policy ${ROLE}/guard statement #1)`);
    expect(o.message).toContain('iam:CreatePolicyVersion on arn:aws:iam::123456789012:policy/Grant via managed policy Grant statement #1');
    // With AWS managed policies only there is no policy of its own to rewrite.
    const aws = iamRegion({ attached: [adminAttached], inline: [{ name: 'guard', document: { Statement: selfOnly } }] });
    expect(only(runCluster(check, makeCluster(), aws)).status).toBe('PASS');
  });

  it('passes on Allow * with a Deny of iam:* (privilege-escalation reports the rest), saying what the Deny removes', () => {
    const o = only(runCluster(check, makeCluster(), withDeny(ADMINISTRATOR_ACCESS, { Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' })));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(`denied by inline policy ${ROLE}/guard statement "NoIam"`);
    expect(o.message).toContain('none of iam:AttachRolePolicy, iam:PutRolePolicy');
  });

  it('passes when the Denies name every self-escalation action, case-insensitively, as a single Statement object', () => {
    const names = ['IAM:ATTACHROLEPOLICY', 'iam:putrolepolicy', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:*RolePermissionsBoundary', 'iam:UpdateAssumeRolePolicy'];
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'Grant', document: ADMINISTRATOR_ACCESS }], inline: [{ name: 'guard', document: { Statement: { Effect: 'Deny', Action: names, Resource: '*' } } }] })));
    expect(o.status).toBe('PASS');
  });

  it('a Deny with a Condition removes nothing but is mentioned', () => {
    const o = only(
      runCluster(
        check,
        makeCluster(),
        withDeny(ADMINISTRATOR_ACCESS, { Effect: 'Deny', Action: 'organizations:*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }),
      ),
    );
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('remove only organizations:*');
    expect(o.message).toContain(`Conditional Denies that may also apply: inline policy ${ROLE}/guard statement #2 (conditional)`);
  });

  it('NotResource: a Deny of iam:* on everything but the role itself still leaves the role its own policies', () => {
    const o = only(runCluster(check, makeCluster(), withDeny(ADMINISTRATOR_ACCESS, { Effect: 'Deny', Action: 'iam:*', NotResource: ROLE_ARN })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('is administrator-equivalent');
    // A Deny on the role itself only leaves iam:* on every other resource: the grant stays unscoped.
    const onSelf = only(runCluster(check, makeCluster(), withDeny(ADMINISTRATOR_ACCESS, { Effect: 'Deny', Action: 'iam:*', Resource: ROLE_ARN })));
    expect(onSelf.status).toBe('FAIL');
    expect(onSelf.message).toContain('has an effective allow of * on all resources');
  });

  it('judges a Deny or an Allow written on one service\'s ARNs for the actions of that service', () => {
    // Deny iam:* on every IAM resource is Deny iam:* (not administrator-equivalent)…
    const denied = only(runCluster(check, makeCluster(), withDeny(ADMINISTRATOR_ACCESS, { Effect: 'Deny', Action: 'iam:*', Resource: 'arn:aws:iam::*:*' })));
    expect(denied.status).toBe('PASS');
    // …and every action but iam:PassRole on *, with iam:PassRole on every role, is every action on every resource.
    const split = only(
      runCluster(check, makeCluster(), withDeny({ Statement: [{ Effect: 'Allow', NotAction: 'iam:PassRole', Resource: '*' }] }, { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/*' })),
    );
    // (`role/*` covers every resource of iam:PassRole, not of every service: iam:* is what it completes.)
    expect(split.status).toBe('FAIL');
    expect(split.message).toContain('has an effective allow of iam:* on all resources');
  });

  it('reads URL-encoded documents as IAM returns them', () => {
    const encoded = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }] }));
    const parsed = parsePolicyDocument(encoded);
    if (!parsed.ok) throw new Error(parsed.reason);
    const o = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'encoded', document: parsed.document }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`remove only iam:CreateUser (inline policy ${ROLE}/encoded statement #2)`);
  });

  it('passes when the permissions boundary, not a Deny, withholds IAM', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [adminAttached], boundary: { name: 'NoIam', document: { Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } } } })));
    expect(o.status).toBe('PASS');
  });

  it('fails on Allow * whose Denies are too complex to decide, since a self-escalation action stays allowed', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'Maze', document: UNDECIDABLE_POLICY }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('is administrator-equivalent');
  });

  it('is an ERROR when a policy of the role could not be read', () => {
    const arn = 'arn:aws:iam::123456789012:policy/Secret';
    const o = only(runCluster(check, makeCluster(), iamRegion({ extraAttachedArns: [arn], errors: [accessDenied('managedPolicy', arn, 'iam:GetPolicy')] })));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain(`policy ${arn}: iam:GetPolicy AccessDenied`);
  });

  it('decides iam:* on the catalogue when * is too complex to decide', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'Maze', document: UNDECIDABLE_GRANT }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('has an effective allow of iam:* on all resources');
  });

  it('an Allow of * that only an AWS service acting for the role can use is not administrator access', () => {
    for (const Condition of [{ Bool: { 'aws:ViaAWSService': 'true' } }, { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'cloudformation.amazonaws.com' } }, { Bool: { 'aws:IsMcpServiceAction': 'true' } }]) {
      const o = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'svc', document: { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition } } }] })));
      expect(o.status, JSON.stringify(Condition)).toBe('PASS');
    }
  });

  it('an explicit list of every catalogued IAM action is administrator-equivalent, as iam:* is', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'list', document: { Statement: { Effect: 'Allow', Action: iamActions(), Resource: '*' } } }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('has an effective allow of iam:* on all resources');
    const short = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'list', document: { Statement: { Effect: 'Allow', Action: iamActions().filter((a) => a !== 'iam:CreateUser'), Resource: '*' } } }] })));
    // One action short of iam:* with no Deny involved: not this check's finding (privilege-escalation reports it).
    expect(short.status).toBe('PASS');
  });
});
