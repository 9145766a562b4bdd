import { TYPES, type ClusterCheck, type EvalContext, type ResourceRef } from '../contract.js';
import { clusterSecurityGroupRefs, describeErrors, errorOutcome, groupRef, type GroupRole } from '../../lib/lookup.js';
import type { Cluster } from '../../lib/snapshot.js';

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
  evaluate(cluster, ctx) {
    const managed = managedGroups(cluster);
    if (managed.length === 0) {
      return [errorOutcome("the cluster's EMR-managed security groups", 'DescribeCluster reported neither an EMR-managed master nor a core/task group')];
    }
    const others = ctx.region.snapshot.clusters.filter((c) => c.id !== cluster.id);
    const sharing: string[] = [];
    const shared = new Set<string>();
    for (const other of others) {
      const uses = clusterSecurityGroupRefs(other).filter((r) => managed.includes(r.groupId));
      if (uses.length === 0) continue;
      for (const u of uses) shared.add(u.groupId);
      sharing.push(`${other.name} (${other.id}) uses ${uses.map((u) => `${label(u.groupId, ctx)} as its ${ROLE_NAMES[u.role]}`).join(' and ')}`);
    }
    const undescribed = others.filter((c) => !c.described);
    const unknown = undescribed.map((c) => `${c.name} (${c.id}): ${describeErrors(ctx.region.errorsFor('cluster', c.id))}`).join('; ');
    if (sharing.length > 0) {
      const note = undescribed.length > 0 ? ` Not examined (could not be described): ${unknown}` : '';
      return [
        {
          status: 'FAIL',
          message: `The cluster's EMR-managed security groups are shared with other active clusters: ${sharing.join('; ')}.${note}`,
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
