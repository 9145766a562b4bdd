import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/network/ssh-from-internet.js';
import type { Cluster, Ec2Instance, SecurityGroup } from '../../../lib/snapshot.js';
import type { Settings } from '../../../lib/settings.js';
import { accessDenied, makeCluster, makeGroup, only, runCluster, type RegionInput } from '../../helpers/fixtures.js';
import { ANY6, aclEntry, allTraffic, awsList, cidr4, cidr6, customerList, ec2Of, fromPrefixList, networkAcl, node, OPEN_ACL_ENTRIES, route, routeTable, tcp, udp, vpcData, withEc2 } from '../../network/builders.js';

/** Runs the check with EC2's view of every node collected (unless the test sets its own). */
const run = (c: Cluster, region: RegionInput = {}, settings: Partial<Settings> = {}) => runCluster(check, c, withEc2(c, region), settings);

function groups(masterRules: SecurityGroup['ingress'], masterName = 'emr-master-custom'): Record<string, SecurityGroup> {
  return {
    'sg-master': makeGroup({ groupId: 'sg-master', groupName: masterName, ingress: masterRules }),
    'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'emr-slave-custom' }),
  };
}

const privateCluster = makeCluster({ instances: [node({ role: 'MASTER' }), node({ role: 'CORE' })] });

describe('network/ssh-from-internet', () => {
  it('fails at HIGH on tcp 22 from 0.0.0.0/0 when no node has a public IP, naming group, rule and source, and what blocks it', () => {
    const o = only(run(privateCluster, { securityGroups: groups([tcp(22)]) }));
    expect(o.status).toBe('FAIL');
    expect(o.severity).toBeUndefined();
    expect(o.message).toBe(
      `SSH (tcp 22) is open to the internet: sg-master (emr-master-custom): tcp 22 from 0.0.0.0/0. Not reachable from the internet today: ${privateCluster.instances![0]!.ec2InstanceId} has no public address; ${privateCluster.instances![1]!.ec2InstanceId} does not carry sg-master (emr-master-custom).`,
    );
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master']);
    expect(o.network).toBeUndefined();
  });

  it('says "no running node has a public address" when every node carrying the rule is private', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER' })] });
    expect(only(run(c, { securityGroups: groups([tcp(22)]) })).message).toContain('Not reachable from the internet today: no running node has a public address.');
  });

  it('ignores public IPs of nodes that are not RUNNING', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', state: 'TERMINATED', publicIpAddress: '198.51.100.7' })] });
    const o = only(run(c, { securityGroups: groups([tcp(22)]) }));
    expect(o.severity).toBeUndefined();
    expect(o.message).toContain('Not reachable from the internet today: no node of the cluster is running.');
  });
  it('fails on the split 0.0.0.0/1 + 128.0.0.0/1 pair and on 52.0.0.0/8 by default', () => {
    const split = only(run(privateCluster, { securityGroups: groups([tcp(22, 22, cidr4('0.0.0.0/1')), tcp(22, 22, cidr4('128.0.0.0/1'))]) }));
    expect(split.status).toBe('FAIL');
    expect(split.message).toContain('tcp 22 from 0.0.0.0/1; sg-master (emr-master-custom): tcp 22 from 128.0.0.0/1');
    expect(only(run(privateCluster, { securityGroups: groups([tcp(22, 22, cidr4('52.0.0.0/8'))]) })).status).toBe('FAIL');
    expect(only(run(privateCluster, { securityGroups: groups([tcp(22, 22, cidr6('2000::/16'))]) })).status).toBe('FAIL');
  });

  it('passes private, shared, unique-local and documentation space, however wide', () => {
    const rules = [cidr4('10.0.0.0/8'), cidr4('100.64.0.0/10'), cidr6('fd00::/8'), cidr6('2001:db8::/32')].map((s) => tcp(22, 22, s));
    expect(only(run(privateCluster, { securityGroups: groups(rules) })).status).toBe('PASS');
    expect(only(run(privateCluster, { securityGroups: groups(rules) }, { widePublicCidrPrefixV4: 32, widePublicCidrPrefixV6: 128 })).status).toBe('PASS');
  });

  it('fails on a customer-managed prefix list holding 0.0.0.0/0, naming the list and the entry', () => {
    const region = { securityGroups: groups([tcp(22, 22, fromPrefixList('pl-0corp'))]), prefixLists: { 'pl-0corp': customerList('pl-0corp', 'corp-ranges', ['10.0.0.0/8', '0.0.0.0/0']) } };
    const o = only(run(privateCluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sg-master (emr-master-custom): tcp 22 from prefix list pl-0corp (corp-ranges), entry 0.0.0.0/0');
  });

  it('passes an AWS-managed prefix list and a customer list of private entries', () => {
    const region = {
      securityGroups: groups([tcp(22, 22, fromPrefixList('pl-aws')), tcp(22, 22, fromPrefixList('pl-0lan'))]),
      prefixLists: { 'pl-aws': awsList('pl-aws', 'com.amazonaws.global.cloudfront.origin-facing'), 'pl-0lan': customerList('pl-0lan', 'lan', ['10.0.0.0/8', '192.168.0.0/16']) },
    };
    expect(only(run(privateCluster, region)).status).toBe('PASS');
  });

  it('answers ERROR naming the list when a prefix list behind tcp 22 could not be read, never PASS', () => {
    const { entries: _e, ...described } = customerList('pl-0corp', 'corp-ranges', []);
    const region = {
      securityGroups: groups([tcp(22, 22, fromPrefixList('pl-0corp'))]),
      prefixLists: { 'pl-0corp': described },
      errors: [accessDenied('prefixList', 'pl-0corp', 'ec2:GetManagedPrefixListEntries')],
    };
    const o = only(run(privateCluster, region));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('prefix list entries unavailable');
    expect(o.message).toContain('sg-master (emr-master-custom): tcp 22 from prefix list pl-0corp — entries of prefix list pl-0corp (corp-ranges): ec2:GetManagedPrefixListEntries AccessDenied');
  });

  it('still fails on a certain rule beside an unreadable prefix list, and names the list', () => {
    const region = { securityGroups: groups([tcp(22), tcp(22, 22, fromPrefixList('pl-0gone'))]), errors: [accessDenied('prefixList', 'pl-0gone', 'ec2:DescribeManagedPrefixLists')] };
    const o = only(run(privateCluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Not judged (prefix list entries unknown): sg-master (emr-master-custom): tcp 22 from prefix list pl-0gone — prefix list pl-0gone: ec2:DescribeManagedPrefixLists AccessDenied');
  });

  it('names the pre-December-2020 default rule on ElasticMapReduce-master', () => {
    const o = only(run(privateCluster, { securityGroups: groups([tcp(22)], 'ElasticMapReduce-master') }));
    expect(o.message).toContain('sg-master (ElasticMapReduce-master): tcp 22 from 0.0.0.0/0 (on ElasticMapReduce-master: the rule EMR created by default before December 2020)');
  });

  it.each([
    ['::/0', tcp(22, 22, ANY6)],
    ['a range covering 22', tcp(20, 30)],
    ['protocol 6', { protocol: '6', fromPort: 22, toPort: 22, source: cidr4('0.0.0.0/0') }],
  ])('fails on %s', (_name, rule) => {
    expect(only(run(privateCluster, { securityGroups: groups([rule]) })).status).toBe('FAIL');
  });

  it('does not report again a rule that network/all-traffic-from-internet reports, and says so when passing', () => {
    const o = only(run(privateCluster, { securityGroups: groups([allTraffic(), tcp(0, 65535)]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('other than the rules reported by network/all-traffic-from-internet (sg-master (emr-master-custom): all traffic (protocol -1) from 0.0.0.0/0; sg-master (emr-master-custom): tcp 0-65535 from 0.0.0.0/0)');
  });

  it('does not count a udp-only all-ports rule as SSH', () => {
    const o = only(run(privateCluster, { securityGroups: groups([udp(0, 65535)]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No ingress rule of sg-master (emr-master-custom), sg-slave (emr-slave-custom) allows SSH (tcp 22) from the internet.');
  });

  it('passes udp 22, and tcp 22 from private, AWS prefix-list and group sources', () => {
    const rules = [udp(22), tcp(22, 22, cidr4('10.0.0.0/8')), tcp(22, 22, { type: 'prefixList', prefixListId: 'pl-1' }), tcp(22, 22, { type: 'securityGroup', groupId: 'sg-bastion' })];
    expect(only(run(privateCluster, { securityGroups: groups(rules), prefixLists: { 'pl-1': awsList('pl-1', 'com.amazonaws.us-east-1.s3') } })).status).toBe('PASS');
  });

  it('exempts trusted CIDRs (IPv4 and IPv6) and names the exemptions', () => {
    const region = { securityGroups: groups([tcp(22), tcp(22, 22, ANY6)]) };
    expect(only(run(privateCluster, region, { trustedCidrs: ['0.0.0.0/0'] })).status).toBe('FAIL');
    const o = only(run(privateCluster, region, { trustedCidrs: ['0.0.0.0/0', '::/0'] }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('Exempt as trusted CIDRs: sg-master (emr-master-custom): tcp 22 from 0.0.0.0/0; sg-master (emr-master-custom): tcp 22 from ::/0.');
  });

  it('with a loosened setting, reports a public /9 and /20 but exempts them when trusted', () => {
    const region = { securityGroups: groups([tcp(22, 22, cidr4('8.0.0.0/9')), tcp(22, 22, cidr6('2a05::/20'))]) };
    expect(only(run(privateCluster, region)).status).toBe('PASS');
    const wide = only(run(privateCluster, region, { widePublicCidrPrefixV4: 16, widePublicCidrPrefixV6: 32 }));
    expect(wide.status).toBe('FAIL');
    expect(wide.message).toContain('tcp 22 from 8.0.0.0/9');
    expect(wide.message).toContain('tcp 22 from 2a05::/20');
    expect(only(run(privateCluster, region, { widePublicCidrPrefixV4: 16, widePublicCidrPrefixV6: 32, trustedCidrs: ['8.0.0.0/8', '2a05::/16'] })).status).toBe('PASS');
  });

  it('a tightened setting (N=1) leaves only 0.0.0.0/0 and ::/0', () => {
    const region = { securityGroups: groups([tcp(22, 22, cidr4('0.0.0.0/1')), tcp(22, 22, cidr6('2000::/3'))]) };
    expect(only(run(privateCluster, region, { widePublicCidrPrefixV4: 1, widePublicCidrPrefixV6: 1 })).status).toBe('PASS');
  });

  it('answers ERROR with the reason when a group could not be collected and nothing is open', () => {
    const o = only(run(privateCluster, { securityGroups: { 'sg-master': groups([])['sg-master']! }, errors: [accessDenied('securityGroup', 'sg-slave', 'ec2:DescribeSecurityGroups')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toBe('Could not evaluate: a cluster security group unavailable — security group sg-slave: ec2:DescribeSecurityGroups AccessDenied (User is not authorized to perform: ec2:DescribeSecurityGroups)');
  });
});

describe('network/ssh-from-internet severity (CHECKS.md, with the reachability path)', () => {
  const publicMaster = () => makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0master' })] });
  /** The master in subnet-pub with the given public addresses, its groups as EC2 reports them. */
  const ec2Master = (extra: Partial<Ec2Instance>): Record<string, Ec2Instance> => ({
    'i-0master': { instanceId: 'i-0master', state: 'running', subnetId: 'subnet-pub', vpcId: 'vpc-1', securityGroupIds: ['sg-master'], ...extra },
  });

  it('CRITICAL when tcp 22 is reachable on a node, naming the node, the path and the narrowest fix', () => {
    const o = only(run(publicMaster(), { securityGroups: groups([tcp(22)]), ec2Instances: ec2Master({ publicIpAddress: '198.51.100.7' }), vpc: vpcData() }));
    expect(o.severity).toBe('CRITICAL');
    expect(o.message).toContain(
      'Reachable from the internet today: i-0master (198.51.100.7) tcp 22 from 0.0.0.0/0 through igw-1 (route table rtb-main, network ACL acl-default inbound rule 100, outbound rule 100, security group sg-master (emr-master-custom)).',
    );
    expect(o.message).toContain('Narrowest fix: i-0master tcp 22: revoke or narrow the rule tcp 22 from 0.0.0.0/0 of sg-master (emr-master-custom)');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master', 'i-0master', 'subnet-pub', 'rtb-main', 'acl-default']);
    expect(o.network).toEqual([expect.objectContaining({ instanceId: 'i-0master', protocol: 'tcp', fromPort: 22, toPort: 22, gatewayId: 'igw-1' })]);
  });

  it('CRITICAL for an Elastic IP (EC2 PublicIpAddress only) and for a global IPv6 address with ::/0 routed to the gateway', () => {
    expect(only(run(publicMaster(), { securityGroups: groups([tcp(22)]), ec2Instances: ec2Master({ publicIpAddress: '54.1.2.3' }), vpc: vpcData() })).severity).toBe('CRITICAL');
    const v6 = only(run(publicMaster(), { securityGroups: groups([tcp(22, 22, ANY6)]), ec2Instances: ec2Master({ ipv6Addresses: ['2600:1f18:abcd::10'] }), vpc: vpcData() }));
    expect(v6.severity).toBe('CRITICAL');
    expect(v6.message).toContain('i-0master (2600:1f18:abcd::10) tcp 22 from ::/0 through igw-1');
    // A unique-local address is no public address: HIGH.
    const ula = only(run(publicMaster(), { securityGroups: groups([tcp(22, 22, ANY6)]), ec2Instances: ec2Master({ ipv6Addresses: ['fd00::10'] }), vpc: vpcData() }));
    expect(ula.severity).toBeUndefined();
  });

  it('HIGH when a node has a public IP but the path is blocked, saying what blocks it', () => {
    const acls = [networkAcl('acl-1', [aclEntry(90, false, 'deny', '0.0.0.0/0', '6', [22, 22]), ...OPEN_ACL_ENTRIES], { isDefault: true })];
    const o = only(run(publicMaster(), { securityGroups: groups([tcp(22)]), ec2Instances: ec2Master({ publicIpAddress: '54.1.2.3' }), vpc: vpcData({ acls }) }));
    expect(o.severity).toBeUndefined();
    expect(o.message).toContain('Not reachable from the internet today: network ACL acl-1 rule 90 denies tcp 22 from 0.0.0.0/0.');
    const tables = [routeTable('rtb-main', [route('0.0.0.0/0', 'nat-1')], { main: true })];
    const nat = only(run(publicMaster(), { securityGroups: groups([tcp(22)]), ec2Instances: ec2Master({ publicIpAddress: '54.1.2.3' }), vpc: vpcData({ tables }) }));
    expect(nat.severity).toBeUndefined();
    expect(nat.message).toContain('Not reachable from the internet today: subnet subnet-pub (route table rtb-main) routes 0.0.0.0/0 to nat-1');
  });

  it('judges tcp 22 only: a wider rule whose other ports are reachable stays HIGH when the ACL denies 22', () => {
    const acls = [networkAcl('acl-1', [aclEntry(90, false, 'deny', '0.0.0.0/0', '6', [22, 22]), ...OPEN_ACL_ENTRIES], { isDefault: true })];
    const o = only(run(publicMaster(), { securityGroups: groups([tcp(20, 30)]), ec2Instances: ec2Master({ publicIpAddress: '54.1.2.3' }), vpc: vpcData({ acls }) }));
    expect(o.severity).toBeUndefined();
    expect(o.message).toContain('rule 90 denies tcp 22');
  });

  it('CRITICAL (fail closed) when the node has a public IP and the VPC data was not collected, saying why', () => {
    const o = only(run(publicMaster(), { securityGroups: groups([tcp(22)]), ec2Instances: ec2Master({ publicIpAddress: '54.1.2.3' }) }));
    expect(o.severity).toBe('CRITICAL');
    expect(o.message).toContain('Whether it is reachable from the internet today is unknown: VPC data was not collected');
    expect(o.message).toContain('Severity CRITICAL (fail closed): whether tcp 22 is reachable could not be decided.');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master', 'i-0master']);
  });

  it('CRITICAL (fail closed) when a route table could not be read', () => {
    const o = only(
      run(publicMaster(), {
        securityGroups: groups([tcp(22)]),
        ec2Instances: ec2Master({ publicIpAddress: '54.1.2.3' }),
        vpc: vpcData(),
        errors: [accessDenied('vpc', 'vpc-1', 'ec2:DescribeRouteTables')],
      }),
    );
    expect(o.severity).toBe('CRITICAL');
    expect(o.message).toContain('the route table of subnet subnet-pub in vpc-1 (DescribeRouteTables): ec2:DescribeRouteTables AccessDenied');
  });

  it('CRITICAL (fail closed) when the instances could not be listed', () => {
    const { instances: _omit, ...unknown } = makeCluster();
    const o = only(run(unknown, { securityGroups: groups([tcp(22)]), errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('FAIL');
    expect(o.severity).toBe('CRITICAL');
    expect(o.message).toContain('Whether it is reachable from the internet today is unknown: instances of j-TEST00000001: elasticmapreduce:ListInstances AccessDenied');
    expect(o.message).toContain('Severity CRITICAL (fail closed)');
  });

  it('CRITICAL (fail closed) when DescribeInstances failed for a node carrying the rule, naming it and the reason', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0master' }), node({ role: 'CORE', ec2InstanceId: 'i-0core' })] });
    const o = only(
      run(c, {
        securityGroups: groups([tcp(22)]),
        ec2Instances: ec2Of(c.instances!.filter((i) => i.ec2InstanceId === 'i-0core')),
        errors: [accessDenied('ec2Instance', 'i-0master', 'ec2:DescribeInstances')],
      }),
    );
    expect(o.severity).toBe('CRITICAL');
    expect(o.message).toContain('the public addresses of i-0master: ec2:DescribeInstances AccessDenied');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master', 'i-0master']);
  });
});
