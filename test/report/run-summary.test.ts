import { describe, expect, it } from 'vitest';
import { buildRunSummary, runMetrics, skippedRunSummary } from '../../lib/report/run-summary.js';
import { ACCOUNT, NOW, makeCluster, makeSnapshot } from '../helpers/fixtures.js';
import { request, result } from './helpers.js';

const snapshot = makeSnapshot([{ clusters: [makeCluster({ id: 'j-CLUSTER0001' }), makeCluster({ id: 'j-CLUSTER0002' })] }]);
const results = [
  result({ checkId: 'logging/no-log-uri', status: 'FAIL', severity: 'LOW' }),
  result({ checkId: 'network/ssh-from-internet', status: 'FAIL', severity: 'CRITICAL', clusterId: 'j-CLUSTER0002' }),
  result({ checkId: 'iam/instance-profile-admin', status: 'ERROR' }),
  result({ checkId: 'iam/instance-profile-admin', status: 'PASS', clusterId: 'j-CLUSTER0002' }),
];

describe('buildRunSummary', () => {
  it('counts results, FAILs per severity and check, findings written and every error', () => {
    const summary = buildRunSummary({
      runId: 'run-1',
      request: request({ trigger: 'on-demand' }),
      regions: ['us-east-1'],
      outcome: { snapshot, results, startedAt: NOW, finishedAt: new Date(NOW.getTime() + 1500), published: { imported: 3, archived: 1, failed: 1, errors: ['us-east-1: finding x was not imported (InvalidInput: bad)'] } },
    });
    expect(summary).toEqual({
      runId: 'run-1',
      trigger: 'on-demand',
      dryRun: false,
      startedAt: NOW.toISOString(),
      finishedAt: new Date(NOW.getTime() + 1500).toISOString(),
      accountId: ACCOUNT,
      regions: ['us-east-1'],
      clustersAudited: 2,
      results: { PASS: 1, FAIL: 2, NOT_APPLICABLE: 0, ERROR: 1, SUPPRESSED: 0 },
      failBySeverity: { CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 1, INFORMATIONAL: 0 },
      failByCheck: { 'logging/no-log-uri': 1, 'network/ssh-from-internet': 1 },
      fixFirst: [expect.stringMatching(/^emr-audit\/us-east-1\/123456789012\/network\/ssh-from-internet\//)],
      findings: { imported: 3, archived: 1, failed: 1, evaluationIncomplete: 1 },
      errors: ['us-east-1: finding x was not imported (InvalidInput: bad)'],
      collection: { described: 0, fromState: 0, nodeFallbacks: [], tagFallbacks: [] },
    });
  });

  it('counts and names the clusters that needed a fallback', () => {
    const withStats = { ...snapshot, regions: snapshot.regions.map((r) => ({ ...r, collection: { described: ['j-1'], fromState: ['j-2', 'j-3'], nodeFallbacks: ['j-1'], tagFallbacks: [] } })) };
    const summary = buildRunSummary({ runId: 'r', request: request({}), regions: ['us-east-1'], outcome: { snapshot: withStats, results, startedAt: NOW, finishedAt: NOW } });
    expect(summary.collection).toEqual({ described: 1, fromState: 2, nodeFallbacks: ['us-east-1/j-1'], tagFallbacks: [] });
  });

  it('reports zero findings written when nothing was published (dry run)', () => {
    const summary = buildRunSummary({ runId: 'r', request: request({ dryRun: true }), regions: ['us-east-1'], outcome: { snapshot, results, startedAt: NOW, finishedAt: NOW } });
    expect(summary.findings).toEqual({ imported: 0, archived: 0, failed: 0, evaluationIncomplete: 1 });
    expect(summary.dryRun).toBe(true);
  });
});

describe('runMetrics', () => {
  it('emits every metric the dashboard and the alarm use, with the summary values', () => {
    const summary = buildRunSummary({ runId: 'r', request: request(), regions: ['us-east-1'], outcome: { snapshot, results, startedAt: NOW, finishedAt: new Date(NOW.getTime() + 2500) } });
    const metrics = Object.fromEntries(runMetrics(summary, 4).map((m) => [m.name, [m.value, m.unit]]));
    expect(metrics).toEqual({
      ClustersAudited: [2, 'Count'],
      ResultsPass: [1, 'Count'],
      ResultsFail: [2, 'Count'],
      ResultsNotApplicable: [0, 'Count'],
      ResultsError: [1, 'Count'],
      ResultsSuppressed: [0, 'Count'],
      FailInformational: [0, 'Count'],
      FailLow: [1, 'Count'],
      FailMedium: [0, 'Count'],
      FailHigh: [0, 'Count'],
      FailCritical: [1, 'Count'],
      FindingsImported: [0, 'Count'],
      FindingsArchived: [0, 'Count'],
      FindingsFailed: [0, 'Count'],
      CollectionErrors: [4, 'Count'],
      EvaluationIncompleteFindings: [1, 'Count'],
      DurationMs: [2500, 'Milliseconds'],
      ClustersDescribed: [0, 'Count'],
      ClustersFromState: [0, 'Count'],
      NodeFallbacks: [0, 'Count'],
      TagFallbacks: [0, 'Count'],
    });
    const continued = runMetrics({ ...summary, continuation: { emitted: true, clusters: 3, left: 0 } }, 0);
    expect(continued.find((m) => m.name === 'ContinuationsSent')?.value).toBe(1);
  });

  it('summarises an ignored event as nothing done', () => {
    expect(skippedRunSummary({ runId: 'r', trigger: 'cluster-state-change', accountId: ACCOUNT, at: NOW, reason: 'starting' })).toMatchObject({
      skipped: 'starting',
      regions: [],
      clustersAudited: 0,
      results: { PASS: 0, FAIL: 0, NOT_APPLICABLE: 0, ERROR: 0, SUPPRESSED: 0 },
      findings: { imported: 0, archived: 0, failed: 0, evaluationIncomplete: 0 },
    });
  });
});
