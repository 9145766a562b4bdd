/** `--region` and EMR_AUDIT_REGIONS name regions the SDK knows, in one partition: else exit 2, one line. */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('region names on the command line', () => {
  it.each([
    ['a name no partition lists', ['scan', '--region', 'zz-nowhere-9'], `emr-audit: --region zz-nowhere-9: "zz-nowhere-9" is not an AWS region (not in this version's AWS SDK partition table)`],
    ['a well-formed name the SDK does not know', ['scan', '--region', 'eu-west-1', '--region', 'eu-west-99'], `emr-audit: --region eu-west-99: "eu-west-99" is not an AWS region (not in this version's AWS SDK partition table)`],
    ['GovCloud after a commercial region', ['scan', '--region', 'us-east-1', '--region', 'us-gov-west-1'], `emr-audit: --region us-gov-west-1: "us-gov-west-1" is in the aws-us-gov partition, not that of us-east-1, the run's first region (aws)`],
    ['China after a commercial region', ['collect', '--out', '-', '--region', 'eu-west-1', '--region', 'cn-north-1'], `emr-audit: --region cn-north-1: "cn-north-1" is in the aws-cn partition, not that of eu-west-1, the run's first region (aws)`],
    ['an unknown region on a snapshot too', ['scan', '--demo', '--region', 'zz-nowhere-9'], `emr-audit: --region zz-nowhere-9: "zz-nowhere-9" is not an AWS region (not in this version's AWS SDK partition table)`],
  ])('%s is a usage error before any call', async (_what, argv, line) => {
    const run = await runCli(argv, { env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toEqual([line]);
  });

  it('EMR_AUDIT_REGIONS across partitions, or unknown, is a usage error naming the variable', async () => {
    const mixed = await runCli(['scan'], { env: { EMR_AUDIT_REGIONS: 'us-east-1,cn-north-1' } });
    expect(mixed.code).toBe(2);
    expect(mixed.stderrLines).toEqual([`emr-audit: EMR_AUDIT_REGIONS cn-north-1: "cn-north-1" is in the aws-cn partition, not that of us-east-1, the run's first region (aws)`]);
    const unknown = await runCli(['scan'], { env: { EMR_AUDIT_REGIONS: 'zz-nowhere-9' } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderrLines).toEqual([`emr-audit: EMR_AUDIT_REGIONS: "zz-nowhere-9" is not an AWS region (not in this version's AWS SDK partition table)`]);
  });

  it('GovCloud regions together are accepted (a GovCloud profile audits them)', async () => {
    const run = await runCli(['scan', '--demo', '--region', 'us-gov-west-1']);
    // The demo account is commercial: the region passes validation and is then not in the snapshot.
    expect(run.stderrLines).toEqual(['emr-audit: --region us-gov-west-1: not in the demo account (it holds us-east-1, eu-west-1)']);
  });
});
