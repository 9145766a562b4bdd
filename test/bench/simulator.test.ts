/**
 * The benchmark's simulator speaks the real wire formats: the SDK's own deserializers parse its
 * answers, its throttling errors are classified and retried by the SDK, and the minimum / naive
 * call counts follow the account model.
 */
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeSecurityConfigurationCommand,
  GetBlockPublicAccessConfigurationCommand,
  ListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstanceGroupsCommand,
  ListInstancesCommand,
  ListReleaseLabelsCommand,
} from '@aws-sdk/client-emr';
import { GetInstanceProfileCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeInstanceInformationCommand, GetServiceSettingCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/clients.js';
import { systemClock } from '../../lib/clock.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import { loadSettings } from '../../lib/settings.js';
import { ACTIVE_STATES, SECRET_MARKERS, buildAccount } from '../../scripts/bench/account.js';
import { activeClusters, lowerBound, minimumCalls, naiveCalls, neededApis, nameFromRef } from '../../scripts/bench/expected.js';
import { API_SPECS, type ApiSpec } from '../../scripts/bench/limits.js';
import { Simulator } from '../../scripts/bench/simulator.js';
import { installTimeWarp } from '../../scripts/bench/timewarp.js';

const region = 'us-east-1';
const unlimited: ApiSpec[] = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));

function setup(n: number, options: { specs?: ApiSpec[]; maxAttempts?: number } = {}) {
  const account = buildAccount({ n, seed: 7 });
  const sim = new Simulator({ account, latencyScale: 0, specs: options.specs ?? unlimited, sharedBuckets: [] });
  const clients = sim.instrument(createAwsClients({ maxAttempts: options.maxAttempts ?? 3, homeRegion: region }));
  return { account, sim, clients, rc: clients.forRegion(region) };
}

describe('bench simulator: EMR over JSON 1.1', () => {
  it('lists only the requested states, 50 per page, and describes a cluster with its secrets on the wire', async () => {
    const { account, rc } = setup(60);
    const first = await rc.emr.send(new ListClustersCommand({ ClusterStates: ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] }));
    expect(first.Clusters).toHaveLength(50);
    expect(first.Marker).toBeDefined();
    const second = await rc.emr.send(new ListClustersCommand({ ClusterStates: ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'], Marker: first.Marker }));
    expect(second.Clusters).toHaveLength(10);
    expect(second.Marker).toBeUndefined();
    expect([...(first.Clusters ?? []), ...(second.Clusters ?? [])].every((c) => ACTIVE_STATES.includes(c.Status?.State as never))).toBe(true);

    const sim = activeClusters(account).find((c) => c.kerberosRealm) ?? activeClusters(account)[0];
    if (!sim) throw new Error('no active cluster');
    const described = await rc.emr.send(new DescribeClusterCommand({ ClusterId: sim.id }));
    expect(described.Cluster?.Id).toBe(sim.id);
    expect(described.Cluster?.Status?.Timeline?.CreationDateTime).toEqual(sim.createdAt);
    expect(described.Cluster?.Ec2InstanceAttributes?.EmrManagedMasterSecurityGroup).toBe(sim.masterSg);
    expect(described.Cluster?.Ec2InstanceAttributes?.IamInstanceProfile).toBe(sim.instanceProfileRef);
    // The simulator plants secrets exactly where AWS returns them: collectors must drop them.
    expect(JSON.stringify(described.Cluster?.Configurations)).toContain(SECRET_MARKERS[0]);
  });

  it('filters ListInstances by state and pages groups and fleets', async () => {
    const { account, rc } = setup(80);
    const cluster = activeClusters(account).find((c) => c.instances.some((i) => i.state === 'TERMINATED'));
    if (!cluster) throw new Error('no cluster with terminated instances');
    const live = await rc.emr.send(new ListInstancesCommand({ ClusterId: cluster.id, InstanceStates: ['AWAITING_FULFILLMENT', 'PROVISIONING', 'BOOTSTRAPPING', 'RUNNING'] }));
    expect(live.Instances?.length).toBe(cluster.instances.filter((i) => i.state !== 'TERMINATED').length);
    const all = await rc.emr.send(new ListInstancesCommand({ ClusterId: cluster.id }));
    expect(all.Instances).toHaveLength(Math.min(50, cluster.instances.length));
    const nodes = cluster.collection === 'INSTANCE_GROUP'
      ? (await rc.emr.send(new ListInstanceGroupsCommand({ ClusterId: cluster.id }))).InstanceGroups?.map((g) => g.InstanceGroupType)
      : (await rc.emr.send(new ListInstanceFleetsCommand({ ClusterId: cluster.id }))).InstanceFleets?.map((g) => g.InstanceFleetType);
    expect(nodes).toEqual(cluster.nodeGroups.map((g) => g.role));
  });

  it('answers the account-level and configuration calls', async () => {
    const { account, rc } = setup(10);
    const name = [...account.securityConfigurations.keys()][0] ?? '';
    const conf = await rc.emr.send(new DescribeSecurityConfigurationCommand({ Name: name }));
    expect(JSON.parse(conf.SecurityConfiguration ?? '{}')).toHaveProperty('EncryptionConfiguration');
    const bpa = await rc.emr.send(new GetBlockPublicAccessConfigurationCommand({}));
    expect(bpa.BlockPublicAccessConfiguration?.PermittedPublicSecurityGroupRuleRanges).toEqual([{ MinRange: 22, MaxRange: 22 }]);
    const labels = await rc.emr.send(new ListReleaseLabelsCommand({}));
    expect(labels.ReleaseLabels).toHaveLength(100);
    const rest = await rc.emr.send(new ListReleaseLabelsCommand({ NextToken: labels.NextToken }));
    expect((labels.ReleaseLabels ?? []).length + (rest.ReleaseLabels ?? []).length).toBe(account.releaseLabels.length);
  });
});

describe('bench simulator: EC2 over ec2Query XML', () => {
  it('describes security groups with every kind of rule source', async () => {
    const { account, rc } = setup(50);
    const ids = [...account.securityGroups.keys()];
    const out = await rc.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids }));
    expect(out.SecurityGroups?.map((g) => g.GroupId).sort()).toEqual([...ids].sort());
    const perms = out.SecurityGroups?.flatMap((g) => g.IpPermissions ?? []) ?? [];
    expect(perms.some((p) => (p.UserIdGroupPairs ?? []).length > 0)).toBe(true);
    expect(perms.some((p) => (p.PrefixListIds ?? []).length > 0)).toBe(true);
    expect(perms.some((p) => p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0'))).toBe(true);
  });

  it('fails the whole batch with InvalidGroup.NotFound when one id is unknown', async () => {
    const { account, rc } = setup(10);
    const known = [...account.securityGroups.keys()][0] ?? '';
    await expect(rc.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [known, 'sg-0000000000000dead'] }))).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
  });

  it('describes instances with their metadata options and role tag', async () => {
    const { account, rc } = setup(20);
    const ids = [...account.ec2Instances.keys()].slice(0, 30);
    const out = await rc.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const instances = out.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances.map((i) => i.InstanceId).sort()).toEqual([...ids].sort());
    const first = instances[0];
    expect(first?.MetadataOptions?.HttpTokens).toBe(account.ec2Instances.get(first?.InstanceId ?? '')?.httpTokens);
    expect(first?.Tags?.some((t) => t.Key === 'aws:elasticmapreduce:instance-group-role')).toBe(true);
    expect(first?.LaunchTime).toBeInstanceOf(Date);
  });
});

describe('bench simulator: IAM and STS over awsQuery XML', () => {
  it('walks profile → role → policies with URL-encoded documents', async () => {
    const { account, clients } = setup(40);
    const profile = [...account.instanceProfiles.values()][0];
    if (!profile) throw new Error('no profile');
    const p = await clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profile.name }));
    const roleName = p.InstanceProfile?.Roles?.[0]?.RoleName ?? '';
    expect(roleName).toBe(profile.roleNames[0]);
    const role = await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
    expect(role.Role?.Arn).toBe(account.roles.get(roleName)?.arn);
    const attached = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    expect(attached.AttachedPolicies?.map((a) => a.PolicyArn)).toEqual(account.roles.get(roleName)?.attachedArns);
    expect(attached.IsTruncated).toBe(false);
    const arn = attached.AttachedPolicies?.[0]?.PolicyArn ?? '';
    const policy = await clients.iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    const version = await clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }));
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? ''))).toHaveProperty('Statement');

    const withInline = [...account.roles.values()].find((r) => r.inline.length > 0);
    if (!withInline) throw new Error('no inline policy');
    const names = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: withInline.name }));
    expect(names.PolicyNames).toEqual(withInline.inline.map((i) => i.name));
    const inline = await clients.iam.send(new GetRolePolicyCommand({ RoleName: withInline.name, PolicyName: names.PolicyNames?.[0] }));
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument ?? ''))).toEqual(withInline.inline[0]?.document);
  });

  it('answers NoSuchEntity for an unknown role and the caller identity', async () => {
    const { account, clients } = setup(5);
    await expect(clients.iam.send(new GetRoleCommand({ RoleName: 'nope' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect((await clients.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(account.accountId);
  });
});

describe('bench simulator: SSM over JSON 1.1', () => {
  it('pages DescribeInstanceInformation by MaxResults (default 10) and reads the DHMC setting', async () => {
    const { account, rc } = setup(30);
    const ids = [...account.ssmInstances.keys()].slice(0, 50);
    const page = await rc.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ids }] }));
    expect(page.InstanceInformationList).toHaveLength(10);
    expect(page.NextToken).toBeDefined();
    const full = await rc.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ids }], MaxResults: 50 }));
    expect(full.InstanceInformationList).toHaveLength(ids.length);
    expect(full.NextToken).toBeUndefined();
    const setting = await rc.ssm.send(new GetServiceSettingCommand({ SettingId: '/ssm/managed-instance/default-ec2-instance-management-role' }));
    expect(setting.ServiceSetting?.SettingValue).toBe('$None');
  });
});

describe('bench simulator: throttling below the SDK retry layer', () => {
  it('throttles past the bucket with the service error, which the SDK retries to success', async () => {
    const specs = API_SPECS.map((s) => (s.operation === 'DescribeCluster' ? { ...s, burst: 1, rate: 1000 } : { ...s, burst: Infinity, rate: Infinity }));
    const { account, sim, rc } = setup(5, { specs, maxAttempts: 10 });
    const ids = activeClusters(account).map((c) => c.id);
    // The SDK's back-off (seconds) runs in dilated time, as in the benchmark.
    const warp = installTimeWarp(50);
    const out = await Promise.all(ids.map((id) => rc.emr.send(new DescribeClusterCommand({ ClusterId: id })))).finally(() => warp.restore());
    expect(out.map((o) => o.Cluster?.Id)).toEqual(ids);
    const stats = sim.apiStats().get('emr:DescribeCluster');
    expect(stats?.ok).toBe(ids.length);
    expect(stats?.throttled).toBeGreaterThan(0);
    const inv = sim.invocationSummary();
    expect(inv.failed).toEqual([]);
    expect(inv.throttlesRetried).toBe(stats?.throttled);
  });

  it('reports calls whose retries ran out as failed, with EC2 RequestLimitExceeded', async () => {
    const specs = API_SPECS.map((s) => (s.operation === 'DescribeSecurityGroups' ? { ...s, burst: 0, rate: 0.000001 } : s));
    const { account, sim, rc } = setup(3, { specs, maxAttempts: 2 });
    const id = [...account.securityGroups.keys()][0] ?? '';
    const warp = installTimeWarp(50);
    const call = rc.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] })).finally(() => warp.restore());
    await expect(call).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(sim.invocationSummary().failed).toEqual([{ api: 'ec2:DescribeSecurityGroups', code: 'Throttled', count: 1 }]);
    expect(sim.apiStats().get('ec2:DescribeSecurityGroups')?.throttled).toBe(2);
  });
});

describe('bench expected calls', () => {
  const account = buildAccount({ n: 200, seed: 3 });
  const all = neededApis([{ permissions: API_SPECS.filter((s) => s.operation !== 'ListAttachedRolePolicies').map((s) => s.action) }, { permissions: ['iam:ListAttachedRolePolicies'] }]);

  it('derives the minimum from the model: pages, distinct lookups, full batches', () => {
    const m = minimumCalls(account, all);
    const active = activeClusters(account);
    expect(m.get('emr:ListClusters')).toBe(Math.ceil(active.length / 50));
    expect(m.get('emr:DescribeCluster')).toBe(active.length);
    // Every simulated node carries EMR's system tags: no per-cluster EMR listing in the minimum.
    expect(m.get('emr:ListInstances')).toBeUndefined();
    expect((m.get('emr:ListInstanceGroups') ?? 0) + (m.get('emr:ListInstanceFleets') ?? 0)).toBe(0);
    expect(m.get('iam:GetInstanceProfile')).toBe(new Set(active.map((c) => nameFromRef(c.instanceProfileRef))).size);
    const running = active.flatMap((c) => c.instances.filter((i) => i.state === 'RUNNING' && i.ec2Id));
    expect(m.get('ssm:DescribeInstanceInformation')).toBe(Math.ceil(running.length / 50));
    expect(m.get('ec2:DescribeSecurityGroups')).toBe(Math.ceil(new Set(active.flatMap((c) => [c.masterSg, c.slaveSg, c.serviceAccessSg, ...c.additionalMasterSgs, ...c.additionalSlaveSgs].filter(Boolean))).size / 200));
    // One DescribeInstances by tag for the region's live nodes, 1,000 per page.
    expect(m.get('ec2:DescribeInstances')).toBe(Math.max(1, Math.ceil(account.ec2Instances.size / 1000)));
    expect(m.get('sts:GetCallerIdentity')).toBe(1);
    expect(m.get('tag:GetResources')).toBeUndefined();
  });

  it('a warm run: DescribeCluster and DescribeSecurityConfiguration only for what the state does not know, tags from GetResources', () => {
    const active = activeClusters(account);
    const known = { clusters: new Set(active.slice(1).map((c) => c.id)), securityConfigurations: new Set(active.flatMap((c) => c.securityConfiguration ?? [])) };
    const m = minimumCalls(account, all, { known });
    expect(m.get('emr:DescribeCluster')).toBe(1);
    expect(m.get('emr:DescribeSecurityConfiguration')).toBeUndefined();
    expect(m.get('tag:GetResources')).toBe(Math.max(1, Math.ceil(account.clusters.filter((c) => Object.keys(c.tags).length > 0).length / 100)));
  });

  it('drops what no selected check needs, keeping ListClusters and DescribeCluster', () => {
    const m = minimumCalls(account, neededApis([{ permissions: ['elasticmapreduce:DescribeCluster'] }]));
    expect([...m.keys()].sort()).toEqual(['emr:DescribeCluster', 'emr:ListClusters', 'sts:GetCallerIdentity']);
    // DescribeInstances is asked about the EC2 ids ListInstances gives: it pulls ListInstances in.
    expect([...neededApis([{ permissions: ['ec2:DescribeInstances'] }])].sort()).toEqual(
      ['ec2:DescribeInstances', 'emr:DescribeCluster', 'emr:ListClusters', 'emr:ListInstanceFleets', 'emr:ListInstanceGroups', 'emr:ListInstances'].sort(),
    );
    // Instance-profile checks declare ListAttachedRolePolicies too: that alone is not about service roles.
    const profileOnly = minimumCalls(account, neededApis([{ permissions: ['iam:GetInstanceProfile', 'iam:ListAttachedRolePolicies'] }]));
    expect(profileOnly.get('iam:ListAttachedRolePolicies')).toBe(profileOnly.get('iam:GetRole'));
  });

  it('counts the naive auditor far above the minimum', () => {
    const naive = naiveCalls(account);
    const m = minimumCalls(account, all);
    expect(naive.get('emr:DescribeCluster')).toBe(account.clusters.length);
    const sum = (c: Map<string, number>): number => [...c.values()].reduce((a, b) => a + b, 0);
    expect(sum(m) / sum(naive)).toBeLessThan(0.5);
  });

  it('bounds the wall time by the slowest bucket: DescribeCluster refills at 1/s', () => {
    const m = minimumCalls(account, all);
    const bound = lowerBound(account, m);
    const dc = m.get('emr:DescribeCluster') ?? 0;
    expect(bound.binding.name).toBe('emr:DescribeCluster');
    expect(bound.seconds).toBeGreaterThan((dc - 10) / 1);
    expect(bound.seconds).toBeLessThan((dc - 10) / 1 + 2);
  });
});

describe('the path from the internet in the simulated account', () => {
  const account = buildAccount({ n: 12, seed: 11 });
  const path = { permissions: ['elasticmapreduce:DescribeCluster', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'] };
  const unlimited: ApiSpec[] = API_SPECS.map((s) => ({ ...s, burst: Infinity, rate: Infinity }));

  it('the collection makes exactly the minimum: one call per API for the public nodes’ subnets and VPCs, and reads every path', async () => {
    const active = new Set(activeClusters(account).map((c) => c.id));
    const publicNodes = [...account.ec2Instances.values()].filter((i) => active.has(i.clusterId) && i.state === 'running' && i.publicIp !== undefined);
    expect(publicNodes.length).toBeGreaterThan(0);
    const minimum = minimumCalls(account, neededApis([path]));
    expect(['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'].map((k) => minimum.get(k))).toEqual([1, 1, 1]);

    const sim = new Simulator({ account, latencyScale: 0, specs: unlimited, sharedBuckets: [] });
    // Pacing is tested elsewhere: here the client-side buckets must not slow the run down.
    const settings = { ...loadSettings({}), rateMultiplier: 100 };
    const clients = sim.instrument(createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion: account.region }));
    const snap = await collectSnapshot({ regions: [account.region], settings, clients, checks: [{ ...path, id: 'x/path' } as never], clock: systemClock });
    const region = snap.regions[0]!;

    expect(region.errors).toEqual([]);
    for (const k of ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls']) expect(sim.apiStats().get(k)?.ok, k).toBe(minimum.get(k));
    expect(Object.keys(region.vpc!.subnets).sort()).toEqual([...new Set(publicNodes.map((i) => i.subnetId))].sort());
    for (const i of publicNodes) {
      const subnet = region.vpc!.subnets[i.subnetId]!;
      const tables = Object.values(region.vpc!.routeTables).filter((t) => t.vpcId === subnet.vpcId);
      const table = tables.find((t) => t.subnetIds.includes(subnet.subnetId)) ?? tables.find((t) => t.main);
      expect(table?.routes.find((r) => r.destination.type === 'cidr' && r.destination.cidr === '0.0.0.0/0')?.target, i.id).toMatch(/^igw-/);
      expect(Object.values(region.vpc!.networkAcls).find((a) => a.subnetIds.includes(subnet.subnetId))?.isDefault, i.id).toBe(true);
    }
  });
});
