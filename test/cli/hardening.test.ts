/**
 * Issue 14, defect 3 (and the CLI side of 1): runs that evaluated nothing must not read as clean,
 * and a CI gate must be able to fail on ERROR.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_SNAPSHOT_PATH } from '../../cli/snapshot-source.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { runCli, tempDir, writeJson } from './run-cli.js';

const ENV = { AWS_REGION: 'us-east-1' };

describe('no clean report from an audit that evaluated nothing', () => {
  let fake: FakeAccount;
  let mocks: FakeMocks;
  beforeEach(() => {
    fake = new FakeAccount().withDefaults().withDefaults('eu-west-1');
    fake.addCluster({ id: 'j-USEAST000001', name: 'etl', instances: FakeAccount.nodes('j-USEAST000001', 1) });
    mocks = fake.mock();
  });
  afterEach(() => mocks.restore());

  it('live scan --cluster of an id not active in any selected region is a usage error (exit 2) naming what was found', async () => {
    const hub = new FakeSecurityHub(fake.accountId);
    try {
      const run = await runCli(['scan', '--region', 'us-east-1', '--region', 'eu-west-1', '--cluster', 'j-DOESNOTEXIST1', '--publish'], { env: ENV, clients: fake.clients() });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderrLines).toEqual([
        'emr-audit: --cluster j-DOESNOTEXIST1: not an active cluster in us-east-1, eu-west-1 (found: none of the requested clusters; `aws emr list-clusters --active` lists them)',
      ]);
      expect(hub.all()).toHaveLength(0);
    } finally {
      hub.restore();
    }
    const some = await runCli(['scan', '--cluster', 'j-USEAST000001', '--cluster', 'j-DOESNOTEXIST1'], { env: ENV, clients: fake.clients() });
    expect(some.code).toBe(2);
    expect(some.stderrLines[0]).toContain('(found: j-USEAST000001;');
    const collect = await runCli(['collect', '--cluster', 'j-DOESNOTEXIST1', '--out', '-'], { env: ENV, clients: fake.clients() });
    expect(collect.code).toBe(2);
    expect(collect.stdout).toBe('');
  });

  it('a region that could not be listed proves nothing: its ERRORs are reported, not a usage error', async () => {
    // A run about a few clusters describes them directly instead of listing the region: deny both.
    for (const api of ['elasticmapreduce:ListClusters', 'elasticmapreduce:DescribeCluster']) fake.fail(api, { code: 'AccessDeniedException', when: (_input, region) => region === 'eu-west-1' });
    const run = await runCli(['scan', '--region', 'us-east-1', '--region', 'eu-west-1', '--cluster', 'j-ELSEWHERE001', '--format', 'json'], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { results: Array<{ status: string; region: string }> };
    expect(out.results.filter((r) => r.region === 'eu-west-1').every((r) => r.status === 'ERROR')).toBe(true);
  });

  it('--fail-on-error exits 1 when any result is ERROR, and only then', async () => {
    const clean = await runCli(['scan', '--check', 'logging/no-log-uri', '--fail-on-error'], { env: ENV, clients: fake.clients() });
    expect(clean.code).toBe(0);
    fake.fail('elasticmapreduce:ListClusters', { code: 'AccessDeniedException', when: (_input, region) => region === 'eu-west-1' });
    const partial = await runCli(['scan', '--region', 'us-east-1', '--region', 'eu-west-1', '--format', 'json'], { env: ENV, clients: fake.clients() });
    expect(partial.code).toBe(0);
    const gated = await runCli(['scan', '--region', 'us-east-1', '--region', 'eu-west-1', '--format', 'json', '--fail-on-error'], { env: ENV, clients: fake.clients() });
    expect(gated.code).toBe(1);
    expect(gated.stderrLines.at(-1)).toMatch(/^emr-audit: \d+ ERROR results: some checks could not be evaluated \(--fail-on-error\)$/);
  });

  it('collect --out into a directory, or under a file, fails before any AWS call', async () => {
    const dir = tempDir();
    const run = await runCli(['collect', '--out', dir], { env: ENV, clients: fake.clients() });
    expect(run.code).toBe(2);
    expect(run.stderrLines[0]).toMatch(new RegExp(`^emr-audit: --out ${dir}: is a directory`));
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    const under = await runCli(['collect', '--out', join(file, 'snapshot.json')], { env: ENV, clients: fake.clients() });
    expect(under.code).toBe(2);
    expect(fake.calls).toHaveLength(0);
  });

  it('shows progress from the first call, the account lookup, even when that call is the one that fails', async () => {
    fake.fail('sts:GetCallerIdentity', { code: 'ExpiredToken', message: 'expired' });
    const run = await runCli(['scan', '--region', 'us-east-1'], { env: ENV, clients: fake.clients(), stderrIsTTY: true });
    expect(run.code).toBe(3);
    expect(run.stderr.startsWith('\r\u001b[2Kcollecting us-east-1 · account · sts:GetCallerIdentity')).toBe(true);
  });
});

describe('snapshots that hold nothing', () => {
  it('a snapshot with "regions": [] is a usage error (exit 2), not a clean report', async () => {
    const demo = JSON.parse(readFileSync(DEMO_SNAPSHOT_PATH, 'utf8')) as Record<string, unknown>;
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const path = writeJson(dir, 'empty.json', { ...demo, regions: [] });
    const run = await runCli(['scan', '--snapshot', path]);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual([`emr-audit: the snapshot ${path} holds no region: nothing to evaluate`]);
  });
});
