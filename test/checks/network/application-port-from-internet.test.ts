import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/network/application-port-from-internet.js';
import type { SecurityGroup } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, makeGroup, only, runCluster } from '../../helpers/fixtures.js';
import { ANY6, allTraffic, cidr4, tcp, udp } from '../../network/builders.js';

const cluster = makeCluster();

function groups(masterRules: SecurityGroup['ingress'], slaveRules: SecurityGroup['ingress'] = []): Record<string, SecurityGroup> {
  return {
    'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'master', ingress: masterRules }),
    'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'slave', ingress: slaveRules }),
  };
}

describe('network/application-port-from-internet', () => {
  it('fails on tcp 8088 from ::/0, naming the port and its service', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([tcp(8088, 8088, ANY6)]) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('EMR application ports are open to the internet: sg-master (master): tcp 8088 from ::/0 exposes 8088 (YARN ResourceManager UI). Not reachable from the internet today: no node of the cluster is running.');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master']);
  });

  it('reports every exposed port of a range with its service name', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([], [tcp(8000, 9000)]) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(
      'sg-slave (slave): tcp 8000-9000 from 0.0.0.0/0 exposes 8020 (HDFS NameNode RPC), 8042 (YARN NodeManager UI), 8080 (Zeppelin / Tomcat), 8088 (YARN ResourceManager UI), 8443 (EMR cluster manager (instance controller)), 8888 (Hue), 8890 (Zeppelin), 8998 (Livy)',
    );
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-slave']);
  });

  it('reports a rule that also covers ssh (tcp 0-9000)', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([tcp(0, 9000)]) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('exposes 4040 (Spark application UI)');
  });

  it('does not report again an all-traffic rule, and says so when passing', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([allTraffic()]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No ingress rule of sg-master (master), sg-slave (slave) opens an EMR application port to the internet, other than the rules reported by network/all-traffic-from-internet (sg-master (master): all traffic (protocol -1) from 0.0.0.0/0).');
  });

  it('passes udp on application ports, ports outside the list and private sources', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups([udp(8088), tcp(22), tcp(443), tcp(8088, 8088, cidr4('172.16.0.0/12'))]) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No ingress rule of sg-master (master), sg-slave (slave) opens an EMR application port to the internet.');
  });

  it('uses the applicationPorts setting, names included', () => {
    const region = { securityGroups: groups([tcp(8500), tcp(8088)]) };
    const o = only(runCluster(check, cluster, region, { applicationPorts: { 8500: 'Consul UI' } }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('EMR application ports are open to the internet: sg-master (master): tcp 8500 from 0.0.0.0/0 exposes 8500 (Consul UI). Not reachable from the internet today: no node of the cluster is running.');
  });

  it('answers ERROR with the reason when a group could not be collected', () => {
    const o = only(runCluster(check, cluster, { securityGroups: {}, errors: [accessDenied('securityGroup', 'sg-master', 'ec2:DescribeSecurityGroups')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('cluster security groups unavailable');
    expect(o.message).toContain('security group sg-master: ec2:DescribeSecurityGroups AccessDenied');
    expect(o.message).toContain('security group sg-slave: the data was not collected.');
  });
});
