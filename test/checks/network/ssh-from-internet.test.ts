import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/network/ssh-from-internet.js';
import type { SecurityGroup } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, makeGroup, only, runCluster } from '../../helpers/fixtures.js';
import { ANY6, allTraffic, cidr4, cidr6, node, tcp, udp } from '../../network/builders.js';

function groups(masterRules: SecurityGroup['ingress'], masterName = 'emr-master-custom'): Record<string, SecurityGroup> {
  return {
    'sg-master': makeGroup({ groupId: 'sg-master', groupName: masterName, ingress: masterRules }),
    'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'emr-slave-custom' }),
  };
}

const privateCluster = makeCluster({ instances: [node({ role: 'MASTER' }), node({ role: 'CORE' })] });

describe('network/ssh-from-internet', () => {
  it('fails at HIGH on tcp 22 from 0.0.0.0/0 when no node has a public IP, naming group, rule and source', () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups([tcp(22)]) }));
    expect(o.status).toBe('FAIL');
    expect(o.severity).toBeUndefined();
    expect(o.message).toBe('SSH (tcp 22) is open to the internet: sg-master (emr-master-custom): tcp 22 from 0.0.0.0/0. No running node has a public IP address.');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master']);
  });

  it('is CRITICAL when a running node has a public IP, and lists the node', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0master', publicIpAddress: '198.51.100.7' }), node({ role: 'CORE', ec2InstanceId: 'i-0core' })] });
    const o = only(runCluster(check, c, { securityGroups: groups([tcp(22)]) }));
    expect(o.status).toBe('FAIL');
    expect(o.severity).toBe('CRITICAL');
    expect(o.message).toContain('Nodes with a public IP address make it reachable from the internet: i-0master (198.51.100.7).');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master', 'i-0master']);
  });

  it('ignores public IPs of nodes that are not RUNNING', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', state: 'TERMINATED', publicIpAddress: '198.51.100.7' })] });
    expect(only(runCluster(check, c, { securityGroups: groups([tcp(22)]) })).severity).toBeUndefined();
  });

  it('keeps HIGH and says so when the instances could not be listed', () => {
    const { instances: _omit, ...unknown } = makeCluster();
    const o = only(runCluster(check, unknown, { securityGroups: groups([tcp(22)]), errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('FAIL');
    expect(o.severity).toBeUndefined();
    expect(o.message).toContain('Severity kept at HIGH: whether a node has a public IP address is unknown');
    expect(o.message).toContain('elasticmapreduce:ListInstances AccessDenied');
  });

  it('names the pre-December-2020 default rule on ElasticMapReduce-master', () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups([tcp(22)], 'ElasticMapReduce-master') }));
    expect(o.message).toContain('sg-master (ElasticMapReduce-master): tcp 22 from 0.0.0.0/0 (on ElasticMapReduce-master: the rule EMR created by default before December 2020)');
  });

  it.each([
    ['::/0', tcp(22, 22, ANY6)],
    ['a range covering 22', tcp(20, 30)],
    ['protocol 6', { protocol: '6', fromPort: 22, toPort: 22, source: cidr4('0.0.0.0/0') }],
  ])('fails on %s', (_name, rule) => {
    expect(only(runCluster(check, privateCluster, { securityGroups: groups([rule]) })).status).toBe('FAIL');
  });

  it('does not report again a rule that network/all-traffic-from-internet reports, and says so when passing', () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups([allTraffic(), tcp(0, 65535)]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('other than the rules reported by network/all-traffic-from-internet (sg-master (emr-master-custom): all traffic (protocol -1) from 0.0.0.0/0; sg-master (emr-master-custom): tcp 0-65535 from 0.0.0.0/0)');
  });

  it('does not count a udp-only all-ports rule as SSH', () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: groups([udp(0, 65535)]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No ingress rule of sg-master (emr-master-custom), sg-slave (emr-slave-custom) allows SSH (tcp 22) from the internet.');
  });

  it('passes udp 22, and tcp 22 from private, prefix-list and group sources', () => {
    const rules = [udp(22), tcp(22, 22, cidr4('10.0.0.0/8')), tcp(22, 22, { type: 'prefixList', prefixListId: 'pl-1' }), tcp(22, 22, { type: 'securityGroup', groupId: 'sg-bastion' })];
    expect(only(runCluster(check, privateCluster, { securityGroups: groups(rules) })).status).toBe('PASS');
  });

  it('exempts trusted CIDRs (IPv4 and IPv6) and names the exemptions', () => {
    const region = { securityGroups: groups([tcp(22), tcp(22, 22, ANY6)]) };
    expect(only(runCluster(check, privateCluster, region, { trustedCidrs: ['0.0.0.0/0'] })).status).toBe('FAIL');
    const o = only(runCluster(check, privateCluster, region, { trustedCidrs: ['0.0.0.0/0', '::/0'] }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('Exempt as trusted CIDRs: sg-master (emr-master-custom): tcp 22 from 0.0.0.0/0; sg-master (emr-master-custom): tcp 22 from ::/0.');
  });

  it('with the widening setting, reports a public /8 but exempts it when trusted', () => {
    const region = { securityGroups: groups([tcp(22, 22, cidr4('8.0.0.0/8')), tcp(22, 22, cidr6('2a05::/16'))]) };
    expect(only(runCluster(check, privateCluster, region)).status).toBe('PASS');
    const wide = only(runCluster(check, privateCluster, region, { widePublicCidrPrefixV4: 16, widePublicCidrPrefixV6: 32 }));
    expect(wide.status).toBe('FAIL');
    expect(wide.message).toContain('tcp 22 from 8.0.0.0/8');
    expect(wide.message).toContain('tcp 22 from 2a05::/16');
    expect(only(runCluster(check, privateCluster, region, { widePublicCidrPrefixV4: 16, widePublicCidrPrefixV6: 32, trustedCidrs: ['8.0.0.0/8', '2a05::/16'] })).status).toBe('PASS');
  });

  it('answers ERROR with the reason when a group could not be collected and nothing is open', () => {
    const o = only(runCluster(check, privateCluster, { securityGroups: { 'sg-master': groups([])['sg-master']! }, errors: [accessDenied('securityGroup', 'sg-slave', 'ec2:DescribeSecurityGroups')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toBe('Could not evaluate: a cluster security group unavailable — security group sg-slave: ec2:DescribeSecurityGroups AccessDenied (User is not authorized to perform: ec2:DescribeSecurityGroups)');
  });
});
