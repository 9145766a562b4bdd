import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/exposure/internet-reachable-port.js';
import type { Cluster, ClusterInstance, Ec2Instance, SecurityGroup } from '../../../lib/snapshot.js';
import type { Settings } from '../../../lib/settings.js';
import { accessDenied, makeCluster, makeGroup, only, runCluster, type RegionInput } from '../../helpers/fixtures.js';
import { ANY6, aclEntry, customerList, fromPrefixList, networkAcl, OPEN_ACL_ENTRIES, route, routeTable, tcp, vpcData, type VpcWorld } from '../../network/builders.js';

const master = (overrides: Partial<ClusterInstance> = {}): ClusterInstance => ({ id: 'ci-m', ec2InstanceId: 'i-0master', state: 'RUNNING', role: 'MASTER', ...overrides });
const core = (overrides: Partial<ClusterInstance> = {}): ClusterInstance => ({ id: 'ci-c', ec2InstanceId: 'i-0core', state: 'RUNNING', role: 'CORE', ...overrides });

/** EC2's view: in subnet-pub of vpc-1, with the cluster's groups for its role unless overridden. */
function ec2(instance: ClusterInstance, overrides: Partial<Ec2Instance> = {}): Ec2Instance {
  return {
    instanceId: instance.ec2InstanceId!,
    state: 'running',
    subnetId: 'subnet-pub',
    vpcId: 'vpc-1',
    securityGroupIds: instance.role === 'MASTER' ? ['sg-master'] : ['sg-slave'],
    ...overrides,
  };
}

function groups(masterRules: SecurityGroup['ingress'], slaveRules: SecurityGroup['ingress'] = []): Record<string, SecurityGroup> {
  return {
    'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'emr-master', ingress: masterRules }),
    'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'emr-slave', ingress: slaveRules }),
  };
}

interface Setup {
  nodes?: ClusterInstance[];
  ec2?: Ec2Instance[];
  rules?: SecurityGroup['ingress'];
  slaveRules?: SecurityGroup['ingress'];
  world?: VpcWorld | null;
  region?: RegionInput;
}

function run(setup: Setup = {}, settings: Partial<Settings> = {}, cluster?: Cluster) {
  const nodes = setup.nodes ?? [master()];
  const c = cluster ?? makeCluster({ instances: nodes });
  const region: RegionInput = {
    securityGroups: groups(setup.rules ?? [tcp(22)], setup.slaveRules),
    ec2Instances: Object.fromEntries((setup.ec2 ?? nodes.map((n) => ec2(n, { publicIpAddress: '54.1.2.3' }))).map((e) => [e.instanceId, e])),
    ...(setup.world === null ? {} : { vpc: vpcData(setup.world ?? {}) }),
    ...setup.region,
  };
  return only(runCluster(check, c, region, settings));
}

describe('exposure/internet-reachable-port', () => {
  it('FAILs for a public node in a subnet routed to an internet gateway, naming the path and the narrowest fix', () => {
    const o = run();
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      'A running node is reachable from the internet: i-0master (54.1.2.3) tcp 22 from 0.0.0.0/0 through igw-1 (route table rtb-main, network ACL acl-default inbound rule 100, outbound rule 100, security group sg-master (emr-master)). ' +
        'Narrowest fix: i-0master tcp 22: revoke or narrow the rule tcp 22 from 0.0.0.0/0 of sg-master (emr-master); or add an inbound deny for tcp 22 from 0.0.0.0/0 to acl-default with a rule number below 100; or move i-0master to a private subnet behind a NAT gateway (subnet-pub assigns public IPv4 addresses on launch).',
    );
    expect(o.network).toEqual([
      {
        instanceId: 'i-0master',
        family: 'ipv4',
        address: '54.1.2.3',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        sourceCidrs: ['0.0.0.0/0'],
        securityGroupId: 'sg-master',
        networkAclId: 'acl-default',
        inboundRule: 100,
        outboundRule: 100,
        routeTableId: 'rtb-main',
        gatewayId: 'igw-1',
        subnetId: 'subnet-pub',
      },
    ]);
    expect(o.resources?.map((r) => `${r.type} ${r.id}`)).toEqual([
      'AwsEc2SecurityGroup sg-master',
      'AwsEc2Instance i-0master',
      'AwsEc2Subnet subnet-pub',
      'AwsEc2RouteTable rtb-main',
      'AwsEc2NetworkAcl acl-default',
    ]);
    expect(o.resources?.find((r) => r.type === 'AwsEc2NetworkAcl')?.arn).toBe('arn:aws:ec2:us-east-1:123456789012:network-acl/acl-default');
  });

  it('PASSes when no running node has a public address, without needing VPC data', () => {
    const o = run({ ec2: [ec2(master())], world: null });
    expect(o).toEqual({ status: 'PASS', message: 'No port of a running node is reachable from the internet: no running node has a public address.' });
  });

  it('is NOT_APPLICABLE without a running node, and ERROR when the instances could not be listed', () => {
    expect(run({ nodes: [master({ state: 'BOOTSTRAPPING' })] }).status).toBe('NOT_APPLICABLE');
    const { instances: _omit, ...unlisted } = makeCluster();
    const o = run({ region: { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] } }, {}, unlisted);
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('elasticmapreduce:ListInstances AccessDenied');
  });

  it('IPv6-only node: a global IPv6 address, a ::/0 rule and an igw route for ::/0 FAIL on IPv6', () => {
    const n = core();
    const o = run({ nodes: [n], ec2: [ec2(n, { ipv6Addresses: ['2600:1f18:abcd::10'] })], rules: [], slaveRules: [tcp(8088, 8088, ANY6)] });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('i-0core (2600:1f18:abcd::10) tcp 8088 from ::/0 through igw-1');
    expect(o.message).toContain('remove the global IPv6 address of i-0core');
    expect(o.network?.[0]).toMatchObject({ family: 'ipv6', address: '2600:1f18:abcd::10', sourceCidrs: ['::/0'], inboundRule: 101, outboundRule: 101 });
  });

  it('an egress-only gateway for ::/0 admits nothing from the internet', () => {
    const n = core();
    const tables = [routeTable('rtb-main', [route('0.0.0.0/0', 'nat-1'), route('::/0', 'eigw-1')], { main: true })];
    const o = run({ nodes: [n], ec2: [ec2(n, { ipv6Addresses: ['2600:1f18:abcd::10'] })], rules: [], slaveRules: [tcp(22, 22, ANY6)], world: { tables } });
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('subnet subnet-pub (route table rtb-main) routes ::/0 to eigw-1, which admits no inbound traffic from the internet');
  });

  it('an Elastic IP on a node in a private subnet (0.0.0.0/0 to a NAT gateway) is blocked by the route', () => {
    const tables = [
      routeTable('rtb-main', [route('0.0.0.0/0', 'igw-1')], { main: true }),
      routeTable('rtb-private', [route('0.0.0.0/0', 'nat-0abc')], { subnets: ['subnet-priv'] }),
    ];
    const subnets = [{ subnetId: 'subnet-priv', vpcId: 'vpc-1', mapPublicIpOnLaunch: false }];
    const o = run({ ec2: [ec2(master(), { subnetId: 'subnet-priv', publicIpAddress: '3.4.5.6' })], world: { tables, subnets } });
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No port of a running node is reachable from the internet: subnet subnet-priv (route table rtb-private) routes 0.0.0.0/0 to nat-0abc, which admits no inbound traffic from the internet.');
  });

  it('a network ACL deny before the allow blocks, naming the rule number', () => {
    const acls = [networkAcl('acl-1', [aclEntry(90, false, 'deny', '0.0.0.0/0', '6', [22, 22]), ...OPEN_ACL_ENTRIES], { isDefault: true })];
    const o = run({ world: { acls } });
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('network ACL acl-1 rule 90 denies tcp 22 from 0.0.0.0/0');
  });

  it('a network ACL without a return path blocks, naming the outbound side', () => {
    const acls = [networkAcl('acl-1', [...OPEN_ACL_ENTRIES.filter((e) => !e.egress), aclEntry(100, true, 'allow', '0.0.0.0/0', '6', [443, 443]), aclEntry(32767, true, 'deny', '0.0.0.0/0')], { isDefault: true })];
    const o = run({ world: { acls } });
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('network ACL acl-1 does not let the answers out (outbound tcp 1024-65535: rule * denies it)');
  });

  it('a customer prefix list with an internet entry is a source, named with its entry', () => {
    const region: RegionInput = { prefixLists: { 'pl-0corp': customerList('pl-0corp', 'corp', ['10.0.0.0/8', '0.0.0.0/0']) } };
    const o = run({ rules: [tcp(443, 443, fromPrefixList('pl-0corp'))], region });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('tcp 443 from prefix list pl-0corp (corp), entry 0.0.0.0/0 through igw-1');
    expect(o.network?.[0]).toMatchObject({ prefixListId: 'pl-0corp', sourceCidrs: ['0.0.0.0/0'] });
  });

  it('a prefix list whose entries could not be read is a gap for a public node: ERROR naming it', () => {
    const { entries: _e, ...described } = customerList('pl-0corp', 'corp', []);
    const region: RegionInput = { prefixLists: { 'pl-0corp': described }, errors: [accessDenied('prefixList', 'pl-0corp', 'ec2:GetManagedPrefixListEntries')] };
    const o = run({ rules: [tcp(443, 443, fromPrefixList('pl-0corp'))], region });
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('entries of prefix list pl-0corp (corp): ec2:GetManagedPrefixListEntries AccessDenied');
  });

  it('a port range partly denied by the network ACL opens the rest, as two ranges', () => {
    const acls = [networkAcl('acl-1', [aclEntry(90, false, 'deny', '0.0.0.0/0', '6', [8080, 8080]), ...OPEN_ACL_ENTRIES], { isDefault: true })];
    const o = run({ rules: [tcp(8000, 9000)], world: { acls } });
    expect(o.status).toBe('FAIL');
    expect(o.network?.map((p) => `${p.fromPort}-${p.toPort}`)).toEqual(['8081-9000', '8000-8079']);
    expect(o.message).toContain('tcp 8081-9000 from 0.0.0.0/0 through igw-1 (route table rtb-main, network ACL acl-1 inbound rule 100, outbound rule 100, security group sg-master (emr-master) rule tcp 8000-9000 from 0.0.0.0/0)');
    expect(o.message).toContain('tcp 8000-8079 from 0.0.0.0/0');
  });

  it('ERROR naming the subnet and the failed call when the subnet could not be read', () => {
    const o = run({ world: { subnets: [] }, region: { errors: [accessDenied('subnet', 'subnet-pub', 'ec2:DescribeSubnets')] } });
    expect(o.status).toBe('ERROR');
    expect(o.message).toBe(
      'Could not evaluate: a part of the path from the internet could not be read — subnet subnet-pub (DescribeSubnets): ec2:DescribeSubnets AccessDenied (User is not authorized to perform: ec2:DescribeSubnets) (i-0master).',
    );
    expect(o.resources?.map((r) => r.id)).toEqual(['i-0master']);
  });

  it('ERROR naming the route table when DescribeRouteTables failed for the VPC, even if some table is present', () => {
    const o = run({ region: { errors: [accessDenied('vpc', 'vpc-1', 'ec2:DescribeRouteTables')] } });
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('the route table of subnet subnet-pub in vpc-1 (DescribeRouteTables): ec2:DescribeRouteTables AccessDenied');
  });

  it('ERROR when a node has a public address and the VPC data was not collected', () => {
    const o = run({ world: null });
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('VPC data was not collected');
  });

  it('a FAIL on one node is not hidden by a gap on another: FAIL, naming what was not examined', () => {
    const nodes = [master(), core()];
    const o = run({
      nodes,
      ec2: [ec2(nodes[0]!, { publicIpAddress: '54.1.2.3' }), ec2(nodes[1]!, { publicIpAddress: '54.1.2.4', subnetId: 'subnet-gone' })],
      slaveRules: [tcp(22)],
      region: { errors: [accessDenied('subnet', 'subnet-gone', 'ec2:DescribeSubnets')] },
    });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('i-0master (54.1.2.3) tcp 22');
    expect(o.message).toContain('Not examined (could not be read): subnet subnet-gone (DescribeSubnets): ec2:DescribeSubnets AccessDenied');
  });

  it('a trusted CIDR does not exempt a path (it exempts SSH rule hygiene only), and the message says so', () => {
    const o = run({ rules: [tcp(22, 22, { type: 'cidr4', cidr: '8.0.0.0/9' })] }, { trustedCidrs: ['8.0.0.0/8'], widePublicCidrPrefixV4: 16 });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('its source is a trusted CIDR: that exempts it from network/ssh-from-internet, not from reachability');
  });

  it("uses the groups on the node's interfaces; without EC2's list, the cluster's groups for the node's role", () => {
    const n = core();
    // EC2 says the core node carries only sg-slave: the master group's rule does not reach it.
    expect(run({ nodes: [n], ec2: [ec2(n, { publicIpAddress: '54.1.2.4' })] }).status).toBe('PASS');
    // Without securityGroupIds the core node gets the core/task groups: still not the master's.
    const { securityGroupIds: _g, ...bare } = ec2(n, { publicIpAddress: '54.1.2.4' });
    expect(run({ nodes: [n], ec2: [bare] }).status).toBe('PASS');
    expect(run({ nodes: [n], ec2: [bare], slaveRules: [tcp(22)] }).status).toBe('FAIL');
    // An interface group outside the cluster's groups counts.
    const region: RegionInput = { securityGroups: { ...groups([]), 'sg-extra': makeGroup({ groupId: 'sg-extra', ingress: [tcp(9999)] }) } };
    const o = run({ nodes: [n], ec2: [ec2(n, { publicIpAddress: '54.1.2.4', securityGroupIds: ['sg-slave', 'sg-extra'] })], region });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('tcp 9999');
  });

  it('says why it passes, each reason once: node without public address, blocked route', () => {
    const nodes = [master(), core()];
    const tables = [routeTable('rtb-main', [route('0.0.0.0/0', 'nat-1')], { main: true })];
    const o = run({ nodes, ec2: [ec2(nodes[0]!, { publicIpAddress: '54.1.2.3' }), ec2(nodes[1]!)], slaveRules: [tcp(22)], world: { tables } });
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No port of a running node is reachable from the internet: subnet subnet-pub (route table rtb-main) routes 0.0.0.0/0 to nat-1, which admits no inbound traffic from the internet; i-0core has no public address.');
  });

  it('puts the network ACL entry first when the group is shared with another cluster', () => {
    const other = makeCluster({ id: 'j-OTHER', instances: [] });
    const o = run({ region: { clusters: [other] } });
    expect(o.message).toContain(
      'Narrowest fix: i-0master tcp 22: add an inbound deny for tcp 22 from 0.0.0.0/0 to acl-default with a rule number below 100; or revoke or narrow the rule tcp 22 from 0.0.0.0/0 of sg-master (emr-master) (shared with 1 other cluster, which it would change too); or move i-0master',
    );
  });

  it('without mapPublicIpOnLaunch, suggests releasing the address', () => {
    const o = run({ world: { subnets: [{ subnetId: 'subnet-pub', vpcId: 'vpc-1', mapPublicIpOnLaunch: false }] } });
    expect(o.message).toContain('or release the public IPv4 address of i-0master (disassociate the Elastic IP)');
  });
});
