import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/instance/imdsv2-not-required.js';
import type { ClusterInstance, Ec2Instance } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, only, runCluster, type RegionInput } from '../../helpers/fixtures.js';
import { CONFIG_NAME } from '../encryption/fixtures.js';

function node(ec2InstanceId: string, role: ClusterInstance['role'] = 'CORE', state = 'RUNNING'): ClusterInstance {
  return { id: `ci-${ec2InstanceId}`, ec2InstanceId, state, role };
}

function ec2(instances: Record<string, string | undefined>): Record<string, Ec2Instance> {
  return Object.fromEntries(
    Object.entries(instances).map(([id, httpTokens]) => [id, httpTokens === undefined ? { instanceId: id } : { instanceId: id, httpTokens }]),
  );
}

const enforcing: RegionInput['securityConfigurations'] = { [CONFIG_NAME]: { name: CONFIG_NAME, minimumImdsVersion: 2 } };
const notEnforcing: RegionInput['securityConfigurations'] = { [CONFIG_NAME]: { name: CONFIG_NAME, minimumImdsVersion: 1 } };
const configDenied = accessDenied('securityConfiguration', CONFIG_NAME, 'elasticmapreduce:DescribeSecurityConfiguration');

describe('instance/imdsv2-not-required', () => {
  it('passes when the security configuration enforces IMDSv2, without needing instance data', () => {
    const cluster = makeCluster({ securityConfiguration: CONFIG_NAME, instances: [node('i-1')] });
    const { instances: _omit, ...unlisted } = cluster;
    for (const c of [cluster, unlisted]) {
      const o = only(runCluster(check, c, { securityConfigurations: enforcing }));
      expect(o.status).toBe('PASS');
      expect(o.message).toContain('MinimumInstanceMetadataServiceVersion 2');
    }
  });

  it('fails without a security configuration when an instance accepts IMDSv1, listing it with its role', () => {
    const cluster = makeCluster({ instances: [node('i-1', 'MASTER'), node('i-2', 'CORE')] });
    const o = only(runCluster(check, cluster, { ec2Instances: ec2({ 'i-1': 'optional', 'i-2': 'required' }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('no security configuration');
    expect(o.message).toContain('i-1 (MASTER, HttpTokens optional)');
    expect(o.message).not.toContain('i-2');
    expect(o.message).toContain('1 of 2 running instances');
    expect(o.resources).toEqual([{ type: 'AwsEc2Instance', id: 'i-1', arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1' }]);
  });

  it('fails when the configuration sets minimum version 1 and instances are optional', () => {
    const cluster = makeCluster({ securityConfiguration: CONFIG_NAME, instances: [node('i-1')] });
    const o = only(runCluster(check, cluster, { securityConfigurations: notEnforcing, ec2Instances: ec2({ 'i-1': 'optional' }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`"${CONFIG_NAME}" does not set MinimumInstanceMetadataServiceVersion 2`);
  });

  it('fails when HttpTokens is not reported (absent is not "required")', () => {
    const cluster = makeCluster({ instances: [node('i-1')] });
    const o = only(runCluster(check, cluster, { ec2Instances: ec2({ 'i-1': undefined }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('i-1 (CORE, HttpTokens not reported)');
  });

  it('passes when every running instance requires tokens, though nothing enforces it', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
    const o = only(runCluster(check, cluster, { ec2Instances: ec2({ 'i-1': 'required', 'i-2': 'required' }) }));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain('All 2 running instances require IMDSv2');
  });

  it('ignores instances that are not RUNNING', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-old', 'TASK', 'TERMINATED'), node('i-new', 'TASK', 'PROVISIONING')] });
    const o = only(runCluster(check, cluster, { ec2Instances: ec2({ 'i-1': 'required' }) }));
    expect(o.status).toBe('PASS');
  });

  it('is NOT_APPLICABLE with no running instance and no enforcement', () => {
    const o = only(runCluster(check, makeCluster({ instances: [node('i-1', 'MASTER', 'PROVISIONING')] })));
    expect(o.status).toBe('NOT_APPLICABLE');
    expect(o.message).toContain('No running instances yet');
  });

  it('is ERROR when the instances could not be listed', () => {
    const { instances: _omit, ...unlisted } = makeCluster();
    const o = only(runCluster(check, unlisted, { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('elasticmapreduce:ListInstances AccessDenied');
  });

  it('is ERROR when an instance is missing from DescribeInstances, with the reason', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
    const o = only(
      runCluster(check, cluster, { ec2Instances: ec2({ 'i-1': 'required' }), errors: [accessDenied('ec2Instance', 'i-2', 'ec2:DescribeInstances')] }),
    );
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('i-2: ec2:DescribeInstances AccessDenied');
  });

  it('is ERROR for a running instance without an EC2 id', () => {
    const cluster = makeCluster({ instances: [{ id: 'ci-x', state: 'RUNNING' }] });
    const o = only(runCluster(check, cluster));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('ci-x: EMR reports no EC2 instance id');
  });

  it('still fails on a known IMDSv1 instance when another one is unknown, mentioning the unknown one', () => {
    const cluster = makeCluster({ instances: [node('i-1'), node('i-2')] });
    const o = only(runCluster(check, cluster, { ec2Instances: ec2({ 'i-1': 'optional' }) }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Not checked: i-2');
  });

  describe('security configuration unavailable', () => {
    const cluster = makeCluster({ securityConfiguration: CONFIG_NAME, instances: [node('i-1'), node('i-2')] });

    it('passes when every running instance requires tokens anyway', () => {
      const o = only(runCluster(check, cluster, { errors: [configDenied], ec2Instances: ec2({ 'i-1': 'required', 'i-2': 'required' }) }));
      expect(o.status).toBe('PASS');
      expect(o.message).toContain('could not be read');
    });

    it('is ERROR when some instance accepts IMDSv1 (the configuration might enforce it), naming it', () => {
      const o = only(runCluster(check, cluster, { errors: [configDenied], ec2Instances: ec2({ 'i-1': 'optional', 'i-2': 'required' }) }));
      expect(o.status).toBe('ERROR');
      expect(o.message).toContain('DescribeSecurityConfiguration AccessDenied');
      expect(o.message).toContain('i-1 (CORE, HttpTokens optional)');
    });

    it('is ERROR when an instance is unknown', () => {
      const o = only(runCluster(check, cluster, { errors: [configDenied], ec2Instances: ec2({ 'i-1': 'required' }) }));
      expect(o.status).toBe('ERROR');
      expect(o.message).toContain('i-2');
    });

    it('is ERROR when there is no running instance to look at', () => {
      const o = only(runCluster(check, { ...cluster, instances: [] }, { errors: [configDenied] }));
      expect(o.status).toBe('ERROR');
      expect(o.message).toContain('no running instance');
    });

    it('is ERROR with both reasons when the instances are not listed either', () => {
      const { instances: _omit, ...unlisted } = cluster;
      const o = only(runCluster(check, unlisted, { errors: [configDenied, accessDenied('clusterInstances', cluster.id, 'elasticmapreduce:ListInstances')] }));
      expect(o.status).toBe('ERROR');
      expect(o.message).toContain('ListInstances AccessDenied');
      expect(o.message).toContain('DescribeSecurityConfiguration AccessDenied');
    });
  });
});
