/**
 * A cluster's security groups as the network checks need them: each group that was collected,
 * and for each one that was not, the reason. A violation found on a collected group is certain
 * and is reported (FAIL) even when another group is missing; only a clean result needs every group.
 */
import type { EvalContext, Outcome, ResourceRef } from '../../checks/contract.js';
import { clusterSecurityGroupRefs, describeErrors, errorOutcome, groupRef } from '../lookup.js';
import type { Cluster, IngressRule, SecurityGroup } from '../snapshot.js';
import { describeTraffic } from './ports.js';
import { describeSource } from './sources.js';

export interface MissingGroup {
  groupId: string;
  reason: string;
}

export interface GroupsLookup {
  groups: SecurityGroup[];
  missing: MissingGroup[];
}

/** The groups with these ids (each once, in order), and why any of them is unavailable. */
export function lookupGroups(groupIds: readonly string[], ctx: EvalContext): GroupsLookup {
  const groups: SecurityGroup[] = [];
  const missing: MissingGroup[] = [];
  for (const groupId of new Set(groupIds)) {
    const group = ctx.region.snapshot.securityGroups[groupId];
    if (group) groups.push(group);
    else missing.push({ groupId, reason: describeErrors(ctx.region.errorsFor('securityGroup', groupId)) });
  }
  return { groups, missing };
}

/** Ids of every cluster security group (CHECKS.md): managed, service access and additional. */
export function clusterGroupIds(cluster: Cluster): string[] {
  return clusterSecurityGroupRefs(cluster).map((r) => r.groupId);
}

/** Ids of the groups on the nodes: managed and additional, master and core/task (not service access). */
export function nodeGroupIds(cluster: Cluster): string[] {
  const ec2 = cluster.ec2;
  if (!ec2) return [];
  const ids = [ec2.emrManagedMasterSecurityGroup, ec2.emrManagedSlaveSecurityGroup, ...ec2.additionalMasterSecurityGroups, ...ec2.additionalSlaveSecurityGroups];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.length > 0))];
}

/** `sg-0abc (ElasticMapReduce-master)`. */
export function groupLabel(group: Pick<SecurityGroup, 'groupId' | 'groupName'>): string {
  return `${group.groupId} (${group.groupName})`;
}

/** `tcp 22 from 0.0.0.0/0`. */
export function describeRule(rule: IngressRule): string {
  return `${describeTraffic(rule)} from ${describeSource(rule.source)}`;
}

/** `security group sg-x: <reason>; security group sg-y: <reason>`. */
export function describeMissing(missing: readonly MissingGroup[]): string {
  return missing.map((m) => `security group ${m.groupId}: ${m.reason}`).join('; ');
}

/** The sentence appended to a FAIL when some groups could not be examined. */
export function missingNote(missing: readonly MissingGroup[]): string {
  return missing.length === 0 ? '' : ` Not examined (could not be collected): ${describeMissing(missing)}`;
}

/** ERROR outcome when groups are missing and nothing certain was found. */
export function missingGroupsOutcome(missing: readonly MissingGroup[]): Outcome {
  return errorOutcome(missing.length === 1 ? 'a cluster security group' : 'cluster security groups', describeMissing(missing));
}

/** Resource refs of the groups, each once, in order. */
export function groupRefs(groups: readonly SecurityGroup[], ctx: EvalContext): ResourceRef[] {
  const seen = new Set<string>();
  const out: ResourceRef[] = [];
  for (const g of groups) {
    if (seen.has(g.groupId)) continue;
    seen.add(g.groupId);
    out.push(groupRef(g, ctx));
  }
  return out;
}
