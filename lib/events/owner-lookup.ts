/**
 * The ONE lookup a change event may cost when the index does not know its resource (a group just
 * attached to a node, a network interface, an address): EC2 DescribeInstances filtered on that
 * resource and on EMR's system tag, whose value names each node's cluster. One page of 1,000 nodes
 * is plenty for one group or interface; a failed lookup is reported, and the caller falls back to
 * a bounded audit of the region (never to silence).
 *
 * A default-VPC group named by name only, its id not in the response either, costs that one lookup instead:
 * DescribeSecurityGroups by GroupNames, to the group's id, which the index then places.
 */
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { failureOf } from '../collect/calls.js';
import { EMR_CLUSTER_TAG } from '../collect/ec2.js';
import type { ChangedResource } from './cloudtrail.js';

/** The filter one lookup uses for the event's resources, most specific first; none: nothing to look up. */
export function lookupFilter(resources: readonly ChangedResource[]): Filter | undefined {
  const ids = (kind: ChangedResource['kind']): string[] => resources.flatMap((r) => (r.kind === kind && 'id' in r ? [r.id] : []));
  const instances = ids('instance');
  if (instances.length > 0) return { Name: 'instance-id', Values: instances };
  const interfaces = ids('network-interface');
  if (interfaces.length > 0) return { Name: 'network-interface.network-interface-id', Values: interfaces };
  const groups = ids('security-group');
  if (groups.length > 0) return { Name: 'instance.group-id', Values: groups };
  for (const r of resources) {
    if (r.kind !== 'address') continue;
    // An allocation or association id alone cannot be checked against DescribeInstances' answer;
    // an association names its instance or interface, which the cases above look up.
    if (r.publicIp) return { Name: 'ip-address', Values: [r.publicIp] };
  }
  return undefined;
}

export type LookupOutcome = { ok: true; clusterIds: string[]; calls: number } | { ok: false; reason: string; calls: number };

export async function lookupOwners(ec2: EC2Client, filter: Filter): Promise<LookupOutcome> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ Filters: [filter, { Name: 'tag-key', Values: [EMR_CLUSTER_TAG] }], MaxResults: 1000 }));
    const clusters = new Set<string>();
    for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      // The filter is applied again: an endpoint that ignores it must not name foreign clusters.
      if (!matches(i, filter)) continue;
      const id = i.Tags?.find((t) => t.Key === EMR_CLUSTER_TAG)?.Value;
      if (id) clusters.add(id);
    }
    return { ok: true, clusterIds: [...clusters].sort(), calls: 1 };
  } catch (e) {
    const f = failureOf('ec2:DescribeInstances', e);
    return { ok: false, reason: `${f.api} ${f.code}: ${f.message}`, calls: 1 };
  }
}

/** What the filter asks, read from the instance itself. */
function matches(i: Instance, filter: Filter): boolean {
  const values = new Set(filter.Values ?? []);
  const interfaces = i.NetworkInterfaces ?? [];
  const has = (found: ReadonlyArray<string | undefined>): boolean => found.some((v) => v !== undefined && values.has(v));
  switch (filter.Name) {
    case 'instance-id':
      return has([i.InstanceId]);
    case 'network-interface.network-interface-id':
      return has(interfaces.map((n) => n.NetworkInterfaceId));
    case 'instance.group-id':
      return has([...(i.SecurityGroups ?? []).map((g) => g.GroupId), ...interfaces.flatMap((n) => (n.Groups ?? []).map((g) => g.GroupId))]);
    case 'ip-address':
      return has([i.PublicIpAddress, ...interfaces.map((n) => n.Association?.PublicIp)]);
    default:
      return false;
  }
}

export type GroupNameOutcome = { ok: true; groupIds: string[]; calls: number } | { ok: false; reason: string; calls: number };

/**
 * The ids of the default VPC's groups of these names. `GroupNames` and not the `group-name` filter:
 * a call names a group by name only in the default VPC ("[Default VPC] The name of the security
 * group", EC2 API Reference), while the filter matches every VPC's group of that name — every VPC
 * has one named `default`. A name the default VPC does not have is an error (InvalidGroup.NotFound):
 * not resolved, and the caller audits the region.
 */
export async function lookupGroupIds(ec2: EC2Client, names: readonly string[]): Promise<GroupNameOutcome> {
  const wanted = new Set(names);
  try {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: [...wanted] }));
    // Read again from the answer: an endpoint that ignores the names must not name other groups.
    const ids = (out.SecurityGroups ?? []).flatMap((g) => (g.GroupId && g.GroupName !== undefined && wanted.has(g.GroupName) ? [g.GroupId] : []));
    if (ids.length === 0) return { ok: false, reason: 'ec2:DescribeSecurityGroups named no group of that name in the default VPC', calls: 1 };
    return { ok: true, groupIds: [...new Set(ids)].sort(), calls: 1 };
  } catch (e) {
    const f = failureOf('ec2:DescribeSecurityGroups', e);
    return { ok: false, reason: `${f.api} ${f.code}: ${f.message}`, calls: 1 };
  }
}
