/** Rule and instance builders for the network and exposure tests. */
import type { ClusterInstance, IngressRule } from '../../lib/snapshot.js';

export const ANY4 = { type: 'cidr4', cidr: '0.0.0.0/0' } as const satisfies IngressRule['source'];
export const ANY6 = { type: 'cidr6', cidr: '::/0' } as const satisfies IngressRule['source'];

export const cidr4 = (cidr: string): IngressRule['source'] => ({ type: 'cidr4', cidr });
export const cidr6 = (cidr: string): IngressRule['source'] => ({ type: 'cidr6', cidr });
export const fromGroup = (groupId: string): IngressRule['source'] => ({ type: 'securityGroup', groupId });
export const fromPrefixList = (prefixListId: string): IngressRule['source'] => ({ type: 'prefixList', prefixListId });

export function tcp(from: number, to: number = from, source: IngressRule['source'] = ANY4): IngressRule {
  return { protocol: 'tcp', fromPort: from, toPort: to, source };
}

export function udp(from: number, to: number = from, source: IngressRule['source'] = ANY4): IngressRule {
  return { protocol: 'udp', fromPort: from, toPort: to, source };
}

export function allTraffic(source: IngressRule['source'] = ANY4): IngressRule {
  return { protocol: '-1', source };
}

export function protocol(name: string, source: IngressRule['source'] = ANY4): IngressRule {
  return { protocol: name, source };
}

let next = 0;
export function node(overrides: Partial<ClusterInstance> = {}): ClusterInstance {
  next += 1;
  return { id: `ci-${next}`, ec2InstanceId: `i-${String(next).padStart(4, '0')}`, state: 'RUNNING', role: 'CORE', privateIpAddress: '10.0.0.10', ...overrides };
}
