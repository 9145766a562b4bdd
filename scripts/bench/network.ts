/**
 * The simulated account's network (issue 13, exposure/internet-reachable-port): VPCs with public
 * and private subnets in three AZs, a main route table per VPC plus explicit tables for some
 * subnets, internet-gateway, NAT-gateway, S3-endpoint and stale (blackhole) peering routes, the
 * default network ACL of each VPC and a few custom ones. Shaped like real accounts: a few dozen VPCs
 * for 1,000 clusters, many clusters per subnet.
 *
 * Drawn from a generator of its own (seeded from the account's seed), so adding the network left
 * every other fact of the account as it was.
 */
import { createRng, type Rng } from './rng.js';

export interface SimVpc {
  id: string;
  cidr: string;
  /** Absent: a VPC without an internet gateway (private only). */
  igwId?: string;
  natId?: string;
  /** The VPC's Amazon-provided IPv6 /56, for dual-stack VPCs. */
  ipv6Cidr?: string;
}

export interface SimSubnet {
  id: string;
  vpcId: string;
  cidr: string;
  availabilityZone: string;
  /** Meant to be public (routes to the internet gateway, public IPv4 on launch). */
  public: boolean;
  ipv6Cidr?: string;
}

export interface SimRoute {
  cidr4?: string;
  cidr6?: string;
  prefixListId?: string;
  /** `local`, `igw-…`, `nat-…`, `vpce-…`, `pcx-…` */
  target: string;
  state: 'active' | 'blackhole';
}

export interface SimRouteTable {
  id: string;
  vpcId: string;
  main: boolean;
  /** Explicitly associated subnets (a subnet without one uses the main table). */
  subnetIds: string[];
  routes: SimRoute[];
}

export interface SimNetworkAclEntry {
  ruleNumber: number;
  egress: boolean;
  /** `-1` (all), `6` (tcp), `17` (udp), as EC2 returns it. */
  protocol: string;
  action: 'allow' | 'deny';
  cidr4?: string;
  cidr6?: string;
  from?: number;
  to?: number;
}

export interface SimNetworkAcl {
  id: string;
  vpcId: string;
  isDefault: boolean;
  /** Every subnet is associated with exactly one ACL of its VPC. */
  subnetIds: string[];
  entries: SimNetworkAclEntry[];
}

export interface SimNetwork {
  vpcs: Map<string, SimVpc>;
  subnets: Map<string, SimSubnet>;
  routeTables: Map<string, SimRouteTable>;
  networkAcls: Map<string, SimNetworkAcl>;
}

/** The AWS-managed prefix list of S3 in us-east-1 (a gateway endpoint's route destination). */
export const S3_PREFIX_LIST = 'pl-63a5400a';

/** VPCs of an account of n active clusters: a few dozen at 1,000. */
export const vpcCount = (n: number): number => Math.max(1, Math.round(n / 30));

function hex(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
}

/** A generator of the network's own, from the account's seed. */
export const networkRng = (seed: number): Rng => createRng((seed ^ 0x7e7a0c5) >>> 0);

/** New VPC ids beyond those the account already drew, from the network's generator. */
export function moreVpcIds(rng: Rng, have: number, want: number): string[] {
  return Array.from({ length: Math.max(0, want - have) }, () => `vpc-${hex(rng, 17)}`);
}

function defaultAclEntries(ipv6: boolean): SimNetworkAclEntry[] {
  const both = (egress: boolean): SimNetworkAclEntry[] => [
    { ruleNumber: 100, egress, protocol: '-1', action: 'allow', cidr4: '0.0.0.0/0' },
    ...(ipv6 ? [{ ruleNumber: 101, egress, protocol: '-1', action: 'allow' as const, cidr6: '::/0' }] : []),
    { ruleNumber: 32767, egress, protocol: '-1', action: 'deny', cidr4: '0.0.0.0/0' },
    ...(ipv6 ? [{ ruleNumber: 32768, egress, protocol: '-1', action: 'deny' as const, cidr6: '::/0' }] : []),
  ];
  return [...both(false), ...both(true)];
}

/** A hardened ACL for public subnets: HTTPS and the return traffic from anywhere, SSH from the office only. */
function publicAclEntries(): SimNetworkAclEntry[] {
  return [
    { ruleNumber: 100, egress: false, protocol: '6', action: 'allow', cidr4: '0.0.0.0/0', from: 443, to: 443 },
    { ruleNumber: 110, egress: false, protocol: '6', action: 'allow', cidr4: '203.0.113.0/24', from: 22, to: 22 },
    { ruleNumber: 120, egress: false, protocol: '6', action: 'deny', cidr4: '0.0.0.0/0', from: 8088, to: 8088 },
    { ruleNumber: 130, egress: false, protocol: '6', action: 'allow', cidr4: '0.0.0.0/0', from: 1024, to: 65535 },
    { ruleNumber: 140, egress: false, protocol: '-1', action: 'allow', cidr4: '10.0.0.0/8' },
    { ruleNumber: 32767, egress: false, protocol: '-1', action: 'deny', cidr4: '0.0.0.0/0' },
    { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow', cidr4: '0.0.0.0/0' },
    { ruleNumber: 32767, egress: true, protocol: '-1', action: 'deny', cidr4: '0.0.0.0/0' },
  ];
}

/** A private ACL: the corporate network only. */
function privateAclEntries(): SimNetworkAclEntry[] {
  return [
    { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow', cidr4: '10.0.0.0/8' },
    { ruleNumber: 200, egress: false, protocol: '6', action: 'allow', cidr4: '0.0.0.0/0', from: 1024, to: 65535 },
    { ruleNumber: 32767, egress: false, protocol: '-1', action: 'deny', cidr4: '0.0.0.0/0' },
    { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow', cidr4: '0.0.0.0/0' },
    { ruleNumber: 32767, egress: true, protocol: '-1', action: 'deny', cidr4: '0.0.0.0/0' },
  ];
}

/**
 * The network of these VPCs. Per VPC (k-th): a /16; an internet gateway and a NAT gateway except
 * in every eighth VPC (private only); dual stack in about a quarter of those with a gateway; three
 * private subnets (one per AZ) and, with a gateway, two or three public ones. Route tables: the
 * main table (local, the NAT default route; in one VPC of ten with a gateway the main table itself
 * routes 0.0.0.0/0 to the internet gateway, so the subnets it serves implicitly are public); one
 * explicit public table for the public subnets (igw for 0.0.0.0/0 and ::/0); an explicit private
 * table (NAT, S3 endpoint) for some private subnets, the others falling back to the main table; a
 * stale peering route (blackhole) here and there. ACLs: the default one for every subnet without
 * a custom one; a hardened public ACL in about a third of the VPCs with a gateway, a private ACL in
 * about one VPC of six.
 */
export function buildNetwork(vpcIds: readonly string[], rng: Rng, region: string): SimNetwork {
  const net: SimNetwork = { vpcs: new Map(), subnets: new Map(), routeTables: new Map(), networkAcls: new Map() };
  const azs = ['a', 'b', 'c'].map((z) => `${region}${z}`);
  for (const [k, vpcId] of vpcIds.entries()) {
    const octet = k % 256;
    const gateway = k % 8 !== 7;
    const vpc: SimVpc = { id: vpcId, cidr: `10.${octet}.0.0/16` };
    if (gateway) {
      vpc.igwId = `igw-${hex(rng, 17)}`;
      vpc.natId = `nat-${hex(rng, 17)}`;
      if (rng.chance(0.25)) vpc.ipv6Cidr = `2600:1f18:${hex(rng, 4)}:${(0x100 + octet).toString(16).slice(1)}00::/56`;
    }
    net.vpcs.set(vpcId, vpc);
    const subnets: SimSubnet[] = [];
    let third = 0;
    const addSubnet = (isPublic: boolean, az: string): SimSubnet => {
      const s: SimSubnet = { id: `subnet-${hex(rng, 17)}`, vpcId, cidr: `10.${octet}.${third * 16}.0/20`, availabilityZone: az, public: isPublic };
      if (vpc.ipv6Cidr && isPublic) s.ipv6Cidr = `${vpc.ipv6Cidr.slice(0, vpc.ipv6Cidr.indexOf('00::/56'))}${(0x100 + third).toString(16).slice(1)}::/64`;
      third += 1;
      net.subnets.set(s.id, s);
      subnets.push(s);
      return s;
    };
    const privates = azs.map((az) => addSubnet(false, az));
    const publics = gateway ? azs.slice(0, rng.int(2, 3)).map((az) => addSubnet(true, az)) : [];

    const local: SimRoute[] = [{ cidr4: vpc.cidr, target: 'local', state: 'active' }, ...(vpc.ipv6Cidr ? [{ cidr6: vpc.ipv6Cidr, target: 'local', state: 'active' as const }] : [])];
    const s3: SimRoute = { prefixListId: S3_PREFIX_LIST, target: `vpce-${hex(rng, 17)}`, state: 'active' };
    const publicMain = gateway && rng.chance(0.1);
    const mainRoutes: SimRoute[] = [...local];
    if (publicMain && vpc.igwId) mainRoutes.push({ cidr4: '0.0.0.0/0', target: vpc.igwId, state: 'active' });
    else if (vpc.natId) mainRoutes.push({ cidr4: '0.0.0.0/0', target: vpc.natId, state: 'active' });
    const table = (main: boolean, subnetIds: string[], routes: SimRoute[]): void => {
      const t: SimRouteTable = { id: `rtb-${hex(rng, 17)}`, vpcId, main, subnetIds, routes };
      net.routeTables.set(t.id, t);
    };
    table(true, [], mainRoutes);
    if (vpc.igwId && publics.length > 0) {
      table(
        false,
        publics.map((s) => s.id),
        [...local, { cidr4: '0.0.0.0/0', target: vpc.igwId, state: 'active' }, ...(vpc.ipv6Cidr ? [{ cidr6: '::/0', target: vpc.igwId, state: 'active' as const }] : []), s3],
      );
    }
    const explicitPrivate = privates.filter(() => rng.chance(0.5));
    if (explicitPrivate.length > 0) {
      const routes: SimRoute[] = [...local, s3, ...(vpc.natId ? [{ cidr4: '0.0.0.0/0', target: vpc.natId, state: 'active' as const }] : [])];
      if (rng.chance(0.2)) routes.push({ cidr4: `172.${16 + (octet % 16)}.0.0/16`, target: `pcx-${hex(rng, 17)}`, state: 'blackhole' });
      table(
        false,
        explicitPrivate.map((s) => s.id),
        routes,
      );
    }

    const custom = new Set<string>();
    const acl = (isDefault: boolean, subnetIds: string[], entries: SimNetworkAclEntry[]): void => {
      const a: SimNetworkAcl = { id: `acl-${hex(rng, 17)}`, vpcId, isDefault, subnetIds, entries };
      net.networkAcls.set(a.id, a);
    };
    if (publics.length > 0 && rng.chance(0.35)) {
      acl(
        false,
        publics.map((s) => s.id),
        publicAclEntries(),
      );
      for (const s of publics) custom.add(s.id);
    }
    if (rng.chance(1 / 6)) {
      const chosen = privates.slice(0, 1);
      acl(
        false,
        chosen.map((s) => s.id),
        privateAclEntries(),
      );
      for (const s of chosen) custom.add(s.id);
    }
    acl(
      true,
      subnets.filter((s) => !custom.has(s.id)).map((s) => s.id),
      defaultAclEntries(vpc.ipv6Cidr !== undefined),
    );
  }
  return net;
}

/** The subnets of a VPC a cluster may be placed in (public or private); private ones when it has no public subnet. */
export function subnetsFor(net: SimNetwork, vpcId: string, wantPublic: boolean): SimSubnet[] {
  const all = [...net.subnets.values()].filter((s) => s.vpcId === vpcId);
  const matching = all.filter((s) => s.public === wantPublic);
  return matching.length > 0 ? matching : all;
}
