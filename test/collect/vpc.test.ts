/** The VPC collector: subnets, route tables and network ACLs by filter, paged, failures recorded per VPC. */
import { DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { CallRunner } from '../../lib/collect/calls.js';
import type { RegionContext } from '../../lib/collect/context.js';
import { collectVpcData, toRouteTable, toSubnet } from '../../lib/collect/vpc.js';

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

function context(): { ctx: RegionContext; close: () => void } {
  const calls = new CallRunner({ concurrency: 4, clock: systemClock });
  const client = new EC2Client({ region: 'eu-west-1' });
  const ctx = { region: 'eu-west-1', calls, clients: { ec2: client } } as unknown as RegionContext;
  return { ctx, close: () => calls.close() };
}

describe('collectVpcData', () => {
  it('reads subnets, route tables and ACLs by filter, every page, and maps targets, associations and entries', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1' }, { SubnetId: 'subnet-x', VpcId: 'vpc-1' }] });
    ec2
      .on(DescribeRouteTablesCommand)
      .resolvesOnce({
        RouteTables: [
          {
            RouteTableId: 'rtb-main',
            VpcId: 'vpc-1',
            Associations: [{ Main: true, AssociationState: { State: 'associated' } }],
            Routes: [
              { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
              { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'active' },
              { DestinationPrefixListId: 'pl-63a5400a', GatewayId: 'vpce-1', State: 'active' },
            ],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        RouteTables: [
          {
            RouteTableId: 'rtb-public',
            VpcId: 'vpc-1',
            Associations: [
              { SubnetId: 'subnet-1', AssociationState: { State: 'associated' } },
              { SubnetId: 'subnet-old', AssociationState: { State: 'disassociated' } },
            ],
            Routes: [
              { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' },
              { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-1', State: 'active' },
              { DestinationCidrBlock: '52.0.0.0/8', State: 'blackhole' },
            ],
          },
        ],
      });
    ec2.on(DescribeNetworkAclsCommand).resolves({
      NetworkAcls: [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          IsDefault: true,
          Associations: [{ SubnetId: 'subnet-1' }],
          Entries: [
            { RuleNumber: 90, Egress: false, Protocol: '6', RuleAction: 'deny', CidrBlock: '0.0.0.0/0', PortRange: { From: 22, To: 22 } },
            { RuleNumber: 100, Egress: true, Protocol: '-1', RuleAction: 'allow', Ipv6CidrBlock: '::/0' },
          ],
        },
      ],
    });
    const { ctx, close } = context();
    const got = await collectVpcData(ctx, ['subnet-1', 'subnet-1'], ['vpc-1']);
    close();

    expect(got.failures).toEqual([]);
    // Only what was asked for is kept (an endpoint ignoring the filter answers more).
    expect(got.data.subnets).toEqual({ 'subnet-1': { subnetId: 'subnet-1', vpcId: 'vpc-1' } });
    expect(got.data.routeTables).toEqual({
      'rtb-main': {
        routeTableId: 'rtb-main',
        vpcId: 'vpc-1',
        main: true,
        subnetIds: [],
        routes: [
          { destination: { type: 'cidr', cidr: '10.0.0.0/16' }, target: 'local', state: 'active' },
          { destination: { type: 'cidr', cidr: '0.0.0.0/0' }, target: 'nat-1', state: 'active' },
          { destination: { type: 'prefixList', prefixListId: 'pl-63a5400a' }, target: 'vpce-1', state: 'active' },
        ],
      },
      'rtb-public': {
        routeTableId: 'rtb-public',
        vpcId: 'vpc-1',
        main: false,
        subnetIds: ['subnet-1'],
        routes: [
          { destination: { type: 'cidr', cidr: '0.0.0.0/0' }, target: 'igw-1', state: 'active' },
          { destination: { type: 'cidr', cidr: '::/0' }, target: 'eigw-1', state: 'active' },
          { destination: { type: 'cidr', cidr: '52.0.0.0/8' }, state: 'blackhole' },
        ],
      },
    });
    expect(got.data.networkAcls['acl-1']?.entries).toEqual([
      { ruleNumber: 90, egress: false, protocol: '6', action: 'deny', cidr: '0.0.0.0/0', fromPort: 22, toPort: 22 },
      { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow', cidr: '::/0' },
    ]);
    // One subnet call, two route-table pages, one ACL call; filters, not id lists.
    expect(ec2.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input.Filters)).toEqual([[{ Name: 'subnet-id', Values: ['subnet-1'] }]]);
    expect(ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(ec2.commandCalls(DescribeNetworkAclsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeNetworkAclsCommand)[0]?.args[0].input.Filters).toEqual([{ Name: 'vpc-id', Values: ['vpc-1'] }]);
  });

  it('records a denied call on each VPC or subnet it concerns, and keeps what the other calls read', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1' }] });
    ec2.on(DescribeRouteTablesCommand).rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));
    ec2.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [{ NetworkAclId: 'acl-1', VpcId: 'vpc-2', IsDefault: true, Entries: [] }] });
    const { ctx, close } = context();
    const got = await collectVpcData(ctx, ['subnet-1'], ['vpc-1', 'vpc-2']);
    close();
    expect(got.failures).toEqual(
      ['vpc-1', 'vpc-2'].map((id) => ({ kind: 'vpc', resourceId: id, failure: { api: 'ec2:DescribeRouteTables', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' } })),
    );
    expect(Object.keys(got.data.networkAcls)).toEqual(['acl-1']);
    expect(got.data.subnets['subnet-1']).toEqual({ subnetId: 'subnet-1', vpcId: 'vpc-1' });
  });

  it('batches filter values by 200 and makes no call for nothing', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [] });
    const { ctx, close } = context();
    const subnets = Array.from({ length: 401 }, (_, i) => `subnet-${i}`);
    await collectVpcData(ctx, subnets, []);
    expect(ec2.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input.Filters?.[0]?.Values?.length)).toEqual([200, 200, 1]);
    expect(ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(0);
    ec2.resetHistory();
    await collectVpcData(ctx, [], []);
    close();
    expect(ec2.calls()).toHaveLength(0);
  });

  it('keeps the subnet fields the checks explain a path with; a disassociated IPv6 CIDR addresses nothing', () => {
    expect(
      toSubnet({
        SubnetId: 'subnet-1',
        VpcId: 'vpc-1',
        AvailabilityZone: 'eu-west-1a',
        CidrBlock: '10.0.1.0/24',
        MapPublicIpOnLaunch: true,
        AssignIpv6AddressOnCreation: false,
        Ipv6CidrBlockAssociationSet: [
          { Ipv6CidrBlock: '2a05:d018::/64', Ipv6CidrBlockState: { State: 'associated' } },
          { Ipv6CidrBlock: '2a05:d018:1::/64', Ipv6CidrBlockState: { State: 'disassociated' } },
        ],
      }),
    ).toEqual({ subnetId: 'subnet-1', vpcId: 'vpc-1', availabilityZone: 'eu-west-1a', cidrBlock: '10.0.1.0/24', ipv6CidrBlocks: ['2a05:d018::/64'], mapPublicIpOnLaunch: true, assignIpv6AddressOnCreation: false });
    expect(toSubnet({ SubnetId: 'subnet-1' })).toBeUndefined();
  });

  it("keeps the live associations' ids of subnets and of the main table (the change index keys them), not a gateway's", () => {
    const table = toRouteTable({
      RouteTableId: 'rtb-1',
      VpcId: 'vpc-1',
      Associations: [
        { Main: true, RouteTableAssociationId: 'rtbassoc-main', AssociationState: { State: 'associated' } },
        { Main: false, SubnetId: 'subnet-1', RouteTableAssociationId: 'rtbassoc-1', AssociationState: { State: 'associated' } },
        { Main: false, SubnetId: 'subnet-2', RouteTableAssociationId: 'rtbassoc-2', AssociationState: { State: 'disassociating' } },
        { Main: false, GatewayId: 'igw-1', RouteTableAssociationId: 'rtbassoc-edge', AssociationState: { State: 'associated' } },
      ],
    });
    expect(table).toMatchObject({ main: true, subnetIds: ['subnet-1'] });
    expect(table?.associations).toEqual([
      { associationId: 'rtbassoc-main', main: true },
      { associationId: 'rtbassoc-1', subnetId: 'subnet-1' },
    ]);
    // An answer without ids (an old emulator) adds no field: snapshots stay as they were.
    expect(toRouteTable({ RouteTableId: 'rtb-1', VpcId: 'vpc-1', Associations: [{ SubnetId: 'subnet-1' }] })).not.toHaveProperty('associations');
  });
});
