/** The Lambda handler end to end: a mocked multi-region account, Security Hub, logs and metrics. */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler, functionIdentity, serviceName } from '../../functions/audit.js';
import { collectSnapshot, type CollectOptions } from '../../lib/collect/index.js';
import type { RunSummary } from '../../lib/report/run-summary.js';
import type { Clock } from '../../lib/clock.js';
import { TestClock } from '../helpers/clock.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { ACCOUNT, NOW } from '../helpers/fixtures.js';
import { lambdaContext as contextFor } from '../helpers/lambda.js';

const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const ETL = 'j-USEAST000001'; // no LogUri
const ADHOC = 'j-USEAST000002';
const REPORTS = 'j-EUWEST000001'; // no LogUri
const ENV = { EMR_AUDIT_REGIONS: `${EAST},${WEST}` };
const REMAINING_MS = 600_000;

const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/events/${name}`, import.meta.url), 'utf8'));
const onDemand = (detail: object): object => ({ ...(example('on-demand-all.json') as object), detail });
const stateChange = (clusterId: string, state: string, region = EAST): object => {
  const base = example('emr-cluster-running.json') as { detail: object };
  return { ...base, region, detail: { ...base.detail, clusterId, state } };
};

const lambdaContext = (remaining = REMAINING_MS): Context => contextFor(remaining, EAST);

/** Clusters as EMR's defaults launch them: managed groups, the default roles, release 7.5.0. */
const launched = { masterSg: 'sg-master', slaveSg: 'sg-slave', instanceProfile: 'EMR_EC2_DefaultRole', serviceRole: 'EMR_DefaultRole_V2', releaseLabel: 'emr-7.5.0' };

function account(): FakeAccount {
  const fake = new FakeAccount().withDefaults().withDefaults(WEST);
  fake.addCluster({ id: ETL, name: 'etl', ...launched, instances: FakeAccount.nodes(ETL, 2) });
  fake.addCluster({ id: ADHOC, name: 'adhoc', ...launched, logUri: 's3://logs/adhoc/', instances: FakeAccount.nodes(ADHOC, 1) });
  fake.addCluster({ id: REPORTS, name: 'reports', region: WEST, ...launched, instances: FakeAccount.nodes(REPORTS, 1) });
  return fake;
}

const findingId = (region: string, checkId: string, resourceId: string): string => `emr-audit/${region}/${ACCOUNT}/${checkId}/${resourceId}`;

let fake: FakeAccount;
let mocks: FakeMocks;
let hub: FakeSecurityHub;
/** Everything the Lambda printed (stdout and stderr). */
let stdout: string[];
let collect: ReturnType<typeof vi.fn<(options: CollectOptions) => ReturnType<typeof collectSnapshot>>>;

beforeEach(() => {
  fake = account();
  mocks = fake.mock();
  hub = new FakeSecurityHub();
  stdout = [];
  // Powertools writes INFO lines and metrics to stdout, WARN/ERROR lines to stderr.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
  collect = vi.fn((options: CollectOptions) => collectSnapshot(options));
});

afterEach(() => {
  vi.restoreAllMocks();
  hub.restore();
  mocks.restore();
});

function handler(env: Record<string, string> = ENV, clock: Clock = new TestClock(NOW)) {
  return createHandler({
    logger: new Logger({ serviceName: 'emr-audit' }),
    metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
    env: () => env,
    clients: () => fake.clients(),
    collect,
    clock,
    newRunId: () => 'run-0001',
    sleep: () => Promise.resolve(),
  });
}

async function invoke(event: unknown, options: { env?: Record<string, string>; now?: Date; clock?: Clock; remaining?: number } = {}): Promise<RunSummary> {
  return handler(options.env, options.clock ?? new TestClock(options.now ?? NOW))(event, lambdaContext(options.remaining));
}

const jsonLines = (): Array<Record<string, unknown>> =>
  stdout
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The EMF document the metrics middleware printed: metric name → value. */
function emittedMetrics(): Record<string, number> {
  const emf = jsonLines().find((l) => typeof l._aws === 'object');
  if (!emf) throw new Error(`no metrics printed:\n${stdout.join('')}`);
  const aws = emf._aws as { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> };
  expect(aws.CloudWatchMetrics[0]?.Namespace).toBe('EmrAudit');
  expect(emf.service).toBe('emr-audit');
  return Object.fromEntries(aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, emf[m.Name] as number]));
}

function noAwsCalls(): void {
  expect(fake.calls).toHaveLength(0);
  expect(hub.importCalls()).toHaveLength(0);
  expect(hub.getCalls()).toHaveLength(0);
  expect(collect).not.toHaveBeenCalled();
}

describe('the audit Lambda', () => {
  it('audits every configured region, publishes to Security Hub and returns the summary', async () => {
    const summary = await invoke(example('scheduled.json'));

    expect(summary).toMatchObject({
      runId: 'run-0001',
      trigger: 'schedule',
      dryRun: false,
      accountId: ACCOUNT,
      regions: [EAST, WEST],
      clustersAudited: 3,
      startedAt: NOW.toISOString(),
    });
    const results = Object.values(summary.results).reduce((a, b) => a + b, 0);
    expect(results).toBeGreaterThan(0);
    expect(summary.failByCheck['logging/no-log-uri']).toBe(2);
    expect(summary.findings.failed).toBe(0);
    expect(summary.findings.evaluationIncomplete).toBe(0);
    expect(summary.results.ERROR).toBe(0);
    expect(summary.errors).toEqual([]);

    // Security Hub holds one ACTIVE finding per FAIL (Ids from check and cluster) and one per gap.
    const active = hub.active();
    const gaps = active.filter((f) => f.GeneratorId === 'emr-audit/audit/evaluation-incomplete');
    expect(active.length - gaps.length).toBe(summary.results.FAIL);
    expect(gaps).toHaveLength(summary.findings.evaluationIncomplete);
    expect(summary.findings.imported).toBe(active.length);
    expect(hub.get(EAST, findingId(EAST, 'logging/no-log-uri', ETL))).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' } });
    expect(hub.get(WEST, findingId(WEST, 'logging/no-log-uri', REPORTS))).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' } });
    expect(hub.get(EAST, findingId(EAST, 'logging/no-log-uri', ADHOC))).toBeUndefined();

    const metrics = emittedMetrics();
    expect(metrics).toMatchObject({
      ClustersAudited: 3,
      ResultsFail: summary.results.FAIL,
      ResultsError: summary.results.ERROR,
      ResultsPass: summary.results.PASS,
      FindingsImported: summary.findings.imported,
      FindingsArchived: 0,
      FindingsFailed: 0,
      CollectionErrors: 0,
      EvaluationIncompleteFindings: summary.findings.evaluationIncomplete,
      FailLow: summary.failBySeverity.LOW,
    });
    expect(metrics).toHaveProperty('DurationMs');

    const logs = jsonLines().filter((l) => l.message !== undefined);
    expect(logs.map((l) => l.message)).toEqual(expect.arrayContaining(['Audit started', 'Security Hub plan', 'Audit finished']));
    for (const line of logs) expect(line).toMatchObject({ runId: 'run-0001', service: 'emr-audit', function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678' });
  });

  it('passes the time budget to the collectors: now + remaining time − margin', async () => {
    await invoke(example('scheduled.json'), { env: { ...ENV, EMR_AUDIT_TIME_MARGIN_SECONDS: '90' }, remaining: 300_000 });
    expect(collect).toHaveBeenCalledTimes(1);
    expect(collect.mock.calls[0]?.[0]).toMatchObject({ regions: [EAST, WEST], accountId: ACCOUNT, deadline: NOW.getTime() + 300_000 - 90_000, now: NOW });
  });

  it('measures the deadline on the injected clock alone: a run dated years from today audits every cluster', async () => {
    // Two clocks (the deadline on the injected one, the calls on the real one) made every call of such a run TimeBudgetExceeded.
    for (const origin of ['2001-03-04T05:06:07Z', '2101-03-04T05:06:07Z']) {
      hub = new FakeSecurityHub();
      const summary = await invoke(example('scheduled.json'), { clock: new TestClock(new Date(origin)) });
      expect(summary.clustersAudited, origin).toBe(3);
      expect(summary.errors, origin).toEqual([]);
      expect(summary.startedAt).toBe(new Date(origin).toISOString());
    }
  });

  it('stops collecting when the injected clock passes the deadline, whatever the real time says', async () => {
    const clock = new TestClock(NOW);
    // The run's clock jumps past its budget while the clusters are listed: nothing more may be called.
    fake.fail('elasticmapreduce:ListClusters', { code: 'Unused', when: () => (clock.advance(REMAINING_MS), false) });
    const summary = await invoke(example('scheduled.json'), { clock });
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(0);
    expect(summary.results.ERROR).toBeGreaterThan(0);
    expect(summary.errors.join('\n')).toContain('TimeBudgetExceeded');
  });

  it('archives what was fixed on the next run, and leaves what is still failing, unchanged, as it was', async () => {
    await invoke(example('scheduled.json'));
    fake.region(EAST).clusters.find((c) => c.id === ETL)!.logUri = 's3://logs/etl/';
    const later = new Date(NOW.getTime() + 3_600_000);
    const summary = await invoke(example('scheduled.json'), { now: later });
    expect(summary.findings.archived).toBeGreaterThanOrEqual(1);
    expect(hub.get(EAST, findingId(EAST, 'logging/no-log-uri', ETL))).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
    expect(hub.get(WEST, findingId(WEST, 'logging/no-log-uri', REPORTS))).toMatchObject({
      RecordState: 'ACTIVE',
      CreatedAt: NOW.toISOString(),
      // Unchanged an hour later: not imported again (SECURITY-HUB.md rule 14).
      UpdatedAt: NOW.toISOString(),
    });
    expect(new Set(hub.all().map((f) => f.Id)).size).toBe(hub.all().length);
  });

  it('archives a terminated cluster from its state-change event without calling EMR, EC2, IAM or SSM', async () => {
    await invoke(example('scheduled.json'));
    const etlFindings = hub.active(EAST).filter((f) => f.ProductFields?.['emr-audit/ClusterId'] === ETL);
    expect(etlFindings.length).toBeGreaterThan(0);
    fake.calls.length = 0;
    collect.mockClear();

    const summary = await invoke(stateChange(ETL, 'TERMINATED'), { now: new Date(NOW.getTime() + 60_000) });
    expect(collect).not.toHaveBeenCalled();
    expect(fake.calls).toHaveLength(0);
    expect(summary).toMatchObject({ trigger: 'cluster-state-change', clustersAudited: 0, findings: { imported: 0, archived: etlFindings.length, failed: 0 } });
    for (const f of etlFindings) expect(hub.get(EAST, f.Id!)).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'NOT_AVAILABLE' } });
    expect(hub.get(WEST, findingId(WEST, 'logging/no-log-uri', REPORTS))?.RecordState).toBe('ACTIVE');
  });

  it('audits only the cluster of a RUNNING/WAITING event, in its region', async () => {
    const summary = await invoke(stateChange(ADHOC, 'WAITING'));
    expect(collect.mock.calls[0]?.[0]).toMatchObject({ regions: [EAST], clusterIds: [ADHOC] });
    expect(summary.clustersAudited).toBe(1);
    expect(hub.active().every((f) => f.ProductFields?.['emr-audit/ClusterId'] === ADHOC)).toBe(true);
  });

  it('writes nothing on a dry run', async () => {
    const summary = await invoke(onDemand({ clusterIds: [ETL], dryRun: true }));
    expect(summary).toMatchObject({ trigger: 'on-demand', dryRun: true, clustersAudited: 1, findings: { imported: 0, archived: 0, failed: 0 } });
    expect(summary.failByCheck['logging/no-log-uri']).toBe(1);
    expect(hub.importCalls()).toHaveLength(0);
    expect(hub.getCalls()).toHaveLength(0);
  });

  it('keeps the IAM findings when IAM is denied, and reports the gap per cluster with the alarm metric', async () => {
    await invoke(example('scheduled.json'));
    const iamBefore = hub.active().filter((f) => f.GeneratorId?.startsWith('emr-audit/iam/instance-profile-'));
    expect(iamBefore.length).toBeGreaterThan(0);
    stdout.length = 0;

    fake.fail('iam:GetRole', { code: 'AccessDenied', message: 'User: arn:aws:sts::123456789012:assumed-role/emr-audit is not authorized to perform: iam:GetRole' });
    const summary = await invoke(example('scheduled.json'), { now: new Date(NOW.getTime() + 3_600_000) });
    expect(summary.results.ERROR).toBeGreaterThan(0);
    // GetRole carries only the ARN and boundary: the attached list still decides the deprecated-policy
    // check (re-observed, same identity); the checks that need the boundary keep their findings untouched.
    const attachedOnly = 'emr-audit/iam/instance-profile-deprecated-policy';
    for (const f of iamBefore.filter((x) => x.GeneratorId !== attachedOnly)) expect(hub.get(f.Region!, f.Id!)).toEqual(f);
    for (const f of iamBefore.filter((x) => x.GeneratorId === attachedOnly)) {
      expect(hub.get(f.Region!, f.Id!)).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' }, CreatedAt: f.CreatedAt, Resources: f.Resources });
    }
    expect(summary.findings.evaluationIncomplete).toBe(3);
    const gap = hub.get(EAST, findingId(EAST, 'audit/evaluation-incomplete', ETL));
    expect(gap).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'WARNING' } });
    expect(gap?.Description).toContain('iam:GetRole AccessDenied');
    expect(emittedMetrics()).toMatchObject({ EvaluationIncompleteFindings: 3, ResultsError: summary.results.ERROR });
  });

  it('reports a region that could not be listed, with an evaluation-incomplete finding and alarm metric', async () => {
    fake.fail('elasticmapreduce:ListClusters', { code: 'AccessDeniedException', message: 'not authorized', when: (_input, region) => region === WEST });
    const summary = await invoke(example('scheduled.json'));
    expect(summary.errors.some((e) => e.startsWith(WEST) && e.includes('AccessDenied'))).toBe(true);
    expect(hub.get(WEST, findingId(WEST, 'audit/evaluation-incomplete', WEST))).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'WARNING' } });
    expect(emittedMetrics().EvaluationIncompleteFindings).toBeGreaterThanOrEqual(1);
    expect(emittedMetrics().CollectionErrors).toBeGreaterThanOrEqual(1);
  });

  it('reports Security Hub disabled in a region once in the summary and counts the findings as failed', async () => {
    hub.disable(WEST);
    const summary = await invoke(example('scheduled.json'));
    expect(summary.findings.failed).toBeGreaterThanOrEqual(1);
    expect(summary.errors.filter((e) => e.startsWith(`${WEST}: Security Hub refused`))).toHaveLength(1);
    expect(hub.active(EAST).length).toBeGreaterThan(0);
  });

  it('accepts a cluster that is still starting and does nothing', async () => {
    const summary = await invoke(stateChange(ETL, 'STARTING'));
    expect(summary).toMatchObject({ skipped: `cluster ${ETL} is STARTING: nothing to audit yet`, clustersAudited: 0, findings: { imported: 0, archived: 0, failed: 0 } });
    noAwsCalls();
    expect(emittedMetrics()).toEqual({ EventsIgnored: 1 });
  });

  it.each([
    ['an unknown source', { source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }, /unsupported source "aws\.s3"/],
    ['an unknown detail key', onDemand({ clusterId: ETL }), /detail: unknown key\(s\) "clusterId"/],
    ['a bad region', onDemand({ regions: ['moon-1'] }), /detail\.regions\[0\]: "moon-1" is not an AWS region name/],
    ['a malformed cluster id', onDemand({ clusterIds: ['cluster-7'] }), /detail\.clusterIds\[0\]: "cluster-7" is not an EMR cluster id/],
    ['an unknown check', onDemand({ checks: ['network/telnet'] }), /unknown check id "network\/telnet"/],
    ['a non-boolean dryRun', onDemand({ dryRun: 'true' }), /detail\.dryRun/],
    ['a state change without cluster id', { ...stateChange(ETL, 'RUNNING'), detail: { state: 'RUNNING' } }, /detail\.clusterId/],
    ['no object at all', 'run please', /expected a JSON object/],
  ])('rejects %s with a validation error and makes no AWS call', async (_what, event, message) => {
    await expect(invoke(event)).rejects.toThrow(message);
    noAwsCalls();
    expect(jsonLines().some((l) => l.message === 'Audit failed' && l.level === 'ERROR')).toBe(true);
  });

  it('rejects an invalid setting, naming the variable, before any AWS call', async () => {
    await expect(invoke(example('scheduled.json'), { env: { ...ENV, EMR_AUDIT_SSM_GRACE_MINUTES: 'soon' } })).rejects.toThrow(/^EMR_AUDIT_SSM_GRACE_MINUTES: expected a whole number/);
    await expect(invoke(example('scheduled.json'), { env: { ...ENV, EMR_AUDIT_DISABLED_CHECKS: 'network/telnet' } })).rejects.toThrow(/^EMR_AUDIT_DISABLED_CHECKS: unknown check id "network\/telnet"/);
    noAwsCalls();
  });
});

describe('functionIdentity', () => {
  it('reads partition, region and account from the function ARN', () => {
    expect(functionIdentity(`arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:emr-audit:live`)).toEqual({ partition: 'aws-cn', region: 'cn-north-1', accountId: ACCOUNT });
    expect(() => functionIdentity('not-an-arn')).toThrow(/Cannot read the account id/);
  });
});

describe('serviceName', () => {
  it('is the stage’s POWERTOOLS_SERVICE_NAME (the metric dimension its alarm watches), emr-audit without one', () => {
    expect(serviceName({ POWERTOOLS_SERVICE_NAME: 'emr-audit-prod' })).toBe('emr-audit-prod');
    expect(serviceName({})).toBe('emr-audit');
    expect(serviceName({ POWERTOOLS_SERVICE_NAME: ' ' })).toBe('emr-audit');
  });
});
