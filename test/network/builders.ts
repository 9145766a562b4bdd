/** Rule and instance builders for the network and exposure tests. */
import type { Cluster, ClusterInstance, Ec2Instance, IngressRule, PrefixList } from '../../lib/snapshot.js';
import type { NetworkAcl, NetworkAclEntry, RegionVpcData, Route, RouteTable, Subnet } from '../../lib/snapshot-vpc.js';
import type { RegionInput } from '../helpers/fixtures.js';

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

/** EC2's view of the nodes (DescribeInstances answered for each), keyed by instance id. */
export function ec2Of(nodes: readonly ClusterInstance[], overrides: Record<string, Partial<Ec2Instance>> = {}): Record<string, Ec2Instance> {
  const out: Record<string, Ec2Instance> = {};
  for (const n of nodes) {
    if (!n.ec2InstanceId) continue;
    out[n.ec2InstanceId] = { instanceId: n.ec2InstanceId, state: 'running', httpTokens: 'required', ...(n.publicIpAddress ? { publicIpAddress: n.publicIpAddress } : {}), ...overrides[n.ec2InstanceId] };
  }
  return out;
}

/** A region input whose EC2 view of the cluster's nodes is complete (unless the test sets its own). */
export function withEc2(cluster: Cluster, region: RegionInput = {}): RegionInput {
  return region.ec2Instances ? region : { ...region, ec2Instances: ec2Of(cluster.instances ?? []) };
}

export const customerList = (prefixListId: string, name: string, cidrs: string[]): PrefixList => ({
  prefixListId,
  name,
  ownerId: '123456789012',
  addressFamily: 'IPv4',
  entries: cidrs.map((cidr) => ({ cidr })),
});

export const awsList = (prefixListId: string, name: string): PrefixList => ({ prefixListId, name, ownerId: 'AWS', addressFamily: 'IPv4' });

// ---------------------------------------------------------------- VPC data (route tables, network ACLs, subnets)

export const route = (cidr: string, target: string | undefined, state = 'active'): Route => ({ destination: { type: 'cidr', cidr }, ...(target ? { target } : {}), state });

export const routeTable = (id: string, routes: Route[], opts: { main?: boolean; subnets?: string[]; vpcId?: string } = {}): RouteTable => ({
  routeTableId: id,
  vpcId: opts.vpcId ?? 'vpc-1',
  main: opts.main ?? false,
  subnetIds: opts.subnets ?? [],
  routes: [route('10.0.0.0/16', 'local'), ...routes],
});

export const aclEntry = (ruleNumber: number, egress: boolean, action: 'allow' | 'deny', cidr: string, protocol = '-1', ports?: [number, number]): NetworkAclEntry => ({
  ruleNumber,
  egress,
  action,
  cidr,
  protocol,
  ...(ports ? { fromPort: ports[0], toPort: ports[1] } : {}),
});

/** The default ACL as EC2 creates it: everything allowed both ways (IPv4 and IPv6), then the final deny. */
export const OPEN_ACL_ENTRIES: NetworkAclEntry[] = [
  aclEntry(100, false, 'allow', '0.0.0.0/0'),
  aclEntry(101, false, 'allow', '::/0'),
  aclEntry(32767, false, 'deny', '0.0.0.0/0'),
  aclEntry(32768, false, 'deny', '::/0'),
  aclEntry(100, true, 'allow', '0.0.0.0/0'),
  aclEntry(101, true, 'allow', '::/0'),
  aclEntry(32767, true, 'deny', '0.0.0.0/0'),
  aclEntry(32768, true, 'deny', '::/0'),
];

export const networkAcl = (id: string, entries: NetworkAclEntry[], opts: { isDefault?: boolean; subnets?: string[]; vpcId?: string } = {}): NetworkAcl => ({
  networkAclId: id,
  vpcId: opts.vpcId ?? 'vpc-1',
  isDefault: opts.isDefault ?? false,
  subnetIds: opts.subnets ?? [],
  entries,
});

export interface VpcWorld {
  subnets?: Subnet[];
  tables?: RouteTable[];
  acls?: NetworkAcl[];
}

/** A VPC with one public subnet (`subnet-pub`, routed to igw-1 for IPv4 and IPv6, default open ACL) unless the test says otherwise. */
export function vpcData(world: VpcWorld = {}): RegionVpcData {
  const subnets = world.subnets ?? [{ subnetId: 'subnet-pub', vpcId: 'vpc-1', cidrBlock: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: true }];
  const tables = world.tables ?? [routeTable('rtb-main', [route('0.0.0.0/0', 'igw-1'), route('::/0', 'igw-1')], { main: true })];
  const acls = world.acls ?? [networkAcl('acl-default', OPEN_ACL_ENTRIES, { isDefault: true })];
  return {
    subnets: Object.fromEntries(subnets.map((s) => [s.subnetId, s])),
    routeTables: Object.fromEntries(tables.map((t) => [t.routeTableId, t])),
    networkAcls: Object.fromEntries(acls.map((a) => [a.networkAclId, a])),
  };
}
