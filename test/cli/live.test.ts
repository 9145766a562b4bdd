/** The CLI against a mocked AWS account: collect, scan, exit 3, progress, --publish. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Snapshot } from '../../lib/snapshot.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { runCli, tempDir } from './run-cli.js';

const ENV = { AWS_REGION: 'us-east-1' };

interface JsonOut {
  results: Array<{ checkId: string; status: string; severity: string; region: string; clusterId: string | null }>;
  summary: { clustersAudited: number; regions: string[]; errors: string[]; published?: { imported: number } };
}

function account(): FakeAccount {
  const fake = new FakeAccount().withDefaults().withDefaults('eu-west-1');
  fake.addCluster({ id: 'j-USEAST000001', name: 'etl', instances: FakeAccount.nodes('j-USEAST000001', 2) });
  fake.addCluster({ id: 'j-USEAST000002', name: 'adhoc', logUri: 's3://logs/adhoc/', instances: FakeAccount.nodes('j-USEAST000002', 1) });
  fake.addCluster({ id: 'j-EUWEST000001', name: 'reports', region: 'eu-west-1', instances: FakeAccount.nodes('j-EUWEST000001', 1) });
  return fake;
}

/** What a result says, without the wording (a live run's "now" differs from the saved one's). */
const verdicts = (out: JsonOut): string[] => out.results.map((r) => `${r.region} ${r.clusterId ?? '-'} ${r.checkId} ${r.status} ${r.severity}`).sort();

describe('emr-audit against a mocked account', () => {
  let fake: FakeAccount;
  let mocks: FakeMocks;
  beforeEach(() => {
    fake = account();
    mocks = fake.mock();
  });
  afterEach(() => mocks.restore());

  it('collect --out writes a snapshot that scan --snapshot evaluates as the live scan does', async () => {
    const file = join(tempDir(), 'snapshot.json');
    const collected = await runCli(['collect', '--region', 'us-east-1', '--region', 'eu-west-1', '--out', file], { env: ENV, clients: fake.clients() });
    expect(collected.code).toBe(0);
    expect(collected.stdout).toBe('');
    expect(collected.stderrLines).toEqual([`Saved 3 clusters in 2 regions to ${file}. Evaluate it with: emr-audit scan --snapshot ${file}`]);
    const snapshot = Snapshot.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(snapshot.regions.map((r) => r.clusters.map((c) => c.id))).toEqual([['j-USEAST000001', 'j-USEAST000002'], ['j-EUWEST000001']]);

    const offline = await runCli(['scan', '--snapshot', file, '--format', 'json']);
    expect(offline.code).toBe(0);
    const live = await runCli(['scan', '--region', 'us-east-1', '--region', 'eu-west-1', '--format', 'json'], { env: ENV, clients: fake.clients() });
    expect(live.code).toBe(0);
    const offlineOut = JSON.parse(offline.stdout) as JsonOut;
    expect(offlineOut.summary.clustersAudited).toBe(3);
    expect(verdicts(offlineOut)).toEqual(verdicts(JSON.parse(live.stdout) as JsonOut));
    // The finished example check sees the cluster without a LogUri in both.
    expect(offlineOut.results.filter((r) => r.checkId === 'logging/no-log-uri' && r.status === 'FAIL').map((r) => r.clusterId)).toEqual(['j-USEAST000001', 'j-EUWEST000001']);
  });

  it('scan --state DIR: the second scan describes no cluster and gives the same verdicts; the table names a fallback', async () => {
    const dir = tempDir();
    const args = ['scan', '--region', 'us-east-1', '--format', 'json', '--state', dir];
    const first = await runCli(args, { env: ENV, clients: fake.clients() });
    expect(first.code).toBe(0);
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(2);
    fake.calls.length = 0;
    const second = await runCli(args, { env: ENV, clients: fake.clients() });
    expect(second.code).toBe(0);
    expect(second.stderrLines).toEqual([]);
    expect(fake.count('elasticmapreduce:DescribeCluster')).toBe(0);
    expect(fake.count('tag:GetResources')).toBe(1);
    expect(verdicts(JSON.parse(second.stdout) as JsonOut)).toEqual(verdicts(JSON.parse(first.stdout) as JsonOut));

    fake.addCluster({ id: 'j-USEAST000003', name: 'bare', instances: FakeAccount.nodes('j-USEAST000003', 1, 0, { systemTags: false }) });
    const table = await runCli(['scan', '--region', 'us-east-1', '--format', 'table', '--state', dir], { env: ENV, clients: fake.clients() });
    // The table wraps to the terminal (80 columns when piped): compare the words.
    expect(table.stdout.replace(/\s+/g, ' ')).toContain("1 cluster(s) listed with EMR ListInstances (no node carries EMR's system tag): j-USEAST000003");
  });

  it('--state with --demo is a usage error', async () => {
    const run = await runCli(['scan', '--demo', '--state', tempDir()]);
    expect(run.code).toBe(2);
    expect(run.stderrLines.join('\n')).toContain('--state works on live AWS data only');
  });

  it('collect --out - writes the snapshot to stdout', async () => {
    const run = await runCli(['collect', '--cluster', 'j-USEAST000002', '--out', '-'], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(0);
    const snapshot = Snapshot.parse(JSON.parse(run.stdout));
    expect(snapshot.regions.map((r) => r.region)).toEqual(['us-east-1']);
    expect(snapshot.regions[0]!.clusters.map((c) => c.id)).toEqual(['j-USEAST000002']);
    expect(snapshot.scope.clusterIds).toEqual(['j-USEAST000002']);
  });

  it('collect without --out, or into a missing directory, is a usage error before any AWS call', async () => {
    const none = await runCli(['collect'], { env: ENV, clients: fake.clients() });
    expect(none.code).toBe(2);
    expect(none.stderrLines).toEqual(['emr-audit: collect needs --out FILE (or --out - for stdout)']);
    const missing = await runCli(['collect', '--out', '/nonexistent-dir/s.json'], { env: ENV, clients: fake.clients() });
    expect(missing.code).toBe(2);
    expect(missing.stderrLines).toEqual(['emr-audit: --out /nonexistent-dir/s.json: cannot write to /nonexistent-dir']);
    expect(fake.calls).toHaveLength(0);
  });

  it('audits the region of AWS_REGION by default, and EMR_AUDIT_REGIONS when set', async () => {
    const byEnv = JSON.parse((await runCli(['scan', '--format', 'json'], { env: ENV, clients: fake.clients() })).stdout) as JsonOut;
    expect(byEnv.summary.regions).toEqual(['us-east-1']);
    const bySetting = JSON.parse((await runCli(['scan', '--format', 'json'], { env: { ...ENV, EMR_AUDIT_REGIONS: 'eu-west-1' }, clients: fake.clients() })).stdout) as JsonOut;
    expect(bySetting.summary.regions).toEqual(['eu-west-1']);
    const byProfile = JSON.parse((await runCli(['scan', '--format', 'json'], { env: {}, clients: fake.clients(), configuredRegion: () => Promise.resolve('eu-west-1') })).stdout) as JsonOut;
    expect(byProfile.summary.regions).toEqual(['eu-west-1']);
  });

  it('exits 3 with one line when there are no usable credentials', async () => {
    fake.fail('sts:GetCallerIdentity', { code: 'ExpiredToken', message: 'The security token included in the request is expired' });
    const run = await runCli(['scan', '--region', 'us-east-1'], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toHaveLength(1);
    expect(run.stderrLines[0]).toMatch(/^emr-audit: the audit could not run: .*ExpiredToken/);
    expect((await runCli(['collect', '--out', '-'], { env: ENV, clients: fake.clients() })).code).toBe(3);
  });

  it('exits 3 when every region fails, still printing what it knows', async () => {
    fake.fail('elasticmapreduce:ListClusters', { code: 'AccessDeniedException', message: 'not authorized to perform: elasticmapreduce:ListClusters' });
    const run = await runCli(['scan', '--region', 'us-east-1', '--region', 'eu-west-1', '--format', 'json'], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(3);
    expect(run.stderrLines).toHaveLength(1);
    expect(run.stderrLines[0]).toMatch(/^emr-audit: the audit could not run: every region failed \(us-east-1: elasticmapreduce:ListClusters AccessDeniedException; eu-west-1: /);
    const out = JSON.parse(run.stdout) as JsonOut;
    expect(out.results.length).toBeGreaterThan(0);
    expect(out.results.every((r) => r.status === 'ERROR')).toBe(true);
    expect(out.summary.errors).toHaveLength(2);
  });

  it('collect still saves what it learnt when every region fails, then exits 3', async () => {
    fake.fail('elasticmapreduce:ListClusters', { code: 'AccessDeniedException', message: 'denied' });
    const file = join(tempDir(), 'failed.json');
    const run = await runCli(['collect', '--out', file], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(3);
    expect(run.stderrLines).toEqual([
      `Saved 0 clusters in 1 region (1 collection error) to ${file}. Evaluate it with: emr-audit scan --snapshot ${file}`,
      'emr-audit: the audit could not run: every region failed (see the errors in the snapshot)',
    ]);
    expect(Snapshot.parse(JSON.parse(readFileSync(file, 'utf8'))).regions[0]!.errors.map((e) => `${e.kind} ${e.code}`)).toEqual(['region AccessDeniedException']);
  });

  it('exits 0 when one region of two fails', async () => {
    fake.fail('elasticmapreduce:ListClusters', { code: 'AccessDeniedException', when: (_input, region) => region === 'eu-west-1' });
    const run = await runCli(['scan', '--region', 'us-east-1', '--region', 'eu-west-1', '--format', 'json'], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as JsonOut;
    expect(out.results.filter((r) => r.region === 'eu-west-1').every((r) => r.status === 'ERROR')).toBe(true);
    expect(out.results.some((r) => r.region === 'us-east-1' && r.status === 'PASS')).toBe(true);
  });

  it('shows progress on stderr only when stderr is a terminal, and clears it', async () => {
    const quiet = await runCli(['scan', '--region', 'us-east-1'], { env: ENV, clients: fake.clients() });
    expect(quiet.stderr).toBe('');
    const tty = await runCli(['scan', '--region', 'us-east-1'], { env: ENV, clients: fake.clients(), stderrIsTTY: true });
    expect(tty.stderr).toContain('\r\u001b[2Kcollecting us-east-1 · ');
    expect(tty.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(tty.stdout).not.toContain('collecting');
  });

  it('--format asff prints the findings --publish would import, as a JSON array', async () => {
    const run = await runCli(['scan', '--region', 'us-east-1', '--format', 'asff'], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(0);
    const findings = JSON.parse(run.stdout) as Array<{ GeneratorId: string; AwsAccountId: string; Compliance?: { Status: string } }>;
    expect(Array.isArray(findings)).toBe(true);
    expect(findings.some((f) => f.GeneratorId.endsWith('logging/no-log-uri'))).toBe(true);
    expect(findings.every((f) => f.AwsAccountId === fake.accountId)).toBe(true);
  });

  it('--publish imports the findings into Security Hub and reports the counts', async () => {
    const hub = new FakeSecurityHub(fake.accountId);
    try {
      const run = await runCli(['scan', '--region', 'us-east-1', '--publish', '--format', 'json'], { env: ENV, clients: fake.clients() });
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout) as JsonOut;
      expect(out.summary.published?.imported).toBeGreaterThan(0);
      expect(hub.all('us-east-1').length).toBe(out.summary.published?.imported);
      expect(run.stderrLines[0]).toMatch(/^Security Hub: \d+ findings imported, 0 archived, 0 failed$/);
    } finally {
      hub.restore();
    }
  });

  it('scan without --publish never calls Security Hub', async () => {
    const hub = new FakeSecurityHub(fake.accountId);
    try {
      expect((await runCli(['scan', '--region', 'us-east-1'], { env: ENV, clients: fake.clients() })).code).toBe(0);
      expect(hub.all()).toHaveLength(0);
    } finally {
      hub.restore();
    }
  });
});
