/** The handler refuses regions that are not regions, belong to another partition, or are not enabled. */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
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
const WEST = 'eu-west-1';
const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/events/${name}`, import.meta.url), 'utf8'));
const onDemand = (detail: object): object => ({ ...(example('on-demand-all.json') as object), detail });
const stateChange = (region: string): object => {
  const base = example('emr-cluster-running.json') as { detail: object };
  return { ...base, region, detail: { ...base.detail, clusterId: 'j-REGIONS00001', state: 'RUNNING' } };
};

let fake: FakeAccount;
let mocks: FakeMocks;
let hub: FakeSecurityHub;
let logs: string[];

beforeEach(() => {
  fake = new FakeAccount().withDefaults().withDefaults(WEST);
  fake.addCluster(FakeAccount.standardCluster('j-REGIONS00001'));
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

async function invoke(event: unknown, env: Record<string, string> = {}, functionRegion = EAST): Promise<RunSummary> {
  const handler = createHandler({
    logger: new Logger({ serviceName: 'emr-audit' }),
    metrics: new Metrics({ namespace: 'EmrAudit', serviceName: 'emr-audit' }),
    env: () => env,
    clients: () => fake.clients(),
    collect: collectSnapshot,
    clock: new TestClock(NOW),
    newRunId: () => 'run-0001',
    sleep: () => Promise.resolve(),
  });
  const context = lambdaContext(600_000, functionRegion);
  const partition = functionRegion.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return handler(event, { ...context, invokedFunctionArn: context.invokedFunctionArn.replace(/^arn:aws:/, `arn:${partition}:`) });
}

function nothingCalled(): void {
  expect(fake.calls).toEqual([]);
  expect(hub.importCalls()).toEqual([]);
  expect(hub.getCalls()).toEqual([]);
}

describe('regions at the handler', () => {
  it.each([
    ['a name no partition lists', onDemand({ regions: ['zz-nowhere-9'] }), /^Invalid event: detail\.regions\[0\]: "zz-nowhere-9" is not an AWS region \(not in this version's AWS SDK partition table\)$/],
    ['a well-formed name the SDK does not know', onDemand({ regions: [EAST, 'eu-west-99'] }), /^Invalid event: detail\.regions\[1\]: "eu-west-99" is not an AWS region/],
    ['GovCloud from a commercial function', onDemand({ regions: ['us-gov-west-1'] }), /^Invalid event: detail\.regions: "us-gov-west-1" is in the aws-us-gov partition, not this function's partition \(aws\)$/],
    ['China from a commercial function', onDemand({ regions: [WEST, 'cn-north-1'] }), /^Invalid event: detail\.regions: "cn-north-1" is in the aws-cn partition/],
    ['a state change from another partition', stateChange('cn-north-1'), /^Invalid event: region: "cn-north-1" is in the aws-cn partition/],
  ])('rejects %s as an invalid event, before any call', async (_what, event, message) => {
    await expect(invoke(event)).rejects.toThrow(message);
    nothingCalled();
  });

  it.each([
    ['zz-nowhere-9', /^EMR_AUDIT_REGIONS: "zz-nowhere-9" is not an AWS region/],
    [`${EAST},us-gov-west-1`, /^EMR_AUDIT_REGIONS: "us-gov-west-1" is in the aws-us-gov partition, not this function's partition \(aws\)$/],
  ])('rejects the setting EMR_AUDIT_REGIONS=%s, even when the event names its own regions', async (regions, message) => {
    await expect(invoke(example('scheduled.json'), { EMR_AUDIT_REGIONS: regions })).rejects.toThrow(message);
    await expect(invoke(onDemand({ regions: [EAST] }), { EMR_AUDIT_REGIONS: regions })).rejects.toThrow(message);
    nothingCalled();
  });

  it('accepts the regions of its own partition: GovCloud from a GovCloud function', async () => {
    await expect(invoke(onDemand({ regions: ['us-gov-west-1'] }))).rejects.toThrow(/aws-us-gov/);
    fake = new FakeAccount({ defaultRegion: 'us-gov-west-1' }).withDefaults();
    mocks.restore();
    mocks = fake.mock();
    const summary = await invoke(onDemand({ regions: ['us-gov-west-1'], dryRun: true }), {}, 'us-gov-west-1');
    expect(summary.regions).toEqual(['us-gov-west-1']);
  });

  it('refuses a region not enabled for the account after one DescribeRegions, before any other call', async () => {
    await expect(invoke(onDemand({ regions: [EAST, 'af-south-1'] }))).rejects.toThrow(
      /^Invalid event: detail\.regions: "af-south-1" is not enabled for this account \(an opt-in region it has not opted in to\)$/,
    );
    fake.disabledRegions.add('ap-northeast-3');
    await expect(invoke(example('scheduled.json'), { EMR_AUDIT_REGIONS: `${EAST},ap-northeast-3` })).rejects.toThrow(/^EMR_AUDIT_REGIONS: "ap-northeast-3" is not offered to this account/);
    expect(fake.calls.map((c) => c.api)).toEqual(['ec2:DescribeRegions', 'ec2:DescribeRegions']);
    expect(hub.importCalls()).toEqual([]);
  });

  it('asks once a run, only for regions other than its own, and goes on when it may not ask', async () => {
    await invoke(example('scheduled.json'), { EMR_AUDIT_REGIONS: `${EAST},${WEST}` });
    expect(fake.count('ec2:DescribeRegions')).toBe(1);
    fake.calls.length = 0;
    await invoke(example('scheduled.json'), { EMR_AUDIT_REGIONS: EAST });
    await invoke(stateChange(EAST));
    expect(fake.count('ec2:DescribeRegions')).toBe(0);

    mocks.ec2.on(DescribeRegionsCommand).rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));
    const summary = await invoke(example('scheduled.json'), { EMR_AUDIT_REGIONS: `${EAST},${WEST}` });
    expect(summary.regions).toEqual([EAST, WEST]);
    expect(logs.join('')).toContain('Regions not checked against the account: ec2:DescribeRegions did not answer');
  });
});
