/**
 * EC2 reads, batched: security groups and instances of a whole region in as few calls as the id
 * lists allow. Both use the id *filter* rather than the id parameter: with `GroupIds`/`InstanceIds`
 * one missing id fails the whole batch (InvalidGroup.NotFound / InvalidInstanceID.NotFound), while
 * a filter returns what exists, and every id asked for but not returned is recorded as NotFound on
 * its own.
 */
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  type Instance as Ec2SdkInstance,
  type IpPermission,
  type SecurityGroup as Ec2SdkSecurityGroup,
} from '@aws-sdk/client-ec2';
import type { Ec2Instance, IngressRule, SecurityGroup } from '../snapshot.js';
import { allPages, chunk, type CallFailure } from './calls.js';
import { iso, regionCall, str, type RegionContext } from './context.js';

/**
 * Ids per call. EC2 advises at most 1,000 ids per describe call (EC2 developer guide, "Pagination in
 * the Amazon EC2 API"); 200 filter values is a conservative batch that keeps requests small.
 */
export const EC2_FILTER_BATCH = 200;
/** Largest page EC2 returns for a filtered describe. */
const EC2_PAGE_SIZE = 1000;

export const EMR_ROLE_TAG = 'aws:elasticmapreduce:instance-group-role';

export interface BatchResult<T> {
  found: T[];
  /** Ids that could not be described, with the reason. */
  failed: Array<{ id: string; failure: CallFailure }>;
}

function notFound(api: string, what: string, id: string): { id: string; failure: CallFailure } {
  return { id, failure: { api, code: 'NotFound', message: `${what} ${id} does not exist or is not visible to this account.` } };
}

async function describeBatches<T>(
  ids: readonly string[],
  api: string,
  what: string,
  describe: (batch: string[]) => Promise<T[]>,
  idOf: (item: T) => string,
  ctx: RegionContext,
): Promise<BatchResult<T>> {
  const unique = [...new Set(ids)];
  const results = await Promise.all(
    chunk(unique, EC2_FILTER_BATCH).map(async (batch) => ({ batch, got: await ctx.calls.attempt(api, () => describe(batch)) })),
  );
  const out: BatchResult<T> = { found: [], failed: [] };
  for (const { batch, got } of results) {
    if (!got.ok) {
      for (const id of batch) out.failed.push({ id, failure: got.failures[0]! });
      continue;
    }
    const seen = new Set<string>();
    for (const item of got.value) {
      const id = idOf(item);
      if (seen.has(id) || !batch.includes(id)) continue;
      seen.add(id);
      out.found.push(item);
    }
    for (const id of batch) if (!seen.has(id)) out.failed.push(notFound(api, what, id));
  }
  return out;
}

// ---------------------------------------------------------------- security groups

export async function describeSecurityGroups(ctx: RegionContext, groupIds: readonly string[]): Promise<BatchResult<SecurityGroup>> {
  const api = 'ec2:DescribeSecurityGroups';
  return describeBatches(
    groupIds,
    api,
    'Security group',
    async (batch) => {
      const groups = await allPages(async (NextToken) => {
        const out = await regionCall(ctx, api, (abortSignal) =>
          ctx.clients.ec2.send(
            new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: batch }], MaxResults: EC2_PAGE_SIZE, NextToken }),
            { abortSignal },
          ),
        );
        return { items: out.SecurityGroups ?? [], next: out.NextToken };
      });
      return groups.filter((g): g is Ec2SdkSecurityGroup & { GroupId: string } => !!g.GroupId).map(toSecurityGroup);
    },
    (g) => g.groupId,
    ctx,
  );
}

export function toSecurityGroup(g: Ec2SdkSecurityGroup & { GroupId: string }): SecurityGroup {
  const group: SecurityGroup = { groupId: g.GroupId, groupName: g.GroupName ?? g.GroupId, ingress: (g.IpPermissions ?? []).flatMap(flattenPermission) };
  const vpcId = str(g.VpcId);
  const ownerId = str(g.OwnerId);
  if (vpcId) group.vpcId = vpcId;
  if (ownerId) group.ownerId = ownerId;
  return group;
}

/** One rule per source, protocol and ports exactly as EC2 returns them. */
export function flattenPermission(p: IpPermission): IngressRule[] {
  // A permission without a protocol is malformed; reading it as "all traffic" errs on the side of a finding.
  const base: Pick<IngressRule, 'protocol' | 'fromPort' | 'toPort'> = { protocol: p.IpProtocol ?? '-1' };
  if (typeof p.FromPort === 'number') base.fromPort = p.FromPort;
  if (typeof p.ToPort === 'number') base.toPort = p.ToPort;
  const rules: IngressRule[] = [];
  const add = (source: IngressRule['source'], description: string | undefined): void => {
    const d = str(description);
    rules.push(d ? { ...base, source, description: d } : { ...base, source });
  };
  for (const r of p.IpRanges ?? []) if (r.CidrIp) add({ type: 'cidr4', cidr: r.CidrIp }, r.Description);
  for (const r of p.Ipv6Ranges ?? []) if (r.CidrIpv6) add({ type: 'cidr6', cidr: r.CidrIpv6 }, r.Description);
  for (const r of p.PrefixListIds ?? []) if (r.PrefixListId) add({ type: 'prefixList', prefixListId: r.PrefixListId }, r.Description);
  for (const r of p.UserIdGroupPairs ?? []) {
    const groupId = r.GroupId ?? r.GroupName;
    if (!groupId) continue;
    const userId = str(r.UserId);
    add(userId ? { type: 'securityGroup', groupId, userId } : { type: 'securityGroup', groupId }, r.Description);
  }
  return rules;
}

// ---------------------------------------------------------------- instances

/** EC2's view of an instance plus the EMR role tag (used only to resolve node roles, not stored). */
export interface DescribedInstance {
  instance: Ec2Instance;
  emrRoleTag?: string;
}

export async function describeInstances(ctx: RegionContext, instanceIds: readonly string[]): Promise<BatchResult<DescribedInstance>> {
  const api = 'ec2:DescribeInstances';
  return describeBatches(
    instanceIds,
    api,
    'Instance',
    async (batch) => {
      const reservations = await allPages(async (NextToken) => {
        const out = await regionCall(ctx, api, (abortSignal) =>
          ctx.clients.ec2.send(
            new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: batch }], MaxResults: EC2_PAGE_SIZE, NextToken }),
            { abortSignal },
          ),
        );
        return { items: out.Reservations ?? [], next: out.NextToken };
      });
      return reservations
        .flatMap((r) => r.Instances ?? [])
        .filter((i): i is Ec2SdkInstance & { InstanceId: string } => !!i.InstanceId)
        .map(toDescribedInstance);
    },
    (d) => d.instance.instanceId,
    ctx,
  );
}

export function toDescribedInstance(i: Ec2SdkInstance & { InstanceId: string }): DescribedInstance {
  const instance: Ec2Instance = { instanceId: i.InstanceId };
  const set = (key: Exclude<keyof Ec2Instance, 'instanceId'>, value: string | undefined): void => {
    if (value !== undefined) instance[key] = value;
  };
  set('state', str(i.State?.Name));
  set('launchTime', iso(i.LaunchTime));
  set('httpTokens', str(i.MetadataOptions?.HttpTokens));
  set('httpEndpoint', str(i.MetadataOptions?.HttpEndpoint));
  set('publicIpAddress', str(i.PublicIpAddress));
  const tag = str(i.Tags?.find((t) => t.Key === EMR_ROLE_TAG)?.Value);
  return tag ? { instance, emrRoleTag: tag } : { instance };
}
