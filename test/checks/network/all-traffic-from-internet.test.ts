import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/network/all-traffic-from-internet.js';
import { ACCOUNT, accessDenied, makeCluster, makeGroup, only, runCluster } from '../../helpers/fixtures.js';
import { ANY6, allTraffic, awsList, cidr4, customerList, fromGroup, fromPrefixList, tcp, udp } from '../../network/builders.js';
import type { SecurityGroup } from '../../../lib/snapshot.js';

const cluster = makeCluster();

function groups(master: Partial<SecurityGroup> = {}, slave: Partial<SecurityGroup> = {}): Record<string, SecurityGroup> {
  return {
    'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'ElasticMapReduce-master', ...master }),
    'sg-slave': makeGroup({ groupId: 'sg-slave', groupName: 'ElasticMapReduce-slave', ...slave }),
  };
}

describe('network/all-traffic-from-internet', () => {
  it('fails on protocol -1 from 0.0.0.0/0, naming the group, the rule and the source', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups({ ingress: [allTraffic()] }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('All traffic is open to the internet: sg-master (ElasticMapReduce-master): all traffic (protocol -1) from 0.0.0.0/0. Not reachable from the internet today: no node of the cluster is running.');
    expect(o.resources).toEqual([
      { type: 'AwsEc2SecurityGroup', id: 'sg-master', arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-master` },
    ]);
  });

  it('fails on tcp 0-65535 from ::/0 and on udp 0-65535', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups({ ingress: [tcp(0, 65535, ANY6)] }, { ingress: [udp(0, 65535)] }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sg-master (ElasticMapReduce-master): tcp 0-65535 from ::/0');
    expect(o.message).toContain('sg-slave (ElasticMapReduce-slave): udp 0-65535 from 0.0.0.0/0');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-master', 'sg-slave']);
  });

  it('fails on protocol -1 with -1 ports', () => {
    const o = only(runCluster(check, cluster, { securityGroups: groups({ ingress: [{ protocol: '-1', fromPort: -1, toPort: -1, source: ANY6 }] }) }));
    expect(o.status).toBe('FAIL');
  });

  it('looks at additional and service access groups too', () => {
    const c = makeCluster({
      ec2: { emrManagedMasterSecurityGroup: 'sg-master', emrManagedSlaveSecurityGroup: 'sg-slave', serviceAccessSecurityGroup: 'sg-sa', additionalMasterSecurityGroups: [], additionalSlaveSecurityGroups: ['sg-extra'] },
    });
    const securityGroups = { ...groups(), 'sg-sa': makeGroup({ groupId: 'sg-sa' }), 'sg-extra': makeGroup({ groupId: 'sg-extra', groupName: 'extra', ingress: [allTraffic()] }) };
    const o = only(runCluster(check, c, { securityGroups }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('sg-extra (extra)');
  });

  it('passes when only tcp 22, 1-65535 or non-internet sources are open, saying which groups it read', () => {
    const o = only(
      runCluster(check, cluster, {
        securityGroups: groups({ ingress: [tcp(22), tcp(1, 65535), allTraffic(fromGroup('sg-slave')), allTraffic(fromPrefixList('pl-1')), allTraffic(cidr4('10.0.0.0/8'))] }),
        prefixLists: { 'pl-1': awsList('pl-1', 'com.amazonaws.us-east-1.dynamodb') },
      }),
    );
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No ingress rule of sg-master (ElasticMapReduce-master), sg-slave (ElasticMapReduce-slave) allows all traffic from the internet.');
  });

  it('treats internet-scale CIDRs as the internet by default, and the /N setting moves the threshold', () => {
    const region = { securityGroups: groups({ ingress: [allTraffic(cidr4('8.0.0.0/8'))] }) };
    expect(only(runCluster(check, cluster, region)).status).toBe('FAIL');
    expect(only(runCluster(check, cluster, region, { widePublicCidrPrefixV4: 8 })).status).toBe('PASS');
    const narrow = { securityGroups: groups({ ingress: [allTraffic(cidr4('8.0.0.0/12'))] }) };
    expect(only(runCluster(check, cluster, narrow)).status).toBe('PASS');
    expect(only(runCluster(check, cluster, narrow, { widePublicCidrPrefixV4: 16 })).status).toBe('FAIL');
  });

  it('reports all traffic from a customer prefix list with an internet entry; ERROR when the list is unreadable', () => {
    const region = { securityGroups: groups({ ingress: [allTraffic(fromPrefixList('pl-0x'))] }), prefixLists: { 'pl-0x': customerList('pl-0x', 'partners', ['::/0']) } };
    const o = only(runCluster(check, cluster, region));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('all traffic (protocol -1) from prefix list pl-0x (partners), entry ::/0');
    const unreadable = only(runCluster(check, cluster, { ...region, prefixLists: {}, errors: [accessDenied('prefixList', 'pl-0x', 'ec2:DescribeManagedPrefixLists')] }));
    expect(unreadable.status).toBe('ERROR');
    expect(unreadable.message).toContain('pl-0x');
  });

  it('answers ERROR with the reason when a group could not be collected', () => {
    const { 'sg-slave': _omit, ...onlyMaster } = groups();
    const o = only(runCluster(check, cluster, { securityGroups: onlyMaster, errors: [accessDenied('securityGroup', 'sg-slave', 'ec2:DescribeSecurityGroups')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('sg-slave');
    expect(o.message).toContain('ec2:DescribeSecurityGroups AccessDenied');
  });

  it('still fails on a collected group when another is missing, naming what was not examined', () => {
    const o = only(runCluster(check, cluster, { securityGroups: { 'sg-master': groups({ ingress: [allTraffic()] })['sg-master']! } }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Not examined (could not be collected): security group sg-slave: the data was not collected.');
  });

  it('answers ERROR when the cluster reports no security group', () => {
    const { ec2: _omit, ...noEc2 } = makeCluster();
    const o = only(runCluster(check, noEc2, {}));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('reported no security group');
  });
});
