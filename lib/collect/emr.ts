/**
 * EMR reads: active clusters, their description (only the schema's fields: of Configurations only
 * the names of literal credentials, never a value; never a Kerberos password), instances with their node role, security configurations, block
 * public access and release labels.
 */
import {
  DescribeClusterCommand,
  DescribeSecurityConfigurationCommand,
  GetBlockPublicAccessConfigurationCommand,
  ListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstanceGroupsCommand,
  ListInstancesCommand,
  ListReleaseLabelsCommand,
  type Cluster as EmrCluster,
  type ClusterSummary,
  type Instance as EmrInstance,
} from '@aws-sdk/client-emr';
import type { BlockPublicAccess, Cluster, ClusterInstance, InstanceRole, SecurityConfiguration } from '../snapshot.js';
import { allPages, type CallFailure, type Fetched } from './calls.js';
import { iso, regionCall, str, type RegionContext } from './context.js';
import { parseSecurityConfiguration } from './security-configuration.js';
import { credentialProperties } from '../configuration-credentials.js';

/** Terminated clusters are never described: they are out of scope and would only cost calls. */
export const ACTIVE_CLUSTER_STATES = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] as const;

/** TERMINATED instances are skipped: long-running autoscaled clusters accumulate thousands. */
export const LISTED_INSTANCE_STATES = ['AWAITING_FULFILLMENT', 'PROVISIONING', 'BOOTSTRAPPING', 'RUNNING'] as const;

export async function listActiveClusters(ctx: RegionContext): Promise<Fetched<ClusterSummary[]>> {
  const api = 'elasticmapreduce:ListClusters';
  return ctx.calls.attempt(api, () =>
    allPages(async (Marker) => {
      const out = await regionCall(ctx, api, (abortSignal) =>
        ctx.clients.emr.send(new ListClustersCommand({ ClusterStates: [...ACTIVE_CLUSTER_STATES], Marker }), { abortSignal }),
      );
      // The state filter is applied again here: a terminated cluster must never be described, even
      // if an endpoint (an emulator, a proxy) ignores ClusterStates.
      const items = (out.Clusters ?? []).filter((c) => !c.Status?.State || isActiveState(c.Status.State));
      return { items, next: out.Marker };
    }),
  );
}

function isActiveState(state: string): boolean {
  return (ACTIVE_CLUSTER_STATES as readonly string[]).includes(state);
}

/** What ListClusters told about a cluster: all we know when DescribeCluster fails. */
export function undescribedCluster(summary: ClusterSummary & { Id: string }): Cluster {
  return {
    id: summary.Id,
    name: summary.Name ?? summary.Id,
    ...(summary.ClusterArn ? { arn: summary.ClusterArn } : {}),
    state: summary.Status?.State ?? 'UNKNOWN',
    described: false,
    tags: {},
  };
}

export async function describeCluster(ctx: RegionContext, summary: ClusterSummary & { Id: string }): Promise<{ cluster: Cluster; failure?: CallFailure }> {
  const api = 'elasticmapreduce:DescribeCluster';
  const got = await ctx.calls.attempt(api, () =>
    regionCall(ctx, api, (abortSignal) => ctx.clients.emr.send(new DescribeClusterCommand({ ClusterId: summary.Id }), { abortSignal })),
  );
  if (!got.ok) return { cluster: undescribedCluster(summary), failure: got.failures[0]! };
  if (!got.value.Cluster) {
    return { cluster: undescribedCluster(summary), failure: { api, code: 'EmptyResponse', message: 'DescribeCluster returned no cluster.' } };
  }
  return { cluster: toCluster(got.value.Cluster, summary) };
}

/**
 * The snapshot's view of a described cluster, copied field by field. Of `Configurations` only the
 * (classification, property) names of literal credentials are kept; the Kerberos passwords
 * (KdcAdminPassword, CrossRealmTrustPrincipalPassword, ADDomainJoinPassword) are not read.
 */
export function toCluster(c: EmrCluster, summary: ClusterSummary & { Id: string }): Cluster {
  const ec2 = c.Ec2InstanceAttributes;
  const collection = c.InstanceCollectionType === 'INSTANCE_GROUP' || c.InstanceCollectionType === 'INSTANCE_FLEET' ? c.InstanceCollectionType : undefined;
  const cluster: Cluster = {
    id: c.Id ?? summary.Id,
    name: c.Name ?? summary.Name ?? summary.Id,
    state: c.Status?.State ?? summary.Status?.State ?? 'UNKNOWN',
    described: true,
    tags: tagRecord(c.Tags),
  };
  const arn = str(c.ClusterArn) ?? str(summary.ClusterArn);
  if (arn) cluster.arn = arn;
  setIf(cluster, 'releaseLabel', str(c.ReleaseLabel));
  setIf(cluster, 'logUri', str(c.LogUri));
  setIf(cluster, 'securityConfiguration', str(c.SecurityConfiguration));
  setIf(cluster, 'serviceRole', str(c.ServiceRole));
  setIf(cluster, 'instanceCollectionType', collection);
  setIf(cluster, 'createdAt', iso(c.Status?.Timeline?.CreationDateTime));
  setIf(cluster, 'readyAt', iso(c.Status?.Timeline?.ReadyDateTime));
  setIf(cluster, 'masterPublicDnsName', str(c.MasterPublicDnsName));
  if (ec2) {
    const attrs: NonNullable<Cluster['ec2']> = {
      additionalMasterSecurityGroups: (ec2.AdditionalMasterSecurityGroups ?? []).filter(Boolean),
      additionalSlaveSecurityGroups: (ec2.AdditionalSlaveSecurityGroups ?? []).filter(Boolean),
    };
    setIf(attrs, 'instanceProfile', str(ec2.IamInstanceProfile));
    setIf(attrs, 'subnetId', str(ec2.Ec2SubnetId));
    setIf(attrs, 'emrManagedMasterSecurityGroup', str(ec2.EmrManagedMasterSecurityGroup));
    setIf(attrs, 'emrManagedSlaveSecurityGroup', str(ec2.EmrManagedSlaveSecurityGroup));
    setIf(attrs, 'serviceAccessSecurityGroup', str(ec2.ServiceAccessSecurityGroup));
    cluster.ec2 = attrs;
  }
  // Only a Realm means Kerberos: DescribeCluster returns `KerberosAttributes: {}` for clusters
  // without it. The passwords beside the realm are never read.
  const realm = str(c.KerberosAttributes?.Realm);
  if (realm) cluster.kerberos = { realm };
  // Always set (possibly empty) on a described cluster: absent means "not collected" (an older
  // snapshot or state entry), which the checks that read them answer with ERROR.
  cluster.applications = (c.Applications ?? []).map((a) => str(a.Name)).filter((n): n is string => n !== undefined);
  // Reduced to names here, at read time: no value of Configurations goes further than this line.
  cluster.configurationCredentials = credentialProperties(c.Configurations);
  return cluster;
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function tagRecord(tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key) out[t.Key] = t.Value ?? '';
  return out;
}

// ---------------------------------------------------------------- instances

export async function listInstances(ctx: RegionContext, clusterId: string): Promise<Fetched<EmrInstance[]>> {
  const api = 'elasticmapreduce:ListInstances';
  return ctx.calls.attempt(api, () =>
    allPages(async (Marker) => {
      const out = await regionCall(ctx, api, (abortSignal) =>
        ctx.clients.emr.send(new ListInstancesCommand({ ClusterId: clusterId, InstanceStates: [...LISTED_INSTANCE_STATES], Marker }), { abortSignal }),
      );
      return { items: out.Instances ?? [], next: out.Marker };
    }),
  );
}

function nodeRole(type: string | undefined): InstanceRole | undefined {
  return type === 'MASTER' || type === 'CORE' || type === 'TASK' ? type : undefined;
}

/**
 * Node role per instance group or fleet id. The cluster's collection type says which API to ask;
 * when DescribeCluster did not say, the instances do (fleet ids or group ids).
 */
export async function listNodeRoles(ctx: RegionContext, cluster: Cluster, instances: readonly EmrInstance[]): Promise<Fetched<Map<string, InstanceRole>>> {
  const fleets = cluster.instanceCollectionType ? cluster.instanceCollectionType === 'INSTANCE_FLEET' : instances.some((i) => i.InstanceFleetId);
  if (fleets) {
    const api = 'elasticmapreduce:ListInstanceFleets';
    return ctx.calls.attempt(api, async () => {
      const list = await allPages(async (Marker) => {
        const out = await regionCall(ctx, api, (abortSignal) =>
          ctx.clients.emr.send(new ListInstanceFleetsCommand({ ClusterId: cluster.id, Marker }), { abortSignal }),
        );
        return { items: out.InstanceFleets ?? [], next: out.Marker };
      });
      return roleMap(list.map((f) => [f.Id, f.InstanceFleetType]));
    });
  }
  const api = 'elasticmapreduce:ListInstanceGroups';
  return ctx.calls.attempt(api, async () => {
    const list = await allPages(async (Marker) => {
      const out = await regionCall(ctx, api, (abortSignal) =>
        ctx.clients.emr.send(new ListInstanceGroupsCommand({ ClusterId: cluster.id, Marker }), { abortSignal }),
      );
      return { items: out.InstanceGroups ?? [], next: out.Marker };
    });
    return roleMap(list.map((g) => [g.Id, g.InstanceGroupType]));
  });
}

function roleMap(entries: Array<[string | undefined, string | undefined]>): Map<string, InstanceRole> {
  const map = new Map<string, InstanceRole>();
  for (const [id, type] of entries) {
    const role = nodeRole(type);
    if (id && role) map.set(id, role);
  }
  return map;
}

export function toClusterInstance(i: EmrInstance & { Id: string }, roles: ReadonlyMap<string, InstanceRole> | undefined): ClusterInstance {
  const out: ClusterInstance = { id: i.Id, state: i.Status?.State ?? 'UNKNOWN' };
  const groupId = str(i.InstanceGroupId);
  const fleetId = str(i.InstanceFleetId);
  const role = roles?.get(groupId ?? fleetId ?? '');
  setIf(out, 'ec2InstanceId', str(i.Ec2InstanceId));
  setIf(out, 'role', role);
  setIf(out, 'instanceGroupId', groupId);
  setIf(out, 'instanceFleetId', fleetId);
  setIf(out, 'instanceType', str(i.InstanceType));
  setIf(out, 'market', str(i.Market));
  setIf(out, 'publicIpAddress', str(i.PublicIpAddress));
  setIf(out, 'privateIpAddress', str(i.PrivateIpAddress));
  setIf(out, 'createdAt', iso(i.Status?.Timeline?.CreationDateTime));
  setIf(out, 'readyAt', iso(i.Status?.Timeline?.ReadyDateTime));
  return out;
}

/** Maps an EC2 tag value of `aws:elasticmapreduce:instance-group-role` to a node role. */
export function roleFromTag(value: string | undefined): InstanceRole | undefined {
  return nodeRole(value?.toUpperCase());
}

// ---------------------------------------------------------------- account settings

export async function describeSecurityConfiguration(ctx: RegionContext, name: string): Promise<Fetched<SecurityConfiguration>> {
  const api = 'elasticmapreduce:DescribeSecurityConfiguration';
  const got = await ctx.calls.attempt(api, () =>
    regionCall(ctx, api, (abortSignal) => ctx.clients.emr.send(new DescribeSecurityConfigurationCommand({ Name: name }), { abortSignal })),
  );
  if (!got.ok) return got;
  const parsed = parseSecurityConfiguration(name, got.value.SecurityConfiguration);
  if (!parsed.ok) return { ok: false, failures: [{ api, code: 'InvalidSecurityConfiguration', message: parsed.reason }] };
  return { ok: true, value: parsed.config };
}

/** What AWS applies when the account never configured block public access: on, port 22 allowed. */
export const DEFAULT_BLOCK_PUBLIC_ACCESS: BlockPublicAccess = {
  blockPublicSecurityGroupRules: true,
  permittedPortRanges: [{ minRange: 22, maxRange: 22 }],
  isDefault: true,
};

export async function blockPublicAccess(ctx: RegionContext): Promise<Fetched<BlockPublicAccess>> {
  const api = 'elasticmapreduce:GetBlockPublicAccessConfiguration';
  const got = await ctx.calls.attempt(api, () =>
    regionCall(ctx, api, (abortSignal) => ctx.clients.emr.send(new GetBlockPublicAccessConfigurationCommand({}), { abortSignal })),
  );
  if (!got.ok) return got;
  const cfg = got.value.BlockPublicAccessConfiguration;
  if (!cfg || (cfg.BlockPublicSecurityGroupRules === undefined && cfg.PermittedPublicSecurityGroupRuleRanges === undefined)) {
    return { ok: true, value: structuredClone(DEFAULT_BLOCK_PUBLIC_ACCESS) };
  }
  // Every range is kept, even one without MinRange: dropped, it would read as "no exception" (a
  // PASS); kept, the check answers ERROR.
  const ranges: BlockPublicAccess['permittedPortRanges'] = [];
  for (const r of cfg.PermittedPublicSecurityGroupRuleRanges ?? []) {
    const range: BlockPublicAccess['permittedPortRanges'][number] = {};
    if (typeof r.MinRange === 'number') range.minRange = r.MinRange;
    if (typeof r.MaxRange === 'number') range.maxRange = r.MaxRange;
    ranges.push(range);
  }
  return {
    ok: true,
    // Only an explicit false turns the block off.
    value: { blockPublicSecurityGroupRules: cfg.BlockPublicSecurityGroupRules !== false, permittedPortRanges: ranges, isDefault: false },
  };
}

export async function releaseLabels(ctx: RegionContext): Promise<Fetched<string[]>> {
  const api = 'elasticmapreduce:ListReleaseLabels';
  return ctx.calls.attempt(api, () =>
    allPages(async (NextToken) => {
      const out = await regionCall(ctx, api, (abortSignal) => ctx.clients.emr.send(new ListReleaseLabelsCommand({ NextToken }), { abortSignal }));
      return { items: out.ReleaseLabels ?? [], next: out.NextToken };
    }),
  );
}
