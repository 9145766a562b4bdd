/**
 * A cluster's RUNNING instances by EC2 instance id, for the checks that judge instances through
 * EC2 (metadata options) or SSM (registration), and the wording those checks share for lists of
 * instances and for the reasons some of them are unknown.
 */
import type { EvalContext } from '../checks/contract.js';
import { describeErrors, lookupRunningInstances, type Lookup } from './lookup.js';
import type { Cluster, ClusterInstance, ResourceKind } from './snapshot.js';

export interface RunningEc2Instance {
  ec2InstanceId: string;
  instance: ClusterInstance;
}

export interface RunningEc2Instances {
  /** RUNNING instances with their EC2 instance id, in ListInstances order. */
  instances: RunningEc2Instance[];
  /** RUNNING instances EMR reported without an EC2 instance id: they cannot be judged. */
  withoutEc2Id: ClusterInstance[];
}

export function lookupRunningEc2Instances(cluster: Cluster, ctx: EvalContext): Lookup<RunningEc2Instances> {
  const running = lookupRunningInstances(cluster, ctx);
  if (!running.ok) return running;
  const instances: RunningEc2Instance[] = [];
  const withoutEc2Id: ClusterInstance[] = [];
  const seen = new Set<string>();
  for (const instance of running.value) {
    const id = instance.ec2InstanceId;
    if (!id) withoutEc2Id.push(instance);
    else if (!seen.has(id)) {
      seen.add(id);
      instances.push({ ec2InstanceId: id, instance });
    }
  }
  return { ok: true, value: { instances, withoutEc2Id } };
}

/** An instance whose data is missing, with why. */
export interface UnknownInstance {
  /** EC2 instance id, or the EMR instance id when EMR gave no EC2 id. */
  id: string;
  reason: string;
}

export function unknownWithoutEc2Id(instances: readonly ClusterInstance[]): UnknownInstance[] {
  return instances.map((i) => ({ id: i.id, reason: 'EMR reports no EC2 instance id for it' }));
}

/** Why an EC2 instance's data of `kind` is missing (the recorded collection errors). */
export function unknownFromErrors(ec2InstanceId: string, kind: ResourceKind, ctx: EvalContext): UnknownInstance {
  return { id: ec2InstanceId, reason: describeErrors(ctx.region.errorsFor(kind, ec2InstanceId)) };
}

/** Ids joined for a message, the tail summarised: `i-1, i-2, i-3 and 7 more`. */
export function listIds(ids: readonly string[], limit = 10): string {
  if (ids.length === 0) return '(none)';
  const shown = ids.slice(0, limit);
  const rest = ids.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length === 1) return shown[0]!;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]!}`;
}

/**
 * Unknown instances grouped by reason (one failed batch call usually concerns many instances):
 * `i-1 and i-2: ssm:DescribeInstanceInformation AccessDenied (…)`.
 */
export function describeUnknown(unknown: readonly UnknownInstance[], limit = 10): string {
  const byReason = new Map<string, string[]>();
  for (const u of unknown) {
    const ids = byReason.get(u.reason);
    if (ids) ids.push(u.id);
    else byReason.set(u.reason, [u.id]);
  }
  return [...byReason].map(([reason, ids]) => `${listIds(ids, limit)}: ${reason}`).join('; ');
}

/** `1 instance` / `3 running instances`. */
export function countInstances(n: number, adjective?: string): string {
  return `${n} ${adjective ? `${adjective} ` : ''}instance${n === 1 ? '' : 's'}`;
}

/** An instance for messages with its node role and details: `i-0abc (CORE, HttpTokens optional)`. */
export function labelInstance(i: RunningEc2Instance, ...details: string[]): string {
  const parts = [...(i.instance.role ? [i.instance.role] : []), ...details];
  return parts.length > 0 ? `${i.ec2InstanceId} (${parts.join(', ')})` : i.ec2InstanceId;
}
