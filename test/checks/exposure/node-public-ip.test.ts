import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/exposure/node-public-ip.js';
import { accessDenied, makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { node } from '../../network/builders.js';

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
    const o = only(runCluster(check, c));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe('2 core and task nodes have public IP addresses: i-0core (198.51.100.2), i-0task (198.51.100.3).');
    expect(o.resources?.map((r) => r.id)).toEqual(['i-0core', 'i-0task']);
    expect(o.resources?.every((r) => r.type === 'AwsEc2Instance')).toBe(true);
  });

  it('names a single node in the singular', () => {
    const o = only(runCluster(check, makeCluster({ instances: [node({ role: 'TASK', ec2InstanceId: 'i-0task', publicIpAddress: '198.51.100.3' })] })));
    expect(o.message).toBe('The core or task node has a public IP address: i-0task (198.51.100.3).');
  });

  it('passes when core and task nodes are private, even with a public primary', () => {
    const c = makeCluster({ instances: [node({ role: 'MASTER', publicIpAddress: '198.51.100.1' }), node({ role: 'CORE', ec2InstanceId: 'i-0core' })] });
    const o = only(runCluster(check, c));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No RUNNING core or task node has a public IP address (i-0core).');
  });

  it('ignores nodes that are not RUNNING', () => {
    const c = makeCluster({ instances: [node({ role: 'CORE', state: 'PROVISIONING', publicIpAddress: '198.51.100.2' }), node({ role: 'MASTER' })] });
    expect(only(runCluster(check, c)).status).toBe('NOT_APPLICABLE');
  });

  it('answers ERROR when a public node has an unknown role', () => {
    const c = makeCluster({ instances: [node({ role: 'CORE', ec2InstanceId: 'i-0core' }), node({ role: undefined, ec2InstanceId: 'i-0x', publicIpAddress: '198.51.100.4' })] });
    const o = only(runCluster(check, c));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('the node role of i-0x (198.51.100.4), which has a public IP address, is unknown');
  });

  it('answers ERROR with the reason when the instances were not listed', () => {
    const { instances: _omit, ...unlisted } = makeCluster();
    const o = only(runCluster(check, unlisted, { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('elasticmapreduce:ListInstances AccessDenied');
  });
});
