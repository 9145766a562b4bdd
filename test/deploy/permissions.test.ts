import { describe, expect, it } from 'vitest';
import type { Check } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { COLLECTOR_BASE_PERMISSIONS, collectionPermissions } from '../../lib/collect/index.js';
import {
  auditActions,
  buildAuditPolicy,
  buildRoleStatements,
  READ_ACTION_CATALOGUE,
  readActions,
  type PolicyDocumentJson,
} from '../../lib/permissions.js';
import { VPC_PERMISSIONS } from '../../lib/collect/needs.js';
import { makeCheck, reachabilityCheckStub, registryReadsPath } from './helpers.js';

const allActions = (doc: PolicyDocumentJson): string[] => doc.Statement.flatMap((s) => s.Action);
const statement = (doc: PolicyDocumentJson, sid: string) => doc.Statement.find((s) => s.Sid === sid);

describe('readActions', () => {
  it('is the sorted, deduplicated union of the checks’ permissions and the collectors’ base permissions', () => {
    const checks: Check[] = [
      makeCheck('a/one', ['ec2:DescribeSecurityGroups', 'elasticmapreduce:ListReleaseLabels']),
      makeCheck('a/two', ['ec2:DescribeSecurityGroups', 'elasticmapreduce:DescribeCluster']),
    ];
    const actions = readActions(checks);
    expect(actions).toEqual([...actions].sort());
    expect(new Set(actions).size).toBe(actions.length);
    for (const a of [...COLLECTOR_BASE_PERMISSIONS, 'ec2:DescribeSecurityGroups', 'elasticmapreduce:DescribeCluster', 'elasticmapreduce:ListReleaseLabels']) {
      expect(actions).toContain(a);
    }
    expect(actions).toEqual(collectionPermissions(checks));
    expect(actions.some((a) => a.startsWith('iam:') || a.startsWith('ssm:'))).toBe(false);
  });

  it('adds the follow-up calls the collectors make for a check’s data (instance profile → role → policy versions)', () => {
    const actions = readActions([makeCheck('iam/x', ['iam:GetInstanceProfile'])]);
    for (const a of ['iam:GetInstanceProfile', 'iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:GetPolicy', 'iam:GetPolicyVersion']) {
      expect(actions).toContain(a);
    }
  });

  it('adds the prefix-list reads behind the internet checks, and only for them', () => {
    const all = readActions(CHECKS);
    expect(all).toContain('ec2:DescribeManagedPrefixLists');
    expect(all).toContain('ec2:GetManagedPrefixListEntries');
    const ssh = readActions(CHECKS.filter((c) => c.id === 'network/ssh-from-internet'));
    for (const a of ['ec2:DescribeSecurityGroups', 'ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries', 'ec2:DescribeInstances']) expect(ssh).toContain(a);
    expect(readActions([makeCheck('x/groups-only', ['ec2:DescribeSecurityGroups'])])).not.toContain('ec2:GetManagedPrefixListEntries');
    expect(readActions([makeCheck('x/lists', ['ec2:GetManagedPrefixListEntries'])])).toEqual(expect.arrayContaining(['ec2:DescribeSecurityGroups', 'ec2:DescribeManagedPrefixLists']));
  });

  it('keeps the collectors’ base permissions when no check is run', () => {
    expect(readActions([])).toEqual([...COLLECTOR_BASE_PERMISSIONS].sort());
    expect(readActions([])).toContain('elasticmapreduce:ListClusters');
  });

  it.each([
    ['a write action', 'elasticmapreduce:TerminateJobFlows'],
    ['a wildcard', 'iam:Get*'],
    ['the `*` action', '*'],
    ['a secret-bearing read', 'ssm:GetParameter'],
    ['a near-miss typo', 'elasticmapreduce:DescribeClusters'],
  ])('refuses %s and names the check that declared it', (_what, action) => {
    expect(() => readActions([makeCheck('bad/check', ['iam:GetRole', action])])).toThrow(
      new RegExp(`"${action.replace(/[*]/g, '\\*')}" \\(declared by check bad/check\\) is not in READ_ACTION_CATALOGUE`),
    );
  });

  it('accepts every action of the real registry (each one a catalogued read action)', () => {
    const actions = readActions(CHECKS);
    for (const action of actions) {
      expect(Object.hasOwn(READ_ACTION_CATALOGUE, action), action).toBe(true);
      expect(action).toMatch(/^(elasticmapreduce|ec2|iam|ssm|tag):(Describe|Get|List)[A-Za-z]+$/);
    }
    for (const check of CHECKS) for (const p of check.permissions) expect(actions).toContain(p);
  });

  it('catalogues only read actions of the services the audit reads', () => {
    for (const action of Object.keys(READ_ACTION_CATALOGUE)) {
      expect(action).toMatch(/^(elasticmapreduce|ec2|iam|ssm|tag):(Describe|Get|List)[A-Za-z]+$/);
    }
  });
});

describe('the path from the internet: ec2:DescribeSubnets, ec2:DescribeRouteTables, ec2:DescribeNetworkAcls', () => {
  const withPath = [...CHECKS, reachabilityCheckStub()];

  it('are catalogued read actions that accept only "*"', () => {
    for (const a of VPC_PERMISSIONS) expect(READ_ACTION_CATALOGUE[a], a).toEqual({});
  });

  it('reach the printed policy and the deployed role, on "*", once a check declares them (with the node and group reads they start from)', () => {
    const reads = readActions(withPath);
    expect(reads).toEqual(expect.arrayContaining([...VPC_PERMISSIONS, 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups']));
    // One declaring any of them is enough: the collector always reads all three together.
    expect(readActions([makeCheck('x/routes', ['ec2:DescribeRouteTables'])])).toEqual(expect.arrayContaining([...VPC_PERMISSIONS]));

    const printed = buildAuditPolicy({ publish: true, checks: withPath });
    expect(statement(printed, 'ReadEmrAuditData')?.Resource).toBe('*');
    expect(statement(printed, 'ReadEmrAuditData')?.Action).toEqual(expect.arrayContaining([...VPC_PERMISSIONS]));
    const role = buildRoleStatements({ publish: true, deployment: true, checks: withPath });
    const reading = role.find((s) => s.Sid === 'ReadEmrAuditData');
    expect(reading?.Resource).toBe('*');
    expect(reading?.Action).toEqual(expect.arrayContaining([...VPC_PERMISSIONS]));
    expect(role.flatMap((s) => s.Action).filter((a) => (VPC_PERMISSIONS as readonly string[]).includes(a))).toHaveLength(3);
  });

  it('are in the real registry’s role exactly when a registered check declares one (least privilege)', () => {
    const granted = auditActions({ publish: true });
    for (const a of VPC_PERMISSIONS) expect(granted.includes(a), a).toBe(registryReadsPath(CHECKS));
  });
});

describe('auditActions', () => {
  const checks = [makeCheck('a/one', ['iam:GetRole'])];

  it('adds exactly BatchImportFindings and GetFindings when publishing', () => {
    const withPublish = auditActions({ publish: true, checks });
    const without = auditActions({ publish: false, checks });
    expect(withPublish.filter((a) => !without.includes(a))).toEqual(['securityhub:BatchImportFindings', 'securityhub:GetFindings']);
    expect(without.some((a) => a.startsWith('securityhub:'))).toBe(false);
    expect(withPublish).toEqual([...withPublish].sort());
  });
});

describe('buildAuditPolicy', () => {
  const checks = [makeCheck('a/one', ['iam:GetRole', 'ssm:GetServiceSetting', 'ssm:DescribeInstanceInformation'])];

  it('grants the read actions on "*" and scopes GetServiceSetting to the Default Host Management setting', () => {
    const doc = buildAuditPolicy({ publish: false, checks, accountId: '123456789012' });
    expect(doc.Version).toBe('2012-10-17');
    const reads = statement(doc, 'ReadEmrAuditData');
    expect(reads).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(reads?.Action).toEqual(readActions(checks).filter((a) => a !== 'ssm:GetServiceSetting'));
    // SSM is asked about the EC2 ids that only ListInstances gives.
    for (const a of ['iam:GetRole', 'ssm:DescribeInstanceInformation', 'elasticmapreduce:ListInstances']) expect(reads?.Action).toContain(a);
    expect(reads?.Action).not.toContain('ssm:GetServiceSetting');
    expect(statement(doc, 'ReadDefaultHostManagementSetting')).toEqual({
      Sid: 'ReadDefaultHostManagementSetting',
      Effect: 'Allow',
      Action: ['ssm:GetServiceSetting'],
      Resource: 'arn:aws:ssm:*:123456789012:servicesetting/ssm/managed-instance/default-ec2-instance-management-role',
    });
    expect(doc.Statement).toHaveLength(2);
  });

  it('omits the service-setting statement when no check reads it', () => {
    const doc = buildAuditPolicy({ publish: false, checks: [makeCheck('a/one', ['iam:GetRole'])] });
    expect(statement(doc, 'ReadDefaultHostManagementSetting')).toBeUndefined();
  });

  it('scopes BatchImportFindings to the account’s default product, GetFindings on "*"', () => {
    const doc = buildAuditPolicy({ publish: true, checks, partition: 'aws-us-gov', accountId: '123456789012' });
    expect(statement(doc, 'ImportFindingsToDefaultProduct')).toEqual({
      Sid: 'ImportFindingsToDefaultProduct',
      Effect: 'Allow',
      Action: ['securityhub:BatchImportFindings'],
      Resource: 'arn:aws-us-gov:securityhub:*:123456789012:product/123456789012/default',
    });
    expect(statement(doc, 'ReadOwnFindings')).toEqual({ Sid: 'ReadOwnFindings', Effect: 'Allow', Action: ['securityhub:GetFindings'], Resource: '*' });
  });

  it('defaults to partition aws and the principal’s own account (a policy variable), so the printed policy works as it is', () => {
    const doc = buildAuditPolicy({ publish: true, checks });
    expect(statement(doc, 'ImportFindingsToDefaultProduct')?.Resource).toBe('arn:aws:securityhub:*:${aws:PrincipalAccount}:product/${aws:PrincipalAccount}/default');
    expect(statement(doc, 'ReadDefaultHostManagementSetting')?.Resource).toBe(
      'arn:aws:ssm:*:${aws:PrincipalAccount}:servicesetting/ssm/managed-instance/default-ec2-instance-management-role',
    );
  });

  it('names the same resources as the deployed role, the account as IAM resolves it for each', () => {
    const printed = buildAuditPolicy({ publish: true, checks });
    // The role's Fn::Join of literals and pseudo parameters, resolved as CloudFormation would in account 123456789012.
    const resolve = (v: unknown): string =>
      typeof v === 'string'
        ? v
        : (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : ({ 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012' } as Record<string, string>)[(p as { Ref: string }).Ref]!)).join('');
    for (const role of buildRoleStatements({ publish: true, checks })) {
      const mine = statement(printed, role.Sid);
      expect(mine?.Action, role.Sid).toEqual(role.Action);
      expect(String(mine?.Resource).replaceAll('${aws:PrincipalAccount}', '123456789012'), role.Sid).toBe(resolve(role.Resource));
    }
  });

  it('grants each action exactly once, never `*`, and writes only BatchImportFindings (real registry)', () => {
    const doc = buildAuditPolicy({ publish: true });
    const actions = allActions(doc);
    expect(new Set(actions).size).toBe(actions.length);
    expect(actions.sort()).toEqual(auditActions({ publish: true }));
    for (const a of actions) {
      expect(a).not.toContain('*');
      if (a !== 'securityhub:BatchImportFindings') expect(a).toMatch(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/);
    }
    for (const s of doc.Statement) expect(s.Effect).toBe('Allow');
  });
});

describe('buildRoleStatements', () => {
  const checks = [makeCheck('a/one', ['ssm:GetServiceSetting'])];

  it('has the same statements as the printed policy, with partition and account as pseudo parameters', () => {
    const cfn = buildRoleStatements({ publish: true, checks });
    const printed = buildAuditPolicy({ publish: true, checks });
    expect(cfn.map((s) => [s.Sid, s.Action])).toEqual(printed.Statement.map((s) => [s.Sid, s.Action]));
    expect(cfn.find((s) => s.Sid === 'ImportFindingsToDefaultProduct')?.Resource).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:*:', { Ref: 'AWS::AccountId' }, ':product/', { Ref: 'AWS::AccountId' }, '/default'],
      ],
    });
    expect(cfn.find((s) => s.Sid === 'ReadDefaultHostManagementSetting')?.Resource).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:', { Ref: 'AWS::AccountId' }, ':servicesetting/ssm/managed-instance/default-ec2-instance-management-role'],
      ],
    });
    expect(cfn.find((s) => s.Sid === 'ReadEmrAuditData')?.Resource).toBe('*');
  });

  it('contains no `${…}` the Serverless variable resolver would try to resolve', () => {
    expect(JSON.stringify(buildRoleStatements({ publish: true }))).not.toContain('${');
  });
});
