/**
 * The reachable path of a finding in ASFF: `Network`, `NetworkPath`, and the `Details` of the
 * subnet, route table and network ACL resources (AwsSecurityFinding in the Security Hub API
 * reference). Pure.
 *
 * Where the reference leaves a choice (our decisions):
 * - `Network` describes one opening: the first of the result's paths, which the checks order most
 *   exposed first (widest port range, IPv4 before IPv6). `Direction` IN; `Protocol` `TCP`/`UDP`
 *   (upper case, as Amazon Inspector writes it; ≤ 16 characters); `DestinationIpV4`/`V6` the
 *   node's public address; `OpenPortRange` the ports, and `DestinationPort` only when it is one
 *   port. `SourceIpV4`/`V6` are set only when the rule's source is a single address (/32, /128):
 *   a CIDR such as 0.0.0.0/0 is not an address, and the reference has no field for one.
 * - `NetworkPath` is the order the traffic takes: internet gateway → route table → network ACL →
 *   security group → instance. `ComponentType` is the CloudFormation type (`AWS::EC2::RouteTable`:
 *   all five fit in 32 characters), `ComponentId` the resource id (EC2 ids fit in 32). Each
 *   component's `Ingress` is the traffic arriving (source CIDRs, destination address and ports);
 *   `Egress`, "the component that comes after", is the same traffic passed on, so it is set on
 *   every component but the instance, except the network ACL's, which carries the answer it lets
 *   out (to the source CIDRs on the ephemeral ports 1024-65535) — what its outbound rule decides.
 * - Address lists are cut at 10 CIDRs (a prefix list may hold hundreds); route and ACL entry lists
 *   in Details at 100 each, to stay far from the 240 KB finding limit.
 */
import type {
  AwsEc2NetworkAclDetails,
  AwsEc2RouteTableDetails,
  AwsEc2SubnetDetails,
  AwsSecurityFinding,
  NetworkHeader,
  NetworkPathComponent,
  ResourceDetails,
  RouteSetDetails,
} from '@aws-sdk/client-securityhub';
import type { NetworkPath } from '../../checks/contract.js';
import type { NetworkAcl, RouteTable, Subnet } from '../snapshot-vpc.js';
import { parseCidr } from '../network/cidr.js';
import { EPHEMERAL_PORTS } from '../network/reachability.js';

const MAX_ADDRESSES = 10;
const MAX_DETAIL_ENTRIES = 100;
/** ComponentId / ComponentType: 1 to 32 characters. */
const COMPONENT_MAX = 32;

const cut = (text: string): string => (text.length <= COMPONENT_MAX ? text : `${text.slice(0, COMPONENT_MAX - 1)}…`);

function singleAddress(cidr: string): string | undefined {
  const c = parseCidr(cidr);
  if (!c || c.prefix !== (c.family === 'ipv4' ? 32 : 128)) return undefined;
  return cidr.split('/')[0];
}

/** The finding's `Network`: one opening, inbound. */
export function findingNetwork(p: NetworkPath): NonNullable<AwsSecurityFinding['Network']> {
  const source = p.sourceCidrs.length === 1 ? singleAddress(p.sourceCidrs[0]!) : undefined;
  const v4 = p.family === 'ipv4';
  return {
    Direction: 'IN',
    Protocol: p.protocol.toUpperCase(),
    OpenPortRange: { Begin: p.fromPort, End: p.toPort },
    ...(p.fromPort === p.toPort ? { DestinationPort: p.fromPort } : {}),
    ...(v4 ? { DestinationIpV4: p.address } : { DestinationIpV6: p.address }),
    ...(source ? (v4 ? { SourceIpV4: source } : { SourceIpV6: source }) : {}),
  };
}

/** The finding's `NetworkPath`: internet gateway → route table → network ACL → security group → instance. */
export function findingNetworkPath(p: NetworkPath): NetworkPathComponent[] {
  const protocol = p.protocol.toUpperCase();
  const sources = p.sourceCidrs.slice(0, MAX_ADDRESSES);
  const inbound: NetworkHeader = {
    Protocol: protocol,
    ...(sources.length > 0 ? { Source: { Address: sources } } : {}),
    Destination: { Address: [p.address], PortRanges: [{ Begin: p.fromPort, End: p.toPort }] },
  };
  const answer: NetworkHeader = {
    Protocol: protocol,
    Source: { Address: [p.address], PortRanges: [{ Begin: p.fromPort, End: p.toPort }] },
    Destination: { ...(sources.length > 0 ? { Address: sources } : {}), PortRanges: [{ Begin: EPHEMERAL_PORTS.from, End: EPHEMERAL_PORTS.to }] },
  };
  const component = (id: string, type: string, egress?: NetworkHeader): NetworkPathComponent => ({
    ComponentId: cut(id),
    ComponentType: cut(type),
    Ingress: inbound,
    ...(egress ? { Egress: egress } : {}),
  });
  return [
    component(p.gatewayId, 'AWS::EC2::InternetGateway', inbound),
    component(p.routeTableId, 'AWS::EC2::RouteTable', inbound),
    component(p.networkAclId, 'AWS::EC2::NetworkAcl', answer),
    component(p.securityGroupId, 'AWS::EC2::SecurityGroup', inbound),
    component(p.instanceId, 'AWS::EC2::Instance'),
  ];
}

// ---------------------------------------------------------------- resource details

export function subnetDetails(s: Subnet, arn: string | undefined): ResourceDetails {
  const d: AwsEc2SubnetDetails = {
    SubnetId: s.subnetId,
    VpcId: s.vpcId,
    ...(arn ? { SubnetArn: arn } : {}),
    ...(s.availabilityZone ? { AvailabilityZone: s.availabilityZone } : {}),
    ...(s.cidrBlock ? { CidrBlock: s.cidrBlock } : {}),
    ...(s.mapPublicIpOnLaunch !== undefined ? { MapPublicIpOnLaunch: s.mapPublicIpOnLaunch } : {}),
    ...(s.assignIpv6AddressOnCreation !== undefined ? { AssignIpv6AddressOnCreation: s.assignIpv6AddressOnCreation } : {}),
    ...(s.ipv6CidrBlocks && s.ipv6CidrBlocks.length > 0 ? { Ipv6CidrBlockAssociationSet: s.ipv6CidrBlocks.map((Ipv6CidrBlock) => ({ Ipv6CidrBlock })) } : {}),
  };
  return { AwsEc2Subnet: d };
}

/** EC2's route target ids by prefix → the RouteSetDetails field that names them. */
function routeTarget(target: string | undefined): Partial<RouteSetDetails> {
  if (!target) return {};
  if (target.startsWith('eigw-')) return { EgressOnlyInternetGatewayId: target };
  if (target.startsWith('nat-')) return { NatGatewayId: target };
  if (target.startsWith('tgw-')) return { TransitGatewayId: target };
  if (target.startsWith('pcx-')) return { VpcPeeringConnectionId: target };
  if (target.startsWith('eni-')) return { NetworkInterfaceId: target };
  if (target.startsWith('i-')) return { InstanceId: target };
  if (target.startsWith('lgw-')) return { LocalGatewayId: target };
  if (target.startsWith('cagw-')) return { CarrierGatewayId: target };
  // igw-, vgw-, vpce- (gateway endpoints) and `local` are GatewayId in EC2's own answer.
  return { GatewayId: target };
}

export function routeTableDetails(t: RouteTable): ResourceDetails {
  const routes: RouteSetDetails[] = t.routes.slice(0, MAX_DETAIL_ENTRIES).map((r) => {
    const destination: Partial<RouteSetDetails> =
      r.destination.type === 'prefixList'
        ? { DestinationPrefixListId: r.destination.prefixListId }
        : parseCidr(r.destination.cidr)?.family === 'ipv6'
          ? { DestinationIpv6CidrBlock: r.destination.cidr }
          : { DestinationCidrBlock: r.destination.cidr };
    return { ...destination, ...routeTarget(r.target), ...(r.state ? { State: r.state } : {}) };
  });
  const associations = [
    ...(t.main ? [{ Main: true, RouteTableId: t.routeTableId }] : []),
    ...t.subnetIds.slice(0, MAX_DETAIL_ENTRIES).map((SubnetId) => ({ Main: false, RouteTableId: t.routeTableId, SubnetId })),
  ];
  const d: AwsEc2RouteTableDetails = { RouteTableId: t.routeTableId, VpcId: t.vpcId, RouteSet: routes, ...(associations.length > 0 ? { AssociationSet: associations } : {}) };
  return { AwsEc2RouteTable: d };
}

export function networkAclDetails(a: NetworkAcl): ResourceDetails {
  const d: AwsEc2NetworkAclDetails = {
    NetworkAclId: a.networkAclId,
    VpcId: a.vpcId,
    IsDefault: a.isDefault,
    Associations: a.subnetIds.slice(0, MAX_DETAIL_ENTRIES).map((SubnetId) => ({ NetworkAclId: a.networkAclId, SubnetId })),
    Entries: [...a.entries]
      .sort((x, y) => Number(x.egress) - Number(y.egress) || x.ruleNumber - y.ruleNumber)
      .slice(0, MAX_DETAIL_ENTRIES)
      .map((e) => ({
        RuleNumber: e.ruleNumber,
        Egress: e.egress,
        Protocol: e.protocol,
        RuleAction: e.action,
        ...(parseCidr(e.cidr)?.family === 'ipv6' ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
        ...(e.fromPort !== undefined && e.toPort !== undefined ? { PortRange: { From: e.fromPort, To: e.toPort } } : {}),
      })),
  };
  return { AwsEc2NetworkAcl: d };
}
