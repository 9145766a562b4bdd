/**
 * Public IP addresses of a cluster's RUNNING nodes, by node role (ListInstances
 * `PublicIpAddress`, measured on the instance rather than guessed from DNS names).
 */
import type { EvalContext, Outcome, ResourceRef } from '../../checks/contract.js';
import { describeErrors, errorOutcome, instanceRef, lookupRunningInstances } from '../lookup.js';
import type { Cluster, ClusterInstance, InstanceRole } from '../snapshot.js';

export interface PublicIpWording {
  /** `primary node`, `core or task node`. */
  node: string;
  /** `primary nodes`, `core and task nodes`. */
  nodes: string;
}

/** `i-0abc (203.0.113.10)`; the EMR id when EC2's is not known yet. */
export function describeInstance(i: ClusterInstance): string {
  const id = i.ec2InstanceId ?? i.id;
  return i.publicIpAddress ? `${id} (${i.publicIpAddress})` : id;
}

function refs(instances: readonly ClusterInstance[], ctx: EvalContext): ResourceRef[] {
  return instances.flatMap((i) => (i.ec2InstanceId ? [instanceRef(i.ec2InstanceId, ctx)] : []));
}

/**
 * FAIL when a RUNNING node of `roles` has a public IP. A RUNNING node with a public IP whose role
 * could not be resolved (its instance group/fleet is unknown) might be one of them: ERROR, unless
 * a known node already fails. NOT_APPLICABLE when no RUNNING node is, or may be, of `roles`.
 */
export function publicIpOutcome(cluster: Cluster, ctx: EvalContext, roles: readonly InstanceRole[], words: PublicIpWording): Outcome {
  const running = lookupRunningInstances(cluster, ctx);
  if (!running.ok) return errorOutcome("the cluster's instances", running.reason);
  const ofRoles = running.value.filter((i) => i.role !== undefined && roles.includes(i.role));
  const unknownRole = running.value.filter((i) => i.role === undefined);
  const publicNodes = ofRoles.filter((i) => i.publicIpAddress);
  const unknownPublic = unknownRole.filter((i) => i.publicIpAddress);
  const roleErrors = ctx.region.errorsFor('clusterInstances', cluster.id);
  const why = roleErrors.length > 0 ? `: ${describeErrors(roleErrors)}` : '';
  const unknownText = `the node role of ${unknownPublic.map(describeInstance).join(', ')}, which ${unknownPublic.length === 1 ? 'has a public IP address' : 'have public IP addresses'}, is unknown${why}`;

  if (publicNodes.length > 0) {
    const note = unknownPublic.length > 0 ? ` Also, ${unknownText}.` : '';
    return {
      status: 'FAIL',
      message: `${publicNodes.length === 1 ? `The ${words.node} has a public IP address` : `${publicNodes.length} ${words.nodes} have public IP addresses`}: ${publicNodes.map(describeInstance).join(', ')}.${note}`,
      resources: refs(publicNodes, ctx),
    };
  }
  if (unknownPublic.length > 0) {
    return { status: 'ERROR', message: `Could not evaluate: ${unknownText}.`, resources: refs(unknownPublic, ctx) };
  }
  if (ofRoles.length === 0 && unknownRole.length === 0) {
    return { status: 'NOT_APPLICABLE', message: `The cluster has no RUNNING ${words.node} yet.` };
  }
  const checked = [...ofRoles, ...unknownRole];
  return { status: 'PASS', message: `No RUNNING ${words.node} has a public IP address (${checked.map(describeInstance).join(', ')}).` };
}
