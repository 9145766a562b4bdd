import type { ClusterInstance, SsmInstance } from '../../../lib/snapshot.js';

export function node(ec2InstanceId: string, times: { readyAt?: string; createdAt?: string } = {}, role: ClusterInstance['role'] = 'CORE', state = 'RUNNING'): ClusterInstance {
  return { id: `ci-${ec2InstanceId}`, ec2InstanceId, state, role, ...times };
}

export function ssm(instanceId: string, pingStatus = 'Online', lastPingDateTime?: string): SsmInstance {
  return lastPingDateTime ? { instanceId, pingStatus, lastPingDateTime } : { instanceId, pingStatus };
}

export function registered(...instances: SsmInstance[]): Record<string, SsmInstance> {
  return Object.fromEntries(instances.map((i) => [i.instanceId, i]));
}
