/**
 * The benchmark's simulator speaks the real wire formats: the SDK's own deserializers parse its
 * answers, its throttling errors are classified and retried by the SDK, and the minimum / naive
 * call counts follow the account model.
 */
import { DescribeInstancesCommand, DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type RouteTable } from '@aws-sdk/client-ec2';
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
import { ACTIVE_STATES, SECRET_MARKERS, buildAccount } from '../../scripts/bench/account.js';
import { activeClusters, lowerBound, minimumCalls, naiveCalls, neededApis, nameFromRef, publicNodeNetwork, vpcMinimum } from '../../scripts/bench/expected.js';
import { CallRunner } from '../../lib/collect/calls.js';
import { collectVpcData } from '../../lib/collect/vpc.js';
import { systemClock } from '../../lib/clock.js';
import { CHECKS } from '../../checks/index.js';
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

describe('bench simulator: the VPC network (issue 13)', () => {
  // One subnet and VPC of a node with a public address, to ask about.
  const publicNode = (account: ReturnType<typeof buildAccount>) => [...account.ec2Instances.values()].find((i) => i.state === 'running' && i.publicIp)!;

  it('models a few dozen shared VPCs at 1,000 clusters: public and private subnets, main and explicit tables, igw/nat routes, default and custom ACLs', () => {
    const account = buildAccount({ n: 1000, seed: 7 });
    const net = account.network;
    expect(net.vpcs.size).toBe(33);
    const subnets = [...net.subnets.values()];
    expect(subnets.some((s) => s.public) && subnets.some((s) => !s.public)).toBe(true);
    // Clusters share subnets; each node is where its cluster is, with its cluster's groups.
    const used = new Set(activeClusters(account).map((c) => c.subnetId));
    expect(used.size).toBeLessThan(activeClusters(account).length / 3);
    for (const c of activeClusters(account)) {
      expect(net.subnets.get(c.subnetId)?.vpcId).toBe(c.vpcId);
      expect(account.securityGroups.get(c.masterSg)?.vpcId).toBe(c.vpcId);
    }
    const tables = [...net.routeTables.values()];
    for (const vpc of net.vpcs.values()) expect(tables.filter((t) => t.vpcId === vpc.id && t.main)).toHaveLength(1);
    expect(tables.some((t) => t.routes.some((r) => r.target.startsWith('igw-')))).toBe(true);
    expect(tables.some((t) => t.routes.some((r) => r.target.startsWith('nat-')))).toBe(true);
    expect(tables.some((t) => t.routes.some((r) => r.state === 'blackhole'))).toBe(true);
    const acls = [...net.networkAcls.values()];
    for (const vpc of net.vpcs.values()) expect(acls.filter((a) => a.vpcId === vpc.id && a.isDefault)).toHaveLength(1);
    expect(acls.filter((a) => !a.isDefault).length).toBeGreaterThan(3);
    // Every subnet in exactly one ACL.
    for (const s of subnets) expect(acls.filter((a) => a.subnetIds.includes(s.id))).toHaveLength(1);
    // Public master IPs in public subnets, a few Elastic IPs in private ones, some global IPv6.
    const nodes = [...account.ec2Instances.values()];
    expect(nodes.some((i) => i.publicIp && net.subnets.get(i.subnetId)?.public)).toBe(true);
    expect(nodes.some((i) => i.publicIp && i.role === 'MASTER' && !net.subnets.get(i.subnetId)?.public)).toBe(true);
    expect(nodes.some((i) => (i.ipv6 ?? []).length > 0)).toBe(true);
  });

  it('DescribeInstances: SubnetId, VpcId, SecurityGroups and NetworkInterfaces[].Groups, public address and IPv6 as EC2 gives them', async () => {
    const { account, rc } = setup(200);
    const dual = [...account.ec2Instances.values()].find((i) => (i.ipv6 ?? []).length > 0) ?? publicNode(account);
    const out = await rc.ec2.send(new DescribeInstancesCommand({ InstanceIds: [dual.id] }));
    const i = out.Reservations?.[0]?.Instances?.[0];
    expect(i?.SubnetId).toBe(dual.subnetId);
    expect(i?.VpcId).toBe(dual.vpcId);
    expect(i?.SecurityGroups?.map((g) => g.GroupId)).toEqual(dual.securityGroupIds);
    expect(i?.NetworkInterfaces?.[0]?.Groups?.map((g) => g.GroupId)).toEqual(dual.securityGroupIds);
    expect(i?.NetworkInterfaces?.[0]?.SubnetId).toBe(dual.subnetId);
    expect(i?.NetworkInterfaces?.[0]?.Ipv6Addresses?.map((a) => a.Ipv6Address)).toEqual(dual.ipv6 ?? []);
    if (dual.publicIp) expect(i?.NetworkInterfaces?.[0]?.Association?.PublicIp).toBe(dual.publicIp);
  });

  it('DescribeSubnets: subnet-id filter, MaxResults 5–1000 with NextToken to the end, unknown ids in the filter match nothing', async () => {
    const { account, rc } = setup(1000);
    const node = publicNode(account);
    const one = await rc.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [node.subnetId, 'subnet-00000000000000000'] }], MaxResults: 1000 }));
    expect(one.Subnets?.map((s) => [s.SubnetId, s.VpcId])).toEqual([[node.subnetId, node.vpcId]]);
    const s = one.Subnets?.[0];
    const model = account.network.subnets.get(node.subnetId)!;
    expect(s?.CidrBlock).toBe(model.cidr);
    expect(s?.AvailabilityZone).toBe(model.availabilityZone);
    expect(s?.MapPublicIpOnLaunch).toBe(model.public);
    expect(one.NextToken).toBeUndefined();
    const ids = [...account.network.subnets.keys()].slice(0, 12);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await rc.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: ids }], MaxResults: 5, NextToken: token }));
      seen.push(...(p.Subnets ?? []).map((x) => x.SubnetId ?? ''));
      token = p.NextToken;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
    await expect(rc.ec2.send(new DescribeSubnetsCommand({ MaxResults: 4 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(rc.ec2.send(new DescribeSubnetsCommand({ MaxResults: 1001 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(rc.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: Array.from({ length: 201 }, (_, k) => `subnet-${k}`) }] }))).rejects.toMatchObject({ name: 'FilterLimitExceeded' });
    await expect(rc.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-00000000000000000'] }))).rejects.toMatchObject({ name: 'InvalidSubnetID.NotFound' });
  });

  it('DescribeRouteTables and DescribeNetworkAcls: vpc-id filter, MaxResults 5–100, routes, associations and entries as EC2 gives them', async () => {
    const { account, rc } = setup(1000);
    const vpcIds = [...account.network.vpcs.keys()];
    const tables: RouteTable[] = [];
    let token: string | undefined;
    do {
      const p = await rc.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }], MaxResults: 5, NextToken: token }));
      expect((p.RouteTables ?? []).length).toBeLessThanOrEqual(5);
      tables.push(...(p.RouteTables ?? []));
      token = p.NextToken;
    } while (token);
    expect(tables).toHaveLength(account.network.routeTables.size);
    const main = tables.find((t) => t.Associations?.some((a) => a.Main));
    expect(main?.Associations?.[0]?.AssociationState?.State).toBe('associated');
    const pub = tables.find((t) => t.Routes?.some((r) => r.GatewayId?.startsWith('igw-') && r.DestinationCidrBlock === '0.0.0.0/0') && t.Associations?.some((a) => a.SubnetId));
    expect(pub?.Routes?.[0]).toMatchObject({ GatewayId: 'local', State: 'active' });
    expect(tables.some((t) => t.Routes?.some((r) => r.NatGatewayId?.startsWith('nat-')))).toBe(true);
    expect(tables.some((t) => t.Routes?.some((r) => r.DestinationPrefixListId && r.GatewayId?.startsWith('vpce-')))).toBe(true);
    await expect(rc.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 101 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });

    const vpc = vpcIds[0]!;
    const acls = await rc.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }], MaxResults: 100 }));
    expect(acls.NetworkAcls?.every((a) => a.VpcId === vpc)).toBe(true);
    const def = acls.NetworkAcls?.find((a) => a.IsDefault);
    expect(def?.Entries?.find((e) => e.RuleNumber === 32767 && !e.Egress)).toMatchObject({ RuleAction: 'deny', CidrBlock: '0.0.0.0/0', Protocol: '-1' });
    const custom = [...account.network.networkAcls.values()].find((a) => !a.isDefault && a.entries.some((e) => e.from !== undefined))!;
    const got = await rc.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [custom.vpcId] }] }));
    const entry = got.NetworkAcls?.find((a) => a.NetworkAclId === custom.id)?.Entries?.find((e) => e.PortRange);
    expect(entry?.PortRange?.From).toBeTypeOf('number');
    expect(got.NetworkAcls?.find((a) => a.NetworkAclId === custom.id)?.Associations?.map((a) => a.SubnetId)).toEqual(custom.subnetIds);
    await expect(rc.ec2.send(new DescribeNetworkAclsCommand({ MaxResults: 4 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('collectVpcData pages to the end against the simulator, with exactly the minimum calls', async () => {
    const account = buildAccount({ n: 2000, seed: 7 });
    // More route tables and ACLs than one page of 100 across the VPCs: the by-VPC describes must page.
    expect(account.network.routeTables.size).toBeGreaterThan(100);
    expect(account.network.networkAcls.size).toBeGreaterThan(100);
    const sim = new Simulator({ account, latencyScale: 0, specs: unlimited, sharedBuckets: [] });
    const clients = sim.instrument(createAwsClients({ maxAttempts: 3, homeRegion: region }));
    const calls = new CallRunner({ concurrency: 4, clock: systemClock });
    const subnetIds = [...account.network.subnets.keys()];
    const vpcIds = [...account.network.vpcs.keys()];
    const got = await collectVpcData({ region, clients: clients.forRegion(region), calls }, subnetIds, vpcIds);
    calls.close();
    expect(got.failures).toEqual([]);
    expect(Object.keys(got.data.subnets).sort()).toEqual([...subnetIds].sort());
    expect(Object.keys(got.data.routeTables)).toHaveLength(account.network.routeTables.size);
    expect(Object.keys(got.data.networkAcls)).toHaveLength(account.network.networkAcls.size);
    const main = Object.values(got.data.routeTables).filter((t) => t.main);
    expect(main).toHaveLength(vpcIds.length);
    const stats = sim.apiStats();
    const pages = (items: number): number => Math.max(1, Math.ceil(items / 100));
    expect(stats.get('ec2:DescribeSubnets')?.ok).toBe(Math.ceil(subnetIds.length / 200));
    expect(stats.get('ec2:DescribeRouteTables')?.ok).toBe(pages(account.network.routeTables.size));
    expect(stats.get('ec2:DescribeNetworkAcls')?.ok).toBe(pages(account.network.networkAcls.size));
  });

  it('the minimum: the subnets and VPCs of running nodes with a public address, by 200, paged by 100', () => {
    const account = buildAccount({ n: 1000, seed: 7 });
    const { subnetIds, vpcIds } = publicNodeNetwork(account);
    expect(subnetIds.length).toBeGreaterThan(0);
    const m = vpcMinimum(account);
    expect(m.get('ec2:DescribeSubnets')).toBe(Math.ceil(subnetIds.length / 200));
    const inVpcs = (items: Iterable<{ vpcId: string }>): number => [...items].filter((t) => vpcIds.includes(t.vpcId)).length;
    expect(m.get('ec2:DescribeRouteTables')).toBe(Math.max(1, Math.ceil(inVpcs(account.network.routeTables.values()) / 100)));
    expect(m.get('ec2:DescribeNetworkAcls')).toBe(Math.max(1, Math.ceil(inVpcs(account.network.networkAcls.values()) / 100)));
    expect(minimumCalls(account, neededApis(CHECKS)).get('ec2:DescribeSubnets')).toBe(m.get('ec2:DescribeSubnets'));
  });
});
