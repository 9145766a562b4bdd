/** A dry run at the handler: it reads what it needs and writes nothing anywhere. */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DescribeClusterCommand } from '@aws-sdk/client-emr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/audit.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import type { RunSummary } from '../../lib/report/run-summary.js';
import { TestClock } from '../helpers/clock.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { NOW } from '../helpers/fixtures.js';
import { lambdaContext } from '../helpers/lambda.js';

const EAST = 'us-east-1';
const BUCKET = 'emr-audit-state-test';
const IDS = ['j-DRYRUN000001', 'j-DRYRUN000002', 'j-DRYRUN000003'];
const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/events/${name}`, import.meta.url), 'utf8'));
const onDemand = (detail: object): object => ({ ...(example('on-demand-all.json') as object), detail });

let fake: FakeAccount;
let mocks: FakeMocks;
let hub: FakeSecurityHub;

beforeEach(() => {
  fake = new FakeAccount().withDefaults();
  // No LogUri: every cluster has a FAIL a real run would import.
  for (const id of IDS) fake.addCluster(FakeAccount.standardCluster(id, { logUri: undefined }));
  mocks = fake.mock();
  hub = new FakeSecurityHub();
  for (const stream of [process.stdout, process.stderr]) vi.spyOn(stream, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  hub.restore();
  mocks.restore();
});

async function invoke(event: unknown, clock = new TestClock(NOW), env: Record<string, string> = {}, remaining = 600_000): Promise<RunSummary> {
  const handler = createHandler({
    logger: new Logger({ serviceName: 'emr-audit' }),
    metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
    env: () => ({ EMR_AUDIT_REGIONS: EAST, EMR_AUDIT_STATE_BUCKET: BUCKET, ...env }),
    clients: () => fake.clients(),
    collect: collectSnapshot,
    clock,
    newRunId: () => 'run-0001',
    sleep: () => Promise.resolve(),
  });
  return handler(event, lambdaContext(remaining));
}

const writes = (): string[] => fake.calls.map((c) => c.api).filter((api) => api === 's3:PutObject' || api === 'events:PutEvents');

describe('a dry run', () => {
  it('puts no state object, imports and archives nothing, and still reports what it found', async () => {
    await invoke(example('scheduled.json'));
    expect(writes()).toEqual(['s3:PutObject']);
    const stored = [...fake.objects.entries()].map(([key, o]) => [key, o.etag]);
    const imports = hub.importCalls().length;
    // A cluster gone since: a real run would archive its findings.
    const gone = fake.region().clusters.find((c) => c.id === IDS[2]);
    gone!.state = 'TERMINATED';
    fake.calls.length = 0;

    const summary = await invoke(onDemand({ dryRun: true }), new TestClock(NOW.getTime() + 3_600_000));

    expect(summary).toMatchObject({ dryRun: true, findings: { imported: 0, archived: 0, failed: 0 } });
    expect(summary.failByCheck['logging/no-log-uri']).toBe(2);
    expect(writes()).toEqual([]);
    expect([...fake.objects.entries()].map(([key, o]) => [key, o.etag])).toEqual(stored);
    expect(hub.importCalls()).toHaveLength(imports);
  });

  it('cut short by its time budget, sends no continuation event', async () => {
    const clock = new TestClock(NOW);
    // The first DescribeCluster answer moves the clock past the deadline.
    mocks.emr.on(DescribeClusterCommand).callsFake(async (input: object) => {
      const out = await fake.handle('elasticmapreduce:DescribeCluster', input, EAST);
      clock.advance(61_000);
      return out;
    });
    const continuation = onDemand({ dryRun: true, clusterIds: IDS, continuation: { of: 'run-0000', generation: 1 } });

    const summary = await invoke(continuation, clock, { EMR_AUDIT_API_CONCURRENCY: '1', EMR_AUDIT_TIME_MARGIN_SECONDS: '60' }, 120_000);

    expect(summary.continuation).toBeUndefined();
    expect(fake.events).toEqual([]);
    expect(writes()).toEqual([]);
    expect(hub.importCalls()).toHaveLength(0);
  });
});
