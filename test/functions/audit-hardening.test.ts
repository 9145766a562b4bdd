/**
 * The Lambda at its limits (issue 14): slow Security Hub calls must not cost the summary
 * (defect 4), validation errors are one log line without a stack (defect 7), and an expired
 * suppression rule is reported once per run.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/audit.js';
import { clockFrom, type Clock } from '../../lib/clock.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import type { RunSummary } from '../../lib/report/run-summary.js';
import { TestClock } from '../helpers/clock.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { NOW } from '../helpers/fixtures.js';
import { lambdaContext } from '../helpers/lambda.js';

const EAST = 'us-east-1';
const ENV = { EMR_AUDIT_REGIONS: EAST };
const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/events/${name}`, import.meta.url), 'utf8'));
const launched = { masterSg: 'sg-master', slaveSg: 'sg-slave', instanceProfile: 'EMR_EC2_DefaultRole', serviceRole: 'EMR_DefaultRole_V2', releaseLabel: 'emr-7.5.0' };

let fake: FakeAccount;
let mocks: FakeMocks;
let hub: FakeSecurityHub;
let output: string[];

beforeEach(() => {
  fake = new FakeAccount().withDefaults();
  fake.addCluster({ id: 'j-USEAST000001', name: 'etl', ...launched, instances: FakeAccount.nodes('j-USEAST000001', 1) });
  mocks = fake.mock();
  hub = new FakeSecurityHub();
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  hub.restore();
  mocks.restore();
});

function invoke(event: unknown, options: { env?: Record<string, string>; clock?: Clock; remaining?: number } = {}): Promise<RunSummary> {
  const handler = createHandler({
    logger: new Logger({ serviceName: 'emr-audit' }),
    metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
    env: () => options.env ?? ENV,
    clients: () => fake.clients(),
    collect: collectSnapshot,
    clock: options.clock ?? new TestClock(NOW),
    newRunId: () => 'run-0014',
    sleep: () => Promise.resolve(),
  });
  return handler(event, lambdaContext(options.remaining ?? 600_000));
}

const logLines = (): Array<Record<string, unknown>> =>
  output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => typeof l.level === 'string');

describe('the Lambda at its time limit', () => {
  it('returns and logs its summary when Security Hub stalls, before the function (and middy) time out', async () => {
    hub.stall.GetFindings = true;
    // 7 s left, margin 5 s: collection stops at 2 s, the synchronisation 1.25 s before the end.
    const started = performance.now();
    const summary = await invoke(example('scheduled.json'), { env: { ...ENV, EMR_AUDIT_TIME_MARGIN_SECONDS: '5' }, clock: clockFrom(NOW), remaining: 7_000 });
    expect(performance.now() - started).toBeLessThan(7_000);
    expect(summary.findings.imported).toBe(0);
    expect(summary.findings.archived).toBe(0);
    expect(summary.errors.some((e) => /^us-east-1: Security Hub synchronisation stopped at the run's time limit/.test(e))).toBe(true);
    const finished = logLines().find((l) => l.message === 'Audit finished');
    expect(finished?.summary).toMatchObject({ runId: 'run-0014' });
  }, 15_000);
});

describe('log hygiene', () => {
  it('an invalid setting is one ERROR line naming the variable, without a stack', async () => {
    await expect(invoke(example('scheduled.json'), { env: { ...ENV, EMR_AUDIT_SSM_GRACE_MINUTES: '0x10' } })).rejects.toThrow(/^EMR_AUDIT_SSM_GRACE_MINUTES: /);
    const errors = logLines().filter((l) => l.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'Audit failed', reason: 'invalid setting', setting: 'EMR_AUDIT_SSM_GRACE_MINUTES' });
    expect(JSON.stringify(errors[0])).not.toMatch(/stack|\bat .*\.ts:\d+/);
  });

  it('an invalid event is one ERROR line naming the field, without a stack', async () => {
    const event = { ...(example('on-demand-all.json') as object), detail: null };
    await expect(invoke(event)).rejects.toThrow(/^Invalid event: detail: /);
    const errors = logLines().filter((l) => l.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'Audit failed', reason: 'invalid event', field: 'detail' });
    expect(JSON.stringify(errors[0])).not.toContain('stack');
    expect(fake.calls).toHaveLength(0);
  });

  it('an unexpected error keeps its stack', async () => {
    const handler = createHandler({
      logger: new Logger({ serviceName: 'emr-audit' }),
      metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
      env: () => ENV,
      clients: () => {
        throw new Error('boom');
      },
      collect: collectSnapshot,
      clock: new TestClock(NOW),
      newRunId: () => 'run-0014',
    });
    await expect(handler(example('scheduled.json'), lambdaContext(600_000))).rejects.toThrow('boom');
    const errors = logLines().filter((l) => l.level === 'ERROR');
    expect(JSON.stringify(errors[0])).toContain('stack');
  });
});

describe('expired suppression rules', () => {
  it('are reported once per run in the log and the summary, and no longer suppress', async () => {
    const rules = JSON.stringify([{ check: 'logging/*', clusterId: 'j-USEAST000001', reason: 'migration window', expires: '2026-11-01' }]);
    const summary = await invoke({ ...(example('on-demand-all.json') as object), detail: { dryRun: true } }, { env: { ...ENV, EMR_AUDIT_SUPPRESSIONS: rules } });
    expect(summary.warnings).toEqual([expect.stringMatching(/^EMR_AUDIT_SUPPRESSIONS rule 1 \(logging\/\* on cluster j-USEAST000001; reason: migration window; expires 2026-11-01\) has expired/)]);
    expect(logLines().filter((l) => l.message === 'Suppression rule expired')).toHaveLength(1);
    expect(summary.results.SUPPRESSED).toBe(0);
    expect(summary.failByCheck['logging/no-log-uri']).toBe(1);
  });
});
