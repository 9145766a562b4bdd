/**
 * The path from the internet in the region pipeline: subnets, route tables and network ACLs read
 * once per run, for the RUNNING nodes with a public address only, as soon as EC2's view of every
 * node is known; the nodes' own security groups described with the cluster's.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-emr';
import { DescribeInstancesCommand, DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearPolicyVersionCache } from '../../lib/collect/index.js';
import { Snapshot, type RegionSnapshot } from '../../lib/snapshot.js';
import { makeCheck } from '../deploy/helpers.js';
import { allowAllEntries, FakeAccount, REGION, type FakeMocks } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf, untaggedCluster } from './harness.js';

let fake: FakeAccount;
let mocks: FakeMocks;

beforeEach(() => {
  clearPolicyVersionCache();
  fake = new FakeAccount().withDefaults();
  mocks = fake.mock();
});
afterEach(() => mocks.restore());

type Input = Record<string, unknown>;
const VPC_APIS = ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'] as const;
const vpcCalls = (): number => VPC_APIS.reduce((n, api) => n + fake.count(api), 0);
const filterValues = (api: (typeof VPC_APIS)[number]): string[][] =>
  fake.calls.filter((c) => c.api === api).map((c) => ((c.input.Filters as Array<{ Values?: string[] }> | undefined)?.[0]?.Values ?? []));

/** A second VPC with a private subnet (NAT) and a public one with a custom ACL. */
function addSecondVpc(): void {
  fake
    .addSubnet({ SubnetId: 'subnet-priv', VpcId: 'vpc-2', CidrBlock: '10.1.1.0/24', AvailabilityZone: 'us-east-1b', MapPublicIpOnLaunch: false })
    .addSubnet({ SubnetId: 'subnet-pub2', VpcId: 'vpc-2', CidrBlock: '10.1.0.0/24', AvailabilityZone: 'us-east-1a', MapPublicIpOnLaunch: true, Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2600:1f18:abcd:100::/64', Ipv6CidrBlockState: { State: 'associated' } }] })
    .addRouteTable({ RouteTableId: 'rtb-2-main', VpcId: 'vpc-2', Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '10.1.0.0/16', GatewayId: 'local', State: 'active' }, { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-2', State: 'active' }] })
    .addRouteTable({ RouteTableId: 'rtb-2-pub', VpcId: 'vpc-2', Associations: [{ SubnetId: 'subnet-pub2', AssociationState: { State: 'associated' } }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-2', State: 'active' }, { DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-2', State: 'active' }] })
    .addNetworkAcl({ NetworkAclId: 'acl-2', VpcId: 'vpc-2', IsDefault: true, Entries: allowAllEntries() })
    .addNetworkAcl({
      NetworkAclId: 'acl-2-pub',
      VpcId: 'vpc-2',
      IsDefault: false,
      Associations: [{ SubnetId: 'subnet-pub2' }],
      Entries: [{ RuleNumber: 90, Egress: false, Protocol: '6', RuleAction: 'deny', CidrBlock: '0.0.0.0/0', PortRange: { From: 8888, To: 8888 } }, ...allowAllEntries()],
    })
    // A third VPC no public node is in: never asked about.
    .addSubnet({ SubnetId: 'subnet-3', VpcId: 'vpc-3', CidrBlock: '10.2.0.0/24' })
    .addNetworkAcl({ NetworkAclId: 'acl-3', VpcId: 'vpc-3', IsDefault: true, Entries: allowAllEntries() });
}

describe('the path from the internet, once per run', () => {
  it('reads the subnets and VPCs of the RUNNING nodes with a public address only, in one call per API', async () => {
    addSecondVpc();
    fake
      // Public IPv4 on the master, in the default public subnet.
      .addCluster(defaultCluster('j-pub', { instances: FakeAccount.nodes('j-pub', 1, 0).map((n, i) => (i === 0 ? { ...n, publicIp: '54.10.0.1' } : n)) }))
      // A global IPv6 address on a core node; a link-local / unique-local one is not public.
      .addCluster(
        defaultCluster('j-v6', {
          subnetId: 'subnet-pub2',
          instances: [
            { ec2Id: 'i-v6-0', role: 'MASTER', ipv6: ['fe80::1', 'fd00::5'] },
            { ec2Id: 'i-v6-1', role: 'CORE', ipv6: ['2600:1f18:abcd:100::10'] },
          ],
        }),
      )
      // No public address at all: nothing is read for it.
      .addCluster(defaultCluster('j-private', { subnetId: 'subnet-3' }))
      // A public address on a node that is not RUNNING yet: not judged, nothing read.
      .addCluster(defaultCluster('j-booting', { subnetId: 'subnet-3', instances: [{ ec2Id: 'i-boot-0', role: 'MASTER', publicIp: '54.10.0.9', state: 'BOOTSTRAPPING' }, { ec2Id: 'i-boot-1', role: 'CORE' }] }))
      // A fallback cluster (no system tags) with an Elastic IP that only EC2 reports.
      .addCluster(untaggedCluster('j-fallback', { subnetId: 'subnet-priv', instances: [{ ec2Id: 'i-fb-0', role: 'MASTER', elasticIp: '54.10.0.2' }, { ec2Id: 'i-fb-1', role: 'CORE' }] }));

    const r = regionOf(await collect(fake));

    expect(r.errors).toEqual([]);
    // 1 + 1 + 1: one call per API for the whole region, each filtered on exactly what public nodes need.
    expect(mocks.ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeNetworkAclsCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input.Filters).toEqual([{ Name: 'subnet-id', Values: ['subnet-1', 'subnet-priv', 'subnet-pub2'] }]);
    expect(filterValues('ec2:DescribeRouteTables')).toEqual([['vpc-1', 'vpc-2']]);
    expect(filterValues('ec2:DescribeNetworkAcls')).toEqual([['vpc-1', 'vpc-2']]);

    expect(Object.keys(r.vpc!.subnets).sort()).toEqual(['subnet-1', 'subnet-priv', 'subnet-pub2']);
    expect(r.vpc!.subnets['subnet-pub2']).toEqual({ subnetId: 'subnet-pub2', vpcId: 'vpc-2', availabilityZone: 'us-east-1a', cidrBlock: '10.1.0.0/24', ipv6CidrBlocks: ['2600:1f18:abcd:100::/64'], mapPublicIpOnLaunch: true });
    expect(Object.keys(r.vpc!.routeTables).sort()).toEqual(['rtb-1', 'rtb-2-main', 'rtb-2-pub']);
    expect(r.vpc!.routeTables['rtb-2-main']).toMatchObject({ main: true, subnetIds: [] });
    expect(Object.keys(r.vpc!.networkAcls).sort()).toEqual(['acl-1', 'acl-2', 'acl-2-pub']);
    // EC2 answers the default ACL associated with every subnet no other ACL names.
    expect(r.vpc!.networkAcls['acl-2']?.subnetIds).toEqual(['subnet-priv']);
    expect(r.vpc!.networkAcls['acl-2-pub']?.entries[0]).toEqual({ ruleNumber: 90, egress: false, protocol: '6', action: 'deny', cidr: '0.0.0.0/0', fromPort: 8888, toPort: 8888 });
    // The nodes say where they are and which groups filter them.
    expect(r.ec2Instances['i-fb-0']).toMatchObject({ publicIpAddress: '54.10.0.2', subnetId: 'subnet-priv', vpcId: 'vpc-2', securityGroupIds: ['sg-master'] });
    expect(r.ec2Instances['i-v6-1']).toMatchObject({ subnetId: 'subnet-pub2', vpcId: 'vpc-2' });
  });

  it('with no node reachable by address: no VPC call, and an empty (collected) vpc section', async () => {
    fake.addCluster(defaultCluster('j-1')).addCluster(untaggedCluster('j-2'));

    const r = regionOf(await collect(fake));

    expect(vpcCalls()).toBe(0);
    expect(r.vpc).toEqual({ subnets: {}, routeTables: {}, networkAcls: {} });
    expect(r.errors).toEqual([]);
  });

  it('with no cluster at all: no VPC call, an empty vpc section', async () => {
    const r = regionOf(await collect(fake));
    expect(vpcCalls()).toBe(0);
    expect(r.vpc).toEqual({ subnets: {}, routeTables: {}, networkAcls: {} });
  });

  it('when no selected check needs it: no VPC call, vpc absent, node groups not described', async () => {
    fake.addSecurityGroup({ groupId: 'sg-node-extra', groupName: 'extra', vpcId: 'vpc-1' });
    fake.addCluster(defaultCluster('j-1', { instances: [{ ec2Id: 'i-1', role: 'MASTER', publicIp: '54.10.0.1', securityGroups: ['sg-master', 'sg-node-extra'] }, { ec2Id: 'i-2', role: 'CORE' }] }));

    const r = regionOf(await collect(fake, { checks: [makeCheck('x/public-ip', ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups'])] }));

    expect(vpcCalls()).toBe(0);
    expect(r).not.toHaveProperty('vpc');
    expect(r.ec2Instances['i-1']?.subnetId).toBe('subnet-1');
    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand).map((c) => c.args[0].input.GroupIds)).toEqual([['sg-master', 'sg-slave']]);
  });

  it('a check declaring the three reads gets them (and the nodes) with nothing else declared', async () => {
    fake.addCluster(defaultCluster('j-1', { instances: FakeAccount.nodes('j-1', 1, 0, { publicIp: '54.10.0.1' }) }));

    const r = regionOf(await collect(fake, { checks: [makeCheck('x/path', ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'])] }));

    expect(VPC_APIS.map((api) => fake.count(api))).toEqual([1, 1, 1]);
    expect(Object.keys(r.vpc!.subnets)).toEqual(['subnet-1']);
    expect(fake.count('ssm:DescribeInstanceInformation')).toBe(0);
  });

  it.each([
    ['ec2:DescribeSubnets', 'subnet', 'subnet-1'],
    ['ec2:DescribeRouteTables', 'vpc', 'vpc-1'],
    ['ec2:DescribeNetworkAcls', 'vpc', 'vpc-1'],
  ] as const)('%s denied: a %s error on %s, the rest of the snapshot intact', async (api, kind, resourceId) => {
    fake.addCluster(defaultCluster('j-1', { instances: FakeAccount.nodes('j-1', 1, 1, { publicIp: '54.10.0.1' }) }));
    fake.fail(api, { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' });

    const r = regionOf(await collect(fake));

    expect(r.errors).toEqual([{ kind, resourceId, api, code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' }]);
    // The other two reads answered, and everything else is there.
    expect(Object.keys(r.vpc!.subnets)).toEqual(api === 'ec2:DescribeSubnets' ? [] : ['subnet-1']);
    expect(Object.keys(r.vpc!.routeTables)).toEqual(api === 'ec2:DescribeRouteTables' ? [] : ['rtb-1']);
    expect(Object.keys(r.vpc!.networkAcls)).toEqual(api === 'ec2:DescribeNetworkAcls' ? [] : ['acl-1']);
    expect(VPC_APIS.map((a) => fake.count(a))).toEqual([1, 1, 1]);
    expect(r.clusters[0]).toMatchObject({ id: 'j-1', described: true });
    expect(r.clusters[0]!.instances).toHaveLength(3);
    expect(Object.keys(r.ec2Instances)).toHaveLength(3);
    expect(Object.keys(r.securityGroups).sort()).toEqual(['sg-master', 'sg-slave']);
    expect(r.ssmQueried).toHaveLength(3);
    expect(Object.keys(r.instanceProfiles)).toEqual(['EMR_EC2_DefaultRole']);
  });

  it('reads every page of the three APIs', async () => {
    fake = new FakeAccount({ pageSizes: { 'ec2:DescribeSubnets': 1, 'ec2:DescribeRouteTables': 1, 'ec2:DescribeNetworkAcls': 1 } }).withDefaults();
    mocks.restore();
    mocks = fake.mock();
    addSecondVpc();
    fake.addCluster(
      defaultCluster('j-1', {
        instances: [
          { ec2Id: 'i-1', role: 'MASTER', publicIp: '54.10.0.1' },
          { ec2Id: 'i-2', role: 'CORE', publicIp: '54.10.0.2', subnetId: 'subnet-priv' },
          { ec2Id: 'i-3', role: 'CORE', publicIp: '54.10.0.3', subnetId: 'subnet-pub2' },
        ],
      }),
    );

    const r = regionOf(await collect(fake));

    expect(r.errors).toEqual([]);
    // 3 subnets, 3 route tables (rtb-1, rtb-2-main, rtb-2-pub), 3 ACLs: one page each.
    expect(VPC_APIS.map((api) => fake.count(api))).toEqual([3, 3, 3]);
    expect(fake.calls.filter((c) => c.api === 'ec2:DescribeRouteTables').map((c) => c.input.NextToken)).toEqual([undefined, 'page-1', 'page-2']);
    expect(Object.keys(r.vpc!.subnets)).toHaveLength(3);
    expect(Object.keys(r.vpc!.routeTables)).toHaveLength(3);
    expect(Object.keys(r.vpc!.networkAcls)).toHaveLength(3);
  });

  it('starts as soon as the tagged nodes are known, while a DescribeCluster is still unanswered', async () => {
    fake.addCluster(defaultCluster('j-slow', { instances: FakeAccount.nodes('j-slow', 1, 0, { publicIp: '54.10.0.1' }) })).addCluster(defaultCluster('j-fast'));
    const events: string[] = [];
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const timeout = setTimeout(release, 2000);
    mocks.emr.on(DescribeClusterCommand).callsFake(async (input: Input) => {
      if (input.ClusterId === 'j-slow') await gate;
      const out = await fake.handle('elasticmapreduce:DescribeCluster', input, REGION);
      events.push(`DescribeCluster ${String(input.ClusterId)} answered`);
      return out;
    });
    mocks.ec2.on(DescribeNetworkAclsCommand).callsFake((input: Input) => {
      events.push('DescribeNetworkAcls');
      release();
      return fake.handle('ec2:DescribeNetworkAcls', input, REGION);
    });

    const r = regionOf(await collect(fake));
    clearTimeout(timeout);

    expect(events.indexOf('DescribeNetworkAcls')).toBeGreaterThan(-1);
    expect(events.indexOf('DescribeNetworkAcls')).toBeLessThan(events.indexOf('DescribeCluster j-slow answered'));
    expect(Object.keys(r.vpc!.networkAcls)).toEqual(['acl-1']);
    expect(r.errors).toEqual([]);
  });

  it("waits for the fallback clusters' EC2 answers, then reads once for tagged and fallback nodes together", async () => {
    addSecondVpc();
    fake
      .addCluster(defaultCluster('j-tagged', { instances: FakeAccount.nodes('j-tagged', 1, 0, { publicIp: '54.10.0.1' }) }))
      .addCluster(untaggedCluster('j-fallback', { subnetId: 'subnet-pub2', instances: [{ ec2Id: 'i-fb-0', role: 'MASTER', publicIp: '54.10.0.2' }] }));
    const order: string[] = [];
    mocks.ec2.on(DescribeInstancesCommand).callsFake(async (input: Input) => {
      const out = await fake.handle('ec2:DescribeInstances', input, REGION);
      order.push(input.InstanceIds ? 'DescribeInstances by id answered' : 'DescribeInstances by tag answered');
      return out;
    });
    mocks.ec2.on(DescribeSubnetsCommand).callsFake((input: Input) => {
      order.push('DescribeSubnets');
      return fake.handle('ec2:DescribeSubnets', input, REGION);
    });

    const r = regionOf(await collect(fake));

    expect(order.indexOf('DescribeSubnets')).toBeGreaterThan(order.indexOf('DescribeInstances by id answered'));
    expect(filterValues('ec2:DescribeSubnets')).toEqual([['subnet-1', 'subnet-pub2']]);
    expect(VPC_APIS.map((api) => fake.count(api))).toEqual([1, 1, 1]);
    expect(Object.keys(r.vpc!.subnets)).toEqual(['subnet-1', 'subnet-pub2']);
  });

  it('a node whose EC2 view names no subnet costs no call (the check reports the gap)', async () => {
    fake.addCluster(defaultCluster('j-1', { instances: FakeAccount.nodes('j-1', 1, 0, { publicIp: '54.10.0.1' }) }));
    mocks.ec2.on(DescribeInstancesCommand).callsFake(async (input: Input) => {
      const out = (await fake.handle('ec2:DescribeInstances', input, REGION)) as { Reservations: Array<{ Instances: Array<Record<string, unknown>> }> };
      for (const res of out.Reservations) {
        for (const i of res.Instances) {
          delete i.SubnetId;
          delete i.VpcId;
        }
      }
      return out;
    });

    const r = regionOf(await collect(fake));

    expect(vpcCalls()).toBe(0);
    expect(r.vpc).toEqual({ subnets: {}, routeTables: {}, networkAcls: {} });
  });
});

describe("the nodes' own security groups", () => {
  it('cost no extra call when EC2 reports exactly the cluster’s groups', async () => {
    fake.addCluster(defaultCluster('j-1', { instances: FakeAccount.nodes('j-1', 2, 1, { publicIp: '54.10.0.1' }) })).addCluster(untaggedCluster('j-2'));

    const r = regionOf(await collect(fake));

    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input.GroupIds).toEqual(['sg-master', 'sg-slave']);
    expect(Object.keys(r.securityGroups).sort()).toEqual(['sg-master', 'sg-slave']);
  });

  it.each([
    ['a tagged node', defaultCluster],
    ['a fallback node', untaggedCluster],
  ])('describe a group on %s that the cluster does not name, once, in the same batch', async (_what, make) => {
    fake.addSecurityGroup({ groupId: 'sg-node-extra', groupName: 'attached-by-hand', vpcId: 'vpc-1', ipPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] });
    fake.addCluster(
      make('j-1', {
        instances: [
          { ec2Id: 'i-1', role: 'MASTER', publicIp: '54.10.0.1', securityGroups: ['sg-master', 'sg-node-extra'] },
          { ec2Id: 'i-2', role: 'CORE', securityGroups: ['sg-slave', 'sg-node-extra'] },
        ],
      }),
    );

    const r = regionOf(await collect(fake));

    expect(r.errors).toEqual([]);
    const batches = mocks.ec2.commandCalls(DescribeSecurityGroupsCommand).map((c) => [...(c.args[0].input.GroupIds ?? [])].sort());
    expect(batches).toEqual([['sg-master', 'sg-node-extra', 'sg-slave']]);
    expect(r.securityGroups['sg-node-extra']?.ingress).toEqual([{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'cidr4', cidr: '0.0.0.0/0' } }]);
    expect(r.ec2Instances['i-1']?.securityGroupIds).toEqual(['sg-master', 'sg-node-extra']);
  });
});

describe('snapshot schema with VPC data', () => {
  it('survives a JSON round trip through zod, and stays absent when not collected', async () => {
    addSecondVpc();
    fake.addCluster(defaultCluster('j-1', { subnetId: 'subnet-pub2', instances: FakeAccount.nodes('j-1', 1, 0, { publicIp: '54.10.0.1', ipv6: ['2600:1f18:abcd:100::10'] }) }));
    const snap = await collect(fake);
    const again = Snapshot.parse(JSON.parse(JSON.stringify(snap)));
    expect(again).toEqual(snap);
    const r = regionOf(again);
    expect(r.vpc?.routeTables['rtb-2-pub']?.routes).toEqual([
      { destination: { type: 'cidr', cidr: '0.0.0.0/0' }, target: 'igw-2', state: 'active' },
      { destination: { type: 'cidr', cidr: '::/0' }, target: 'igw-2', state: 'active' },
    ]);
    const { vpc: _vpc, ...without } = r;
    const old: RegionSnapshot = Snapshot.parse({ ...again, regions: [without] }).regions[0]!;
    expect(old).not.toHaveProperty('vpc');
    // A section written with only some of its maps reads with the others empty.
    expect(Snapshot.parse({ ...again, regions: [{ ...without, vpc: { subnets: r.vpc!.subnets } }] }).regions[0]!.vpc).toEqual({ subnets: r.vpc!.subnets, routeTables: {}, networkAcls: {} });
  });
});
