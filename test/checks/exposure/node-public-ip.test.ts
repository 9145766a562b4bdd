import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/exposure/node-public-ip.js';
import { accessDenied, makeCluster, only, runCluster, type RegionInput } from '../../helpers/fixtures.js';
import type { Cluster } from '../../../lib/snapshot.js';
import { ec2Of, node, withEc2 } from '../../network/builders.js';

/** Runs the check with EC2's view of every node collected (unless the test sets its own). */
const run = (c: Cluster, region: RegionInput = {}) => runCluster(check, c, withEc2(c, region));

describe('exposure/node-public-ip', () => {
  it('fails on RUNNING core and task nodes with public IPs, listing the EC2 instance ids', () => {
    const c = makeCluster({
      instances: [
        node({ role: 'MASTER', publicIpAddress: '198.51.100.1' }),
        node({ role: 'CORE', ec2InstanceId: 'i-0core', publicIpAddress: '198.51.100.2' }),
        node({ role: 'TASK', ec2InstanceId: 'i-0task', publicIpAddress: '198.51.100.3' }),
        node({ role: 'TASK', ec2InstanceId: 'i-0private' }),
      ],
    });
    const o = only(run(c));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('2 core and task nodes have public IP addresses: i-0core (198.51.100.2), i-0task (198.51.100.3).');
    expect(o.resources?.map((r) => r.id)).toEqual(['i-0core', 'i-0task']);
    expect(o.resources?.every((r) => r.type === 'AwsEc2Instance')).toBe(true);
  });

  it('names a single node in the singular', () => {
    const o = only(run(makeCluster({ instances: [node({ role: 'TASK', ec2InstanceId: 'i-0task', publicIpAddress: '198.51.100.3' })] })));
    expect(o.message).toBe('The core or task node has a public IP address: i-0task (198.51.100.3).');
  });

  it('passes when core and task nodes are private, even with a public primary', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', publicIpAddress: '198.51.100.1' }), node({ role: 'CORE', ec2InstanceId: 'i-0core' })] });
    const o = only(run(c));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No RUNNING core or task node has a public IP address (i-0core).');
  });

  it('fails on a core node whose only public address is an Elastic IP (EC2 PublicIpAddress, not in ListInstances)', () => {
    const c = makeCluster({ instances: [node({ role: 'CORE', ec2InstanceId: 'i-0eip' })] });
    const o = only(run(c, { ec2Instances: ec2Of(c.instances!, { 'i-0eip': { publicIpAddress: '3.4.5.6' } }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('The core or task node has a public IP address: i-0eip (3.4.5.6).');
  });

  it('fails on an IPv6-only task node with a global unicast address; passes unique-local and link-local ones', () => {
    const c = makeCluster({ instances: [node({ role: 'TASK', ec2InstanceId: 'i-0v6' })] });
    const o = only(run(c, { ec2Instances: ec2Of(c.instances!, { 'i-0v6': { ipv6Addresses: ['fe80::1', '2600:1f18:1234::5'] } }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('i-0v6 (2600:1f18:1234::5)');
    expect(only(run(c, { ec2Instances: ec2Of(c.instances!, { 'i-0v6': { ipv6Addresses: ['fd00::5', 'fe80::1'] } }) })).status).toBe('PASS');
  });

  it('answers ERROR naming the node when DescribeInstances failed for it, never PASS', () => {
    const c = makeCluster({ instances: [node({ role: 'CORE', ec2InstanceId: 'i-0core' })] });
    const o = only(run(c, { ec2Instances: {}, errors: [accessDenied('ec2Instance', 'i-0core', 'ec2:DescribeInstances')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('the public addresses (EC2 DescribeInstances) of i-0core: ec2:DescribeInstances AccessDenied');
  });

  it('ignores nodes that are not RUNNING', () => {
    const c = makeCluster({ instances: [node({ role: 'CORE', state: 'PROVISIONING', publicIpAddress: '198.51.100.2' }), node({ role: 'MASTER' })] });
    expect(only(run(c)).status).toBe('NOT_APPLICABLE');
  });

  it('answers ERROR when a public node has an unknown role', () => {
    const c = makeCluster({ instances: [node({ role: 'CORE', ec2InstanceId: 'i-0core' }), node({ role: undefined, ec2InstanceId: 'i-0x', publicIpAddress: '198.51.100.4' })] });
    const o = only(run(c));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('the node role of i-0x (198.51.100.4), which has a public IP address, is unknown');
  });

  it('answers ERROR with the reason when the instances were not listed', () => {
    const { instances: _omit, ...unlisted } = makeCluster();
    const o = only(run(unlisted, { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('elasticmapreduce:ListInstances AccessDenied');
  });
});
