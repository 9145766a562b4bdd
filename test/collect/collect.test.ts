import { DescribeClusterCommand, DescribeSecurityConfigurationCommand, GetBlockPublicAccessConfigurationCommand, ListClustersCommand, ListInstanceFleetsCommand, ListInstanceGroupsCommand, ListInstancesCommand, ListReleaseLabelsCommand } from '@aws-sdk/client-emr';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeInstanceInformationCommand, GetServiceSettingCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditUnavailableError, clearPolicyVersionCache, type CollectProgress } from '../../lib/collect/index.js';
import { makeRegionView } from '../../lib/evaluate.js';
import { lookupInstanceProfile } from '../../lib/lookup.js';
import { defaultSettings } from '../../lib/settings.js';
import type { Cluster } from '../../lib/snapshot.js';
import { FakeAccount, REGION, type FakeMocks } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf, untaggedCluster } from './harness.js';

let mocks: FakeMocks;
let fake: FakeAccount;

beforeEach(() => {
  clearPolicyVersionCache();
  fake = new FakeAccount().withDefaults();
  mocks = fake.mock();
});
afterEach(() => mocks.restore());

const cluster = (snapshotRegion: { clusters: Cluster[] }, id: string): Cluster => {
  const c = snapshotRegion.clusters.find((x) => x.id === id);
  if (!c) throw new Error(`cluster ${id} not collected`);
  return c;
};

describe('shared data is fetched once', () => {
  it('three clusters sharing a role, a security configuration and groups cost one call each', async () => {
    fake
      .addRole('EMR_EC2_DefaultRole', {
        attached: ['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role'],
        inline: { s3: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }] } },
      })
      .addSecurityConfiguration('sec', { EncryptionConfiguration: { EnableAtRestEncryption: true, EnableInTransitEncryption: false } });
    for (const id of ['j-1', 'j-2', 'j-3']) fake.addCluster(defaultCluster(id, { securityConfiguration: 'sec' }));

    const snap = await collect(fake);
    const r = regionOf(snap);

    expect(r.clusters.map((c) => c.id)).toEqual(['j-1', 'j-2', 'j-3']);
    expect(r.errors).toEqual([]);
    expect(mocks.emr.commandCalls(ListClustersCommand)).toHaveLength(1);
    expect(mocks.emr.commandCalls(DescribeClusterCommand)).toHaveLength(3);
    // Every node of the region comes from one DescribeInstances by EMR's system tag.
    expect(mocks.emr.commandCalls(ListInstancesCommand)).toHaveLength(0);
    expect(mocks.emr.commandCalls(ListInstanceGroupsCommand)).toHaveLength(0);
    expect(mocks.emr.commandCalls(DescribeSecurityConfigurationCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(mocks.ssm.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetRolePolicyCommand)).toHaveLength(1);
    // One listing for the instance role, one for the (different) service role.
    expect(mocks.iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(2);
    expect(mocks.iam.commandCalls(GetPolicyCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    expect(mocks.emr.commandCalls(GetBlockPublicAccessConfigurationCommand)).toHaveLength(1);
    expect(mocks.ssm.commandCalls(GetServiceSettingCommand)).toHaveLength(1);
    expect(mocks.emr.commandCalls(ListReleaseLabelsCommand)).toHaveLength(1);

    expect(r.roles.EMR_EC2_DefaultRole).toEqual({
      name: 'EMR_EC2_DefaultRole',
      arn: `arn:aws:iam::${fake.accountId}:role/EMR_EC2_DefaultRole`,
      attachedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role'],
      inlinePolicies: [{ name: 's3', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }] } }],
    });
    expect(r.securityConfigurations.sec).toEqual({ name: 'sec', encryption: { enableAtRestEncryption: true, enableInTransitEncryption: false } });
    expect(Object.keys(r.securityGroups).sort()).toEqual(['sg-master', 'sg-slave']);
  });

  it('IAM is fetched once for all regions and copied into each', async () => {
    fake.withDefaults('eu-west-1');
    fake.addCluster(defaultCluster('j-us')).addCluster(defaultCluster('j-eu', { region: 'eu-west-1' }));

    const snap = await collect(fake, { regions: [REGION, 'eu-west-1'] });

    expect(mocks.iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    for (const region of [REGION, 'eu-west-1']) {
      const r = regionOf(snap, region);
      expect(r.instanceProfiles.EMR_EC2_DefaultRole?.roleNames).toEqual(['EMR_EC2_DefaultRole']);
      expect(Object.keys(r.roles)).toEqual(['EMR_EC2_DefaultRole']);
      expect(Object.keys(r.managedPolicies)).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role']);
      expect(r.errors).toEqual([]);
    }
    // Regional data stays regional.
    expect(fake.count('ec2:DescribeSecurityGroups', REGION)).toBe(1);
    expect(fake.count('ec2:DescribeSecurityGroups', 'eu-west-1')).toBe(1);
  });

  it('a profile named by name and by ARN is fetched once and keyed by each reference', async () => {
    const arn = `arn:aws:iam::${fake.accountId}:instance-profile/EMR_EC2_DefaultRole`;
    fake.addCluster(defaultCluster('j-1')).addCluster(defaultCluster('j-2', { instanceProfile: arn }));

    const r = regionOf(await collect(fake));

    expect(mocks.iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetInstanceProfileCommand)[0]!.args[0].input).toEqual({ InstanceProfileName: 'EMR_EC2_DefaultRole' });
    expect(r.instanceProfiles.EMR_EC2_DefaultRole?.ref).toBe('EMR_EC2_DefaultRole');
    expect(r.instanceProfiles[arn]).toMatchObject({ ref: arn, name: 'EMR_EC2_DefaultRole', arn });
  });

  it('a service role given by ARN is keyed by the ARN and shares the listing with the same instance role', async () => {
    const arn = `arn:aws:iam::${fake.accountId}:role/service-role/EMR_EC2_DefaultRole`;
    fake.addCluster(defaultCluster('j-1', { serviceRole: arn }));

    const r = regionOf(await collect(fake));

    expect(r.serviceRoles[arn]).toEqual({ name: 'EMR_EC2_DefaultRole', arn, attachedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role'] });
    expect(mocks.iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(1);
  });

  it('managed policy versions are cached across runs, the default version id is not', async () => {
    fake.addCluster(defaultCluster('j-1'));
    await collect(fake);
    const second = regionOf(await collect(fake));

    expect(mocks.iam.commandCalls(GetPolicyCommand)).toHaveLength(2);
    expect(mocks.iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    expect(second.managedPolicies['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role']?.document.Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'sqs:*'], Resource: '*' },
    ]);
  });

  it('fetches the permissions boundary policy with the attached ones', async () => {
    const boundary = `arn:aws:iam::${fake.accountId}:policy/boundary`;
    fake
      .addRole('EMR_EC2_DefaultRole', { attached: [], boundary })
      .addPolicy(boundary, { document: { Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } } })
      .addCluster(defaultCluster('j-1'));

    const r = regionOf(await collect(fake));

    expect(r.roles.EMR_EC2_DefaultRole?.permissionsBoundaryArn).toBe(boundary);
    expect(r.managedPolicies[boundary]).toEqual({ arn: boundary, name: 'boundary', defaultVersionId: 'v1', document: { Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } } });
  });
});

describe('paging', () => {
  it('60 clusters take two ListClusters pages and are all described', async () => {
    for (let n = 0; n < 60; n++) fake.addCluster(defaultCluster(`j-${String(n).padStart(3, '0')}`, { instances: [] }));

    // Paging is the point here, not pacing: 60 DescribeCluster calls would take 50 s at the default quota.
    const r = regionOf(await collect(fake, { settings: { ...defaultSettings(), rateMultiplier: 100 } }));

    expect(mocks.emr.commandCalls(ListClustersCommand)).toHaveLength(2);
    expect(mocks.emr.commandCalls(ListClustersCommand)[1]!.args[0].input).toMatchObject({ Marker: 'page-50' });
    expect(mocks.emr.commandCalls(DescribeClusterCommand)).toHaveLength(60);
    expect(r.clusters).toHaveLength(60);
    expect(r.clusters.every((c) => c.described)).toBe(true);
    // No node carries a cluster's tag: each falls back to ListInstances (empty: no group listing).
    expect(mocks.emr.commandCalls(ListInstancesCommand)).toHaveLength(60);
    expect(r.collection?.nodeFallbacks).toHaveLength(60);
    expect(mocks.emr.commandCalls(ListInstanceGroupsCommand)).toHaveLength(0);
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it('120 instances: no ListInstances, one DescribeInstances by system tag, three DescribeInstanceInformation batches', async () => {
    const instances = FakeAccount.nodes('j-big', 119, 0).map((i, n) => (n % 2 === 0 ? { ...i, ssm: { pingStatus: 'Online' } } : i));
    fake.addCluster(defaultCluster('j-big', { instances }));

    const r = regionOf(await collect(fake));

    expect(mocks.emr.commandCalls(ListInstancesCommand)).toHaveLength(0);
    expect(cluster(r, 'j-big').instances).toHaveLength(120);
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({
      Filters: [
        { Name: 'tag-key', Values: ['aws:elasticmapreduce:job-flow-id'] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
      MaxResults: 1000,
    });
    const ssmCalls = mocks.ssm.commandCalls(DescribeInstanceInformationCommand);
    expect(ssmCalls).toHaveLength(3);
    expect(ssmCalls.map((c) => c.args[0].input.Filters?.[0]?.Values?.length)).toEqual([50, 50, 20]);
    expect(r.ssmQueried).toHaveLength(120);
    expect(Object.keys(r.ssmInstances)).toHaveLength(60);
    expect(Object.keys(r.ec2Instances)).toHaveLength(120);
  });

  it('reads every paged API to its last page', async () => {
    const pageSizes = {
      'elasticmapreduce:ListClusters': 1,
      'elasticmapreduce:ListInstances': 1,
      'elasticmapreduce:ListInstanceGroups': 1,
      'elasticmapreduce:ListInstanceFleets': 1,
      'elasticmapreduce:ListReleaseLabels': 1,
      'ec2:DescribeSecurityGroups': 1,
      'ec2:DescribeInstances': 1,
      'iam:ListAttachedRolePolicies': 1,
      'iam:ListRolePolicies': 1,
      'ssm:DescribeInstanceInformation': 1,
    };
    mocks.restore();
    fake = new FakeAccount({ pageSizes }).withDefaults();
    mocks = fake.mock();
    const extra = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
    fake
      .addRole('EMR_EC2_DefaultRole', {
        attached: ['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role', extra],
        inline: { a: { Statement: [] }, b: { Statement: [] } },
      })
      .addPolicy(extra, { document: { Statement: [{ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: '*' }] } })
      .setReleaseLabels(['emr-7.5.0', 'emr-7.4.0', 'emr-7.3.0'])
      .addCluster(untaggedCluster('j-g', { instances: FakeAccount.nodes('j-g', 1, 1, { ssm: { pingStatus: 'Online' } }) }))
      .addCluster(untaggedCluster('j-f', { collectionType: 'INSTANCE_FLEET', instances: FakeAccount.nodes('j-f', 1, 1, { ssm: { pingStatus: 'Online' } }) }))
      .addCluster(defaultCluster('j-t', { instances: FakeAccount.nodes('j-t', 1, 0, { ssm: { pingStatus: 'Online' } }) }));

    const r = regionOf(await collect(fake));

    expect(r.errors).toEqual([]);
    expect(r.clusters.map((c) => c.id)).toEqual(['j-g', 'j-f', 'j-t']);
    expect(r.collection?.nodeFallbacks).toEqual(['j-f', 'j-g']);
    expect(cluster(r, 'j-t').instances?.map((i) => i.role)).toEqual(['MASTER', 'CORE']);
    expect(mocks.emr.commandCalls(ListClustersCommand)).toHaveLength(3);
    expect(mocks.emr.commandCalls(ListInstancesCommand)).toHaveLength(6);
    expect(mocks.emr.commandCalls(ListInstanceGroupsCommand)).toHaveLength(3);
    expect(mocks.emr.commandCalls(ListInstanceFleetsCommand)).toHaveLength(3);
    expect(cluster(r, 'j-g').instances?.map((i) => i.role)).toEqual(['MASTER', 'CORE', 'TASK']);
    expect(cluster(r, 'j-f').instances?.map((i) => [i.role, i.instanceFleetId])).toEqual([
      ['MASTER', 'if-j-f-master'],
      ['CORE', 'if-j-f-core'],
      ['TASK', 'if-j-f-task'],
    ]);
    expect(r.releaseLabels).toEqual(['emr-7.5.0', 'emr-7.4.0', 'emr-7.3.0']);
    expect(mocks.emr.commandCalls(ListReleaseLabelsCommand)).toHaveLength(3);
    expect(Object.keys(r.securityGroups).sort()).toEqual(['sg-master', 'sg-slave']);
    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(2);
    expect(Object.keys(r.ec2Instances)).toHaveLength(8);
    // The tagged query in pages of one (two nodes: two pages), then the fallback nodes by id (six).
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2 + 6);
    expect(r.roles.EMR_EC2_DefaultRole?.attachedPolicyArns).toHaveLength(2);
    expect(r.roles.EMR_EC2_DefaultRole?.inlinePolicies?.map((p) => p.name)).toEqual(['a', 'b']);
    expect(Object.keys(r.managedPolicies).sort()).toEqual([extra, 'arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role'].sort());
    expect(Object.keys(r.ssmInstances)).toHaveLength(8);
    expect(mocks.ssm.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(8);
  });
});

describe('failures are recorded on the resource they concern', () => {
  it("AccessDenied on one cluster's role: an error for that role only, the other cluster is complete", async () => {
    fake
      .addInstanceProfile('profile-a', ['role-a'])
      .addRole('role-a', { attached: [] })
      .addInstanceProfile('profile-b', ['role-b'])
      .addRole('role-b', { attached: [] })
      .addCluster(defaultCluster('j-a', { instanceProfile: 'profile-a' }))
      .addCluster(defaultCluster('j-b', { instanceProfile: 'profile-b' }))
      .fail('iam:GetRole', { code: 'AccessDenied', message: 'not authorized to perform: iam:GetRole', when: (input) => input.RoleName === 'role-a' });

    const snap = await collect(fake);
    const r = regionOf(snap);

    expect(r.errors).toEqual([{ kind: 'role', resourceId: 'role-a', api: 'iam:GetRole', code: 'AccessDenied', message: 'not authorized to perform: iam:GetRole' }]);
    // What was read of role-a is kept (its policy lists), without the boundary GetRole would have given;
    // its ARN comes from the instance profile's role list.
    expect(r.roles['role-a']).toEqual({ name: 'role-a', arn: 'arn:aws:iam::123456789012:role/role-a', attachedPolicyArns: [], inlinePolicies: [] });
    expect(r.clusters.every((c) => c.described && c.instances?.length === 3)).toBe(true);
    const ctx = { settings: defaultSettings(), now: new Date(snap.collectedAt), region: makeRegionView(r, snap) };
    const a = lookupInstanceProfile(cluster(r, 'j-a'), ctx);
    expect(a).toEqual({ ok: false, reason: 'role role-a (its ARN and permissions boundary): iam:GetRole AccessDenied (not authorized to perform: iam:GetRole)' });
    expect(lookupInstanceProfile(cluster(r, 'j-b'), ctx).ok).toBe(true);
  });

  it('an inline policy that cannot be read is named as unread, and the rest of the role is kept', async () => {
    fake
      .addRole('EMR_EC2_DefaultRole', { attached: [], inline: { broken: '{"Statement": [', fine: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::d/*' }] } } })
      .addCluster(defaultCluster('j-1'));

    const r = regionOf(await collect(fake));

    expect(r.roles.EMR_EC2_DefaultRole?.unreadInlinePolicies).toEqual(['broken']);
    expect(r.roles.EMR_EC2_DefaultRole?.inlinePolicies?.map((p) => p.name)).toEqual(['fine']);
    expect(r.errors.map(({ message: _m, ...e }) => e)).toEqual([{ kind: 'rolePolicies', resourceId: 'EMR_EC2_DefaultRole', api: 'iam:GetRolePolicy', code: 'InvalidPolicyDocument' }]);
    expect(r.errors[0]?.message).toMatch(/^broken: The policy document is not valid JSON/);
  });

  it('a missing security group is recorded as NotFound without losing the others of the batch', async () => {
    fake
      .addSecurityGroup({ groupId: 'sg-extra', ipPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })
      .addCluster(defaultCluster('j-1', { additionalMasterSgs: ['sg-gone', 'sg-extra'] }));

    const r = regionOf(await collect(fake));

    // EC2 fails the whole id list and names the missing id: it is set aside and the rest asked again.
    const calls = mocks.ec2.commandCalls(DescribeSecurityGroupsCommand).map((c) => c.args[0].input.GroupIds);
    expect(calls).toEqual([
      ['sg-master', 'sg-slave', 'sg-gone', 'sg-extra'],
      ['sg-master', 'sg-slave', 'sg-extra'],
    ]);
    expect(Object.keys(r.securityGroups).sort()).toEqual(['sg-extra', 'sg-master', 'sg-slave']);
    expect(r.errors).toEqual([
      {
        kind: 'securityGroup',
        resourceId: 'sg-gone',
        api: 'ec2:DescribeSecurityGroups',
        code: 'NotFound',
        message: "InvalidGroup.NotFound: The security group 'sg-gone' does not exist",
      },
    ]);
  });

  it('isolates a missing group by halving the batch when the error does not name it', async () => {
    fake
      .addSecurityGroup({ groupId: 'sg-extra', ipPermissions: [] })
      .addCluster(defaultCluster('j-1', { additionalMasterSgs: ['sg-gone', 'sg-extra'] }))
      .fail('ec2:DescribeSecurityGroups', {
        code: 'InvalidGroup.NotFound',
        message: 'One or more security groups do not exist',
        when: (input) => ((input as { GroupIds?: string[] }).GroupIds ?? []).includes('sg-gone'),
      });

    const r = regionOf(await collect(fake));

    expect(Object.keys(r.securityGroups).sort()).toEqual(['sg-extra', 'sg-master', 'sg-slave']);
    expect(r.errors.map((e) => [e.kind, e.resourceId, e.code])).toEqual([['securityGroup', 'sg-gone', 'InvalidGroup.NotFound']]);
    // [4 ids] → [2] + [2] → the half with sg-gone → [1] + [1]
    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(5);
  });

  it('a failed security group batch records an error for each of its groups', async () => {
    fake.addCluster(defaultCluster('j-1')).fail('ec2:DescribeSecurityGroups', { code: 'UnauthorizedOperation', message: 'You are not authorized' });

    const r = regionOf(await collect(fake));

    expect(r.securityGroups).toEqual({});
    expect(r.errors.map((e) => [e.kind, e.resourceId, e.code])).toEqual([
      ['securityGroup', 'sg-master', 'UnauthorizedOperation'],
      ['securityGroup', 'sg-slave', 'UnauthorizedOperation'],
    ]);
  });

  it('a cluster that cannot be described keeps its ListClusters fields, described:false, and a cluster error', async () => {
    fake
      .addCluster(defaultCluster('j-ok'))
      .addCluster(defaultCluster('j-bad', { name: 'bad' }))
      .fail('elasticmapreduce:DescribeCluster', { code: 'AccessDeniedException', message: 'denied', when: (i) => i.ClusterId === 'j-bad' });

    const r = regionOf(await collect(fake));

    expect(cluster(r, 'j-bad')).toEqual({
      id: 'j-bad',
      name: 'bad',
      arn: `arn:aws:elasticmapreduce:${REGION}:${fake.accountId}:cluster/j-bad`,
      state: 'WAITING',
      described: false,
      tags: {},
    });
    expect(r.errors).toEqual([{ kind: 'cluster', resourceId: 'j-bad', api: 'elasticmapreduce:DescribeCluster', code: 'AccessDeniedException', message: 'denied' }]);
    expect(cluster(r, 'j-ok').described).toBe(true);
    // Nothing else is asked about the undescribed cluster (its nodes came with the region's node query).
    expect(fake.calls.filter((c) => c.input.ClusterId === 'j-bad').map((c) => c.api).sort()).toEqual(['elasticmapreduce:DescribeCluster']);
    expect(cluster(r, 'j-bad').instances).toBeUndefined();
  });

  it('never describes a terminated cluster, even when the endpoint ignores the state filter', async () => {
    fake.addCluster(defaultCluster('j-1'));
    mocks.emr.on(ListClustersCommand).resolves({
      Clusters: [
        { Id: 'j-1', Name: 'live', Status: { State: 'WAITING' } },
        { Id: 'j-old', Name: 'gone', Status: { State: 'TERMINATED' } },
      ],
    });

    const r = regionOf(await collect(fake));

    expect(r.clusters.map((c) => c.id)).toEqual(['j-1']);
    expect(mocks.emr.commandCalls(DescribeClusterCommand).map((c) => c.args[0].input.ClusterId)).toEqual(['j-1']);
  });

  it('a ListClusters failure is a region error and does not stop the other regions', async () => {
    fake
      .withDefaults('eu-west-1')
      .addCluster(defaultCluster('j-us'))
      .addCluster(defaultCluster('j-eu', { region: 'eu-west-1' }))
      .fail('elasticmapreduce:ListClusters', { code: 'UnrecognizedClientException', message: 'region disabled', when: (_i, region) => region === REGION });

    const snap = await collect(fake, { regions: [REGION, 'eu-west-1'] });

    const us = regionOf(snap);
    expect(us.clusters).toEqual([]);
    expect(us.errors).toEqual([{ kind: 'region', resourceId: REGION, api: 'elasticmapreduce:ListClusters', code: 'UnrecognizedClientException', message: 'region disabled' }]);
    const eu = regionOf(snap, 'eu-west-1');
    expect(eu.clusters.map((c) => c.id)).toEqual(['j-eu']);
    expect(eu.errors).toEqual([]);
  });

  it('ListInstances failure: instances absent and a clusterInstances error', async () => {
    fake.addCluster(untaggedCluster('j-1')).fail('elasticmapreduce:ListInstances', { code: 'ThrottlingException', message: 'Rate exceeded' });

    const r = regionOf(await collect(fake));

    expect(cluster(r, 'j-1').instances).toBeUndefined();
    expect(r.errors).toEqual([{ kind: 'clusterInstances', resourceId: 'j-1', api: 'elasticmapreduce:ListInstances', code: 'ThrottlingException', message: 'Rate exceeded' }]);
    // Only the region's node query (which found no tagged node of j-1).
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it('tagged nodes need no group listing: a failing ListInstanceGroups costs nothing', async () => {
    fake.addCluster(defaultCluster('j-1')).fail('elasticmapreduce:ListInstanceGroups', { code: 'AccessDeniedException', message: 'denied' });

    const r = regionOf(await collect(fake));

    expect(cluster(r, 'j-1').instances?.map((i) => i.role)).toEqual(['MASTER', 'CORE', 'TASK']);
    expect(r.errors).toEqual([]);
  });

  it('without DescribeInstances in the run, a failed group listing leaves roles unknown and says why', async () => {
    fake.addCluster(untaggedCluster('j-1')).fail('elasticmapreduce:ListInstanceGroups', { code: 'AccessDeniedException', message: 'denied' });
    const exposure = { permissions: ['elasticmapreduce:ListInstances'] };

    const r = regionOf(await collect(fake, { checks: [exposure as never] }));

    expect(cluster(r, 'j-1').instances?.map((i) => i.role)).toEqual([undefined, undefined, undefined]);
    expect(r.errors).toEqual([{ kind: 'clusterInstances', resourceId: 'j-1', api: 'elasticmapreduce:ListInstanceGroups', code: 'AccessDeniedException', message: 'denied' }]);
    // The region's node query only: no DescribeInstances by id without a check that reads EC2.
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it('an instance EC2 no longer knows is recorded as NotFound; SSM failures name each instance of the batch', async () => {
    fake.addCluster(untaggedCluster('j-1'));
    mocks.ec2.on(DescribeInstancesCommand).callsFake(async (input: object) => {
      const out = (await fake.handle('ec2:DescribeInstances', input, REGION)) as { Reservations: Array<{ Instances: Array<{ InstanceId: string }> }> };
      return { Reservations: out.Reservations.filter((res) => res.Instances[0]?.InstanceId !== 'i-j-1-1') };
    });
    fake.fail('ssm:DescribeInstanceInformation', { code: 'AccessDeniedException', message: 'no ssm' });

    const r = regionOf(await collect(fake));

    expect(Object.keys(r.ec2Instances)).toEqual(['i-j-1-0', 'i-j-1-2']);
    expect(r.ssmQueried).toEqual([]);
    expect(r.errors).toEqual([
      { kind: 'ec2Instance', resourceId: 'i-j-1-1', api: 'ec2:DescribeInstances', code: 'NotFound', message: 'Instance i-j-1-1 does not exist or is not visible to this account.' },
      { kind: 'ssmInstance', resourceId: 'i-j-1-0', api: 'ssm:DescribeInstanceInformation', code: 'AccessDeniedException', message: 'no ssm' },
      { kind: 'ssmInstance', resourceId: 'i-j-1-1', api: 'ssm:DescribeInstanceInformation', code: 'AccessDeniedException', message: 'no ssm' },
      { kind: 'ssmInstance', resourceId: 'i-j-1-2', api: 'ssm:DescribeInstanceInformation', code: 'AccessDeniedException', message: 'no ssm' },
    ]);
  });

  it('an unreadable security configuration is an error, not an empty configuration', async () => {
    fake.addSecurityConfiguration('bad', '{not json').addCluster(defaultCluster('j-1', { securityConfiguration: 'bad' }));

    const r = regionOf(await collect(fake));

    expect(r.securityConfigurations).toEqual({});
    expect(r.errors.map(({ message: _m, ...e }) => e)).toEqual([
      { kind: 'securityConfiguration', resourceId: 'bad', api: 'elasticmapreduce:DescribeSecurityConfiguration', code: 'InvalidSecurityConfiguration' },
    ]);
    expect(r.errors[0]?.message).toMatch(/^The configuration is not valid JSON/);
  });

  it('account settings failures are recorded per region', async () => {
    fake
      .fail('elasticmapreduce:GetBlockPublicAccessConfiguration', { code: 'AccessDeniedException', message: 'bpa' })
      .fail('ssm:GetServiceSetting', { code: 'AccessDeniedException', message: 'dhm' })
      .fail('elasticmapreduce:ListReleaseLabels', { code: 'AccessDeniedException', message: 'labels' });

    const r = regionOf(await collect(fake));

    expect(r.blockPublicAccess).toBeUndefined();
    expect(r.defaultHostManagement).toBeUndefined();
    expect(r.releaseLabels).toBeUndefined();
    expect(r.errors.map((e) => [e.kind, e.resourceId, e.api]).sort()).toEqual([
      ['blockPublicAccess', REGION, 'elasticmapreduce:GetBlockPublicAccessConfiguration'],
      ['defaultHostManagement', REGION, 'ssm:GetServiceSetting'],
      ['releaseLabels', REGION, 'elasticmapreduce:ListReleaseLabels'],
    ]);
  });

  it('without an account id and without credentials the audit cannot run', async () => {
    fake.fail('sts:GetCallerIdentity', { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });

    await expect(collect(fake)).rejects.toThrow(AuditUnavailableError);
    await expect(collect(fake)).rejects.toThrow(/sts:GetCallerIdentity InvalidClientTokenId/);
    expect(mocks.emr.commandCalls(ListClustersCommand)).toHaveLength(0);
  });

  it('a known account id needs no STS call', async () => {
    const snap = await collect(fake, { accountId: '999999999999' });

    expect(snap.accountId).toBe('999999999999');
    expect(mocks.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });
});

describe('secrets never reach the snapshot', () => {
  it('drops Kerberos passwords and Configurations but keeps the realm', async () => {
    fake.addCluster(
      defaultCluster('j-krb', {
        kerberos: {
          Realm: 'EC2.INTERNAL',
          KdcAdminPassword: 'KdcAdminSecret-1',
          CrossRealmTrustPrincipalPassword: 'CrossRealmSecret-2',
          ADDomainJoinUser: 'joiner',
          ADDomainJoinPassword: 'AdJoinSecret-3',
        },
        configurations: [{ Classification: 'hive-site', Properties: { 'javax.jdo.option.ConnectionPassword': 'HiveDbSecret-4' } }],
      }),
    );

    const snap = await collect(fake);
    const json = JSON.stringify(snap);

    for (const secret of ['KdcAdminSecret-1', 'CrossRealmSecret-2', 'AdJoinSecret-3', 'HiveDbSecret-4', 'joiner']) {
      expect(json).not.toContain(secret);
    }
    expect(json).not.toMatch(/"Configurations"|KdcAdminPassword|CrossRealmTrustPrincipalPassword|ADDomainJoin/);
    expect(cluster(regionOf(snap), 'j-krb').kerberos).toEqual({ realm: 'EC2.INTERNAL' });
    // Of Configurations only the name of the literal credential is kept (secrets/plaintext-in-configurations).
    expect(cluster(regionOf(snap), 'j-krb').configurationCredentials).toEqual([{ classification: 'hive-site', property: 'javax.jdo.option.ConnectionPassword' }]);
  });
});

describe('mapping', () => {
  it('copies the described cluster field by field', async () => {
    fake.addCluster(
      defaultCluster('j-1', {
        securityConfiguration: 'sec',
        serviceAccessSg: 'sg-sa',
        subnetId: 'subnet-1',
        masterPublicDnsName: 'ec2-1-2-3-4.compute.amazonaws.com',
        additionalSlaveSgs: ['sg-add'],
        tags: { team: 'data', 'emr-audit:suppress': 'logging/no-log-uri' },
        instances: [{ id: 'ci-1', ec2Id: 'i-1', role: 'MASTER', publicIp: '1.2.3.4', instanceType: 'r5.2xlarge' }],
      }),
    );

    const c = cluster(regionOf(await collect(fake)), 'j-1');

    expect(c).toEqual({
      id: 'j-1',
      name: 'cluster-j-1',
      arn: `arn:aws:elasticmapreduce:${REGION}:${fake.accountId}:cluster/j-1`,
      state: 'WAITING',
      described: true,
      releaseLabel: 'emr-7.5.0',
      logUri: 's3://logs/',
      securityConfiguration: 'sec',
      serviceRole: 'EMR_DefaultRole_V2',
      instanceCollectionType: 'INSTANCE_GROUP',
      createdAt: '2026-11-23T10:00:00.000Z',
      masterPublicDnsName: 'ec2-1-2-3-4.compute.amazonaws.com',
      ec2: {
        instanceProfile: 'EMR_EC2_DefaultRole',
        subnetId: 'subnet-1',
        emrManagedMasterSecurityGroup: 'sg-master',
        emrManagedSlaveSecurityGroup: 'sg-slave',
        serviceAccessSecurityGroup: 'sg-sa',
        additionalMasterSecurityGroups: [],
        additionalSlaveSecurityGroups: ['sg-add'],
      },
      applications: ['Spark'],
      configurationCredentials: [],
      tags: { team: 'data', 'emr-audit:suppress': 'logging/no-log-uri' },
      // From EC2 (EMR's `ci-` id is not in its answer: the EC2 id stands in).
      instances: [
        {
          id: 'i-1',
          ec2InstanceId: 'i-1',
          state: 'RUNNING',
          role: 'MASTER',
          instanceType: 'r5.2xlarge',
          market: 'ON_DEMAND',
          publicIpAddress: '1.2.3.4',
          privateIpAddress: '10.0.0.10',
        },
      ],
    });
  });

  it('tolerates responses without the optional fields', async () => {
    fake.addCluster(untaggedCluster('j-min'));
    mocks.emr.on(DescribeClusterCommand).resolves({ Cluster: { Id: 'j-min', Status: {} } });
    mocks.emr.on(ListInstancesCommand).resolves({ Instances: [{ Id: 'ci-x' }, {}] });
    mocks.emr.on(ListInstanceGroupsCommand).resolves({});
    mocks.emr.on(GetBlockPublicAccessConfigurationCommand).resolves({});
    mocks.ssm.on(GetServiceSettingCommand).resolves({});
    mocks.emr.on(ListReleaseLabelsCommand).resolves({});

    const r = regionOf(await collect(fake));

    expect(r.clusters).toEqual([
      { id: 'j-min', name: 'cluster-j-min', arn: `arn:aws:elasticmapreduce:${REGION}:${fake.accountId}:cluster/j-min`, state: 'WAITING', described: true, applications: [], configurationCredentials: [], tags: {}, instances: [{ id: 'ci-x', state: 'UNKNOWN' }] },
    ]);
    expect(r.blockPublicAccess).toEqual({ blockPublicSecurityGroupRules: true, permittedPortRanges: [{ minRange: 22, maxRange: 22 }], isDefault: true });
    expect(r.defaultHostManagement).toEqual({ enabled: false });
    expect(r.releaseLabels).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it('flattens ingress permissions to one rule per source, keeping protocols and ports as EC2 gives them', async () => {
    fake
      .addSecurityGroup({
        groupId: 'sg-master',
        groupName: 'ElasticMapReduce-master',
        ipPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }, { CidrIp: '10.0.0.0/8' }],
            Ipv6Ranges: [{ CidrIpv6: '::/0' }],
            PrefixListIds: [{ PrefixListId: 'pl-123' }],
            UserIdGroupPairs: [{ GroupId: 'sg-slave', UserId: '123456789012' }],
          },
          { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-master' }] },
          { IpProtocol: '6', FromPort: 8443, ToPort: 8443, UserIdGroupPairs: [{ GroupId: 'sg-sa', Description: 'service access' }] },
          { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, IpRanges: [] },
        ],
      })
      .addCluster(defaultCluster('j-1'));

    const r = regionOf(await collect(fake));

    expect(r.securityGroups['sg-master']).toEqual({
      groupId: 'sg-master',
      groupName: 'ElasticMapReduce-master',
      vpcId: 'vpc-1',
      ownerId: fake.accountId,
      ingress: [
        { protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'cidr4', cidr: '0.0.0.0/0' }, description: 'ssh' },
        { protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'cidr4', cidr: '10.0.0.0/8' } },
        { protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'cidr6', cidr: '::/0' } },
        { protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'prefixList', prefixListId: 'pl-123' } },
        { protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'securityGroup', groupId: 'sg-slave', userId: '123456789012' } },
        { protocol: '-1', source: { type: 'securityGroup', groupId: 'sg-master' } },
        { protocol: '6', fromPort: 8443, toPort: 8443, source: { type: 'securityGroup', groupId: 'sg-sa' }, description: 'service access' },
      ],
    });
  });

  it('reads EC2 metadata options and SSM registration of the running instances', async () => {
    fake.addCluster(
      defaultCluster('j-1', {
        instances: [
          { ec2Id: 'i-a', role: 'MASTER', httpTokens: 'optional', publicIp: '3.3.3.3', ssm: { pingStatus: 'ConnectionLost', lastPing: new Date('2026-11-23T09:00:00Z'), agentVersion: '3.2.0', isLatestVersion: false } },
          { ec2Id: 'i-b', role: 'CORE' },
          { ec2Id: 'i-c', role: 'TASK', state: 'BOOTSTRAPPING' },
        ],
      }),
    );

    const r = regionOf(await collect(fake));

    // Where each node is and which groups filter its traffic come with the same answer.
    const placed = (groups: string[]) => ({ subnetId: 'subnet-1', vpcId: 'vpc-1', securityGroupIds: groups });
    expect(r.ec2Instances).toEqual({
      'i-a': { instanceId: 'i-a', state: 'running', launchTime: '2026-11-23T10:00:00.000Z', httpTokens: 'optional', httpEndpoint: 'enabled', publicIpAddress: '3.3.3.3', ...placed(['sg-master']) },
      'i-b': { instanceId: 'i-b', state: 'running', launchTime: '2026-11-23T10:00:00.000Z', httpTokens: 'required', httpEndpoint: 'enabled', ...placed(['sg-slave']) },
      // Still pending in EC2: in the same answer, never asked for on its own.
      'i-c': { instanceId: 'i-c', state: 'pending', launchTime: '2026-11-23T10:00:00.000Z', httpTokens: 'required', httpEndpoint: 'enabled', ...placed(['sg-slave']) },
    });
    expect(r.ssmInstances).toEqual({ 'i-a': { instanceId: 'i-a', pingStatus: 'ConnectionLost', lastPingDateTime: '2026-11-23T09:00:00.000Z', agentVersion: '3.2.0', isLatestVersion: false } });
    expect(r.ssmQueried).toEqual(['i-a', 'i-b']);
    expect(cluster(r, 'j-1').instances?.map((i) => i.state)).toEqual(['RUNNING', 'RUNNING', 'PROVISIONING']);
  });

  it('asks ListInstances for non-terminated instances only', async () => {
    fake.addCluster(untaggedCluster('j-1', { instances: [{ role: 'MASTER' }, { role: 'CORE', state: 'TERMINATED' }] }));

    const r = regionOf(await collect(fake));

    expect(mocks.emr.commandCalls(ListInstancesCommand)[0]!.args[0].input.InstanceStates).toEqual(['AWAITING_FULFILLMENT', 'PROVISIONING', 'BOOTSTRAPPING', 'RUNNING']);
    expect(cluster(r, 'j-1').instances).toHaveLength(1);
  });

  it.each([
    ['unset ($None)', null, { enabled: false }],
    ['a role with its path', 'service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole', { enabled: true, roleName: 'AWSSystemsManagerDefaultEC2InstanceManagementRole' }],
    ['a role name', 'DhmcRole', { enabled: true, roleName: 'DhmcRole' }],
    ['ServiceSettingNotFound', 'NotFound', { enabled: false }],
  ])('Default Host Management: %s', async (_label, value, expected) => {
    fake.setDefaultHostManagement(value);

    const r = regionOf(await collect(fake));

    expect(r.defaultHostManagement).toEqual(expected);
    expect(r.errors).toEqual([]);
  });

  it('block public access: an explicit configuration is copied, only an explicit false turns it off', async () => {
    fake.setBlockPublicAccess({ BlockPublicSecurityGroupRules: false, PermittedPublicSecurityGroupRuleRanges: [{ MinRange: 22, MaxRange: 22 }, { MinRange: 8443, MaxRange: undefined }] });

    const r = regionOf(await collect(fake));

    expect(r.blockPublicAccess).toEqual({ blockPublicSecurityGroupRules: false, permittedPortRanges: [{ minRange: 22, maxRange: 22 }, { minRange: 8443 }], isDefault: false });
  });
});

describe('scope', () => {
  it('with a few clusterIds: describes them directly (no listing), keeps only the active ones, asks EC2 for their nodes only', async () => {
    fake
      .addCluster(defaultCluster('j-1'))
      .addCluster(defaultCluster('j-2'))
      .addCluster(defaultCluster('j-old', { state: 'TERMINATED' }));

    const snap = await collect(fake, { clusterIds: ['j-2', 'j-old', 'j-unknown'] });

    // DescribeCluster says what ListClusters would (status, tags), for one call per cluster.
    expect(mocks.emr.commandCalls(ListClustersCommand)).toHaveLength(0);
    expect(mocks.emr.commandCalls(DescribeClusterCommand).map((c) => c.args[0].input.ClusterId).sort()).toEqual(['j-2', 'j-old', 'j-unknown']);
    expect(regionOf(snap).clusters.map((c) => c.id)).toEqual(['j-2']);
    expect(regionOf(snap).errors).toEqual([]);
    expect(regionOf(snap).clusters[0]?.instances).toHaveLength(3);
    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters?.[0]).toEqual({ Name: 'tag:aws:elasticmapreduce:job-flow-id', Values: ['j-2', 'j-old', 'j-unknown'] });
    expect(snap.scope).toEqual({ clusterIds: ['j-2', 'j-old', 'j-unknown'] });
  });

  it('with many clusterIds: lists once and describes only the requested active clusters', async () => {
    const ids = Array.from({ length: 12 }, (_, n) => `j-${String(n).padStart(2, '0')}`);
    for (const id of ids) fake.addCluster(defaultCluster(id));
    fake.addCluster(defaultCluster('j-old', { state: 'TERMINATED' }));

    const snap = await collect(fake, { clusterIds: [...ids.slice(1), 'j-old', 'j-unknown'], settings: { ...defaultSettings(), rateMultiplier: 100 } });

    expect(mocks.emr.commandCalls(ListClustersCommand)).toHaveLength(1);
    expect(mocks.emr.commandCalls(ListClustersCommand)[0]!.args[0].input.ClusterStates).toEqual(['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING']);
    expect(mocks.emr.commandCalls(DescribeClusterCommand).map((c) => c.args[0].input.ClusterId).sort()).toEqual(ids.slice(1));
    expect(regionOf(snap).clusters.map((c) => c.id)).toEqual(ids.slice(1));
  });

  it('collects only what the selected checks read', async () => {
    fake.addCluster(defaultCluster('j-1', { securityConfiguration: 'sec' }));
    const logging = { permissions: ['elasticmapreduce:DescribeCluster'] };

    const snap = await collect(fake, { checks: [logging as never] });

    expect([...new Set(fake.calls.map((c) => c.api))].sort()).toEqual(['elasticmapreduce:DescribeCluster', 'elasticmapreduce:ListClusters', 'sts:GetCallerIdentity']);
    const r = regionOf(snap);
    expect(cluster(r, 'j-1').instances).toBeUndefined();
    expect(r.blockPublicAccess).toBeUndefined();
    expect(r.errors).toEqual([]);
  });

  it('a check that reads attached policies without an instance profile gets the service role only', async () => {
    fake.addCluster(defaultCluster('j-1'));
    const serviceRoleCheck = { permissions: ['iam:ListAttachedRolePolicies'] };

    const r = regionOf(await collect(fake, { checks: [serviceRoleCheck as never] }));

    expect(Object.keys(r.serviceRoles)).toEqual(['EMR_DefaultRole_V2']);
    expect(r.instanceProfiles).toEqual({});
    expect(mocks.iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(0);
  });

  it('derives the partition from the region', async () => {
    fake.withDefaults('cn-north-1');
    expect((await collect(fake, { regions: ['cn-north-1'] })).partition).toBe('aws-cn');
    expect((await collect(fake, { regions: ['us-gov-west-1'] })).partition).toBe('aws-us-gov');
    expect((await collect(fake)).partition).toBe('aws');
  });

  it('reports progress per region and phase, ending with done', async () => {
    fake.addCluster(defaultCluster('j-1'));
    const seen: CollectProgress[] = [];

    await collect(fake, { onProgress: (p) => seen.push(p) });

    const phases = seen.map((p) => p.phase);
    expect(seen.every((p) => p.region === REGION)).toBe(true);
    expect(phases[0]).toBe('clusters');
    expect(phases.at(-1)).toBe('done');
    expect(phases).toEqual(expect.arrayContaining(['describe', 'instances', 'security-groups', 'iam', 'ec2-instances', 'ssm']));
    expect(seen.find((p) => p.phase === 'describe')?.detail).toBe('1 active cluster(s)');
  });

  it('a throwing progress callback does not break the audit', async () => {
    fake.addCluster(defaultCluster('j-1'));

    const snap = await collect(fake, {
      onProgress: () => {
        throw new Error('terminal gone');
      },
    });

    expect(regionOf(snap).clusters).toHaveLength(1);
  });
});
