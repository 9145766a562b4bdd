/** The sentence every network/* FAIL ends with: is the reported port reachable from the internet today? */
import { describe, expect, it } from 'vitest';
import { check as allTrafficCheck } from '../../../checks/network/all-traffic-from-internet.js';
import { check as applicationPortCheck } from '../../../checks/network/application-port-from-internet.js';
import { check as otherPortCheck } from '../../../checks/network/other-port-from-internet.js';
import { check as clusterManagerCheck } from '../../../checks/network/cluster-manager-port-exposed.js';
import type { Check } from '../../../checks/contract.js';
import type { Cluster, Ec2Instance, SecurityGroup } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, makeGroup, only, runCluster, type RegionInput } from '../../helpers/fixtures.js';
import { aclEntry, allTraffic, networkAcl, node, OPEN_ACL_ENTRIES, protocol, route, routeTable, tcp, udp, vpcData } from '../../network/builders.js';

const cluster = (): Cluster =>
  makeCluster({
    instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0master' }), node({ role: 'CORE', ec2InstanceId: 'i-0core' })],
    ec2: {
      instanceProfile: 'EMR_EC2_DefaultRole',
      emrManagedMasterSecurityGroup: 'sg-master',
      emrManagedSlaveSecurityGroup: 'sg-slave',
      serviceAccessSecurityGroup: 'sg-service',
      additionalMasterSecurityGroups: [],
      additionalSlaveSecurityGroups: [],
    },
  });

const ec2 = (id: string, group: string, extra: Partial<Ec2Instance> = {}): Ec2Instance => ({ instanceId: id, state: 'running', subnetId: 'subnet-pub', vpcId: 'vpc-1', securityGroupIds: [group], ...extra });

function region(masterRules: SecurityGroup['ingress'], extra: RegionInput = {}, masterPublic = true): RegionInput {
  return {
    securityGroups: {
      'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'master', ingress: masterRules }),
      'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'slave' }),
      'sg-service': makeGroup({ groupId: 'sg-service', groupName: 'service' }),
    },
    ec2Instances: { 'i-0master': ec2('i-0master', 'sg-master', masterPublic ? { publicIpAddress: '203.0.113.10' } : {}), 'i-0core': ec2('i-0core', 'sg-slave') },
    vpc: vpcData(),
    ...extra,
  };
}

const run = (c: Check, r: RegionInput) => only(runCluster(c, cluster(), r));

describe('network/* FAIL messages: reachability today', () => {
  it('all-traffic: reachable today, naming the node, the gateway, the path and the narrowest fix', () => {
    const o = run(allTrafficCheck, region([allTraffic()]));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(
      'Reachable from the internet today: i-0master (203.0.113.10) tcp 0-65535 from 0.0.0.0/0 through igw-1 (route table rtb-main, network ACL acl-default inbound rule 100, outbound rule 100, security group sg-master (master) rule all traffic (protocol -1) from 0.0.0.0/0); i-0master (203.0.113.10) udp 0-65535',
    );
    // One fix for the rule, both its transports listed.
    expect(o.message).toContain(
      'Narrowest fix: i-0master tcp 0-65535, udp 0-65535: revoke or narrow the rule all traffic (protocol -1) from 0.0.0.0/0 of sg-master (master); or add an inbound deny for tcp 0-65535, udp 0-65535 from 0.0.0.0/0 to acl-default with a rule number below 100; or move i-0master',
    );
    expect(o.network?.map((p) => p.protocol)).toEqual(['tcp', 'udp']);
    expect(o.resources?.map((r) => r.type)).toEqual(['AwsEc2SecurityGroup', 'AwsEc2Instance', 'AwsEc2Subnet', 'AwsEc2RouteTable', 'AwsEc2NetworkAcl']);
  });

  it('application-port: judges the application ports of the rule, not the whole rule', () => {
    const acls = [networkAcl('acl-1', [aclEntry(90, false, 'deny', '0.0.0.0/0', '6', [8088, 8088]), ...OPEN_ACL_ENTRIES], { isDefault: true })];
    const denied = run(applicationPortCheck, region([tcp(8088)], { vpc: vpcData({ acls }) }));
    expect(denied.message).toContain('Not reachable from the internet today: network ACL acl-1 rule 90 denies tcp 8088 from 0.0.0.0/0; i-0core does not carry sg-master (master).');
    // tcp 8085-8089 also opens 8085-8087 through the ACL, but the finding is about 8088 only.
    const wider = run(applicationPortCheck, region([tcp(8085, 8089)], { vpc: vpcData({ acls }) }));
    expect(wider.message).toContain('Not reachable from the internet today: network ACL acl-1 rule 90 denies tcp 8088');
    expect(wider.network).toBeUndefined();
    const open = run(applicationPortCheck, region([tcp(8085, 8089)]));
    expect(open.message).toContain('Reachable from the internet today: i-0master (203.0.113.10) tcp 8088 from 0.0.0.0/0 through igw-1');
  });

  it('other-port: not reachable when the subnet routes the internet to a NAT gateway, naming the route', () => {
    const tables = [routeTable('rtb-main', [route('0.0.0.0/0', 'nat-0abc')], { main: true })];
    const o = run(otherPortCheck, region([udp(53)], { vpc: vpcData({ tables }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      'Ports other than SSH and the EMR application ports are open to the internet: sg-master (master): udp 53 from 0.0.0.0/0. Not reachable from the internet today: subnet subnet-pub (route table rtb-main) routes 0.0.0.0/0 to nat-0abc, which admits no inbound traffic from the internet; i-0core does not carry sg-master (master).',
    );
  });

  it('no public address: "no running node has a public address"', () => {
    const r = region([udp(53)], { ec2Instances: { 'i-0master': ec2('i-0master', 'sg-master'), 'i-0core': ec2('i-0core', 'sg-master') } }, false);
    expect(run(otherPortCheck, r).message).toContain('Not reachable from the internet today: no running node has a public address.');
  });

  it('a rule on a group no running node carries', () => {
    const r = region([], {
      securityGroups: {
        'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'master' }),
        'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'slave', ingress: [udp(53)] }),
        'sg-service': makeGroup({ groupId: 'sg-service', groupName: 'service' }),
      },
      ec2Instances: { 'i-0master': ec2('i-0master', 'sg-master', { publicIpAddress: '203.0.113.10' }), 'i-0core': ec2('i-0core', 'sg-other') },
    });
    expect(run(otherPortCheck, r).message).toContain('Not reachable from the internet today: no running node carries sg-slave (slave).');
  });

  it('unknown: says what could not be read (VPC data not collected, a subnet that could not be described)', () => {
    const { vpc: _v, ...noVpc } = region([udp(53)]);
    expect(run(otherPortCheck, noVpc).message).toContain('Whether it is reachable from the internet today is unknown: VPC data was not collected');
    const o = run(otherPortCheck, region([udp(53)], { vpc: vpcData({ subnets: [] }), errors: [accessDenied('subnet', 'subnet-pub', 'ec2:DescribeSubnets')] }));
    expect(o.message).toContain('Whether it is reachable from the internet today is unknown: subnet subnet-pub (DescribeSubnets): ec2:DescribeSubnets AccessDenied');
    expect(o.severity).toBeUndefined();
  });

  it('a port-less protocol (GRE) gets no reachability sentence: reachability is about ports', () => {
    const o = run(otherPortCheck, region([protocol('47')]));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('Ports other than SSH and the EMR application ports are open to the internet: sg-master (master): protocol 47 from 0.0.0.0/0.');
  });

  it('cluster-manager-port-exposed: tcp 8443 from the internet, reachable today; from a group, no sentence', () => {
    const o = run(clusterManagerCheck, region([tcp(8443)]));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Reachable from the internet today: i-0master (203.0.113.10) tcp 8443 from 0.0.0.0/0 through igw-1');
    const fromGroup = run(clusterManagerCheck, region([tcp(8443, 8443, { type: 'securityGroup', groupId: 'sg-bastion' })]));
    expect(fromGroup.status).toBe('FAIL');
    expect(fromGroup.message).not.toContain('internet today');
  });
});
