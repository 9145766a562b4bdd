/**
 * One region's collection (DESIGN.md "Fleet scale": each fact read once per its lifetime, no
 * mutable fact read per cluster):
 * - ListClusters gives the active clusters and their status; at the same time one paged EC2
 *   DescribeInstances by EMR's system tag returns every node of every cluster (role, addresses,
 *   metadata options, launch time), and — when some cluster is known from the state store — one
 *   paged tag:GetResources returns every cluster's tags.
 * - A cluster known from the state store is rebuilt from its kept immutable facts plus this run's
 *   status and tags; any other (new, mismatching, or tags unavailable) is described, in the run's
 *   rotated order (./rotation.ts), and as soon as the description answers, what it names is asked
 *   for (security groups, security configuration, instance profile, service role; each distinct
 *   one once per run; a security configuration only when the state does not hold it).
 * - A cluster none of whose nodes carries the tag (an emulator, a cluster just starting) falls back
 *   to ListInstances and ListInstanceGroups/ListInstanceFleets, counted in `collection`.
 * RUNNING nodes go into SSM DescribeInstanceInformation batches (and, for fallback clusters only,
 * EC2 DescribeInstances by id) that are sent the moment they are full. Account settings start at
 * once. The managed prefix lists the security groups' rules name are described in batches as the
 * groups arrive, and each customer-managed list's entries are read once, to the last page. Every
 * failure is recorded on the resource it concerns.
 * The path from the internet (./vpc.ts) is read once per run, for the RUNNING nodes with a public
 * address only, as soon as EC2's view of every node is known: at once after the tagged query when
 * no cluster falls back to EMR's listings, else once the fallback clusters' EC2 batches answered.
 * It runs beside the descriptions, groups, IAM and SSM. The nodes' own security groups join the
 * group batches (they are nearly always the cluster's groups, which cost nothing more).
 */
import type { ClusterState, ClusterSummary } from '@aws-sdk/client-emr';
import { createLimiter } from '../concurrency.js';
import { clusterSecurityGroupRefs } from '../lookup.js';
import { isPublicAddress } from '../network/public-space.js';
import { emptyRegion, CollectionStats, type Cluster, type CollectionError, type Ec2Instance, type PrefixList, type RegionSnapshot, type ResourceKind, type SecurityGroup } from '../snapshot.js';
import type { RegionState } from '../state/schema.js';
import { clusterFromFacts, knownFacts, knownSecurityConfiguration } from '../state/view.js';
import { StreamingBatcher, toCollectionError, type CallFailure, type Fetched } from './calls.js';
import { str, type RegionContext } from './context.js';
import {
  describeInstanceBatch,
  describePrefixListBatch,
  describeSecurityGroupBatch,
  describeTaggedNodes,
  EC2_ID_BATCH,
  emptyBatchResult,
  needsEntries,
  PREFIX_LIST_PAGE,
  prefixListEntries,
  prefixListIdsOf,
  sortNodes,
  type DescribedInstance,
  type TaggedNode,
} from './ec2.js';
import {
  ACTIVE_CLUSTER_STATES,
  blockPublicAccess,
  describeCluster,
  describeSecurityConfiguration,
  listActiveClusters,
  listInstances,
  listNodeRoles,
  releaseLabels,
  roleFromTag,
  toClusterInstance,
  undescribedCluster,
} from './emr.js';
import type { IamCollector } from './iam.js';
import type { DataNeeds } from './needs.js';
import { EmrHeadroom, headroomAtStart, type RunKind } from './headroom.js';
import { rotate } from './rotation.js';
import { defaultHostManagement, describeInstanceInformationBatch, emptySsmBatchResult, SSM_ID_BATCH } from './ssm.js';
import { clusterTags } from './tagging.js';
import { collectVpcData } from './vpc.js';
import { groupBy } from '../group-by.js';

export interface RegionRun {
  ctx: RegionContext;
  needs: DataNeeds;
  /** Shared by all regions of the run (IAM is global). */
  iam: IamCollector;
  /** Restrict describing to these clusters (they are still listed). */
  clusterIds?: ReadonlySet<string>;
  progress: (phase: string, detail?: string) => void;
  /** The run's start, epoch ms: where the rotation through the clusters begins. Default 0. */
  startedAt?: number;
  /** The region's state from the previous run (already validated); absent: describe everything. */
  state?: RegionState;
  /** What kind of run asks (trigger, continuation): with the state, decides the EMR headroom (./headroom.ts). */
  kind?: RunKind;
}

/**
 * Clusters whose instance listing may be under way at once (fallback clusters only). ListInstances
 * calls queue in arrival order; a small window keeps a cluster's pages close together while still
 * keeping the ListInstances quota (0.5 per second) busy.
 */
export const LISTING_WINDOW = 8;

/**
 * A run restricted to this few clusters (a state-change event, a short continuation) describes
 * them directly instead of listing the region: DescribeCluster gives the status and tags
 * ListClusters and the tagging API would, and ListClusters alone costs one call per 50 clusters.
 */
export const DIRECT_DESCRIBE_MAX = 10;

/** The region's error list, without duplicates (two clusters sharing a failed role: one error). */
class ErrorLog {
  private readonly seen = new Set<string>();
  constructor(private readonly errors: CollectionError[]) {}

  add(kind: ResourceKind, resourceId: string, failure: CallFailure): void {
    this.push(toCollectionError(kind, resourceId, failure));
  }

  push(error: CollectionError): void {
    const key = [error.kind, error.resourceId, error.api, error.code].join('\u0000');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.errors.push(error);
  }
}

type Listed = ClusterSummary & { Id: string };

/** Tagged nodes grouped by cluster id. */
const byCluster = (nodes: readonly TaggedNode[]): Map<string, TaggedNode[]> => groupBy(nodes, (n) => n.clusterId);

export async function collectRegion(run: RegionRun): Promise<RegionSnapshot> {
  const { ctx, needs } = run;
  const snap = emptyRegion(ctx.region);
  const stats = CollectionStats.parse({});
  snap.collection = stats;
  const errors = new ErrorLog(snap.errors);
  // Decided before the region's first EMR call: a burst taken at the full quota is budget spent too.
  const headroom = new EmrHeadroom(ctx.calls, ctx.region, headroomAtStart({ ...(run.kind ? { run: run.kind } : {}), restricted: run.clusterIds !== undefined, ...(run.state ? { state: run.state } : {}) }), (text) =>
    run.progress('emr-headroom', `EMR headroom: ${text}`),
  );
  const accountSettings = collectAccountSettings(run, snap, errors, headroom);
  const direct = run.clusterIds && run.clusterIds.size <= DIRECT_DESCRIBE_MAX ? [...run.clusterIds].sort() : undefined;
  // Started with the listing: neither needs it, and the node query is the region's largest answer.
  const taggedNodes = needs.instances ? describeTaggedNodes(ctx, direct) : undefined;

  run.progress('clusters');
  run.progress('emr-headroom', `EMR headroom: ${headroom.text}`);
  if (taggedNodes) run.progress('ec2-instances', direct ? `the nodes of ${direct.length} cluster(s) by EMR system tag` : 'every node by EMR system tag');
  let selected: Listed[];
  const described = new Map<string, Cluster>();
  if (direct) {
    const found = await describeDirectly(ctx, direct, errors);
    selected = found.map((f) => f.summary);
    for (const f of found) {
      if (f.cluster) described.set(f.summary.Id, f.cluster);
      stats.described.push(f.summary.Id);
    }
  } else {
    const listed = await headroom.track(EmrHeadroom.listingCalls(run.state), () => listActiveClusters(ctx));
    if (!listed.ok) {
      for (const f of listed.failures) errors.add('region', ctx.region, f);
      await Promise.all([accountSettings, taggedNodes]);
      stats.emrHeadroom = headroom.stats;
      run.progress('done', 'the clusters could not be listed');
      return snap;
    }
    const active = listed.value.filter((s): s is Listed => !!s.Id);
    stats.listed = active.map((s) => s.Id);
    selected = active.filter((s) => !run.clusterIds || run.clusterIds.has(s.Id));
  }
  const known = new Map(
    selected.flatMap((s) => {
      const entry = direct ? undefined : knownFacts(run.state, s);
      return entry ? [[s.Id, entry] as const] : [];
    }),
  );
  // Tags account-wide only when some cluster needs no DescribeCluster (which carries its tags).
  const tags: Fetched<Map<string, Record<string, string>>> | undefined = known.size > 0 ? await clusterTags(ctx) : undefined;
  // Not a collection error: the clusters are described instead, and that records its own failures.
  if (tags && !tags.ok) stats.tagQueryFailure = oneLine(tags.failures[0]!);

  run.progress('describe', tags?.ok ? `${selected.length} active cluster(s), ${known.size} known from the state` : `${selected.length} active cluster(s)`);
  // The region now knows its DescribeCluster calls: the largest part of its EMR work.
  if (!direct) headroom.expect(selected.filter((s) => !(known.has(s.Id) && tags?.ok)).length);
  const work = new SharedWork(run, snap, errors, headroom);
  // The snapshot keeps the listing's order; only the order of work rotates.
  const position = new Map(selected.map((s, i) => [s, i]));
  snap.clusters = selected.map(undescribedCluster);
  if (needs.instances && selected.length > 0) run.progress('instances', `${selected.length} cluster(s)`);
  // Descriptions do not wait for the node query; a cluster waits for it only once described.
  const grouped = taggedNodes?.then((nodes) => {
    if (nodes.ok) return byCluster(nodes.value);
    // Not a collection error: every cluster falls back to EMR's listings, which record their own.
    stats.nodeQueryFailure = oneLine(nodes.failures[0]!);
    return undefined;
  });
  let nodesDone = 0;
  // Which clusters may still get nodes from EMR's listings: those the tagged query found none for.
  // A failed promise reads as "no tagged node": every cluster may then fall back.
  void grouped?.catch(() => undefined).then((nodes) => {
    const tagged = selected.flatMap((s) => nodes?.get(s.Id) ?? []);
    work.nodesExpected(
      tagged.map((n) => n.described.instance),
      selected.filter((s) => !nodes?.has(s.Id)).map((s) => s.Id),
    );
  });

  // Whatever becomes of a cluster, once its work ends it adds no more nodes.
  const settling = (id: string, task: () => Promise<void>): Promise<void> => task().finally(() => work.nodesSettled(id));

  await Promise.all(
    rotate(selected, (s) => s.Id, run.startedAt ?? 0).map((summary) =>
      settling(summary.Id, async () => {
        const index = position.get(summary)!;
        const entry = known.get(summary.Id);
        let cluster: Cluster;
        const already = described.get(summary.Id);
        if (direct) {
          if (!already) return; // its DescribeCluster failed: recorded, nothing more to ask
          cluster = already;
        } else if (entry && tags?.ok) {
          cluster = clusterFromFacts(entry.facts, summary, tags.value.get(summary.Id) ?? {});
          stats.fromState.push(summary.Id);
        } else {
          if (entry) stats.tagFallbacks.push(summary.Id);
          stats.described.push(summary.Id);
          const d = await describeCluster(ctx, summary).finally(() => headroom.done(1));
          if (d.failure) {
            snap.clusters[index] = d.cluster;
            errors.add('cluster', d.cluster.id, d.failure);
            return;
          }
          cluster = d.cluster;
        }
        snap.clusters[index] = cluster;
        work.described(cluster);
        if (!grouped) return;
        const own = (await grouped)?.get(cluster.id);
        if (own && own.length > 0) work.tagged(cluster, own);
        else {
          stats.nodeFallbacks.push(cluster.id);
          await work.fallback(cluster);
        }
        nodesDone += 1;
        run.progress('instances', `${nodesDone}/${selected.length} cluster(s) listed`);
      }),
    ),
  );
  await Promise.all([accountSettings, work.finish()]);
  // Timing decides the order ids arrive in; sorted, the snapshot does not depend on it.
  for (const list of [stats.described, stats.fromState, stats.nodeFallbacks, stats.tagFallbacks]) list.sort();
  stats.emrHeadroom = headroom.stats;
  run.progress('done', `${snap.clusters.length} cluster(s), ${snap.errors.length} collection error(s)`);
  return snap;
}

type Listing = Awaited<ReturnType<typeof listInstances>>;

/**
 * Tells when EC2's view of every node of the run is known: the tagged nodes once the region's node
 * query answered, then each cluster that may fall back to EMR's listings once its work settled
 * (its instance ids are then in the EC2 batches, whose answers the caller awaits).
 */
class NodeCensus {
  private expected: Set<string> | undefined;
  private readonly settled = new Set<string>();
  private tagged: readonly Ec2Instance[] = [];
  private release: ((tagged: readonly Ec2Instance[]) => void) | undefined;
  /** EC2's view of the tagged nodes, once no cluster can add nodes any more. */
  readonly complete = new Promise<readonly Ec2Instance[]>((resolve) => {
    this.release = resolve;
  });

  expect(tagged: readonly Ec2Instance[], mayFallBack: readonly string[]): void {
    this.tagged = tagged;
    this.expected = new Set(mayFallBack.filter((id) => !this.settled.has(id)));
    this.check();
  }

  settle(clusterId: string): void {
    this.settled.add(clusterId);
    this.expected?.delete(clusterId);
    this.check();
  }

  private check(): void {
    if (this.expected?.size !== 0 || !this.release) return;
    this.release(this.tagged);
    this.release = undefined;
  }
}

/** A node the internet could reach: RUNNING, with a public IPv4 address or a global IPv6 address. */
function hasPublicAddress(i: Ec2Instance): boolean {
  // A node whose state EC2 did not give is counted in: a call is cheaper than a missed path.
  if ((i.state ?? 'running') !== 'running') return false;
  return !!i.publicIpAddress || (i.ipv6Addresses ?? []).some(isPublicAddress);
}

const isRunning = (i: Ec2Instance): boolean => (i.state ?? 'running') === 'running';

/**
 * What clusters share, fetched as the clusters name it: each distinct security configuration,
 * instance profile, service role and managed policy once, security groups and instances in
 * batches that go out as soon as they are full.
 */
class SharedWork {
  private readonly tasks: Promise<void>[] = [];
  private readonly named = new Set<string>();
  private readonly policyArns = new Set<string>();
  private readonly started = new Set<string>();
  private readonly groups: StreamingBatcher | undefined;
  private readonly prefixLists: StreamingBatcher | undefined;
  /** Entry reads of customer-managed lists, started as their descriptions arrive. */
  private readonly prefixListEntryReads: Promise<void>[] = [];
  private readonly ec2: StreamingBatcher | undefined;
  private readonly ssm: StreamingBatcher | undefined;
  private readonly ec2Out = emptyBatchResult<DescribedInstance>();
  /** EC2's view of the tagged nodes, from the region's one DescribeInstances answer. */
  private readonly taggedEc2: DescribedInstance[] = [];
  private readonly ssmOut = emptySsmBatchResult();
  /** Clusters whose instance group/fleet listing failed, with the failure, for the EC2 tag fallback. */
  private readonly unresolved: Array<{ cluster: Cluster; failure: CallFailure }> = [];
  /** Fallback clusters whose ListInstances may be under way at once. */
  private readonly listingWindow = createLimiter(LISTING_WINDOW);
  /** When every node is known (needs.vpc): the path from the internet is read then, once. */
  private readonly census: NodeCensus | undefined;
  private readonly pathRead: Promise<void> | undefined;
  /**
   * The nodes' own security groups join the group batches (needs.vpc): what filters traffic to a
   * node is the groups on its interfaces, which may differ from what the cluster names.
   */
  private readonly nodeGroups: boolean;

  constructor(
    private readonly run: RegionRun,
    private readonly snap: RegionSnapshot,
    private readonly errors: ErrorLog,
    private readonly headroom: EmrHeadroom,
  ) {
    const { ctx, needs } = run;
    if (needs.securityGroups && needs.prefixLists) {
      this.prefixLists = new StreamingBatcher(PREFIX_LIST_PAGE, async (batch) => {
        this.phase('prefix-lists', `${batch.length} prefix list(s)`);
        const out = emptyBatchResult<PrefixList>();
        await describePrefixListBatch(ctx, batch, out);
        for (const list of out.found) {
          snap.prefixLists[list.prefixListId] = list;
          if (needsEntries(list)) this.prefixListEntryReads.push(this.prefixListEntries(list));
        }
        for (const { id, failure } of out.failed) errors.add('prefixList', id, failure);
      });
    }
    if (needs.securityGroups) {
      this.groups = new StreamingBatcher(EC2_ID_BATCH, async (batch) => {
        this.phase('security-groups', `${batch.length} group(s)`);
        const out = emptyBatchResult<SecurityGroup>();
        await describeSecurityGroupBatch(ctx, batch, out);
        for (const g of out.found) snap.securityGroups[g.groupId] = g;
        for (const { id, failure } of out.failed) errors.add('securityGroup', id, failure);
        // The batcher sends each id once: each list is described, and its entries read, once per run.
        this.prefixLists?.add(prefixListIdsOf(out.found));
      });
    }
    this.nodeGroups = needs.vpc && this.groups !== undefined;
    if (needs.instances && needs.ec2Instances) {
      this.ec2 = new StreamingBatcher(EC2_ID_BATCH, async (batch) => {
        this.phase('ec2-instances', `${batch.length} instance(s)`);
        const out = emptyBatchResult<DescribedInstance>();
        await describeInstanceBatch(ctx, batch, out);
        this.ec2Out.found.push(...out.found);
        this.ec2Out.failed.push(...out.failed);
        if (this.nodeGroups) this.groups?.add(out.found.filter((d) => isRunning(d.instance)).flatMap((d) => d.instance.securityGroupIds ?? []));
      });
      if (needs.vpc) {
        const census = new NodeCensus();
        this.census = census;
        this.pathRead = census.complete.then((tagged) => this.readPath(tagged));
      }
    }
    if (needs.instances && needs.ssmInstances) {
      this.ssm = new StreamingBatcher(SSM_ID_BATCH, (batch) => {
        this.phase('ssm', `${batch.length} instance(s)`);
        return describeInstanceInformationBatch(ctx, batch, this.ssmOut);
      });
    }
  }

  /** EC2's view of the tagged nodes, and the clusters that may still get nodes from EMR's listings. */
  nodesExpected(tagged: readonly Ec2Instance[], mayFallBack: readonly string[]): void {
    this.census?.expect(tagged, mayFallBack);
  }

  /** A cluster's work ended: it adds no more nodes. */
  nodesSettled(clusterId: string): void {
    this.census?.settle(clusterId);
  }

  /**
   * Subnets, route tables and ACLs for the RUNNING nodes with a public address, in one set of calls:
   * a node the internet cannot address needs none (nor does one whose EC2 view names no subnet:
   * the check reports that gap).
   */
  private async readPath(tagged: readonly Ec2Instance[]): Promise<void> {
    // Every fallback cluster has settled: its instances are in the EC2 batches, and no more will join.
    await this.ec2?.finish();
    const nodes = [...tagged, ...this.ec2Out.found.map((d) => d.instance)].filter(hasPublicAddress);
    const subnetIds = distinct(nodes.map((n) => n.subnetId)).sort();
    const vpcIds = distinct(nodes.map((n) => n.vpcId)).sort();
    if (subnetIds.length > 0 || vpcIds.length > 0) this.phase('vpc', `${subnetIds.length} subnet(s) in ${vpcIds.length} VPC(s)`);
    const { data, failures } = await collectVpcData(this.run.ctx, subnetIds, vpcIds);
    // Set even when empty: "collected, no node needed anything" is not "not collected".
    this.snap.vpc = data;
    for (const f of failures) this.errors.add(f.kind, f.resourceId, f.failure);
  }

  /** Reports a phase the first time its work starts (phases overlap in the pipeline). */
  private phase(name: string, detail: string): void {
    if (this.started.has(name)) return;
    this.started.add(name);
    this.run.progress(name, detail);
  }

  private once(key: string): boolean {
    if (this.named.has(key)) return false;
    this.named.add(key);
    return true;
  }

  /** Starts fetching what a freshly described cluster names. */
  described(cluster: Cluster): void {
    const { needs } = this.run;
    if (this.groups) this.groups.add(clusterSecurityGroupRefs(cluster).map((r) => r.groupId));
    const config = cluster.securityConfiguration;
    if (needs.securityConfigurations && config && this.once(`config\u0000${config}`)) {
      // A security configuration cannot be modified: the one kept in the state is still true.
      const kept = knownSecurityConfiguration(this.run.state, config);
      if (kept) this.snap.securityConfigurations[config] = kept;
      else this.tasks.push(this.headroom.track(1, () => this.securityConfiguration(config)));
    }
    const profile = cluster.ec2?.instanceProfile;
    if (needs.instanceProfiles && profile && this.once(`profile\u0000${profile}`)) this.tasks.push(this.instanceProfile(profile));
    const serviceRole = cluster.serviceRole;
    if (needs.serviceRoles && serviceRole && this.once(`service\u0000${serviceRole}`)) this.tasks.push(this.serviceRole(serviceRole));
  }

  /**
   * A cluster's nodes from the tagged DescribeInstances answer: EC2's view of them is already
   * there, so only SSM is asked (in batches).
   */
  tagged(cluster: Cluster, nodes: readonly TaggedNode[]): void {
    cluster.instances = sortNodes(nodes.map((n) => structuredClone(n.node)));
    for (const n of nodes) {
      if (this.run.needs.ec2Instances) this.taggedEc2.push(n.described);
    }
    // The cluster's own groups were added just before (described()): only different ones cost anything.
    if (this.nodeGroups) this.groups?.add(nodes.filter((n) => isRunning(n.described.instance)).flatMap((n) => n.described.instance.securityGroupIds ?? []));
    const running = distinct(nodes.filter((n) => n.node.state === 'RUNNING').map((n) => n.node.ec2InstanceId));
    this.ssm?.add(running);
  }

  /**
   * EMR's per-cluster listings, for a cluster none of whose nodes carries the system tag (or when
   * the tagged query failed): ListInstances, then the group/fleet roles, and EC2 by id.
   */
  async fallback(cluster: Cluster): Promise<void> {
    // At least one ListInstances page and one group/fleet listing.
    await this.headroom.track(2, async () => {
      const listing = await this.listingWindow(() => listInstances(this.run.ctx, cluster.id));
      await this.listed(cluster, listing);
    });
  }

  /** A described cluster's instance listing: RUNNING instances into the batches, then node roles. */
  async listed(cluster: Cluster, listing: Listing): Promise<void> {
    if (!listing.ok) {
      for (const f of listing.failures) this.errors.add('clusterInstances', cluster.id, f);
      return;
    }
    const items = listing.value.filter((i): i is typeof i & { Id: string } => !!i.Id);
    const running = items.filter((i) => i.Status?.State === 'RUNNING').map((i) => str(i.Ec2InstanceId));
    const ids = distinct(running);
    this.ec2?.add(ids);
    this.ssm?.add(ids);
    const roles = items.length > 0 ? await listNodeRoles(this.run.ctx, cluster, items) : undefined;
    cluster.instances = items.map((i) => toClusterInstance(i, roles?.ok ? roles.value : undefined));
    if (roles && !roles.ok) this.unresolved.push({ cluster, failure: roles.failures[0]! });
  }

  /** Sends the partial batches, waits for everything, and stores the instance answers. */
  async finish(): Promise<void> {
    await Promise.all([this.groupsAndPrefixLists(), this.ec2?.finish(), this.ssm?.finish(), Promise.all(this.tasks), this.pathRead]);
    const { snap, errors } = this;
    for (const d of this.taggedEc2) snap.ec2Instances[d.instance.instanceId] = d.instance;
    const roleTags = new Map<string, string>();
    for (const d of this.ec2Out.found) {
      snap.ec2Instances[d.instance.instanceId] = d.instance;
      if (d.emrRoleTag) roleTags.set(d.instance.instanceId, d.emrRoleTag);
    }
    for (const { id, failure } of this.ec2Out.failed) errors.add('ec2Instance', id, failure);
    for (const i of this.ssmOut.registered) snap.ssmInstances[i.instanceId] = i;
    // Batches answer in any order; sorted, the snapshot does not depend on timing.
    snap.ssmQueried.push(...[...this.ssmOut.queried].sort());
    for (const { id, failure } of this.ssmOut.failed) errors.add('ssmInstance', id, failure);

    // The group/fleet listing failed: EMR tags every node's EC2 instance with its role, so the
    // DescribeInstances answer (when this run made it) still tells MASTER from CORE and TASK.
    for (const { cluster, failure } of this.unresolved) {
      for (const i of cluster.instances ?? []) {
        const role = i.ec2InstanceId ? roleFromTag(roleTags.get(i.ec2InstanceId)) : undefined;
        if (role) i.role = role;
      }
      if ((cluster.instances ?? []).some((i) => i.state === 'RUNNING' && !i.role)) errors.add('clusterInstances', cluster.id, failure);
    }
  }

  /**
   * EC2's answers first when they may name node groups; then the groups (their last batch may still
   * name prefix lists); then the lists, then their entries.
   */
  private async groupsAndPrefixLists(): Promise<void> {
    if (this.nodeGroups) await this.ec2?.finish();
    await this.groups?.finish();
    await this.prefixLists?.finish();
    await Promise.all(this.prefixListEntryReads);
  }

  private async prefixListEntries(list: PrefixList): Promise<void> {
    const r = await prefixListEntries(this.run.ctx, list.prefixListId);
    if (r.ok) list.entries = r.value;
    else for (const f of r.failures) this.errors.add('prefixList', list.prefixListId, f);
  }

  private async securityConfiguration(name: string): Promise<void> {
    this.phase('security-configurations', name);
    const r = await describeSecurityConfiguration(this.run.ctx, name);
    if (r.ok) this.snap.securityConfigurations[name] = r.value;
    else for (const f of r.failures) this.errors.add('securityConfiguration', name, f);
  }

  private async instanceProfile(ref: string): Promise<void> {
    this.phase('iam', `instance profile ${ref}`);
    const { iam } = this.run;
    const profile = await iam.instanceProfile(ref);
    if (!profile.ok) {
      for (const f of profile.failures) this.errors.add('instanceProfile', ref, f);
      return;
    }
    this.snap.instanceProfiles[ref] = { ref, ...profile.value };
    await Promise.all(
      profile.value.roleNames.map(async (roleName) => {
        const r = await iam.role(roleName);
        for (const e of r.errors) this.errors.push(e);
        if (!r.role) return;
        this.snap.roles[roleName] = r.role;
        const attached = r.role.attachedPolicyArns ?? [];
        await this.managedPolicies(r.role.permissionsBoundaryArn ? [...attached, r.role.permissionsBoundaryArn] : attached);
      }),
    );
  }

  private async managedPolicies(arns: readonly string[]): Promise<void> {
    const fresh = arns.filter((a) => !this.policyArns.has(a));
    for (const a of fresh) this.policyArns.add(a);
    await Promise.all(
      fresh.map(async (arn) => {
        const p = await this.run.iam.managedPolicy(arn);
        if (p.ok) this.snap.managedPolicies[arn] = p.value;
        else for (const f of p.failures) this.errors.add('managedPolicy', arn, f);
      }),
    );
  }

  private async serviceRole(ref: string): Promise<void> {
    this.phase('iam', `service role ${ref}`);
    const r = await this.run.iam.serviceRole(ref);
    if (r.ok) this.snap.serviceRoles[ref] = r.value;
    else for (const f of r.failures) this.errors.add('rolePolicies', ref, f);
  }
}

async function collectAccountSettings(run: RegionRun, snap: RegionSnapshot, errors: ErrorLog, headroom: EmrHeadroom): Promise<void> {
  const { ctx, needs } = run;
  const region = ctx.region;
  await Promise.all([
    needs.blockPublicAccess
      ? headroom.track(1, () => blockPublicAccess(ctx)).then((r) => {
          if (r.ok) snap.blockPublicAccess = r.value;
          else for (const f of r.failures) errors.add('blockPublicAccess', region, f);
        })
      : undefined,
    needs.defaultHostManagement
      ? defaultHostManagement(ctx).then((r) => {
          if (r.ok) snap.defaultHostManagement = r.value;
          else for (const f of r.failures) errors.add('defaultHostManagement', region, f);
        })
      : undefined,
    needs.releaseLabels
      ? headroom.track(1, () => releaseLabels(ctx)).then((r) => {
          if (r.ok) snap.releaseLabels = r.value;
          else for (const f of r.failures) errors.add('releaseLabels', region, f);
        })
      : undefined,
  ]);
}

/**
 * The requested clusters by DescribeCluster alone: an id EMR does not know, or a cluster that is no
 * longer active, is left out (as ListClusters would leave it out); any other failure keeps the
 * cluster, undescribed, with its error.
 */
async function describeDirectly(ctx: RegionContext, ids: readonly string[], errors: ErrorLog): Promise<Array<{ summary: Listed; cluster?: Cluster }>> {
  const out = await Promise.all(
    ids.map(async (id): Promise<{ summary: Listed; cluster?: Cluster } | undefined> => {
      const d = await describeCluster(ctx, { Id: id });
      if (d.failure) {
        if (d.failure.code === 'InvalidRequestException') return undefined;
        errors.add('cluster', id, d.failure);
        return { summary: { Id: id } };
      }
      if (!(ACTIVE_CLUSTER_STATES as readonly string[]).includes(d.cluster.state)) return undefined;
      const summary: Listed = { Id: id, Name: d.cluster.name, Status: { State: d.cluster.state as ClusterState }, ...(d.cluster.arn ? { ClusterArn: d.cluster.arn } : {}) };
      return { summary, cluster: d.cluster };
    }),
  );
  return out.filter((x): x is { summary: Listed; cluster?: Cluster } => x !== undefined);
}

function oneLine(f: CallFailure): string {
  return `${f.api} ${f.code}: ${f.message}`;
}

function distinct(values: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}
