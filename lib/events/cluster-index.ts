/**
 * The resource → cluster index of the state store (DESIGN.md "Change-triggered audits"): which
 * resources each cluster's findings rest on, so a change event names the clusters to re-audit
 * without an AWS call. Pure: built from a region's snapshot, read with the event's resources.
 *
 * Keys are `kind:id`: `sg:` security groups (the cluster's and its nodes'), `pl:` prefix lists the
 * groups' rules name, `subnet:`, `vpc:`, `rtb:` / `acl:` the route tables and network ACLs on the
 * path to its public nodes, `rtbassoc:` those tables' associations with its subnets (and the main
 * association of its VPCs), `i:` its EC2 instances, `profile:` its instance profile (by name),
 * `role:` the profile's roles and the service role (by name), `policy:` every managed policy
 * attached to those roles or bounding them (by ARN).
 */
import type { Cluster, RegionSnapshot } from '../snapshot.js';
import type { ClusterIndex } from '../state/schema.js';
import type { ChangedResource } from './cloudtrail.js';

/** The last path segment of a name-or-ARN reference (`arn:aws:iam::1:instance-profile/a/b` → `b`). */
export function nameOf(ref: string): string {
  return ref.includes('/') ? ref.slice(ref.lastIndexOf('/') + 1) : ref.startsWith('arn:') ? (ref.split(':').pop() ?? ref) : ref;
}

/** Every resource key the cluster's findings rest on, sorted. */
export function clusterResources(cluster: Cluster, snapshot: RegionSnapshot): string[] {
  // Hand-built snapshots (tests, old files) may lack the defaulted maps.
  const partial = snapshot as Partial<RegionSnapshot>;
  const region = { ...snapshot, ec2Instances: partial.ec2Instances ?? {}, securityGroups: partial.securityGroups ?? {}, instanceProfiles: partial.instanceProfiles ?? {}, roles: partial.roles ?? {}, serviceRoles: partial.serviceRoles ?? {} };
  const keys = new Set<string>();
  const groups = new Set<string>();
  const subnets = new Set<string>();
  const vpcs = new Set<string>();
  const ec2 = cluster.ec2;
  for (const g of [ec2?.emrManagedMasterSecurityGroup, ec2?.emrManagedSlaveSecurityGroup, ec2?.serviceAccessSecurityGroup, ...(ec2?.additionalMasterSecurityGroups ?? []), ...(ec2?.additionalSlaveSecurityGroups ?? [])]) {
    if (g) groups.add(g);
  }
  if (ec2?.subnetId) subnets.add(ec2.subnetId);
  for (const node of cluster.instances ?? []) {
    if (!node.ec2InstanceId) continue;
    keys.add(`i:${node.ec2InstanceId}`);
    const seen = region.ec2Instances[node.ec2InstanceId];
    for (const g of seen?.securityGroupIds ?? []) groups.add(g);
    if (seen?.subnetId) subnets.add(seen.subnetId);
    if (seen?.vpcId) vpcs.add(seen.vpcId);
  }
  for (const g of groups) {
    keys.add(`sg:${g}`);
    const group = region.securityGroups[g];
    if (group?.vpcId) vpcs.add(group.vpcId);
    for (const rule of group?.ingress ?? []) if (rule.source.type === 'prefixList') keys.add(`pl:${rule.source.prefixListId}`);
  }
  for (const s of subnets) {
    keys.add(`subnet:${s}`);
    const vpc = region.vpc?.subnets[s]?.vpcId;
    if (vpc) vpcs.add(vpc);
  }
  for (const v of vpcs) keys.add(`vpc:${v}`);
  // A subnet's table is its explicit association, else its VPC's main one: both are on its path.
  // The associations themselves too: removing the subnet's (DisassociateRouteTable) or replacing
  // either (ReplaceRouteTableAssociation) changes the path, and the event names only the association.
  for (const t of Object.values(region.vpc?.routeTables ?? {})) {
    const mainOfPath = t.main && vpcs.has(t.vpcId);
    if (t.subnetIds.some((s) => subnets.has(s)) || mainOfPath) keys.add(`rtb:${t.routeTableId}`);
    for (const a of t.associations ?? []) {
      if ((a.subnetId !== undefined && subnets.has(a.subnetId)) || (a.main === true && mainOfPath)) keys.add(`rtbassoc:${a.associationId}`);
    }
  }
  for (const a of Object.values(region.vpc?.networkAcls ?? {})) {
    if (a.subnetIds.some((s) => subnets.has(s)) || (a.isDefault && vpcs.has(a.vpcId))) keys.add(`acl:${a.networkAclId}`);
  }
  const roles = new Set<string>();
  if (ec2?.instanceProfile) {
    const profile = region.instanceProfiles[ec2.instanceProfile];
    keys.add(`profile:${profile?.name ?? nameOf(ec2.instanceProfile)}`);
    for (const r of profile?.roleNames ?? []) roles.add(r);
  }
  if (cluster.serviceRole) {
    roles.add(nameOf(cluster.serviceRole));
    for (const arn of region.serviceRoles[cluster.serviceRole]?.attachedPolicyArns ?? []) keys.add(`policy:${arn}`);
  }
  for (const r of roles) {
    keys.add(`role:${r}`);
    const role = region.roles[r];
    for (const arn of role?.attachedPolicyArns ?? []) keys.add(`policy:${arn}`);
    if (role?.permissionsBoundaryArn) keys.add(`policy:${role.permissionsBoundaryArn}`);
  }
  return [...keys].sort();
}

/**
 * The index after a run. A run that listed the region whole (`complete`) rebuilds it from the
 * snapshot, keeping only the prior entry of a listed cluster it could not describe; a run
 * restricted to some clusters replaces their entries and keeps every other one.
 */
export function nextIndex(prior: ClusterIndex | undefined, region: RegionSnapshot, input: { complete: boolean; now: string }): ClusterIndex | undefined {
  if (!input.complete && !prior) return undefined;
  const clusters: Record<string, string[]> = input.complete ? {} : { ...prior!.clusters };
  for (const c of region.clusters) {
    if (c.described) clusters[c.id] = clusterResources(c, region);
    else if (prior?.clusters[c.id]) clusters[c.id] = prior.clusters[c.id]!;
  }
  return { builtAt: input.complete ? input.now : prior!.builtAt, clusters };
}

/** The index keys an event's resource is known by; none for those only a lookup can place. */
export function keysOf(r: ChangedResource): string[] {
  switch (r.kind) {
    case 'security-group':
      return [`sg:${r.id}`];
    case 'prefix-list':
      return [`pl:${r.id}`];
    case 'subnet':
      return [`subnet:${r.id}`];
    case 'route-table':
      return [`rtb:${r.id}`];
    case 'route-table-association':
      return [`rtbassoc:${r.id}`];
    case 'network-acl':
      return [`acl:${r.id}`];
    case 'vpc':
      return [`vpc:${r.id}`];
    case 'instance':
      return [`i:${r.id}`];
    case 'role':
      return [`role:${nameOf(r.name)}`];
    case 'instance-profile':
      return [`profile:${nameOf(r.name)}`];
    case 'policy':
      return [`policy:${r.arn}`];
    case 'internet-gateway':
    case 'security-group-name':
    case 'network-interface':
    case 'address':
    case 'cluster':
    case 'account-setting':
      return [];
  }
}

/** Resource key → clusters, built once per lookup from the cluster → keys form the state keeps. */
export function invert(index: ClusterIndex): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [cluster, keys] of Object.entries(index.clusters)) {
    for (const k of keys) {
      const list = out.get(k);
      if (list) list.push(cluster);
      else out.set(k, [cluster]);
    }
  }
  return out;
}
