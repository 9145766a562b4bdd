import { describe, expect, it } from 'vitest';
import {
  isAwsManagedPolicy,
  lookupInstanceProfileRole,
  lookupInstanceRolePolicies,
  lookupServiceRole,
  statementResources,
} from '../../lib/iam/role.js';
import { accessDenied, makeCluster, makeContext, makeSnapshot } from '../helpers/fixtures.js';
import { Snapshot } from '../../lib/snapshot.js';
import { ADMINISTRATOR_ACCESS, awsPolicyArn, iamRegion, ROLE, SSM_MANAGED_INSTANCE_CORE } from './policies.js';

describe('lookupInstanceRolePolicies', () => {
  it('parses attached, inline and boundary policies with their sources', () => {
    const ctx = makeContext(
      iamRegion({
        attached: [{ name: 'AmazonSSMManagedInstanceCore', arn: awsPolicyArn('AmazonSSMManagedInstanceCore'), document: SSM_MANAGED_INSTANCE_CORE }],
        inline: [{ name: 'data', document: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } } }],
        boundary: { name: 'Limit', document: ADMINISTRATOR_ACCESS },
      }),
    );
    const found = lookupInstanceRolePolicies(makeCluster(), ctx);
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    const { policies } = found.value;
    expect(policies.identity.map((s) => s.source.kind)).toEqual(['managed', 'managed', 'managed', 'inline']);
    expect(policies.identity[3]!.source).toEqual({ kind: 'inline', roleName: ROLE, policyName: 'data' });
    expect(policies.boundary?.name).toBe('Limit');
    expect(policies.boundary?.statements[0]!.source.kind).toBe('boundary');
    // The same snapshot gives the same parsed object (verdicts are shared between checks and clusters).
    const again = lookupInstanceRolePolicies(makeCluster({ id: 'j-OTHER' }), ctx);
    expect(again.ok && again.value.policies).toBe(policies);
  });

  it('fails, naming the failed call, when a managed policy document is missing', () => {
    const arn = 'arn:aws:iam::123456789012:policy/Hidden';
    const ctx = makeContext(iamRegion({ extraAttachedArns: [arn], errors: [accessDenied('managedPolicy', arn, 'iam:GetPolicyVersion')] }));
    const found = lookupInstanceRolePolicies(makeCluster(), ctx);
    expect(found).toEqual({ ok: false, reason: expect.stringContaining(`policy ${arn}: iam:GetPolicyVersion AccessDenied`) as unknown });
  });

  it('fails on an unreadable statement, naming it', () => {
    const ctx = makeContext(iamRegion({ inline: [{ name: 'broken', document: { Statement: [{ Effect: 'Allow', Resource: '*' }] } }] }));
    const found = lookupInstanceRolePolicies(makeCluster(), ctx);
    expect(found.ok).toBe(false);
    if (!found.ok) expect(found.reason).toContain(`inline policy ${ROLE}/broken statement #1 is not a valid statement`);
  });

  it('fails when the inline policy list could not be read', () => {
    const ctx = makeContext(iamRegion({ errors: [accessDenied('rolePolicies', ROLE, 'iam:GetRolePolicy')] }));
    const found = lookupInstanceRolePolicies(makeCluster(), ctx);
    expect(found.ok).toBe(false);
  });
});

describe('lookupInstanceProfileRole (attached list only)', () => {
  it('ignores failures that leave the attached list intact', () => {
    const ctx = makeContext(
      iamRegion({
        extraAttachedArns: ['arn:aws:iam::123456789012:policy/Unreadable'],
        errors: [
          accessDenied('rolePolicies', ROLE, 'iam:GetRolePolicy'),
          accessDenied('role', ROLE, 'iam:GetRole'),
          accessDenied('managedPolicy', 'arn:aws:iam::123456789012:policy/Unreadable', 'iam:GetPolicy'),
        ],
      }),
    );
    const found = lookupInstanceProfileRole(makeCluster(), ctx);
    expect(found.ok && found.value.role.attachedPolicyArns).toEqual(['arn:aws:iam::123456789012:policy/Unreadable']);
  });

  it('fails when the attached list itself failed, or the profile is unknown', () => {
    const denied = makeContext(iamRegion({ errors: [accessDenied('rolePolicies', ROLE, 'iam:ListAttachedRolePolicies')] }));
    expect(lookupInstanceProfileRole(makeCluster(), denied)).toEqual({ ok: false, reason: expect.stringContaining('iam:ListAttachedRolePolicies AccessDenied') as unknown });
    const noProfile = makeContext({ errors: [accessDenied('instanceProfile', 'EMR_EC2_DefaultRole', 'iam:GetInstanceProfile')] });
    expect(lookupInstanceProfileRole(makeCluster(), noProfile)).toEqual({ ok: false, reason: expect.stringContaining('instance profile EMR_EC2_DefaultRole: iam:GetInstanceProfile AccessDenied') as unknown });
    const noRef = makeCluster({ ec2: { additionalMasterSecurityGroups: [], additionalSlaveSecurityGroups: [] } });
    expect(lookupInstanceProfileRole(noRef, denied)).toEqual({ ok: false, reason: 'the cluster reports no instance profile' });
  });
});

describe('lookupServiceRole', () => {
  it('finds the service role by the reference the cluster gave, or says why not', () => {
    const role = { name: 'EMR_DefaultRole', attachedPolicyArns: [] };
    expect(lookupServiceRole(makeCluster({ serviceRole: 'EMR_DefaultRole' }), makeContext(iamRegion({ serviceRoles: { EMR_DefaultRole: role } })))).toEqual({ ok: true, value: role });
    const denied = makeContext({ errors: [accessDenied('rolePolicies', 'EMR_DefaultRole', 'iam:ListAttachedRolePolicies')] });
    expect(lookupServiceRole(makeCluster({ serviceRole: 'EMR_DefaultRole' }), denied)).toEqual({ ok: false, reason: expect.stringContaining('service role EMR_DefaultRole: iam:ListAttachedRolePolicies AccessDenied') as unknown });
    const { serviceRole: _none, ...noServiceRole } = makeCluster();
    expect(lookupServiceRole(noServiceRole, denied)).toEqual({ ok: false, reason: 'the cluster reports no service role' });
  });
});

describe('isAwsManagedPolicy', () => {
  it('matches the AWS managed policy in any partition, not a customer copy', () => {
    expect(isAwsManagedPolicy('arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole', 'AmazonElasticMapReduceRole')).toBe(true);
    expect(isAwsManagedPolicy('arn:aws-cn:iam::aws:policy/service-role/AmazonElasticMapReduceRole', 'AmazonElasticMapReduceRole')).toBe(true);
    expect(isAwsManagedPolicy('arn:aws-us-gov:iam::aws:policy/AmazonElasticMapReduceRole', 'AmazonElasticMapReduceRole')).toBe(true);
    expect(isAwsManagedPolicy('arn:aws:iam::123456789012:policy/AmazonElasticMapReduceRole', 'AmazonElasticMapReduceRole')).toBe(false);
    expect(isAwsManagedPolicy('arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRoleX', 'AmazonElasticMapReduceRole')).toBe(false);
  });
});

describe('statementResources', () => {
  it('lists the role, then each policy once: managed and boundary as policies, inline as role/policy', () => {
    const role = { name: ROLE, arn: `arn:aws:iam::123456789012:role/${ROLE}` };
    const managed = { kind: 'managed', name: 'P', arn: 'arn:aws:iam::123456789012:policy/P' } as const;
    const stmt = (source: Parameters<typeof statementResources>[1][number]['source'], index: number) => ({
      source,
      index,
      effect: 'Allow' as const,
      actions: { not: false, patterns: ['*'] },
      resources: { not: false, patterns: ['*'] },
      conditional: false,
    });
    expect(statementResources(role, [stmt(managed, 1), stmt(managed, 2), stmt({ kind: 'inline', roleName: ROLE, policyName: 'x' }, 1)])).toEqual([
      { type: 'AwsIamRole', id: ROLE, arn: role.arn },
      { type: 'AwsIamPolicy', id: 'P', arn: managed.arn },
      { type: 'Other', id: `${ROLE}/x` },
    ]);
  });
});

describe('partial roles (issue 11, item 10)', () => {
  const region = (role: Record<string, unknown>, errors: ReturnType<typeof accessDenied>[] = []) => ({ ...iamRegion(), roles: { [ROLE]: { name: ROLE, ...role } as never }, errors });

  it('a role with only its attached list serves the attached-list checks; the others are told which part is missing', () => {
    const ctx = makeContext(region({ attachedPolicyArns: [] }, [accessDenied('role', ROLE, 'iam:GetRole'), accessDenied('rolePolicies', ROLE, 'iam:ListRolePolicies')]));
    expect(lookupInstanceProfileRole(makeCluster(), ctx).ok).toBe(true);
    const all = lookupInstanceRolePolicies(makeCluster(), ctx);
    expect(all).toEqual({
      ok: false,
      reason:
        `role ${ROLE} (its ARN and permissions boundary): iam:GetRole AccessDenied (User is not authorized to perform: iam:GetRole); ` +
        `the inline policy list of role ${ROLE}: iam:ListRolePolicies AccessDenied (User is not authorized to perform: iam:ListRolePolicies)`,
    });
  });

  it('an older snapshot (complete role, no unread list) still loads and reads as before', () => {
    const old = makeSnapshot([iamRegion({ inline: [{ name: 'data', document: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } } }] })]);
    const reparsed = Snapshot.parse(JSON.parse(JSON.stringify(old)));
    expect(reparsed.regions[0]!.roles[ROLE]).toEqual({ name: ROLE, arn: `arn:aws:iam::123456789012:role/${ROLE}`, attachedPolicyArns: [], inlinePolicies: [old.regions[0]!.roles[ROLE]!.inlinePolicies![0]] });
    const ctx = makeContext(reparsed.regions[0]);
    expect(lookupInstanceRolePolicies(makeCluster(), ctx).ok).toBe(true);
  });

  it('an error on a part fails that part even when the stored role looks complete (fail closed)', () => {
    const ctx = makeContext(iamRegion({ errors: [accessDenied('rolePolicies', ROLE, 'iam:GetRolePolicy')] }));
    expect(lookupInstanceProfileRole(makeCluster(), ctx).ok).toBe(true);
    expect(lookupInstanceRolePolicies(makeCluster(), ctx)).toEqual({ ok: false, reason: expect.stringContaining(`the inline policies of role ${ROLE}: iam:GetRolePolicy AccessDenied`) as unknown });
  });
});
