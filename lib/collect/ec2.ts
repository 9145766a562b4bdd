/**
 * EC2 reads, batched: security groups and instances of a whole region in as few calls as the id
 * lists allow, by id list (`GroupIds` / `InstanceIds`). One missing id fails a whole batch
 * (InvalidGroup.NotFound / InvalidInstanceID.NotFound): the ids the error names are recorded as
 * NotFound and the rest asked again, so one deleted group costs one extra call, not the batch.
 */
import {
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupsCommand,
  GetManagedPrefixListEntriesCommand,
  type Instance as Ec2SdkInstance,
  type IpPermission,
  type SecurityGroup as Ec2SdkSecurityGroup,
} from '@aws-sdk/client-ec2';
import { isAwsManaged } from '../network/prefix-lists.js';
import type { ClusterInstance, Ec2Instance, IngressRule, InstanceRole, PrefixList, PrefixListEntry, SecurityGroup } from '../snapshot.js';
import { allPages, chunk, type CallFailure, type Fetched } from './calls.js';
import { iso, regionCall, str, type RegionContext } from './context.js';

/**
 * Ids per call. EC2 advises at most 1,000 ids per describe call (EC2 developer guide, "Pagination in
 * the Amazon EC2 API"); 200 keeps requests and responses small.
 */
export const EC2_ID_BATCH = 200;

export const EMR_ROLE_TAG = 'aws:elasticmapreduce:instance-group-role';

export interface BatchResult<T> {
  found: T[];
  /** Ids that could not be described, with the reason. */
  failed: Array<{ id: string; failure: CallFailure }>;
}

interface BatchSpec<T> {
  api: string;
  /** 'Security group' / 'Instance', for messages. */
  what: string;
  /** Matches the ids an EC2 NotFound/Malformed message names. */
  idPattern: RegExp;
  describe: (batch: string[]) => Promise<T[]>;
  idOf: (item: T) => string;
}

function notFound(spec: Pick<BatchSpec<unknown>, 'api' | 'what'>, id: string, detail?: string): { id: string; failure: CallFailure } {
  return {
    id,
    failure: { api: spec.api, code: 'NotFound', message: detail ?? `${spec.what} ${id} does not exist or is not visible to this account.` },
  };
}

/** An error that concerns some ids of the batch, not the call: the others can still be described. */
const isPerIdError = (code: string): boolean => /NotFound|Malformed/.test(code);

export function emptyBatchResult<T>(): BatchResult<T> {
  return { found: [], failed: [] };
}

async function describeBatches<T>(ids: readonly string[], spec: BatchSpec<T>, ctx: RegionContext): Promise<BatchResult<T>> {
  const out: BatchResult<T> = { found: [], failed: [] };
  await Promise.all(chunk([...new Set(ids)], EC2_ID_BATCH).map((batch) => describeBatch(batch, spec, ctx, out)));
  return out;
}

async function describeBatch<T>(batch: string[], spec: BatchSpec<T>, ctx: RegionContext, out: BatchResult<T>): Promise<void> {
  const got = await ctx.calls.attempt(spec.api, () => spec.describe(batch));
  if (got.ok) {
    const seen = new Set<string>();
    const wanted = new Set(batch);
    for (const item of got.value) {
      const id = spec.idOf(item);
      // A describe answers only what was asked; anything else (an emulator ignoring the ids) is not ours.
      if (seen.has(id) || !wanted.has(id)) continue;
      seen.add(id);
      out.found.push(item);
    }
    for (const id of batch) if (!seen.has(id)) out.failed.push(notFound(spec, id));
    return;
  }
  const failure = got.failures[0]!;
  if (!isPerIdError(failure.code)) {
    for (const id of batch) out.failed.push({ id, failure });
    return;
  }
  const named = new Set([...failure.message.matchAll(spec.idPattern)].map((m) => m[0]).filter((id) => batch.includes(id)));
  if (named.size > 0) {
    for (const id of named) out.failed.push(notFound(spec, id, `${failure.code}: ${failure.message}`));
    const rest = batch.filter((id) => !named.has(id));
    if (rest.length > 0) await describeBatch(rest, spec, ctx, out);
    return;
  }
  if (batch.length === 1) {
    out.failed.push({ id: batch[0]!, failure });
    return;
  }
  // The message names no id we asked for: halve the batch until the bad ids are isolated.
  const half = Math.ceil(batch.length / 2);
  await Promise.all([describeBatch(batch.slice(0, half), spec, ctx, out), describeBatch(batch.slice(half), spec, ctx, out)]);
}

// ---------------------------------------------------------------- security groups

export async function describeSecurityGroups(ctx: RegionContext, groupIds: readonly string[]): Promise<BatchResult<SecurityGroup>> {
  return describeBatches(groupIds, securityGroupSpec(ctx), ctx);
}

/** One batch (at most EC2_ID_BATCH distinct ids) of security groups, its results added to `out`. */
export function describeSecurityGroupBatch(ctx: RegionContext, batch: string[], out: BatchResult<SecurityGroup>): Promise<void> {
  return describeBatch(batch, securityGroupSpec(ctx), ctx, out);
}

function securityGroupSpec(ctx: RegionContext): BatchSpec<SecurityGroup> {
  const api = 'ec2:DescribeSecurityGroups';
  return {
    api,
    what: 'Security group',
    idPattern: /\bsg-[0-9a-zA-Z]+/g,
    describe: async (batch) => {
      // With GroupIds EC2 returns every group in one answer (MaxResults cannot be combined with it).
      const groups = await allPages(async (NextToken) => {
        const out = await regionCall(ctx, api, (abortSignal) =>
          ctx.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: batch, NextToken }), { abortSignal }),
        );
        return { items: out.SecurityGroups ?? [], next: out.NextToken };
      });
      return groups.filter((g): g is Ec2SdkSecurityGroup & { GroupId: string } => !!g.GroupId).map(toSecurityGroup);
    },
    idOf: (g) => g.groupId,
  };
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

// ---------------------------------------------------------------- managed prefix lists

/** Ids per DescribeManagedPrefixLists call, and the page size of both prefix-list APIs (EC2's maximum). */
export const PREFIX_LIST_PAGE = 100;

/** The prefix-list ids the ingress rules of these groups name, each once, in order. */
export function prefixListIdsOf(groups: readonly SecurityGroup[]): string[] {
  const ids = new Set<string>();
  for (const g of groups) for (const r of g.ingress) if (r.source.type === 'prefixList') ids.add(r.source.prefixListId);
  return [...ids];
}

/** One batch (at most PREFIX_LIST_PAGE distinct ids) of managed prefix lists, without entries, added to `out`. */
export function describePrefixListBatch(ctx: RegionContext, batch: string[], out: BatchResult<PrefixList>): Promise<void> {
  const api = 'ec2:DescribeManagedPrefixLists';
  return describeBatch(
    batch,
    {
      api,
      what: 'Prefix list',
      idPattern: /\bpl-[0-9a-zA-Z]+/g,
      describe: async (ids) => {
        const lists = await allPages(async (NextToken) => {
          const page = await regionCall(ctx, api, (abortSignal) =>
            ctx.clients.ec2.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: ids, MaxResults: PREFIX_LIST_PAGE, NextToken }), { abortSignal }),
          );
          return { items: page.PrefixLists ?? [], next: page.NextToken };
        });
        return lists.flatMap((l) => (l.PrefixListId ? [toPrefixList(l.PrefixListId, l.PrefixListName, l.OwnerId, l.AddressFamily)] : []));
      },
      idOf: (l) => l.prefixListId,
    },
    ctx,
    out,
  );
}

function toPrefixList(prefixListId: string, name: string | undefined, ownerId: string | undefined, addressFamily: string | undefined): PrefixList {
  const list: PrefixList = { prefixListId };
  if (str(name)) list.name = name!;
  if (str(ownerId)) list.ownerId = ownerId!;
  if (str(addressFamily)) list.addressFamily = addressFamily!;
  return list;
}

/** AWS-managed lists are AWS service ranges: their entries are never needed (nor read). */
export function needsEntries(list: PrefixList): boolean {
  return !isAwsManaged(list);
}

/** Every entry of a managed prefix list, all pages (a list holds up to 1,000 entries). */
export function prefixListEntries(ctx: RegionContext, prefixListId: string): Promise<Fetched<PrefixListEntry[]>> {
  const api = 'ec2:GetManagedPrefixListEntries';
  return ctx.calls.attempt(api, async () => {
    const entries = await allPages(async (NextToken) => {
      const page = await regionCall(ctx, api, (abortSignal) =>
        ctx.clients.ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: prefixListId, MaxResults: PREFIX_LIST_PAGE, NextToken }), { abortSignal }),
      );
      return { items: page.Entries ?? [], next: page.NextToken };
    });
    return entries.flatMap((e) => {
      const cidr = str(e.Cidr);
      if (!cidr) return [];
      const description = str(e.Description);
      return [description ? { cidr, description } : { cidr }];
    });
  });
}

// ---------------------------------------------------------------- instances

/** EC2's view of an instance plus the EMR role tag (used only to resolve node roles, not stored). */
export interface DescribedInstance {
  instance: Ec2Instance;
  emrRoleTag?: string;
}

export async function describeInstances(ctx: RegionContext, instanceIds: readonly string[]): Promise<BatchResult<DescribedInstance>> {
  return describeBatches(instanceIds, instanceSpec(ctx), ctx);
}

/** One batch (at most EC2_ID_BATCH distinct ids) of instances, its results added to `out`. */
export function describeInstanceBatch(ctx: RegionContext, batch: string[], out: BatchResult<DescribedInstance>): Promise<void> {
  return describeBatch(batch, instanceSpec(ctx), ctx, out);
}

function instanceSpec(ctx: RegionContext): BatchSpec<DescribedInstance> {
  const api = 'ec2:DescribeInstances';
  return {
    api,
    what: 'Instance',
    idPattern: /\bi-[0-9a-zA-Z]+/g,
    describe: async (batch) => {
      const reservations = await allPages(async (NextToken) => {
        const out = await regionCall(ctx, api, (abortSignal) =>
          ctx.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: batch, NextToken }), { abortSignal }),
        );
        return { items: out.Reservations ?? [], next: out.NextToken };
      });
      return reservations
        .flatMap((r) => r.Instances ?? [])
        .filter((i): i is Ec2SdkInstance & { InstanceId: string } => !!i.InstanceId)
        .map(toDescribedInstance);
    },
    idOf: (d) => d.instance.instanceId,
  };
}

export function toDescribedInstance(i: Ec2SdkInstance & { InstanceId: string }): DescribedInstance {
  const instance: Ec2Instance = { instanceId: i.InstanceId };
  const set = (key: Exclude<keyof Ec2Instance, 'instanceId' | 'ipv6Addresses' | 'securityGroupIds'>, value: string | undefined): void => {
    if (value !== undefined) instance[key] = value;
  };
  set('state', str(i.State?.Name));
  set('launchTime', iso(i.LaunchTime));
  set('httpTokens', str(i.MetadataOptions?.HttpTokens));
  set('httpEndpoint', str(i.MetadataOptions?.HttpEndpoint));
  set('publicIpAddress', str(i.PublicIpAddress));
  set('subnetId', str(i.SubnetId));
  set('vpcId', str(i.VpcId));
  const ipv6 = ipv6Addresses(i);
  if (ipv6.length > 0) instance.ipv6Addresses = ipv6;
  const groups = securityGroupIds(i);
  if (groups.length > 0) instance.securityGroupIds = groups;
  const tag = str(i.Tags?.find((t) => t.Key === EMR_ROLE_TAG)?.Value);
  return tag ? { instance, emrRoleTag: tag } : { instance };
}

/**
 * Every IPv6 address of the instance, each once: the primary `Ipv6Address` and those of every
 * network interface (a secondary interface may carry the global address). Which ones are public
 * (global unicast) is the checks' call.
 */
function ipv6Addresses(i: Ec2SdkInstance): string[] {
  const found = new Set<string>();
  const primary = str(i.Ipv6Address);
  if (primary) found.add(primary);
  for (const ni of i.NetworkInterfaces ?? []) {
    for (const a of ni.Ipv6Addresses ?? []) {
      const address = str(a.Ipv6Address);
      if (address) found.add(address);
    }
  }
  return [...found];
}

/** The groups of the instance and of every network interface, each once, in the order EC2 lists them. */
function securityGroupIds(i: Ec2SdkInstance): string[] {
  const found = new Set<string>();
  for (const g of i.SecurityGroups ?? []) if (str(g.GroupId)) found.add(g.GroupId!);
  for (const ni of i.NetworkInterfaces ?? []) for (const g of ni.Groups ?? []) if (str(g.GroupId)) found.add(g.GroupId!);
  return [...found];
}

// ---------------------------------------------------------------- nodes by EMR's system tags

/** EMR tags every node it launches with its cluster id (users cannot set or remove `aws:` tags). */
export const EMR_CLUSTER_TAG = 'aws:elasticmapreduce:job-flow-id';
/** Present on instance-group nodes (not on fleet nodes): kept as the node's group id. */
export const EMR_GROUP_ID_TAG = 'aws:elasticmapreduce:instance-group-id';
/**
 * EC2 states of a node EMR still lists (AWAITING_FULFILLMENT … RUNNING): `pending` and `running`.
 * shutting-down / terminated nodes are gone for the checks, as they are for ListInstances' state filter.
 */
export const NODE_EC2_STATES = ['pending', 'running'] as const;
/** The largest page DescribeInstances serves (MaxResults 5–1000). */
export const NODE_PAGE_SIZE = 1000;

/** One EMR node as EC2 describes it: its cluster, its snapshot entry, and EC2's own view. */
export interface TaggedNode {
  clusterId: string;
  node: ClusterInstance;
  described: DescribedInstance;
}

/**
 * Every node of every EMR cluster of the region in one paged DescribeInstances: filtered on the
 * presence of EMR's cluster tag and on the live states, 1,000 per page, paged to the end. Each
 * answer carries the role (tag), addresses, metadata options and launch time at once.
 */
export async function describeTaggedNodes(ctx: RegionContext, clusterIds?: readonly string[]): Promise<Fetched<TaggedNode[]>> {
  const api = 'ec2:DescribeInstances';
  // A run about a few clusters asks for their nodes only (the tag's value), not the region's.
  const clusterFilter = clusterIds && clusterIds.length > 0 ? { Name: `tag:${EMR_CLUSTER_TAG}`, Values: [...clusterIds] } : { Name: 'tag-key', Values: [EMR_CLUSTER_TAG] };
  return ctx.calls.attempt(api, async () => {
    // Each page is reduced to the snapshot's shapes as it arrives: the SDK's full Instance objects
    // (block devices, interfaces, tags…) of every page held until the last one were the largest
    // transient of a 1,000-cluster run (~70 MB of heap for 14 pages).
    const pages = await allPages(async (NextToken) => {
      const out = await regionCall(ctx, api, (abortSignal) =>
        ctx.clients.ec2.send(
          new DescribeInstancesCommand({
            Filters: [clusterFilter, { Name: 'instance-state-name', Values: [...NODE_EC2_STATES] }],
            MaxResults: NODE_PAGE_SIZE,
            NextToken,
          }),
          { abortSignal },
        ),
      );
      return { items: (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).flatMap(liveTaggedNode), next: out.NextToken };
    });
    const nodes: TaggedNode[] = [];
    const seen = new Set<string>();
    for (const node of pages) {
      if (seen.has(node.node.id)) continue;
      seen.add(node.node.id);
      nodes.push(node);
    }
    return nodes;
  });
}

/** A node of the tagged query's answer, or nothing for what the filters should have left out. */
function liveTaggedNode(i: Ec2SdkInstance): TaggedNode[] {
  if (!i.InstanceId) return [];
  // The filters are applied again: an endpoint that ignores them must not add foreign instances.
  const state = str(i.State?.Name);
  if (state && !(NODE_EC2_STATES as readonly string[]).includes(state)) return [];
  const node = toTaggedNode(i as Ec2SdkInstance & { InstanceId: string });
  return node ? [node] : [];
}

/** EC2 state → the EMR instance state the checks read (only RUNNING nodes are judged). */
function nodeState(ec2State: string | undefined): string {
  if (ec2State === 'running') return 'RUNNING';
  if (ec2State === 'pending') return 'PROVISIONING';
  return ec2State ? ec2State.toUpperCase() : 'UNKNOWN';
}

/**
 * A tagged EC2 instance as a cluster node. EMR's own instance id (`ci-…`) is not in EC2's answer:
 * the EC2 instance id stands in for it. The role is the node's `instance-group-role` tag.
 */
export function toTaggedNode(i: Ec2SdkInstance & { InstanceId: string }): TaggedNode | undefined {
  const tag = (key: string): string | undefined => str(i.Tags?.find((t) => t.Key === key)?.Value);
  const clusterId = tag(EMR_CLUSTER_TAG);
  if (!clusterId) return undefined;
  const described = toDescribedInstance(i);
  const node: ClusterInstance = { id: i.InstanceId, ec2InstanceId: i.InstanceId, state: nodeState(str(i.State?.Name)) };
  const role = roleOfTag(tag(EMR_ROLE_TAG));
  if (role) node.role = role;
  const set = (key: 'instanceGroupId' | 'instanceType' | 'market' | 'publicIpAddress' | 'privateIpAddress', value: string | undefined): void => {
    if (value !== undefined) node[key] = value;
  };
  set('instanceGroupId', tag(EMR_GROUP_ID_TAG));
  set('instanceType', str(i.InstanceType));
  set('market', i.InstanceLifecycle === 'spot' ? 'SPOT' : 'ON_DEMAND');
  set('publicIpAddress', str(i.PublicIpAddress));
  set('privateIpAddress', str(i.PrivateIpAddress));
  return { clusterId, node, described };
}

function roleOfTag(value: string | undefined): InstanceRole | undefined {
  const v = value?.toUpperCase();
  return v === 'MASTER' || v === 'CORE' || v === 'TASK' ? v : undefined;
}

const ROLE_ORDER: Record<string, number> = { MASTER: 0, CORE: 1, TASK: 2 };

/** A cluster's nodes in a stable order (role, then id): the snapshot must not depend on paging. */
export function sortNodes(nodes: ClusterInstance[]): ClusterInstance[] {
  return nodes.sort((a, b) => (ROLE_ORDER[a.role ?? ''] ?? 3) - (ROLE_ORDER[b.role ?? ''] ?? 3) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
