/**
 * secrets/plaintext-in-configurations (CHECKS.md): the value of a cluster `Configurations`
 * property never enters the snapshot, the state store, a result, a log line or any output. One
 * sentinel value, planted the way DescribeCluster returns it, searched for everywhere: the Lambda's
 * logs at DEBUG and its Security Hub imports, the CLI's snapshot writer (`collect`) and every format
 * of `scan`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/audit.js';
import { collectSnapshot } from '../../lib/collect/index.js';
import { TestClock } from '../helpers/clock.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { NOW } from '../helpers/fixtures.js';
import { lambdaContext } from '../helpers/lambda.js';
import { runCli } from '../cli/run-cli.js';

const SENTINEL = 'S3ntinel-Hive-Metastore-Pa55';
const CLUSTER = 'j-SECRET000001';

let fake: FakeAccount;
let mocks: FakeMocks;
let printed: string[];

beforeEach(() => {
  fake = new FakeAccount().withDefaults();
  fake.addCluster({
    id: CLUSTER,
    name: 'metastore',
    masterSg: 'sg-master',
    slaveSg: 'sg-slave',
    instanceProfile: 'EMR_EC2_DefaultRole',
    serviceRole: 'EMR_DefaultRole_V2',
    releaseLabel: 'emr-7.5.0',
    applications: ['Hadoop', 'Hive', 'Livy'],
    configurations: [
      { Classification: 'hive-site', Properties: { 'javax.jdo.option.ConnectionPassword': SENTINEL, 'javax.jdo.option.ConnectionURL': `jdbc:mysql://db/${SENTINEL}` } },
      { Classification: 'hadoop-env', Configurations: [{ Classification: 'export', Properties: { AWS_SECRET_ACCESS_KEY: `"${SENTINEL}"` } }] },
    ],
    instances: FakeAccount.nodes(CLUSTER, 1),
  });
  mocks = fake.mock();
  printed = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  mocks.restore();
});

describe('no Configurations value anywhere', () => {
  it('the Lambda at DEBUG: logs, summary and Security Hub findings name the properties, never the value', async () => {
    const hub = new FakeSecurityHub();
    try {
      const handler = createHandler({
        logger: new Logger({ serviceName: 'emr-audit', logLevel: 'DEBUG' }),
        metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
        env: () => ({ EMR_AUDIT_REGIONS: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'DEBUG' }),
        clients: () => fake.clients(),
        collect: (options) => collectSnapshot(options),
        clock: new TestClock(NOW),
        newRunId: () => 'run-secret',
        sleep: () => Promise.resolve(),
      });
      const summary = await handler({ source: 'emr-audit', 'detail-type': 'Run EMR audit', detail: {} }, lambdaContext(600_000));
      const findings = JSON.stringify(hub.all());
      expect(findings).toContain('javax.jdo.option.ConnectionPassword in hive-site');
      expect(findings).toContain('AWS_SECRET_ACCESS_KEY in hadoop-env/export');
      for (const text of [printed.join(''), JSON.stringify(summary), findings]) expect(text).not.toContain(SENTINEL);
      expect(printed.join('').length).toBeGreaterThan(0);
    } finally {
      hub.restore();
    }
  });

  it('the CLI: collect (the snapshot writer) and scan in every format', async () => {
    const env = { AWS_REGION: 'us-east-1' };
    const collect = await runCli(['collect', '--out', '-'], { env, clients: fake.clients() });
    expect(collect.code).toBe(0);
    expect(collect.stdout).toContain('"property": "javax.jdo.option.ConnectionPassword"');
    expect(collect.stdout + collect.stderr).not.toContain(SENTINEL);
    for (const format of ['table', 'json', 'asff', 'html', 'sarif', 'ocsf', 'csv']) {
      const run = await runCli(['scan', '--format', format, '--verbose'], { env, clients: fake.clients() });
      expect(run.stdout.length, format).toBeGreaterThan(0);
      expect(run.stdout + run.stderr, format).not.toContain(SENTINEL);
    }
    expect(printed.join('')).not.toContain(SENTINEL);
  });
});
