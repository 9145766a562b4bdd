/**
 * `emr-audit change-events`: one line per Region (the audited ones, and us-east-1 for IAM) saying
 * whether CloudTrail will deliver the change events; exit 0 without a WARNING, 1 with one, 2 on a
 * usage error, 3 without credentials. `scan` itself never calls CloudTrail.
 */
import { CloudTrailClient, CloudTrailServiceException, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAccount } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { runCli } from './run-cli.js';

const ACCOUNT = '123456789012';
const ct = mockClient(CloudTrailClient);
const sts = mockClient(STSClient);
afterAll(() => {
  ct.restore();
  sts.restore();
});

const multiRegion = { Name: 'management', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management`, HomeRegion: 'us-east-1', IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true };

function trails(options: { list?: object[]; logging?: boolean; statusError?: string } = {}): void {
  ct.on(DescribeTrailsCommand).resolves({ trailList: options.list ?? [multiRegion] });
  if (options.statusError) ct.on(GetTrailStatusCommand).rejects(new CloudTrailServiceException({ name: options.statusError, $fault: 'client', $metadata: {}, message: 'denied' }));
  else ct.on(GetTrailStatusCommand).resolves({ IsLogging: options.logging ?? true });
  ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
}

beforeEach(() => {
  ct.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/auditor`, UserId: 'AIDAEXAMPLE' });
});

describe('emr-audit change-events', () => {
  it('OK for each audited Region and us-east-1 (IAM): exit 0, one line each, nothing on stderr', async () => {
    trails();
    const run = await runCli(['change-events', '--region', 'eu-west-1']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'eu-west-1  OK           EC2, EMR, SSM write calls logged by trail "management" (multi-Region, home us-east-1)',
      'us-east-1  OK           IAM write calls logged by trail "management" (multi-Region)',
    ]);
  });

  it('the regions default to EMR_AUDIT_REGIONS, as for scan', async () => {
    trails();
    const run = await runCli(['change-events'], { env: { EMR_AUDIT_REGIONS: 'eu-central-1,us-east-1' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^eu-central-1 {2}OK {11}EC2, EMR, SSM write calls/m);
    expect(run.stdout).toMatch(/^us-east-1 {5}OK {11}EC2, EMR, SSM, IAM write calls/m);
  });

  it('a WARNING (no trail, or a stopped one) exits 1 with a pointer to the docs on stderr; --quiet keeps stderr clean', async () => {
    trails({ list: [] });
    const run = await runCli(['change-events', '--region', 'eu-west-1']);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'eu-west-1  WARNING      no CloudTrail trail applies to this Region. EC2, EMR, SSM changes there will not trigger audits (the schedule still covers them)',
      'us-east-1  WARNING      no CloudTrail trail applies to this Region. IAM changes there will not trigger audits (the schedule still covers them)',
    ]);
    expect(run.stderrLines).toEqual([expect.stringContaining('docs/change-triggered.md, "What CloudTrail must record"')]);
    trails({ logging: false });
    const stopped = await runCli(['change-events', '--region', 'eu-west-1', '--quiet']);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toContain('"management" is stopped (logging off)');
    expect(stopped.stderr).toBe('');
  });

  it('"cannot tell" is not a WARNING: exit 0, naming what could not be read', async () => {
    trails({ statusError: 'AccessDeniedException' });
    const run = await runCli(['change-events', '--region', 'eu-west-1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^eu-west-1 {2}cannot tell {2}could not read "management": cloudtrail:GetTrailStatus AccessDeniedException/m);
  });

  it('--format json: the account and per Region the status, the services and the trail or the reason', async () => {
    trails();
    // A single-Region trail of eu-west-1 only: us-east-1 has none.
    const local = { ...multiRegion, Name: 'local', HomeRegion: 'eu-west-1', IsMultiRegionTrail: false, TrailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/local` };
    ct.on(DescribeTrailsCommand).callsFake(async (_input: object, getClient: () => CloudTrailClient) => ({ trailList: (await getClient().config.region()) === 'eu-west-1' ? [local] : [] }));
    const run = await runCli(['change-events', '--region', 'eu-west-1', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      accountId: ACCOUNT,
      regions: [
        {
          region: 'eu-west-1',
          status: 'OK',
          services: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com'],
          trails: [{ name: 'local', arn: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/local`, homeRegion: 'eu-west-1', multiRegion: false, organization: false }],
        },
        { region: 'us-east-1', status: 'WARNING', services: ['iam.amazonaws.com'], reason: 'no CloudTrail trail applies to this Region' },
      ],
    });
  });

  it('outside the aws partition, IAM is not looked for in us-east-1', async () => {
    trails({ list: [{ ...multiRegion, HomeRegion: 'cn-north-1', TrailARN: `arn:aws-cn:cloudtrail:cn-north-1:${ACCOUNT}:trail/management` }] });
    const run = await runCli(['change-events', '--region', 'cn-north-1']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['cn-north-1']);
  });

  it('no credentials: exit 3 with one line, before any CloudTrail call', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    trails();
    const run = await runCli(['change-events', '--region', 'eu-west-1']);
    expect(run.code).toBe(3);
    expect(run.stderrLines).toEqual([expect.stringMatching(/^emr-audit: the check could not run: Cannot identify the AWS account \(sts:GetCallerIdentity CredentialsProviderError/)]);
    expect(ct.calls()).toHaveLength(0);
  });

  it.each([
    [['change-events', '--format', 'csv'], 'emr-audit: --format csv: expected table or json'],
    [['change-events', 'eu-west-1'], 'emr-audit: change-events takes no arguments (got "eu-west-1"); run `emr-audit change-events --help`'],
    [['change-events', '--region', 'nowhere'], 'emr-audit: --region nowhere: not an AWS region name (e.g. eu-west-1)'],
    [['change-events', '--cluster', 'j-1'], 'emr-audit: unknown option --cluster for change-events; run `emr-audit change-events --help`'],
  ])('usage error %j: exit 2', async (argv, line) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual([line]);
    expect(ct.calls()).toHaveLength(0);
  });

  it('is in the help, with its exit codes', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}change-events {2}Check that CloudTrail logs what change-triggered audits need, per Region$/m);
    for (const argv of [['change-events', '--help'], ['help', 'change-events']]) {
      const run = await runCli(argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('0 no WARNING (OK or cannot tell) · 1 a WARNING · 2 usage error · 3 could not run (no credentials)');
    }
  });

  it("permissions prints the check's CloudTrail reads in their own statement (not in the deployed role)", async () => {
    for (const argv of [['permissions'], ['permissions', '--no-publish']]) {
      const doc = JSON.parse((await runCli(argv)).stdout) as { Statement: Array<{ Sid: string; Action: string[]; Resource: string }> };
      expect(doc.Statement.find((s) => s.Sid === 'CheckChangeEventTrails')).toEqual({
        Sid: 'CheckChangeEventTrails',
        Effect: 'Allow',
        Action: ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
        Resource: '*',
      });
    }
  });
});

describe('scan', () => {
  it('never calls CloudTrail, with or without --publish', async () => {
    const fake = new FakeAccount().withDefaults();
    fake.addCluster({ id: 'j-USEAST000001', name: 'etl', instances: FakeAccount.nodes('j-USEAST000001', 1) });
    const mocks = fake.mock();
    const hub = new FakeSecurityHub(fake.accountId);
    try {
      for (const argv of [['scan', '--region', 'us-east-1'], ['scan', '--region', 'us-east-1', '--publish']]) {
        expect((await runCli(argv, { env: { AWS_REGION: 'us-east-1' }, clients: fake.clients() })).code, argv.join(' ')).toBe(0);
      }
      expect(ct.calls()).toHaveLength(0);
    } finally {
      hub.restore();
      mocks.restore();
    }
  });
});
