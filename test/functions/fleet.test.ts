/** The Lambda at fleet scale: the state bucket, the continuation event and the event debounce. */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DescribeClusterCommand } from '@aws-sdk/client-emr';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { createHandler } from '../../functions/audit.js';
import { parseEvent } from '../../functions/events.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import type { RunSummary } from '../../lib/report/run-summary.js';
import type { Clock } from '../../lib/clock.js';
import { drain, ManualClock, TestClock } from '../helpers/clock.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { NOW } from '../helpers/fixtures.js';
import { lambdaContext } from '../helpers/lambda.js';

const EAST = 'us-east-1';
const BUCKET = 'emr-audit-state-test';
const IDS = ['j-FLEET000001', 'j-FLEET000002', 'j-FLEET000003'];
const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/events/${name}`, import.meta.url), 'utf8'));
const stateChange = (clusterId: string, state = 'RUNNING'): object => {
  const base = example('emr-cluster-running.json') as { detail: object };
  return { ...base, region: EAST, detail: { ...base.detail, clusterId, state } };
};

let fake: FakeAccount;
let mocks: FakeMocks;
let hub: FakeSecurityHub;
let logs: string[];

beforeEach(() => {
  fake = new FakeAccount().withDefaults();
  for (const id of IDS) fake.addCluster(FakeAccount.standardCluster(id, { logUri: 's3://logs/' }));
  mocks = fake.mock();
  hub = new FakeSecurityHub();
  logs = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  hub.restore();
  mocks.restore();
});

async function invoke(event: unknown, options: { clock?: Clock; env?: Record<string, string>; remaining?: number } = {}): Promise<RunSummary> {
  const env = { EMR_AUDIT_REGIONS: EAST, EMR_AUDIT_STATE_BUCKET: BUCKET, ...options.env };
  const handler = createHandler({
    logger: new Logger({ serviceName: 'emr-audit' }),
    metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
    env: () => env,
    clients: () => fake.clients(),
    collect: collectSnapshot,
    clock: options.clock ?? new TestClock(NOW),
    newRunId: () => 'run-0001',
    sleep: () => Promise.resolve(),
  });
  return handler(event, lambdaContext(options.remaining ?? 600_000));
}

/**
 * An invocation on a clock the test moves, 100 ms at a time, until it returns: a warm scheduled run
 * paces its EMR calls to the headroom (one per 1.33 s), which a clock standing still never refills.
 */
async function invokeDriven(event: unknown, at: number, options: { env?: Record<string, string>; remaining?: number } = {}): Promise<{ summary: RunSummary; seconds: number }> {
  const clock = new ManualClock(at);
  let done = false;
  const running = invoke(event, { ...options, clock }).finally(() => (done = true));
  while (!done) {
    await drain(3);
    if (!done) await clock.advanceTo(clock.now() + 100);
  }
  return { summary: await running, seconds: (clock.now() - at) / 1000 };
}

describe('the state bucket', () => {
  it('is read at start and written at the end: the second scheduled run describes nothing', async () => {
    const cold = await invoke(example('scheduled.json'));
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(3);
    expect(cold.collection?.emrHeadroom).toEqual({ [EAST]: 'off: a cold run (no valid state for the region: every cluster is described)' });
    fake.calls.length = 0;

    const { summary } = await invokeDriven(example('scheduled.json'), NOW.getTime() + 3_600_000);

    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(0);
    expect(fake.count('s3:GetObject')).toBe(1);
    expect(fake.calls.filter((c) => c.api === 's3:PutObject').map((c) => c.input.IfMatch)).toEqual([expect.stringMatching(/^"/)]);
    expect(summary.collection).toEqual({ described: 0, fromState: 3, nodeFallbacks: [], tagFallbacks: [], emrHeadroom: { [EAST]: "on (18 % of the account's EMR rate)" } });
    expect(summary.clustersAudited).toBe(3);
    expect(logs.join('')).toContain("EMR headroom: on (18 % of the account's EMR rate)");
  });

  it('a warm scheduled run with too little time left drops the EMR headroom, and says why', async () => {
    await invoke(example('scheduled.json'));
    for (let i = 0; i < 8; i++) fake.addCluster(FakeAccount.standardCluster(`j-FLEETNEW000${i}`, { logUri: 's3://logs/' }));
    // 70 s left, less the 60 s margin: 10 s for eight new DescribeCluster calls (~9 s at 0.9 per s, more than the 5 s left after the tail).
    const { summary } = await invokeDriven(example('scheduled.json'), NOW.getTime() + 3_600_000, { remaining: 70_000 });
    expect(summary.collection?.emrHeadroom?.[EAST]).toMatch(/^off: dropped after \d+ s: \d+ EMR call\(s\) still to make need ~\d+ s at 18 % of the account's EMR rate, \d+ s of the time budget remain$/);
    expect(summary.collection?.described).toBe(8);
    expect(summary.errors).toEqual([]);
  });

  it('a state-change event keeps the full pace although the state is warm', async () => {
    await invoke(example('scheduled.json'));
    fake.addCluster(FakeAccount.standardCluster('j-FLEET000009'));
    const summary = await invoke(stateChange('j-FLEET000009'), { clock: new TestClock(NOW.getTime() + 10_000) });
    expect(summary.collection?.emrHeadroom).toEqual({ [EAST]: 'off: a state-change event (it is waited for, and makes few EMR calls)' });
  });

  it('without a bucket, no state and no S3 call', async () => {
    await invoke(example('scheduled.json'), { env: { EMR_AUDIT_STATE_BUCKET: '' } });
    expect(fake.calls.filter((c) => c.api.startsWith('s3:'))).toEqual([]);
  });
});

describe('continuation', () => {
  /** The first DescribeCluster answer moves the clock past the deadline (one describe at a time). */
  function budgetRunsOutAfterOneDescribe(clock: TestClock): void {
    mocks.emr.on(DescribeClusterCommand).callsFake(async (input: object) => {
      const out = await fake.handle('elasticmapreduce:DescribeCluster', input, EAST);
      clock.advance(61_000);
      return out;
    });
  }
  const tight = { EMR_AUDIT_API_CONCURRENCY: '1', EMR_AUDIT_TIME_MARGIN_SECONDS: '60' };

  it('a scheduled run that meets its time budget puts one on-demand event for the rest on the bus', async () => {
    const clock = new TestClock(NOW);
    budgetRunsOutAfterOneDescribe(clock);

    const summary = await invoke(example('scheduled.json'), { clock, env: tight, remaining: 120_000 });

    expect(fake.events).toHaveLength(1);
    const [event] = fake.events;
    expect(event).toMatchObject({ Source: 'emr-audit', DetailType: 'Run EMR audit' });
    const detail = JSON.parse(event!.Detail ?? '{}') as { clusterIds: string[]; regions: string[]; continuation: object };
    expect(detail.regions).toEqual([EAST]);
    // The two it could not describe, and the one it described but could not finish (its checks ERROR).
    expect(detail.clusterIds).toHaveLength(3);
    expect(detail.continuation).toEqual({ of: 'run-0001', generation: 1 });
    expect(summary.continuation).toEqual({ emitted: true, clusters: 3, left: 0 });
    // The event is the public on-demand contract: the function accepts it as such.
    const parsed = parseEvent({ source: event!.Source, 'detail-type': event!.DetailType, detail }, { knownCheckIds: CHECKS.map((c) => c.id) });
    expect(parsed).toMatchObject({ kind: 'audit', request: { trigger: 'on-demand', clusterIds: detail.clusterIds, continuation: { generation: 1 } } });
  });

  it('is not emitted when every cluster was described, nor by an on-demand run', async () => {
    await invoke(example('scheduled.json'));
    expect(fake.events).toEqual([]);

    const clock = new TestClock(NOW);
    budgetRunsOutAfterOneDescribe(clock);
    const summary = await invoke(example('on-demand-all.json'), { clock, env: { ...tight, EMR_AUDIT_STATE_BUCKET: '' }, remaining: 120_000 });
    expect(fake.events).toEqual([]);
    expect(summary.continuation).toBeUndefined();
  });

  it('a cut-short run and its continuation: the continuation finishes the region, closes every gap the budget left, and the summary counts what stays open', async () => {
    const clock = new TestClock(NOW);
    budgetRunsOutAfterOneDescribe(clock);
    const cut = await invoke(example('scheduled.json'), { clock, env: tight, remaining: 120_000 });
    const gaps = (): number => hub.active(EAST).filter((f) => f.GeneratorId === 'emr-audit/audit/evaluation-incomplete').length;
    expect(cut.continuation).toMatchObject({ emitted: true, clusters: 3 });
    expect(gaps()).toBeGreaterThan(0);
    // The gaps still open after the run, whatever run made them.
    expect(cut.findings.evaluationIncomplete).toBe(gaps());
    const described = new Set(fake.calls.filter((c) => c.api === 'elasticmapreduce:DescribeCluster').map((c) => (c.input as { ClusterId: string }).ClusterId));
    expect(described.size).toBe(1);

    const [event] = fake.events;
    const detail = JSON.parse(event!.Detail ?? '{}') as { clusterIds: string[] };
    fake.calls.length = 0;
    fake.events.length = 0;
    mocks.emr.on(DescribeClusterCommand).callsFake((input: object) => fake.handle('elasticmapreduce:DescribeCluster', input, EAST));
    const { summary } = await invokeDriven({ source: event!.Source, 'detail-type': event!.DetailType, detail }, NOW.getTime() + 120_000);

    // Only the clusters the first run could not describe are described; the other comes from the state.
    const describedNow = fake.calls.filter((c) => c.api === 'elasticmapreduce:DescribeCluster').map((c) => (c.input as { ClusterId: string }).ClusterId);
    expect(describedNow.sort()).toEqual(IDS.filter((id) => !described.has(id)));
    // Every cluster evaluated, the cross-cluster check over the whole region included.
    expect(summary.clustersAudited).toBe(3);
    expect(summary.results.ERROR).toBe(0);
    expect(hub.active(EAST).some((f) => f.GeneratorId === 'emr-audit/network/shared-managed-security-group')).toBe(true);
    // No gap left by the budget stays ACTIVE, and the summary (the metric's source) says so.
    expect(gaps()).toBe(0);
    expect(summary.findings.evaluationIncomplete).toBe(0);
    expect(summary.continuation).toBeUndefined();
    expect(fake.events).toEqual([]);
  });

  it('a described cluster whose other reads ran out of time is continued too', async () => {
    const clock = new TestClock(NOW);
    // Every cluster is described; the budget runs out in the IAM reads that follow.
    mocks.iam.on(GetInstanceProfileCommand).callsFake(async (input: object) => {
      const out = await fake.handle('iam:GetInstanceProfile', input, EAST);
      clock.advance(61_000);
      return out;
    });
    const cut = await invoke(example('scheduled.json'), { clock, env: tight, remaining: 120_000 });
    const described = fake.calls.filter((c) => c.api === 'elasticmapreduce:DescribeCluster').map((c) => (c.input as { ClusterId: string }).ClusterId);
    expect(described.length).toBeGreaterThan(0);
    expect(cut.results.ERROR).toBeGreaterThan(0);
    expect(cut.continuation).toMatchObject({ emitted: true });
    const detail = JSON.parse(fake.events[0]?.Detail ?? '{}') as { clusterIds: string[] };
    for (const id of described) expect(detail.clusterIds).toContain(id);
  });

  it('a continuation continues itself, up to the bound', async () => {
    const event = (generation: number): object => ({ ...(example('on-demand-all.json') as object), detail: { clusterIds: IDS, continuation: { of: 'run-0000', generation } } });
    let clock = new TestClock(NOW);
    budgetRunsOutAfterOneDescribe(clock);
    await invoke(event(1), { clock, env: { ...tight, EMR_AUDIT_STATE_BUCKET: '' }, remaining: 120_000 });
    expect(fake.events.map((e) => (JSON.parse(e.Detail ?? '{}') as { continuation: unknown }).continuation)).toEqual([{ of: 'run-0000', generation: 2 }]);

    clock = new TestClock(NOW);
    budgetRunsOutAfterOneDescribe(clock);
    await invoke(event(5), { clock, env: { ...tight, EMR_AUDIT_STATE_BUCKET: '' }, remaining: 120_000 });
    expect(fake.events).toHaveLength(1);
  });
});

describe('state-change events, debounced', () => {
  it('RUNNING for a cluster audited within EMR_AUDIT_EVENT_DEBOUNCE_SECONDS is skipped with a log line; later it is audited', async () => {
    await invoke(example('scheduled.json'));
    fake.calls.length = 0;
    const imported = hub.importCalls().length;

    const skipped = await invoke(stateChange(IDS[0]!), { clock: new TestClock(NOW.getTime() + 100_000) });

    expect(skipped.skipped).toBe(`cluster ${IDS[0]!} was audited 100 s ago (EMR_AUDIT_EVENT_DEBOUNCE_SECONDS 600)`);
    expect(fake.calls.map((c) => c.api)).toEqual(['s3:GetObject']);
    expect(hub.importCalls()).toHaveLength(imported);
    expect(logs.join('')).toContain('Event skipped: the cluster was audited recently');

    const audited = await invoke(stateChange(IDS[0]!), { clock: new TestClock(NOW.getTime() + 700_000) });
    expect(audited.skipped).toBeUndefined();
    expect(audited.clustersAudited).toBe(1);
    // One cluster: one DescribeCluster instead of listing the region; its nodes only.
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(1);
    expect(fake.count('elasticmapreduce:ListClusters')).toBe(0);
  });

  it("a new cluster's first RUNNING event is always audited", async () => {
    await invoke(example('scheduled.json'));
    fake.addCluster(FakeAccount.standardCluster('j-FLEET000009'));
    fake.calls.length = 0;

    const summary = await invoke(stateChange('j-FLEET000009'), { clock: new TestClock(NOW.getTime() + 10_000) });

    expect(summary.skipped).toBeUndefined();
    expect(fake.calls.filter((c) => c.api === 'elasticmapreduce:DescribeCluster').map((c) => c.input.ClusterId)).toEqual(['j-FLEET000009']);
  });

  it('EMR_AUDIT_EVENT_DEBOUNCE_SECONDS=0 never skips; a dry run does not count as audited', async () => {
    await invoke(example('scheduled.json'));
    const now = new TestClock(NOW.getTime() + 10_000);
    expect((await invoke(stateChange(IDS[1]!), { clock: now, env: { EMR_AUDIT_EVENT_DEBOUNCE_SECONDS: '0' } })).skipped).toBeUndefined();

    mocks.restore();
    fake = new FakeAccount().withDefaults();
    for (const id of IDS) fake.addCluster(FakeAccount.standardCluster(id));
    mocks = fake.mock();
    await invoke({ ...(example('on-demand-all.json') as object), detail: { dryRun: true } });
    expect((await invoke(stateChange(IDS[1]!), { clock: now })).skipped).toBeUndefined();
  });
});
