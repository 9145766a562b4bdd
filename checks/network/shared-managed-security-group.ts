import { TYPES, type ClusterCheck, type EvalContext, type GroupUse, type ResourceRef } from '../contract.js';
import { describeErrors, errorOutcome, groupRef, type GroupRole } from '../../lib/lookup.js';
import type { Cluster } from '../../lib/snapshot.js';
import { complianceFor } from '../../lib/compliance.js';

const ROLE_NAMES: Record<GroupRole, string> = {
  master: 'EMR-managed master group',
  slave: 'EMR-managed core/task group',
  serviceAccess: 'service access group',
  additionalMaster: 'additional master group',
  additionalSlave: 'additional core/task group',
};

function label(groupId: string, ctx: EvalContext): string {
  const name = ctx.region.snapshot.securityGroups[groupId]?.groupName;
  return name ? `${groupId} (${name})` : groupId;
}

function ref(groupId: string, ctx: EvalContext): ResourceRef {
  const group = ctx.region.snapshot.securityGroups[groupId];
  return groupRef(group ?? { groupId }, ctx);
}

/** Clusters named in a message; beyond it "and N more" (a fleet sharing one group would otherwise
 * produce kilobytes per finding, which Security Hub cuts at 1,024 characters anyway). */
const NAMED_CLUSTERS = 10;

/**
 * The clusters using any of `groups`, once each, in snapshot order, and their ids (so a cluster
 * learns how many others share its groups without a pass over a fleet that shares them: thousands
 * of clusters on one group made this check quadratic). Kept per region index and set of groups
 * (weakly: it lives as long as the snapshot's index), so it grows with distinct group sets, never
 * with the clusters that share them.
 */
interface Users {
  uses: GroupUse[];
  ids: Set<string>;
}

const mergedUses = new WeakMap<readonly GroupUse[], Map<string, Users>>();

function usersOf(groups: readonly string[], ctx: EvalContext): Users {
  const first = ctx.region.clustersUsingGroup(groups[0]!);
  let bySet = mergedUses.get(first);
  if (!bySet) {
    bySet = new Map();
    mergedUses.set(first, bySet);
  }
  const key = groups.join('\u0000');
  let merged = bySet.get(key);
  if (!merged) {
    const byIndex = new Map<number, GroupUse>();
    for (const groupId of groups) for (const use of ctx.region.clustersUsingGroup(groupId)) if (!byIndex.has(use.index)) byIndex.set(use.index, use);
    const uses = [...byIndex.values()].sort((a, b) => a.index - b.index);
    merged = { uses, ids: new Set(uses.map((use) => use.cluster.id)) };
    bySet.set(key, merged);
  }
  return merged;
}

const more = (n: number): string => (n > 0 ? `; and ${n} more cluster${n === 1 ? '' : 's'}` : '');

function managedGroups(cluster: Cluster): string[] {
  const ids = [cluster.ec2?.emrManagedMasterSecurityGroup, cluster.ec2?.emrManagedSlaveSecurityGroup];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.length > 0))];
}

/**
 * CHECKS.md: "also used by another active cluster". Any of the other cluster's security groups
 * counts (managed, service access or additional): wherever the group sits on the other cluster,
 * EMR's reflexive managed rules on it let that cluster's nodes reach this cluster's nodes.
 */
export const check: ClusterCheck = {
  id: 'network/shared-managed-security-group',
  title: 'EMR-managed security group shared with another active cluster',
  severity: 'LOW',
  scope: 'cluster',
  description:
    "When clusters share an EMR-managed security group, EMR's reflexive rules let the nodes of one cluster reach every port of the other's, so a compromise of one cluster spreads to the other.",
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Give each cluster (or each trust boundary) its own custom EMR-managed master and core/task security groups when you launch it; security groups cannot be changed on a running cluster, so set them in the cluster template for its next launch.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-man-sec-groups.html',
  },
  permissions: ['elasticmapreduce:ListClusters', 'elasticmapreduce:DescribeCluster'],
  settings: [],
  needsAllClusters: true,
  compliance: complianceFor('network/shared-managed-security-group'),
  evaluate(cluster, ctx) {
    const managed = managedGroups(cluster);
    if (managed.length === 0) {
      return [errorOutcome("the cluster's EMR-managed security groups", 'DescribeCluster reported neither an EMR-managed master nor a core/task group')];
    }
    // The other clusters that use one of the groups, in snapshot order (from the region's index,
    // merged once per set of groups: when thousands of clusters share a group, merging it again
    // for each of them is quadratic).
    const users = usersOf(managed, ctx);
    const others = users.uses.length - (users.ids.has(cluster.id) ? 1 : 0);
    const sharedGroups = managed.filter((groupId) => ctx.region.clustersUsingGroup(groupId).some((use) => use.cluster.id !== cluster.id));
    const sharing: string[] = [];
    const shared = new Set<string>();
    for (const { cluster: other, refs } of users.uses) {
      // Past the named clusters, only the order in which the shared groups first appear is left to learn.
      if (sharing.length >= NAMED_CLUSTERS && shared.size === sharedGroups.length) break;
      if (other.id === cluster.id) continue;
      const uses = refs.filter((r) => managed.includes(r.groupId));
      for (const u of uses) shared.add(u.groupId);
      if (sharing.length < NAMED_CLUSTERS) {
        sharing.push(`${other.name} (${other.id}) uses ${uses.map((u) => `${label(u.groupId, ctx)} as its ${ROLE_NAMES[u.role]}`).join(' and ')}`);
      }
    }
    const undescribed = ctx.region.undescribedClusters.filter((c) => c.id !== cluster.id);
    const unknown =
      undescribed
        .slice(0, NAMED_CLUSTERS)
        .map((c) => `${c.name} (${c.id}): ${describeErrors(ctx.region.errorsFor('cluster', c.id))}`)
        .join('; ') + more(undescribed.length - NAMED_CLUSTERS);
    if (sharing.length > 0) {
      const note = undescribed.length > 0 ? ` Not examined (could not be described): ${unknown}` : '';
      return [
        {
          status: 'FAIL',
          message: `The cluster's EMR-managed security groups are shared with ${others} other active cluster${others === 1 ? '' : 's'}: ${sharing.join('; ')}${more(others - sharing.length)}.${note}`,
          resources: [...shared].map((id) => ref(id, ctx)),
        },
      ];
    }
    if (undescribed.length > 0) {
      return [errorOutcome('the security groups of other active clusters of the region', unknown)];
    }
    const labels = managed.map((id) => label(id, ctx)).join(', ');
    return [{ status: 'PASS', message: `No other active cluster of the region uses ${labels}.` }];
  },
};
