import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/exposure/primary-node-public-ip.js';
import { ACCOUNT, accessDenied, makeCluster, only, runCluster, type RegionInput } from '../../helpers/fixtures.js';
import type { Cluster } from '../../../lib/snapshot.js';
import { ec2Of, node, withEc2 } from '../../network/builders.js';

/** Runs the check with EC2's view of every node collected (unless the test sets its own). */
const run = (c: Cluster, region: RegionInput = {}) => runCluster(check, c, withEc2(c, region));

describe('exposure/primary-node-public-ip', () => {
  it('fails when the RUNNING primary node has a public IP, naming the instance and the address', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0primary', publicIpAddress: '198.51.100.20' }), node({ role: 'CORE' })] });
    const o = only(run(c));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('The primary node has a public IP address: i-0primary (198.51.100.20).');
    expect(o.resources).toEqual([{ type: 'AwsEc2Instance', id: 'i-0primary', arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0primary` }]);
  });

  it('counts several primary nodes (high availability)', () => {
    const masters = [1, 2, 3].map((n) => node({ role: 'MASTER', ec2InstanceId: `i-m${n}`, publicIpAddress: `198.51.100.${n}` }));
    const o = only(run(makeCluster({ instances: masters })));
    expect(o.message).toBe('3 primary nodes have public IP addresses: i-m1 (198.51.100.1), i-m2 (198.51.100.2), i-m3 (198.51.100.3).');
  });

  it('passes when the primary node has only a private address, and a public core node does not matter here', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0primary' }), node({ role: 'CORE', publicIpAddress: '198.51.100.9' })] });
    const o = only(run(c));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No RUNNING primary node has a public IP address (i-0primary).');
  });

  it('fails on an Elastic IP associated after launch (EC2 PublicIpAddress only)', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0primary' })] });
    const o = only(run(c, { ec2Instances: ec2Of(c.instances!, { 'i-0primary': { publicIpAddress: '52.10.20.30' } }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('The primary node has a public IP address: i-0primary (52.10.20.30).');
  });

  it('fails on an IPv6-only primary node with a global unicast address on a network interface', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0primary', privateIpAddress: undefined })] });
    const o = only(run(c, { ec2Instances: ec2Of(c.instances!, { 'i-0primary': { ipv6Addresses: ['2a05:d018::1'] } }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('i-0primary (2a05:d018::1)');
  });

  it('fails on a public primary and names the nodes whose EC2 view is missing', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0a', publicIpAddress: '52.0.0.1' }), node({ role: 'MASTER', ec2InstanceId: 'i-0b' })] });
    const o = only(run(c, { ec2Instances: ec2Of(c.instances!.slice(0, 1)), errors: [accessDenied('ec2Instance', 'i-0b', 'ec2:DescribeInstances')] }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Not examined: the public addresses (EC2 DescribeInstances) of i-0b: ec2:DescribeInstances AccessDenied');
  });

  it('ignores primary nodes that are not RUNNING', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', state: 'BOOTSTRAPPING', publicIpAddress: '198.51.100.20' })] });
    const o = only(run(c));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toBe('The cluster has no RUNNING primary node yet.');
  });

  it('is not applicable without instances yet', () => {
    expect(only(run(makeCluster({ instances: [] }))).status).toBe('NOT_APPLICABLE');
  });

  it('answers ERROR when a RUNNING instance with a public IP has an unknown role', () => {
    const c = makeCluster({ instances: [node({ role: undefined, ec2InstanceId: 'i-0unknown', publicIpAddress: '198.51.100.30' })] });
    const o = only(run(c, { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstanceGroups')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toBe(
      'Could not evaluate: the node role of i-0unknown (198.51.100.30), which has a public IP address, is unknown: elasticmapreduce:ListInstanceGroups AccessDenied (User is not authorized to perform: elasticmapreduce:ListInstanceGroups).',
    );
  });

  it('passes when instances of unknown role have no public IP', () => {
    const c = makeCluster({ instances: [node({ role: undefined, ec2InstanceId: 'i-0unknown' })] });
    expect(only(run(c)).status).toBe('PASS');
  });

  it('fails on a known public primary even if another node role is unknown, and mentions it', () => {
    const c = makeCluster({
      instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0primary', publicIpAddress: '198.51.100.20' }), node({ role: undefined, ec2InstanceId: 'i-0unknown', publicIpAddress: '198.51.100.30' })],
    });
    const o = only(run(c));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Also, the node role of i-0unknown (198.51.100.30), which has a public IP address, is unknown.');
  });

  it('answers ERROR with the reason when the instances were not listed', () => {
    const { instances: _omit, ...unlisted } = makeCluster();
    const o = only(run(unlisted, { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain("the cluster's instances unavailable");
    expect(o.message).toContain('elasticmapreduce:ListInstances AccessDenied');
  });

  it('falls back to the EMR instance id when the EC2 id is unknown', () => {
    const c = makeCluster({ instances: [{ id: 'ci-ABC', state: 'RUNNING', role: 'MASTER', publicIpAddress: '198.51.100.20' }] });
    const o = only(run(c));
    expect(o.message).toContain('ci-ABC (198.51.100.20)');
    expect(o.resources).toEqual([]);
  });
});
