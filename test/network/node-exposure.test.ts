/** The per-node layer between the checks and the path evaluator: groups per node, the region's memo. */
import { describe, expect, it } from 'vitest';
import { clusterExposure, roleGroupIds } from '../../lib/network/node-exposure.js';
import { makeCluster, makeContext, makeGroup } from '../helpers/fixtures.js';
import { node, tcp, vpcData } from './builders.js';

const cluster = makeCluster({
  instances: [node({ role: 'MASTER', ec2InstanceId: 'i-m' }), node({ role: 'CORE', ec2InstanceId: 'i-c' })],
  ec2: { emrManagedMasterSecurityGroup: 'sg-m', emrManagedSlaveSecurityGroup: 'sg-s', serviceAccessSecurityGroup: 'sg-sa', additionalMasterSecurityGroups: ['sg-am'], additionalSlaveSecurityGroups: ['sg-as'] },
});

describe('roleGroupIds', () => {
  it('gives master groups to MASTER, core/task groups to CORE and TASK, both to an unknown role, never the service access group', () => {
    expect(roleGroupIds(cluster, 'MASTER')).toEqual(['sg-m', 'sg-am']);
    expect(roleGroupIds(cluster, 'TASK')).toEqual(['sg-s', 'sg-as']);
    expect(roleGroupIds(cluster, undefined)).toEqual(['sg-m', 'sg-am', 'sg-s', 'sg-as']);
  });
});

describe('clusterExposure', () => {
  const region = {
    clusters: [cluster],
    securityGroups: { 'sg-m': makeGroup({ groupId: 'sg-m', ingress: [tcp(22)] }), 'sg-am': makeGroup({ groupId: 'sg-am' }), 'sg-s': makeGroup({ groupId: 'sg-s' }), 'sg-as': makeGroup({ groupId: 'sg-as' }) },
    ec2Instances: {
      'i-m': { instanceId: 'i-m', subnetId: 'subnet-pub', vpcId: 'vpc-1', publicIpAddress: '54.1.2.3' },
      'i-c': { instanceId: 'i-c', subnetId: 'subnet-pub', vpcId: 'vpc-1' },
    },
    vpc: vpcData(),
  };

  it('answers once per region and settings: a second question about the same node reuses its view and path', () => {
    const ctx = makeContext(region);
    const a = clusterExposure(cluster, ctx);
    const b = clusterExposure(cluster, ctx);
    if (!a.ok || !b.ok) throw new Error('expected exposures');
    expect(b.value.nodes[0]).toBe(a.value.nodes[0]);
    expect(b.value.paths[0]!.opening).toBe(a.value.paths[0]!.opening);
    // Another evaluation (another RegionView) computes afresh.
    const c = clusterExposure(cluster, makeContext(region));
    if (!c.ok) throw new Error('expected an exposure');
    expect(c.value.nodes[0]).not.toBe(a.value.nodes[0]);
    expect(c.value.paths.map((p) => p.node.id)).toEqual(['i-m']);
  });

  it('restricted to some rules and ports, considers only those', () => {
    const ctx = makeContext(region);
    const all = clusterExposure(cluster, ctx);
    if (!all.ok) throw new Error('expected an exposure');
    const rule = all.value.paths[0]!.rule;
    const other = clusterExposure(cluster, ctx, { rules: new Set([rule]), ports: () => [{ transport: 'tcp', from: 80, to: 80 }] });
    if (!other.ok) throw new Error('expected an exposure');
    // tcp 22 only; asked about tcp 80 the rule does not apply, so no node is considered.
    expect(other.value.paths).toEqual([]);
    expect(other.value.withoutRules.map((n) => n.id)).toEqual(['i-m', 'i-c']);
  });
});
