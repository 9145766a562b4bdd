/**
 * Public addresses of a cluster's RUNNING nodes, by node role, measured on the instance rather
 * than guessed from DNS names (CHECKS.md `exposure/*`): ListInstances `PublicIpAddress`, EC2
 * `PublicIpAddress` (which includes an Elastic IP associated after launch) and the global unicast
 * IPv6 addresses of the instance's network interfaces (EC2 DescribeInstances). A node whose EC2
 * description is missing has addresses nobody has seen: it is unknown, never "not public".
 */
import type { EvalContext, Outcome, ResourceRef } from '../../checks/contract.js';
import { describeErrors, errorOutcome, instanceRef, lookupRunningInstances } from '../lookup.js';
import type { Cluster, ClusterInstance, InstanceRole } from '../snapshot.js';
import { isPublicAddress } from './public-space.js';

export interface PublicIpWording {
  /** `primary node`, `core or task node`. */
  node: string;
  /** `primary nodes`, `core and task nodes`. */
  nodes: string;
}

/** A RUNNING node's public addresses as far as they are known. */
export interface NodeAddresses {
  instance: ClusterInstance;
  /** Public IPv4 and IPv6 addresses, each once (ListInstances first, then EC2). */
  addresses: string[];
  /** Why EC2's view of the node (Elastic IP, IPv6) is missing; absent when it was read. */
  unknown?: string;
}

/** The public addresses of one node, from ListInstances and EC2 DescribeInstances. */
export function nodeAddresses(instance: ClusterInstance, ctx: EvalContext): NodeAddresses {
  const found = new Set<string>();
  if (instance.publicIpAddress) found.add(instance.publicIpAddress);
  const id = instance.ec2InstanceId;
  if (!id) return { instance, addresses: [...found], unknown: 'EMR reports no EC2 instance id for it' };
  const ec2 = ctx.region.snapshot.ec2Instances[id];
  if (!ec2) return { instance, addresses: [...found], unknown: describeErrors(ctx.region.errorsFor('ec2Instance', id)) };
  // EC2 only reports a PublicIpAddress that is public (auto-assigned or Elastic IP).
  if (ec2.publicIpAddress) found.add(ec2.publicIpAddress);
  for (const a of ec2.ipv6Addresses ?? []) if (isPublicAddress(a)) found.add(a);
  return { instance, addresses: [...found] };
}

/** `i-0abc (203.0.113.10, 2600:1f18::1)`; the EMR id when EC2's is not known. */
export function describeNode(n: NodeAddresses): string {
  const id = n.instance.ec2InstanceId ?? n.instance.id;
  return n.addresses.length > 0 ? `${id} (${n.addresses.join(', ')})` : id;
}

/** `i-0abc: <why its EC2 description is missing>`. */
export function describeUnknownNodes(nodes: readonly NodeAddresses[]): string {
  return nodes.map((n) => `${n.instance.ec2InstanceId ?? n.instance.id}: ${n.unknown ?? 'unknown'}`).join('; ');
}

export function nodeRefs(nodes: readonly NodeAddresses[], ctx: EvalContext): ResourceRef[] {
  return nodes.flatMap((n) => (n.instance.ec2InstanceId ? [instanceRef(n.instance.ec2InstanceId, ctx)] : []));
}

const hasPublic = (n: NodeAddresses): boolean => n.addresses.length > 0;
const isUnknown = (n: NodeAddresses): boolean => n.addresses.length === 0 && n.unknown !== undefined;

/**
 * FAIL when a RUNNING node of `roles` has a public address. A RUNNING node with a public address
 * whose role could not be resolved (its instance group/fleet is unknown) might be one of them:
 * ERROR, unless a known node already fails; so is a node that may be one of them whose EC2
 * description is missing. NOT_APPLICABLE when no RUNNING node is, or may be, of `roles`.
 */
export function publicIpOutcome(cluster: Cluster, ctx: EvalContext, roles: readonly InstanceRole[], words: PublicIpWording): Outcome {
  const running = lookupRunningInstances(cluster, ctx);
  if (!running.ok) return errorOutcome("the cluster's instances", running.reason);
  const ofRoles = running.value.filter((i) => i.role !== undefined && roles.includes(i.role)).map((i) => nodeAddresses(i, ctx));
  const unknownRole = running.value.filter((i) => i.role === undefined).map((i) => nodeAddresses(i, ctx));
  const publicNodes = ofRoles.filter(hasPublic);
  const unknownPublic = unknownRole.filter(hasPublic);
  const unknownAddresses = [...ofRoles, ...unknownRole].filter(isUnknown);
  const roleErrors = ctx.region.errorsFor('clusterInstances', cluster.id);
  const why = roleErrors.length > 0 ? `: ${describeErrors(roleErrors)}` : '';
  const unknownRoleText = `the node role of ${unknownPublic.map(describeNode).join(', ')}, which ${unknownPublic.length === 1 ? 'has a public IP address' : 'have public IP addresses'}, is unknown${why}`;
  const unknownAddressText = `the public addresses (EC2 DescribeInstances) of ${describeUnknownNodes(unknownAddresses)}`;

  if (publicNodes.length > 0) {
    const notes = [
      ...(unknownPublic.length > 0 ? [` Also, ${unknownRoleText}.`] : []),
      ...(unknownAddresses.length > 0 ? [` Not examined: ${unknownAddressText}.`] : []),
    ].join('');
    return {
      status: 'FAIL',
      message: `${publicNodes.length === 1 ? `The ${words.node} has a public IP address` : `${publicNodes.length} ${words.nodes} have public IP addresses`}: ${publicNodes.map(describeNode).join(', ')}.${notes}`,
      resources: nodeRefs(publicNodes, ctx),
    };
  }
  if (unknownPublic.length > 0 || unknownAddresses.length > 0) {
    const reasons = [...(unknownPublic.length > 0 ? [unknownRoleText] : []), ...(unknownAddresses.length > 0 ? [`${unknownAddressText} are unknown`] : [])];
    return { status: 'ERROR', message: `Could not evaluate: ${reasons.join('; ')}.`, resources: nodeRefs([...unknownPublic, ...unknownAddresses], ctx) };
  }
  if (ofRoles.length === 0 && unknownRole.length === 0) {
    return { status: 'NOT_APPLICABLE', message: `The cluster has no RUNNING ${words.node} yet.` };
  }
  const checked = [...ofRoles, ...unknownRole];
  return { status: 'PASS', message: `No RUNNING ${words.node} has a public IP address (${checked.map(describeNode).join(', ')}).` };
}
