/**
 * Collection errors people can read (issue 14): one SSM failure produced 93 near-identical lines
 * in summary.errors and ~280 in the table. Identical failures (same API, code and cause) are one
 * line with a count and the affected clusters, in the table, the JSON summary and the Lambda's.
 */
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { causeKey, groupCollectionErrors } from '../../lib/report/error-groups.js';
import { buildJsonReport } from '../../lib/report/json.js';
import { buildRunSummary } from '../../lib/report/run-summary.js';
import { renderTable } from '../../lib/report/table.js';
import type { CollectionError } from '../../lib/snapshot.js';
import { ACCOUNT, NOW, REGION, makeCluster, makeSnapshot } from '../helpers/fixtures.js';
import { request } from './helpers.js';

const CLUSTERS = ['j-GROUPED00001', 'j-GROUPED00002', 'j-GROUPED00003'];
const instanceId = (c: number, i: number): string => `i-0${String(c)}${String(i).padStart(15, '0')}`;

function snapshot() {
  const clusters = CLUSTERS.map((id, c) =>
    makeCluster({ id, name: `c${c}`, instances: Array.from({ length: 31 }, (_, i) => ({ id: `ci-${c}${i}`, ec2InstanceId: instanceId(c, i), state: 'RUNNING', role: 'CORE' as const })) }),
  );
  const errors: CollectionError[] = clusters.flatMap((cluster, c) =>
    Array.from({ length: 31 }, (_, i) => ({
      kind: 'ssmInstance' as const,
      resourceId: instanceId(c, i),
      api: 'ssm:DescribeInstanceInformation',
      code: 'AccessDeniedException',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/audit/x is not authorized to perform: ssm:DescribeInstanceInformation on resource: arn:aws:ssm:${REGION}:${ACCOUNT}:* for ${instanceId(c, i)} of ${cluster.id}`,
    })),
  );
  errors.push({ kind: 'securityGroup', resourceId: 'sg-0123456789', api: 'ec2:DescribeSecurityGroups', code: 'ETIMEDOUT', message: 'no answer within the timeout' });
  return makeSnapshot([{ region: REGION, clusters, errors }]);
}

const GROUPED = /^us-east-1: ssm:DescribeInstanceInformation AccessDeniedException \(User: arn:… is not authorized to perform: ssm:DescribeInstanceInformation on resource: arn:… for i-… of j-…\) — 93× ssmInstance: i-0[0-9]+(, i-0[0-9]+){9} \(\+83 more\); clusters: j-GROUPED00001, j-GROUPED00002, j-GROUPED00003$/;

describe('grouped collection errors', () => {
  it('masks resource ids in the cause', () => {
    expect(causeKey('denied for i-0abc123456 in arn:aws:ec2:us-east-1:123456789012:instance/i-0abc123456')).toBe('denied for i-… in arn:…');
  });

  it('93 identical SSM failures are one group with the count and the affected clusters; a single failure reads as before', () => {
    const groups = groupCollectionErrors(snapshot().regions[0]!);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ api: 'ssm:DescribeInstanceInformation', code: 'AccessDeniedException', count: 93, kind: 'ssmInstance', clusterCount: 3, clusters: CLUSTERS });
    expect(groups[0]!.resources).toHaveLength(10);
    expect(groups[1]).toMatchObject({ api: 'ec2:DescribeSecurityGroups', count: 1, resources: ['sg-0123456789'] });
  });

  it('the JSON summary: two lines in errors (still strings), the groups in errorGroups', () => {
    const { summary } = buildJsonReport({ results: [], snapshot: snapshot() });
    expect(summary.errors).toHaveLength(2);
    expect(summary.errors[0]).toMatch(GROUPED);
    expect(summary.errors[1]).toBe('us-east-1 securityGroup sg-0123456789: ec2:DescribeSecurityGroups ETIMEDOUT (no answer within the timeout)');
    expect(summary.errorGroups.map((g) => g.count)).toEqual([93, 1]);
  });

  it('the Lambda summary keeps errors: string[] and adds errorGroups', () => {
    const summary = buildRunSummary({ runId: 'r', request: request(), regions: [REGION], outcome: { snapshot: snapshot(), results: [], startedAt: NOW, finishedAt: NOW } });
    expect(summary.errors).toHaveLength(2);
    expect(summary.errors[0]).toMatch(GROUPED);
    expect(summary.errorGroups?.[0]?.count).toBe(93);
  });

  it('the table shows the group once', () => {
    const out = renderTable({ results: [], snapshot: snapshot(), checks: CHECKS, color: false, width: 400 });
    expect(out.split('\n').filter((l) => l.includes('ssm:DescribeInstanceInformation AccessDeniedException'))).toHaveLength(1);
    expect(out).toContain('93× ssmInstance');
  });
});
