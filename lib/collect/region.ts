/**
 * One region's collection, as a pipeline per cluster: list the active clusters, then for each
 * (in the run's rotated order, ./rotation.ts) describe it and list its instances at once — the
 * instance listing needs only the id, and ListInstances is the slowest EMR quota — then, as soon as
 * the description answers, ask for what it names (security groups, security configuration,
 * instance profile, service role; each distinct one once per run) and list its instance groups or
 * fleets. RUNNING instances go into EC2 DescribeInstances and SSM DescribeInstanceInformation
 * batches that are sent the moment they are full; only the remainders wait for the last cluster.
 * The managed prefix lists the security groups' rules name are described in batches as the groups
 * arrive, and each customer-managed list's entries are read once, to the last page.
 * No stage waits for all clusters, yet no call is made that batching everything at the end would
 * not make. Account settings start at once. Every failure is recorded on the resource it concerns.
 */
import type { ClusterSummary } from '@aws-sdk/client-emr';
import { createLimiter } from '../concurrency.js';
import { clusterSecurityGroupRefs } from '../lookup.js';
import { emptyRegion, type Cluster, type CollectionError, type PrefixList, type RegionSnapshot, type ResourceKind, type SecurityGroup } from '../snapshot.js';
import { StreamingBatcher, toCollectionError, type CallFailure } from './calls.js';
import { str, type RegionContext } from './context.js';
import {
  describeInstanceBatch,
  describePrefixListBatch,
  describeSecurityGroupBatch,
  EC2_ID_BATCH,
  emptyBatchResult,
  needsEntries,
  PREFIX_LIST_PAGE,
  prefixListEntries,
  prefixListIdsOf,
  type DescribedInstance,
} from './ec2.js';
import {
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
import { rotate } from './rotation.js';
import { defaultHostManagement, describeInstanceInformationBatch, emptySsmBatchResult, SSM_ID_BATCH } from './ssm.js';

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
}

/**
 * Clusters whose instance listing may be under way at once. ListInstances calls queue in arrival
 * order; were all clusters queued at the start, the second page of a large cluster would wait
 * behind every other cluster's first page, and a run stopped by its deadline would never finish
 * a large cluster. A small window keeps a cluster's pages close together while still keeping the
 * ListInstances quota (0.5 per second) busy.
 */
export const LISTING_WINDOW = 8;

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

export async function collectRegion(run: RegionRun): Promise<RegionSnapshot> {
  const { ctx, needs } = run;
  const snap = emptyRegion(ctx.region);
  const errors = new ErrorLog(snap.errors);
  const accountSettings = collectAccountSettings(run, snap, errors);

  run.progress('clusters');
  const listed = await listActiveClusters(ctx);
  if (!listed.ok) {
    for (const f of listed.failures) errors.add('region', ctx.region, f);
    await accountSettings;
    run.progress('done', 'the clusters could not be listed');
    return snap;
  }
  const selected = listed.value.filter((s): s is Listed => !!s.Id && (!run.clusterIds || run.clusterIds.has(s.Id)));

  run.progress('describe', `${selected.length} active cluster(s)`);
  const work = new SharedWork(run, snap, errors);
  // The snapshot keeps the listing's order; only the order of work rotates.
  const position = new Map(selected.map((s, i) => [s, i]));
  snap.clusters = selected.map(undescribedCluster);
  const listingWindow = createLimiter(LISTING_WINDOW);
  let listedCount = 0;
  if (needs.instances && selected.length > 0) run.progress('instances', `${selected.length} cluster(s)`);

  await Promise.all(
    rotate(selected, (s) => s.Id, run.startedAt ?? 0).map(async (summary) => {
      const index = position.get(summary)!;
      let describeFailed = false;
      // Nothing more is asked about a cluster that could not be described (its checks are ERROR
      // anyway): a listing still waiting for its window slot is skipped.
      const listing = needs.instances ? listingWindow(async () => (describeFailed ? undefined : listInstances(ctx, summary.Id))) : undefined;
      const d = await describeCluster(ctx, summary);
      snap.clusters[index] = d.cluster;
      if (d.failure) {
        describeFailed = true;
        errors.add('cluster', d.cluster.id, d.failure);
        await listing;
        return;
      }
      work.described(d.cluster);
      if (!listing) return;
      const instances = await listing;
      if (!instances) return;
      await work.listed(d.cluster, instances);
      listedCount += 1;
      run.progress('instances', `${listedCount}/${selected.length} cluster(s) listed`);
    }),
  );
  await Promise.all([accountSettings, work.finish()]);
  run.progress('done', `${snap.clusters.length} cluster(s), ${snap.errors.length} collection error(s)`);
  return snap;
}

type Listing = Awaited<ReturnType<typeof listInstances>>;

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
  private readonly ssmOut = emptySsmBatchResult();
  /** Clusters whose instance group/fleet listing failed, with the failure, for the EC2 tag fallback. */
  private readonly unresolved: Array<{ cluster: Cluster; failure: CallFailure }> = [];

  constructor(
    private readonly run: RegionRun,
    private readonly snap: RegionSnapshot,
    private readonly errors: ErrorLog,
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
    if (needs.instances && needs.ec2Instances) {
      this.ec2 = new StreamingBatcher(EC2_ID_BATCH, (batch) => {
        this.phase('ec2-instances', `${batch.length} instance(s)`);
        return describeInstanceBatch(ctx, batch, this.ec2Out);
      });
    }
    if (needs.instances && needs.ssmInstances) {
      this.ssm = new StreamingBatcher(SSM_ID_BATCH, (batch) => {
        this.phase('ssm', `${batch.length} instance(s)`);
        return describeInstanceInformationBatch(ctx, batch, this.ssmOut);
      });
    }
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
    if (needs.securityConfigurations && config && this.once(`config\u0000${config}`)) this.tasks.push(this.securityConfiguration(config));
    const profile = cluster.ec2?.instanceProfile;
    if (needs.instanceProfiles && profile && this.once(`profile\u0000${profile}`)) this.tasks.push(this.instanceProfile(profile));
    const serviceRole = cluster.serviceRole;
    if (needs.serviceRoles && serviceRole && this.once(`service\u0000${serviceRole}`)) this.tasks.push(this.serviceRole(serviceRole));
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
    await Promise.all([this.groupsAndPrefixLists(), this.ec2?.finish(), this.ssm?.finish(), Promise.all(this.tasks)]);
    const { snap, errors } = this;
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

  /** Groups first: their last batch may still name prefix lists; then the lists, then their entries. */
  private async groupsAndPrefixLists(): Promise<void> {
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

async function collectAccountSettings(run: RegionRun, snap: RegionSnapshot, errors: ErrorLog): Promise<void> {
  const { ctx, needs } = run;
  const region = ctx.region;
  await Promise.all([
    needs.blockPublicAccess
      ? blockPublicAccess(ctx).then((r) => {
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
      ? releaseLabels(ctx).then((r) => {
          if (r.ok) snap.releaseLabels = r.value;
          else for (const f of r.failures) errors.add('releaseLabels', region, f);
        })
      : undefined,
  ]);
}

function distinct(values: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}
