import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/network/other-port-from-internet.js';
import type { SecurityGroup } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, makeGroup, only, runCluster } from '../../helpers/fixtures.js';
import { ANY6, allTraffic, cidr4, customerList, protocol, tcp, udp } from '../../network/builders.js';

const cluster = makeCluster();

function groups(masterRules: SecurityGroup['ingress']): Record<string, SecurityGroup> {
  return {
    'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'master', ingress: masterRules }),
    'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'slave' }),
  };
}

describe('network/other-port-from-internet', () => {
  it('fails on udp 53 and tcp 443 from the internet, naming group, rule and source', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([udp(53), tcp(443, 443, ANY6)]) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('Ports other than SSH and the EMR application ports are open to the internet: sg-master (master): udp 53 from 0.0.0.0/0; sg-master (master): tcp 443 from ::/0. Not reachable from the internet today: no node of the cluster is running.');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master']);
  });

  it('reports a port-less protocol such as GRE, even when all ports are allowed', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([protocol('47')]) }, { allowedPublicPorts: [{ from: 0, to: 65535 }] }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sg-master (master): protocol 47 from 0.0.0.0/0');
  });

  it('does not report ICMP (no port)', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([{ protocol: 'icmp', fromPort: -1, toPort: -1, source: cidr4('0.0.0.0/0') }]) }));
    expect(o.status).toBe('PASS');
  });

  it('reports a rule whole through one check: tcp 8000-9000 is an application-port finding, not an other-port one', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([tcp(8000, 9000)]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe(
      'No ingress rule of sg-master (master), sg-slave (slave) opens any other port to the internet, other than the rules reported by network/application-port-from-internet (sg-master (master): tcp 8000-9000 from 0.0.0.0/0).',
    );
  });

  it('leaves ssh and all-traffic rules to their checks', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([tcp(22), allTraffic(ANY6)]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('network/all-traffic-from-internet (sg-master (master): all traffic (protocol -1) from ::/0)');
    expect(o.message).toContain('network/ssh-from-internet (sg-master (master): tcp 22 from 0.0.0.0/0)');
  });

  it('passes ports listed in allowedPublicPorts, and says which are allowed', () => {
    const region = { securityGroups: groups([tcp(443), tcp(8000, 8010, ANY6)]) };
    const o = only(runCluster(check, cluster, region, { allowedPublicPorts: [{ from: 443, to: 443 }, { from: 8000, to: 8010 }] }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No ingress rule of sg-master (master), sg-slave (slave) opens any other port to the internet that settings do not allow (allowed: 443, 8000-8010).');
    expect(only(runCluster(check, cluster, region, { allowedPublicPorts: [{ from: 443, to: 443 }] })).status).toBe('FAIL');
  });

  it('fails a range only partly inside the allowed ports', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([tcp(440, 450)]) }, { allowedPublicPorts: [{ from: 443, to: 443 }] }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('tcp 440-450 from 0.0.0.0/0');
  });

  it('does not report a trusted tcp 22 rule, but reports a trusted rule that covers more than 22', () => {
    const trusted = { trustedCidrs: ['0.0.0.0/0'] };
    expect(only(runCluster(check, cluster, { securityGroups: groups([tcp(22)]) }, trusted)).status).toBe('PASS');
    const o = only(runCluster(check, cluster, { securityGroups: groups([tcp(22, 23)]) }, trusted));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('tcp 22-23 from 0.0.0.0/0');
    expect(only(runCluster(check, cluster, { securityGroups: groups([tcp(22, 23)]) }, { ...trusted, allowedPublicPorts: [{ from: 23, to: 23 }] })).status).toBe('PASS');
  });

  it('ignores private, prefix-list and group sources', () => {
    const rules = [udp(53, 53, cidr4('10.0.0.0/8')), tcp(443, 443, { type: 'prefixList', prefixListId: 'pl-1' }), tcp(443, 443, { type: 'securityGroup', groupId: 'sg-lb' })];
    expect(only(runCluster(check, cluster, { securityGroups: groups(rules), prefixLists: { 'pl-1': customerList('pl-1', 'office', ['203.0.113.0/24']) } })).status).toBe('PASS');
  });

  it('answers ERROR with the reason when a group could not be collected', () => {
    const o = only(runCluster(check, cluster, { securityGroups: { 'sg-master': groups([])['sg-master']! }, errors: [accessDenied('securityGroup', 'sg-slave', 'ec2:DescribeSecurityGroups')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('sg-slave: ec2:DescribeSecurityGroups AccessDenied');
  });
});
