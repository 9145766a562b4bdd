/**
 * One region's collection: list the active clusters, describe them, then fetch what the selected
 * checks need — everything shared between clusters once, batched where the API allows — and record
 * every failure on the resource it concerns. Work that does not depend on the clusters (account
 * settings) starts at once; EC2 and SSM instance batches wait for every cluster's instance list so
 * they are full.
 */
import type { ClusterSummary } from '@aws-sdk/client-emr';
import { clusterSecurityGroupRefs } from '../lookup.js';
import { emptyRegion, type Cluster, type CollectionError, type RegionSnapshot, type ResourceKind } from '../snapshot.js';
import { toCollectionError, type CallFailure } from './calls.js';
import type { RegionContext } from './context.js';
import { describeInstances, describeSecurityGroups } from './ec2.js';
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
} from './emr.js';
import type { IamCollector } from './iam.js';
import type { DataNeeds } from './needs.js';
import { defaultHostManagement, describeInstanceInformation } from './ssm.js';

export interface RegionRun {
  ctx: RegionContext;
  needs: DataNeeds;
  /** Shared by all regions of the run (IAM is global). */
  iam: IamCollector;
  /** Restrict describing to these clusters (they are still listed). */
  clusterIds?: ReadonlySet<string>;
  progress: (phase: string, detail?: string) => void;
}

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
  const described = await Promise.all(selected.map((s) => describeCluster(ctx, s)));
  for (const d of described) {
    snap.clusters.push(d.cluster);
    if (d.failure) errors.add('cluster', d.cluster.id, d.failure);
  }
  // Nothing more is asked about a cluster that could not be described: its checks are ERROR anyway.
  const live = snap.clusters.filter((c) => c.described);

  await Promise.all([
    accountSettings,
    needs.securityGroups ? collectSecurityGroups(run, live, snap, errors) : undefined,
    needs.securityConfigurations ? collectSecurityConfigurations(run, live, snap, errors) : undefined,
    needs.instanceProfiles || needs.serviceRoles ? collectIam(run, live, snap, errors) : undefined,
    needs.instances ? collectInstances(run, live, snap, errors) : undefined,
  ]);
  run.progress('done', `${snap.clusters.length} cluster(s), ${snap.errors.length} collection error(s)`);
  return snap;
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

async function collectSecurityGroups(run: RegionRun, clusters: readonly Cluster[], snap: RegionSnapshot, errors: ErrorLog): Promise<void> {
  const ids = [...new Set(clusters.flatMap((c) => clusterSecurityGroupRefs(c).map((r) => r.groupId)))];
  if (ids.length === 0) return;
  run.progress('security-groups', `${ids.length} group(s)`);
  const result = await describeSecurityGroups(run.ctx, ids);
  for (const g of result.found) snap.securityGroups[g.groupId] = g;
  for (const { id, failure } of result.failed) errors.add('securityGroup', id, failure);
}

async function collectSecurityConfigurations(run: RegionRun, clusters: readonly Cluster[], snap: RegionSnapshot, errors: ErrorLog): Promise<void> {
  const names = [...new Set(clusters.map((c) => c.securityConfiguration).filter((n): n is string => !!n))];
  if (names.length === 0) return;
  run.progress('security-configurations', `${names.length} configuration(s)`);
  await Promise.all(
    names.map(async (name) => {
      const r = await describeSecurityConfiguration(run.ctx, name);
      if (r.ok) snap.securityConfigurations[name] = r.value;
      else for (const f of r.failures) errors.add('securityConfiguration', name, f);
    }),
  );
}

async function collectIam(run: RegionRun, clusters: readonly Cluster[], snap: RegionSnapshot, errors: ErrorLog): Promise<void> {
  const { iam, needs } = run;
  const profileRefs = needs.instanceProfiles ? distinct(clusters.map((c) => c.ec2?.instanceProfile)) : [];
  const serviceRefs = needs.serviceRoles ? distinct(clusters.map((c) => c.serviceRole)) : [];
  if (profileRefs.length + serviceRefs.length === 0) return;
  run.progress('iam', `${profileRefs.length} instance profile(s), ${serviceRefs.length} service role(s)`);

  const policyArns = new Set<string>();
  const addPolicies = async (arns: readonly string[]): Promise<void> => {
    const fresh = arns.filter((a) => !policyArns.has(a));
    for (const a of fresh) policyArns.add(a);
    await Promise.all(
      fresh.map(async (arn) => {
        const p = await iam.managedPolicy(arn);
        if (p.ok) snap.managedPolicies[arn] = p.value;
        else for (const f of p.failures) errors.add('managedPolicy', arn, f);
      }),
    );
  };

  await Promise.all([
    ...profileRefs.map(async (ref) => {
      const profile = await iam.instanceProfile(ref);
      if (!profile.ok) {
        for (const f of profile.failures) errors.add('instanceProfile', ref, f);
        return;
      }
      snap.instanceProfiles[ref] = { ref, ...profile.value };
      await Promise.all(
        profile.value.roleNames.map(async (roleName) => {
          const r = await iam.role(roleName);
          for (const e of r.errors) errors.push(e);
          if (!r.role) return;
          snap.roles[roleName] = r.role;
          await addPolicies(r.role.permissionsBoundaryArn ? [...r.role.attachedPolicyArns, r.role.permissionsBoundaryArn] : r.role.attachedPolicyArns);
        }),
      );
    }),
    ...serviceRefs.map(async (ref) => {
      const r = await iam.serviceRole(ref);
      if (r.ok) snap.serviceRoles[ref] = r.value;
      else for (const f of r.failures) errors.add('rolePolicies', ref, f);
    }),
  ]);
}

async function collectInstances(run: RegionRun, clusters: readonly Cluster[], snap: RegionSnapshot, errors: ErrorLog): Promise<void> {
  const { ctx, needs } = run;
  if (clusters.length === 0) return;
  run.progress('instances', `${clusters.length} cluster(s)`);
  /** Clusters whose instance group/fleet listing failed, with the failure, for the EC2 tag fallback. */
  const unresolved: Array<{ cluster: Cluster; failure: CallFailure }> = [];
  await Promise.all(
    clusters.map(async (cluster) => {
      const listed = await listInstances(ctx, cluster.id);
      if (!listed.ok) {
        for (const f of listed.failures) errors.add('clusterInstances', cluster.id, f);
        return;
      }
      const items = listed.value.filter((i): i is typeof i & { Id: string } => !!i.Id);
      const roles = items.length > 0 ? await listNodeRoles(ctx, cluster, items) : undefined;
      cluster.instances = items.map((i) => toClusterInstance(i, roles?.ok ? roles.value : undefined));
      if (roles && !roles.ok) unresolved.push({ cluster, failure: roles.failures[0]! });
    }),
  );

  const running = distinct(clusters.flatMap((c) => (c.instances ?? []).filter((i) => i.state === 'RUNNING').map((i) => i.ec2InstanceId)));
  const roleTags = new Map<string, string>();
  await Promise.all([
    needs.ec2Instances && running.length > 0
      ? (async () => {
          run.progress('ec2-instances', `${running.length} instance(s)`);
          const r = await describeInstances(ctx, running);
          for (const d of r.found) {
            snap.ec2Instances[d.instance.instanceId] = d.instance;
            if (d.emrRoleTag) roleTags.set(d.instance.instanceId, d.emrRoleTag);
          }
          for (const { id, failure } of r.failed) errors.add('ec2Instance', id, failure);
        })()
      : undefined,
    needs.ssmInstances && running.length > 0
      ? (async () => {
          run.progress('ssm', `${running.length} instance(s)`);
          const r = await describeInstanceInformation(ctx, running);
          for (const i of r.registered) snap.ssmInstances[i.instanceId] = i;
          snap.ssmQueried.push(...r.queried);
          for (const { id, failure } of r.failed) errors.add('ssmInstance', id, failure);
        })()
      : undefined,
  ]);

  // The group/fleet listing failed: EMR tags every node's EC2 instance with its role, so the
  // DescribeInstances answer (when this run made it) still tells MASTER from CORE and TASK.
  for (const { cluster, failure } of unresolved) {
    for (const i of cluster.instances ?? []) {
      const role = i.ec2InstanceId ? roleFromTag(roleTags.get(i.ec2InstanceId)) : undefined;
      if (role) i.role = role;
    }
    if ((cluster.instances ?? []).some((i) => i.state === 'RUNNING' && !i.role)) errors.add('clusterInstances', cluster.id, failure);
  }
}

function distinct(values: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}
