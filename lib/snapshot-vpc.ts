/**
 * The VPC part of a region's snapshot: what decides whether the internet can reach a node —
 * its subnet's route table (explicit association, else the VPC's main table) and network ACL
 * (explicit association, else the VPC's default ACL). Mutable facts: read fresh every run.
 */
import * as z from 'zod';

export const Route = z.object({
  /** Destination CIDR (IPv4 or IPv6), or a prefix list. */
  destination: z.discriminatedUnion('type', [
    z.object({ type: z.literal('cidr'), cidr: z.string() }),
    z.object({ type: z.literal('prefixList'), prefixListId: z.string() }),
  ]),
  /**
   * Where matching traffic goes: `igw-…`, `eigw-…`, `nat-…`, `tgw-…`, `pcx-…`, `eni-…`, `i-…`,
   * `vgw-…`, `vpce-…`, `local`…; absent when EC2 names none (a route whose target was deleted).
   */
  target: z.string().optional(),
  /** `active` or `blackhole` (the target no longer exists: matching traffic is dropped). */
  state: z.string().optional(),
});
export type Route = z.infer<typeof Route>;

export const RouteTableAssociation = z.object({
  associationId: z.string(),
  /** The subnet explicitly associated; absent for the main association. */
  subnetId: z.string().optional(),
  /** The VPC's main association: the table serves every subnet without an explicit one. */
  main: z.boolean().optional(),
});
export type RouteTableAssociation = z.infer<typeof RouteTableAssociation>;

export const RouteTable = z.object({
  routeTableId: z.string(),
  vpcId: z.string(),
  /** The VPC's main route table: it serves every subnet without an explicit association. */
  main: z.boolean(),
  /** Subnets explicitly associated with this table. */
  subnetIds: z.array(z.string()),
  routes: z.array(Route),
  /**
   * The live associations by id (EC2's RouteTableAssociationId): a subnet's, or the VPC's main one.
   * `DisassociateRouteTable` and `ReplaceRouteTableAssociation` name only the association, so the
   * change index keys these (lib/events/cluster-index.ts). Absent from snapshots made before they were kept.
   */
  associations: z.array(RouteTableAssociation).optional(),
});
export type RouteTable = z.infer<typeof RouteTable>;

export const NetworkAclEntry = z.object({
  ruleNumber: z.number().int(),
  /** true: outbound rule; false: inbound. */
  egress: z.boolean(),
  /** `-1` (all) or a protocol number as a string (`6` tcp, `17` udp, `1` icmp, `58` icmpv6). */
  protocol: z.string(),
  action: z.enum(['allow', 'deny']),
  /** IPv4 or IPv6 CIDR. */
  cidr: z.string(),
  /** tcp/udp only; absent with protocol -1 (all ports). */
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
});
export type NetworkAclEntry = z.infer<typeof NetworkAclEntry>;

export const NetworkAcl = z.object({
  networkAclId: z.string(),
  vpcId: z.string(),
  /** The VPC's default ACL: it serves every subnet without an explicit association. */
  isDefault: z.boolean(),
  subnetIds: z.array(z.string()),
  entries: z.array(NetworkAclEntry),
});
export type NetworkAcl = z.infer<typeof NetworkAcl>;

export const Subnet = z.object({
  subnetId: z.string(),
  vpcId: z.string(),
  availabilityZone: z.string().optional(),
  /** The subnet's IPv4 CIDR and IPv6 CIDRs (associated ones only). */
  cidrBlock: z.string().optional(),
  ipv6CidrBlocks: z.array(z.string()).optional(),
  /** New instances get a public IPv4 address: the subnet is meant to be public. */
  mapPublicIpOnLaunch: z.boolean().optional(),
  /** New interfaces get an IPv6 address. */
  assignIpv6AddressOnCreation: z.boolean().optional(),
});
export type Subnet = z.infer<typeof Subnet>;

/** The VPC data of one region, keyed by id; absent from snapshots made before it was collected. */
export const RegionVpcData = z.object({
  subnets: z.record(z.string(), Subnet).default({}),
  routeTables: z.record(z.string(), RouteTable).default({}),
  networkAcls: z.record(z.string(), NetworkAcl).default({}),
});
export type RegionVpcData = z.infer<typeof RegionVpcData>;
