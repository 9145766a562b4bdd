/**
 * The network path of the clusters' nodes: their subnets, and the route tables and network ACLs of
 * the VPCs those subnets are in. Routes and ACLs are mutable, so they are read every run — once
 * per run for all clusters, by filter (`subnet-id`, `vpc-id`; filters never fail on an id that no
 * longer exists, unlike id lists), batched and paged to the end. A failure is recorded on the VPC
 * or subnet it concerns: reachability through it is then unknown (ERROR), never "not reachable".
 */
import {
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  type Filter,
  type NetworkAcl as SdkNetworkAcl,
  type Route as SdkRoute,
  type RouteTable as SdkRouteTable,
  type Subnet as SdkSubnet,
} from '@aws-sdk/client-ec2';
import type { NetworkAcl, NetworkAclEntry, RegionVpcData, Route, RouteTable, RouteTableAssociation, Subnet } from '../snapshot-vpc.js';
import { allPages, chunk, type CallFailure } from './calls.js';
import { regionCall, str, type RegionContext } from './context.js';

/** Values per filter: EC2 accepts up to 200 values in one filter. */
export const FILTER_VALUES_BATCH = 200;

export interface VpcFailure {
  /** `subnet`: DescribeSubnets for that subnet id; `vpc`: route tables or ACLs of that VPC. */
  kind: 'subnet' | 'vpc';
  resourceId: string;
  failure: CallFailure;
}

export interface VpcCollection {
  data: RegionVpcData;
  failures: VpcFailure[];
}

/** Subnets, route tables and network ACLs for nodes in `subnetIds` of `vpcIds` (both from DescribeInstances). */
export async function collectVpcData(ctx: RegionContext, subnetIds: readonly string[], vpcIds: readonly string[]): Promise<VpcCollection> {
  const out: VpcCollection = { data: { subnets: {}, routeTables: {}, networkAcls: {} }, failures: [] };
  const subnets = [...new Set(subnetIds)].sort();
  const vpcs = [...new Set(vpcIds)].sort();
  await Promise.all([
    ...chunk(subnets, FILTER_VALUES_BATCH).map(async (batch) => {
      const api = 'ec2:DescribeSubnets';
      const got = await ctx.calls.attempt(api, () =>
        allPages(async (NextToken) => {
          const r = await regionCall(ctx, api, (abortSignal) =>
            ctx.clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: batch }], MaxResults: 1000, NextToken }), { abortSignal }),
          );
          return { items: r.Subnets ?? [], next: r.NextToken };
        }),
      );
      if (!got.ok) {
        for (const id of batch) out.failures.push({ kind: 'subnet', resourceId: id, failure: got.failures[0]! });
        return;
      }
      const wanted = new Set(batch);
      for (const s of got.value) {
        const subnet = toSubnet(s);
        if (subnet && wanted.has(subnet.subnetId)) out.data.subnets[subnet.subnetId] = subnet;
      }
    }),
    ...chunk(vpcs, FILTER_VALUES_BATCH).flatMap((batch) => [
      byVpc(ctx, batch, out, 'ec2:DescribeRouteTables', async (Filters, NextToken, abortSignal) => {
        const r = await ctx.clients.ec2.send(new DescribeRouteTablesCommand({ Filters, MaxResults: 100, NextToken }), { abortSignal });
        return { items: r.RouteTables ?? [], next: r.NextToken };
      }, (t) => {
        const table = toRouteTable(t);
        return table && { vpcId: table.vpcId, store: () => (out.data.routeTables[table.routeTableId] = table) };
      }),
      byVpc(ctx, batch, out, 'ec2:DescribeNetworkAcls', async (Filters, NextToken, abortSignal) => {
        const r = await ctx.clients.ec2.send(new DescribeNetworkAclsCommand({ Filters, MaxResults: 100, NextToken }), { abortSignal });
        return { items: r.NetworkAcls ?? [], next: r.NextToken };
      }, (a) => {
        const acl = toNetworkAcl(a);
        return acl && { vpcId: acl.vpcId, store: () => (out.data.networkAcls[acl.networkAclId] = acl) };
      }),
    ]),
  ]);
  return out;
}

type Page<T> = { items: readonly T[]; next: string | undefined };

/**
 * One paged describe filtered on `vpc-id` for a batch of VPCs. `read` maps an item to its VPC and
 * how to store it; only items of the asked VPCs are stored (an endpoint ignoring the filter answers
 * more). A failure is recorded on every VPC of the batch.
 */
async function byVpc<T>(
  ctx: RegionContext,
  batch: string[],
  out: VpcCollection,
  api: string,
  page: (filters: Filter[], token: string | undefined, abortSignal: AbortSignal) => Promise<Page<T>>,
  read: (item: T) => { vpcId: string; store: () => unknown } | undefined,
): Promise<void> {
  const filters: Filter[] = [{ Name: 'vpc-id', Values: batch }];
  const got = await ctx.calls.attempt(api, () => allPages((NextToken) => regionCall(ctx, api, (abortSignal) => page(filters, NextToken, abortSignal))));
  if (!got.ok) {
    for (const id of batch) out.failures.push({ kind: 'vpc', resourceId: id, failure: got.failures[0]! });
    return;
  }
  const wanted = new Set(batch);
  for (const item of got.value) {
    const r = read(item);
    if (r && wanted.has(r.vpcId)) r.store();
  }
}

export function toSubnet(s: SdkSubnet): Subnet | undefined {
  if (!s.SubnetId || !s.VpcId) return undefined;
  const subnet: Subnet = { subnetId: s.SubnetId, vpcId: s.VpcId };
  const az = str(s.AvailabilityZone);
  const cidr = str(s.CidrBlock);
  if (az) subnet.availabilityZone = az;
  if (cidr) subnet.cidrBlock = cidr;
  // A CIDR being disassociated (or whose association failed) no longer addresses anything.
  const ipv6 = (s.Ipv6CidrBlockAssociationSet ?? [])
    .filter((a) => (a.Ipv6CidrBlockState?.State ?? 'associated') === 'associated')
    .map((a) => str(a.Ipv6CidrBlock))
    .filter((c): c is string => c !== undefined);
  if (ipv6.length > 0) subnet.ipv6CidrBlocks = ipv6;
  if (typeof s.MapPublicIpOnLaunch === 'boolean') subnet.mapPublicIpOnLaunch = s.MapPublicIpOnLaunch;
  if (typeof s.AssignIpv6AddressOnCreation === 'boolean') subnet.assignIpv6AddressOnCreation = s.AssignIpv6AddressOnCreation;
  return subnet;
}

/** The route's target as one id (`igw-…`, `nat-…`, `local`…), whichever field EC2 filled. */
function routeTarget(r: SdkRoute): string | undefined {
  return (
    str(r.GatewayId) ??
    str(r.EgressOnlyInternetGatewayId) ??
    str(r.NatGatewayId) ??
    str(r.TransitGatewayId) ??
    str(r.VpcPeeringConnectionId) ??
    str(r.NetworkInterfaceId) ??
    str(r.InstanceId) ??
    str(r.LocalGatewayId) ??
    str(r.CarrierGatewayId) ??
    str(r.CoreNetworkArn)
  );
}

export function toRouteTable(t: SdkRouteTable): RouteTable | undefined {
  if (!t.RouteTableId || !t.VpcId) return undefined;
  // A disassociating association no longer decides anything; an absent state is a live one.
  const live = (t.Associations ?? []).filter((a) => (a.AssociationState?.State ?? 'associated') === 'associated');
  const routes: Route[] = [];
  for (const r of t.Routes ?? []) {
    const cidr = str(r.DestinationCidrBlock) ?? str(r.DestinationIpv6CidrBlock);
    const prefixListId = str(r.DestinationPrefixListId);
    const destination: Route['destination'] | undefined = cidr ? { type: 'cidr', cidr } : prefixListId ? { type: 'prefixList', prefixListId } : undefined;
    if (!destination) continue;
    const target = routeTarget(r);
    const state = str(r.State);
    routes.push({ destination, ...(target ? { target } : {}), ...(state ? { state } : {}) });
  }
  const associations: RouteTableAssociation[] = [];
  for (const a of live) {
    const associationId = str(a.RouteTableAssociationId);
    // A gateway (edge) association decides nothing about a subnet's path: only subnets' and the main one.
    const subnetId = str(a.SubnetId);
    if (associationId && (subnetId || a.Main === true)) associations.push({ associationId, ...(subnetId ? { subnetId } : { main: true }) });
  }
  return {
    routeTableId: t.RouteTableId,
    vpcId: t.VpcId,
    main: live.some((a) => a.Main === true),
    subnetIds: live.map((a) => str(a.SubnetId)).filter((s): s is string => s !== undefined),
    routes,
    ...(associations.length > 0 ? { associations } : {}),
  };
}

export function toNetworkAcl(a: SdkNetworkAcl): NetworkAcl | undefined {
  if (!a.NetworkAclId || !a.VpcId) return undefined;
  const entries: NetworkAclEntry[] = [];
  for (const e of a.Entries ?? []) {
    const cidr = str(e.CidrBlock) ?? str(e.Ipv6CidrBlock);
    if (e.RuleNumber === undefined || !cidr || (e.RuleAction !== 'allow' && e.RuleAction !== 'deny')) continue;
    const entry: NetworkAclEntry = { ruleNumber: e.RuleNumber, egress: e.Egress === true, protocol: str(e.Protocol) ?? '-1', action: e.RuleAction, cidr };
    if (e.PortRange?.From !== undefined && e.PortRange.To !== undefined) {
      entry.fromPort = e.PortRange.From;
      entry.toPort = e.PortRange.To;
    }
    entries.push(entry);
  }
  return {
    networkAclId: a.NetworkAclId,
    vpcId: a.VpcId,
    isDefault: a.IsDefault === true,
    subnetIds: (a.Associations ?? []).map((x) => str(x.SubnetId)).filter((s): s is string => s !== undefined),
    entries,
  };
}
