import { describe, expect, it } from 'vitest';
import { ALL_DATA, COLLECTOR_BASE_PERMISSIONS, collectionPermissions, dataNeeds, VPC_PERMISSIONS } from '../../lib/collect/needs.js';

const check = (...permissions: string[]) => ({ permissions });
const none = Object.fromEntries(Object.keys(ALL_DATA).map((k) => [k, false]));

describe('dataNeeds', () => {
  it('collects everything when no checks are given', () => {
    expect(dataNeeds()).toEqual(ALL_DATA);
  });

  it('collects nothing beyond the clusters for checks that read only DescribeCluster', () => {
    expect(dataNeeds([check('elasticmapreduce:DescribeCluster')])).toEqual(none);
  });

  it('maps each declared API to its data, case-insensitively', () => {
    expect(dataNeeds([check('EC2:DescribeSecurityGroups'), check('elasticmapreduce:getblockpublicaccessconfiguration')])).toEqual({
      ...none,
      securityGroups: true,
      blockPublicAccess: true,
    });
    expect(dataNeeds([check('elasticmapreduce:ListReleaseLabels', 'elasticmapreduce:DescribeSecurityConfiguration', 'ssm:GetServiceSetting')])).toEqual({
      ...none,
      releaseLabels: true,
      securityConfigurations: true,
      defaultHostManagement: true,
    });
  });

  it('EC2 and SSM instance data need the instance list', () => {
    expect(dataNeeds([check('ec2:DescribeInstances')])).toEqual({ ...none, instances: true, ec2Instances: true });
    expect(dataNeeds([check('ssm:DescribeInstanceInformation')])).toEqual({ ...none, instances: true, ssmInstances: true });
    expect(dataNeeds([check('elasticmapreduce:ListInstances')])).toEqual({ ...none, instances: true });
  });

  it('tells instance-profile checks from the service-role check', () => {
    const profileCheck = check('iam:GetInstanceProfile', 'iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:GetPolicyVersion');
    const serviceRoleCheck = check('elasticmapreduce:DescribeCluster', 'iam:ListAttachedRolePolicies');
    expect(dataNeeds([profileCheck])).toEqual({ ...none, instanceProfiles: true });
    expect(dataNeeds([serviceRoleCheck])).toEqual({ ...none, serviceRoles: true });
    expect(dataNeeds([profileCheck, serviceRoleCheck])).toEqual({ ...none, instanceProfiles: true, serviceRoles: true });
  });
});

describe('VPC data (exposure/internet-reachable-port and the network/* checks that say whether a port is reachable)', () => {
  // The metadata the check declares (a stub: the check itself lives in checks/).
  const reachability = check(
    'elasticmapreduce:DescribeCluster',
    'ec2:DescribeInstances',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeManagedPrefixLists',
    'ec2:GetManagedPrefixListEntries',
    'ec2:DescribeSubnets',
    'ec2:DescribeRouteTables',
    'ec2:DescribeNetworkAcls',
  );

  it('is collected for a check that declares the three EC2 reads, and is part of everything', () => {
    expect(VPC_PERMISSIONS).toEqual(['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls']);
    expect(ALL_DATA.vpc).toBe(true);
    expect(dataNeeds([reachability])).toEqual({ ...none, instances: true, ec2Instances: true, securityGroups: true, prefixLists: true, vpc: true });
    expect(dataNeeds([check('ec2:DescribeSecurityGroups', 'ec2:DescribeInstances')]).vpc).toBe(false);
  });

  it('any one of the three brings the nodes (EC2’s view: subnet, VPC, addresses) and their groups with it', () => {
    for (const action of VPC_PERMISSIONS) {
      expect(dataNeeds([check(action.toUpperCase())]), action).toEqual({ ...none, instances: true, ec2Instances: true, securityGroups: true, vpc: true });
    }
  });

  it('puts the three actions, and the reads the path starts from, into the collection’s permissions', () => {
    const perms = collectionPermissions([check('ec2:DescribeRouteTables')]);
    expect(perms).toEqual(expect.arrayContaining([...VPC_PERMISSIONS, 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups']));
    expect(collectionPermissions([reachability])).toEqual(expect.arrayContaining([...VPC_PERMISSIONS]));
    expect(collectionPermissions([check('ec2:DescribeSecurityGroups')])).not.toContain('ec2:DescribeSubnets');
    for (const action of VPC_PERMISSIONS) expect(collectionPermissions()).toContain(action);
  });
});

describe('collectionPermissions', () => {
  it('always includes the base permissions', () => {
    expect(collectionPermissions([])).toEqual([...COLLECTOR_BASE_PERMISSIONS].sort());
    expect(COLLECTOR_BASE_PERMISSIONS).toEqual([
      'elasticmapreduce:ListClusters',
      'elasticmapreduce:DescribeCluster',
      'elasticmapreduce:ListInstanceGroups',
      'elasticmapreduce:ListInstanceFleets',
      'tag:GetResources',
    ]);
  });

  it('adds the follow-up calls behind an instance profile and behind instance data', () => {
    const perms = collectionPermissions([check('iam:GetInstanceProfile'), check('ssm:DescribeInstanceInformation')]);
    expect(perms).toEqual(
      expect.arrayContaining([
        'iam:GetInstanceProfile',
        'iam:GetRole',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:GetRolePolicy',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        // The nodes come from EC2 by EMR's system tag, EMR's listings are the fallback.
        'ec2:DescribeInstances',
        'elasticmapreduce:ListInstances',
        'ssm:DescribeInstanceInformation',
      ]),
    );
    expect(perms).not.toContain('ec2:DescribeSecurityGroups');
  });

  it('without checks, covers every kind of data', () => {
    const perms = collectionPermissions();
    for (const p of ['ec2:DescribeSecurityGroups', 'ec2:DescribeInstances', 'ssm:GetServiceSetting', 'elasticmapreduce:ListReleaseLabels', 'iam:GetPolicyVersion']) {
      expect(perms).toContain(p);
    }
  });
});
