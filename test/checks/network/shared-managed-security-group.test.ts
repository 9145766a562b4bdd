import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/network/shared-managed-security-group.js';
import { CHECKS } from '../../../checks/index.js';
import { evaluateSnapshot } from '../../../lib/evaluate.js';
import { defaultSettings } from '../../../lib/settings.js';
import type { Cluster } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, makeGroup, makeSnapshot, only, runCluster } from '../../helpers/fixtures.js';

function cluster(id: string, name: string, ec2: Partial<NonNullable<Cluster['ec2']>>): Cluster {
  return makeCluster({ id, name, ec2: { additionalMasterSecurityGroups: [], additionalSlaveSecurityGroups: [], ...ec2 } });
}

const mine = cluster('j-MINE', 'etl', { emrManagedMasterSecurityGroup: 'sg-m1', emrManagedSlaveSecurityGroup: 'sg-s1' });
const securityGroups = {
  'sg-m1': makeGroup({ groupId: 'sg-m1', groupName: 'ElasticMapReduce-master' }),
  'sg-s1': makeGroup({ groupId: 'sg-s1', groupName: 'ElasticMapReduce-slave' }),
};

describe('network/shared-managed-security-group', () => {
  it('is marked as needing every cluster of the region', () => {
    expect(check.needsAllClusters).toBe(true);
  });

  it('fails when another active cluster uses the same managed groups, naming it and the role', () => {
    const other = cluster('j-OTHER', 'adhoc', { emrManagedMasterSecurityGroup: 'sg-m1', emrManagedSlaveSecurityGroup: 'sg-s1' });
    const o = only(runCluster(check, mine, { clusters: [mine, other], securityGroups }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      "The cluster's EMR-managed security groups are shared with 1 other active cluster: adhoc (j-OTHER) uses sg-m1 (ElasticMapReduce-master) as its EMR-managed master group and sg-s1 (ElasticMapReduce-slave) as its EMR-managed core/task group.",
    );
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-m1', 'sg-s1']);
    expect(o.resources?.[0]?.arn).toMatch(/:security-group\/sg-m1$/);
  });

  it('names ten sharing clusters and counts the rest, so a fleet on one group keeps findings short', () => {
    const others = Array.from({ length: 25 }, (_, n) =>
      cluster(`j-OTHER${String(n).padStart(2, '0')}`, `job-${n}`, { emrManagedMasterSecurityGroup: 'sg-m1', emrManagedSlaveSecurityGroup: 'sg-s1' }),
    );
    const o = only(runCluster(check, mine, { clusters: [mine, ...others], securityGroups }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('shared with 25 other active clusters: job-0 (j-OTHER00)');
    expect(o.message).toContain('job-9 (j-OTHER09)');
    expect(o.message).not.toContain('j-OTHER10');
    expect(o.message).toContain('; and 15 more clusters.');
    expect(o.resources?.map((r) => r.id)).toEqual(['sg-m1', 'sg-s1']);
  });

  it('counts any security group of the other cluster (additional, service access)', () => {
    const a = cluster('j-A', 'a', { emrManagedMasterSecurityGroup: 'sg-ma', emrManagedSlaveSecurityGroup: 'sg-sa', additionalSlaveSecurityGroups: ['sg-s1'] });
    const b = cluster('j-B', 'b', { emrManagedMasterSecurityGroup: 'sg-mb', emrManagedSlaveSecurityGroup: 'sg-sb', serviceAccessSecurityGroup: 'sg-m1' });
    const o = only(runCluster(check, mine, { clusters: [mine, a, b], securityGroups }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('a (j-A) uses sg-s1 (ElasticMapReduce-slave) as its additional core/task group');
    expect(o.message).toContain('b (j-B) uses sg-m1 (ElasticMapReduce-master) as its service access group');
  });

  it('does not fail when only an additional group of this cluster is shared', () => {
    const withExtra = cluster('j-MINE', 'etl', { emrManagedMasterSecurityGroup: 'sg-m1', emrManagedSlaveSecurityGroup: 'sg-s1', additionalMasterSecurityGroups: ['sg-common'] });
    const other = cluster('j-OTHER', 'adhoc', { emrManagedMasterSecurityGroup: 'sg-m2', emrManagedSlaveSecurityGroup: 'sg-s2', additionalMasterSecurityGroups: ['sg-common'] });
    const o = only(runCluster(check, withExtra, { clusters: [withExtra, other], securityGroups }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No other active cluster of the region uses sg-m1 (ElasticMapReduce-master), sg-s1 (ElasticMapReduce-slave).');
  });

  it('passes as the only cluster, naming groups by id when their data is absent', () => {
    const o = only(runCluster(check, mine, { clusters: [mine] }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('No other active cluster of the region uses sg-m1, sg-s1.');
  });

  it('answers ERROR when no sharing is found but another cluster could not be described', () => {
    const { ec2: _omit, ...partial } = cluster('j-HIDDEN', 'hidden', {});
    const hidden: Cluster = { ...partial, described: false };
    const o = only(runCluster(check, mine, { clusters: [mine, hidden], securityGroups, errors: [accessDenied('cluster', 'j-HIDDEN', 'elasticmapreduce:DescribeCluster')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('hidden (j-HIDDEN): elasticmapreduce:DescribeCluster AccessDenied');
  });

  it('still fails on a sharing it found when another cluster could not be described', () => {
    const other = cluster('j-OTHER', 'adhoc', { emrManagedMasterSecurityGroup: 'sg-m1', emrManagedSlaveSecurityGroup: 'sg-s9' });
    const { ec2: _omit, ...partial } = cluster('j-HIDDEN', 'hidden', {});
    const o = only(runCluster(check, mine, { clusters: [mine, other, { ...partial, described: false }], securityGroups }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Not examined (could not be described): hidden (j-HIDDEN)');
  });

  it('answers ERROR when the cluster reports no managed group', () => {
    const none = cluster('j-MINE', 'etl', {});
    expect(only(runCluster(check, none, { clusters: [none] })).status).toBe('ERROR');
  });

  it('is skipped by the engine in a run restricted to some clusters', () => {
    const other = cluster('j-OTHER', 'adhoc', { emrManagedMasterSecurityGroup: 'sg-m1', emrManagedSlaveSecurityGroup: 'sg-s1' });
    const snapshot = makeSnapshot([{ clusters: [mine, other], securityGroups }]);
    const all = evaluateSnapshot(snapshot, { checks: CHECKS, settings: defaultSettings(), checkIds: [check.id] });
    expect(all.map((r) => r.status)).toEqual(['FAIL', 'FAIL']);
    expect(evaluateSnapshot(snapshot, { checks: CHECKS, settings: defaultSettings(), checkIds: [check.id], clusterIds: ['j-MINE'] })).toEqual([]);
  });
});
