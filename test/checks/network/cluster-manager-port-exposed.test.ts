import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/network/cluster-manager-port-exposed.js';
import type { Cluster, IngressRule, SecurityGroup } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, makeGroup, only, runCluster } from '../../helpers/fixtures.js';
import { allTraffic, cidr4, fromGroup, fromPrefixList, tcp, udp } from '../../network/builders.js';

const privateCluster = makeCluster({
  ec2: {
    emrManagedMasterSecurityGroup: 'sg-master',
    emrManagedSlaveSecurityGroup: 'sg-slave',
    serviceAccessSecurityGroup: 'sg-sa',
    additionalMasterSecurityGroups: ['sg-extra'],
    additionalSlaveSecurityGroups: [],
  },
});

/** EMR's own rules in private subnets: all TCP between master and core/task, 8443 from the service access group. */
const emrDefaults = (): IngressRule[] => [tcp(0, 65535, fromGroup('sg-master')), tcp(0, 65535, fromGroup('sg-slave')), tcp(8443, 8443, fromGroup('sg-sa')), allTraffic(fromGroup('sg-master'))];

function groups(extra: { master?: IngressRule[]; slave?: IngressRule[]; extraGroup?: IngressRule[]; sa?: IngressRule[] } = {}): Record<string, SecurityGroup> {
  return {
    'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'ElasticMapReduce-Master-Private', ingress: [...emrDefaults(), ...(extra.master ?? [])] }),
    'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'ElasticMapReduce-Slave-Private', ingress: [...emrDefaults(), ...(extra.slave ?? [])] }),
    'sg-sa': makeGroup({ groupId: 'sg-sa', groupName: 'ElasticMapReduce-ServiceAccess', ingress: extra.sa ?? [] }),
    'sg-extra': makeGroup({ groupId: 'sg-extra', groupName: 'extra', ingress: extra.extraGroup ?? [] }),
  };
}

describe('network/cluster-manager-port-exposed', () => {
  it('is not applicable without a service access group (public subnet)', () => {
    const o = only(runCluster(check, makeCluster(), {}));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toContain('no service access security group');
  });

  it("passes with EMR's own reflexive rules and the service access rule", () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups() }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe("Only the service access group sg-sa and the cluster's own groups reach tcp 8443 on sg-master (ElasticMapReduce-Master-Private), sg-slave (ElasticMapReduce-Slave-Private), sg-extra (extra).");
  });

  it.each([
    ['a private CIDR', { master: [tcp(8443, 8443, cidr4('10.0.0.0/8'))] }, 'sg-master (ElasticMapReduce-Master-Private): tcp 8443 from 10.0.0.0/8'],
    ['a prefix list', { slave: [tcp(8443, 8443, fromPrefixList('pl-corp'))] }, 'sg-slave (ElasticMapReduce-Slave-Private): tcp 8443 from prefix list pl-corp'],
    ['another group', { master: [tcp(8000, 9000, fromGroup('sg-jumphost'))] }, 'tcp 8000-9000 from security group sg-jumphost'],
    ['all traffic from a VPC CIDR', { slave: [allTraffic(cidr4('10.1.0.0/16'))] }, 'all traffic (protocol -1) from 10.1.0.0/16'],
    ['the internet on an additional master group', { extraGroup: [tcp(8443)] }, 'sg-extra (extra): tcp 8443 from 0.0.0.0/0'],
  ])('fails on a rule covering tcp 8443 from %s', (_name, extra, expected) => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups(extra) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain("Port 8443 (EMR cluster manager) is reachable from sources other than the service access group sg-sa and the cluster's own groups: ");
    expect(o.message).toContain(expected);
  });

  it('lists the groups with offending rules as resources', () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups({ master: [tcp(8443, 8443, cidr4('10.0.0.0/8'))], extraGroup: [tcp(8443)] }) }));
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master', 'sg-extra']);
  });

  it('ignores udp 8443, rules not covering 8443, and rules on the service access group itself', () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups({ master: [udp(8443, 8443, cidr4('10.0.0.0/8')), tcp(22, 22, cidr4('10.0.0.0/8'))], sa: [tcp(8443, 8443, cidr4('10.0.0.0/8'))] }) }));
    expect(o.status).toBe('PASS');
  });

  it('answers ERROR when a node group could not be collected and nothing was found', () => {
    const { 'sg-extra': _omit, ...rest } = groups();
    const o = only(runCluster(check, privateCluster, { securityGroups: rest, errors: [accessDenied('securityGroup', 'sg-extra', 'ec2:DescribeSecurityGroups')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('security group sg-extra: ec2:DescribeSecurityGroups AccessDenied');
  });

  it('does not need the service access group itself to be collected', () => {
    const { 'sg-sa': _omit, ...rest } = groups();
    expect(only(runCluster(check, privateCluster, { securityGroups: rest })).status).toBe('PASS');
  });

  it('fails on a collected group even when another is missing', () => {
    const { 'sg-extra': _omit, ...rest } = groups({ master: [tcp(8443, 8443, cidr4('10.0.0.0/8'))] });
    const o = only(runCluster(check, privateCluster, { securityGroups: rest }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Not examined (could not be collected): security group sg-extra');
  });

  it('answers ERROR when only a service access group is reported', () => {
    const odd: Cluster = makeCluster({ ec2: { serviceAccessSecurityGroup: 'sg-sa', additionalMasterSecurityGroups: [], additionalSlaveSecurityGroups: [] } });
    expect(only(runCluster(check, odd, { securityGroups: groups() })).status).toBe('ERROR');
  });
});
