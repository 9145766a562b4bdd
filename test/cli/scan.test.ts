import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { STATUSES, SEVERITIES } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { accessDenied, makeCluster, makeGroup, makeSnapshot } from '../helpers/fixtures.js';
import { ANSI, runCli, tempDir, writeJson } from './run-cli.js';
import { vpcData } from '../network/builders.js';

/** The `--format json` contract of DESIGN.md "Public interfaces". */
const JsonReport = z.object({
  results: z.array(
    z.object({
      checkId: z.string(),
      status: z.enum(STATUSES),
      severity: z.enum(SEVERITIES),
      region: z.string(),
      accountId: z.string(),
      clusterId: z.string().nullable(),
      clusterName: z.string().nullable(),
      title: z.string(),
      message: z.string().min(1),
      resources: z.array(z.string()),
      // Optional (added with exposure/internet-reachable-port): the paths the internet takes to a node today.
      network: z
        .array(
          z.strictObject({
            instanceId: z.string(),
            family: z.enum(['ipv4', 'ipv6']),
            address: z.string(),
            protocol: z.enum(['tcp', 'udp']),
            fromPort: z.number().int(),
            toPort: z.number().int(),
            sourceCidrs: z.array(z.string()),
            prefixListId: z.string().optional(),
            securityGroupId: z.string(),
            networkAclId: z.string(),
            inboundRule: z.number().int(),
            outboundRule: z.number().int(),
            routeTableId: z.string(),
            gatewayId: z.string(),
            subnetId: z.string(),
          }),
        )
        .optional(),
    }),
  ),
  summary: z.object({
    accountId: z.string(),
    regions: z.array(z.string()),
    collectedAt: z.string(),
    clustersAudited: z.number().int(),
    counts: z.object({ PASS: z.number(), FAIL: z.number(), NOT_APPLICABLE: z.number(), ERROR: z.number(), SUPPRESSED: z.number() }),
    failBySeverity: z.record(z.enum(SEVERITIES), z.number()),
    failByCheck: z.record(z.string(), z.number()),
    errors: z.array(z.string()),
  }),
});

const { logUri: _noLog, ...clusterWithoutLogs } = makeCluster({ id: 'j-NOLOGS000001', name: 'no-logs' });

/** A saved snapshot with one cluster lacking a LogUri (a LOW FAIL of the finished logging check). */
function noLogSnapshot(tags: Record<string, string> = {}): string {
  return writeJson(tempDir(), 'snapshot.json', makeSnapshot([{ clusters: [{ ...clusterWithoutLogs, tags }] }]));
}

describe('emr-audit scan --demo --format json', () => {
  it('prints one JSON object that follows the contract, and exits 0', async () => {
    const run = await runCli(['scan', '--demo', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const report = JsonReport.parse(JSON.parse(run.stdout));
    expect(report.summary.accountId).toBe('123456789012');
    expect(report.summary.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(report.summary.clustersAudited).toBe(12);
    expect(report.summary.collectedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Every result is counted once, FAILs per severity and per check add up.
    const counts = report.summary.counts;
    expect(counts.PASS + counts.FAIL + counts.NOT_APPLICABLE + counts.ERROR + counts.SUPPRESSED).toBe(report.results.length);
    expect(Object.values(report.summary.failBySeverity).reduce((a, b) => a + b, 0)).toBe(counts.FAIL);
    expect(Object.values(report.summary.failByCheck).reduce((a, b) => a + b, 0)).toBe(counts.FAIL);
    // The demo's collection error is listed as one line.
    expect(report.summary.errors).toHaveLength(1);
    expect(report.summary.errors[0]).toContain('iam:GetRolePolicy AccessDenied');
    // Account-level results carry a null cluster; cluster results name their cluster.
    for (const r of report.results) {
      const scope = CHECKS.find((c) => c.id === r.checkId)?.scope;
      expect(r.clusterId === null, r.checkId).toBe(scope === 'region');
      expect(r.clusterName === null).toBe(r.clusterId === null);
    }
  });

  it('defaults to the table on a terminal and when piped (`| less`): JSON only with --format json', async () => {
    const piped = await runCli(['scan', '--demo']);
    const tty = await runCli(['scan', '--demo'], { stdoutIsTTY: true, env: { NO_COLOR: '1' } });
    for (const run of [piped, tty]) {
      expect(run.stdout).toMatch(/^emr-audit · account 123456789012/);
      expect(run.stdout).toContain('12 clusters in 2 regions');
    }
    expect(piped.stdout).toBe(tty.stdout);
  });

  it('restricts the evaluation to --region, --cluster and --check', async () => {
    const run = await runCli(['scan', '--demo', '--region', 'eu-west-1', '--check', 'logging/no-log-uri', '--check', 'lifecycle/*', '--format', 'json']);
    const report = JsonReport.parse(JSON.parse(run.stdout));
    expect(new Set(report.results.map((r) => r.region))).toEqual(new Set(['eu-west-1']));
    expect(new Set(report.results.map((r) => r.checkId))).toEqual(new Set(['logging/no-log-uri', 'lifecycle/outdated-release']));
    expect(report.summary.clustersAudited).toBe(4);

    const one = JsonReport.parse(JSON.parse((await runCli(['scan', '--demo', '--cluster', report.results[0]!.clusterId!, '--format', 'json'])).stdout));
    expect(new Set(one.results.map((r) => r.clusterId))).toEqual(new Set([report.results[0]!.clusterId]));
    expect(one.summary.clustersAudited).toBe(1);
  });

  it('gives a reachable path as the optional `network` field of the result (exposure/internet-reachable-port)', async () => {
    const cluster = makeCluster({ id: 'j-PUBLIC000001', instances: [{ id: 'ci-1', ec2InstanceId: 'i-0pub', state: 'RUNNING', role: 'MASTER' }] });
    const snapshot = makeSnapshot([
      {
        clusters: [cluster],
        securityGroups: { 'sg-master': makeGroup({ groupId: 'sg-master', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'cidr4', cidr: '0.0.0.0/0' } }] }), 'sg-slave': makeGroup({ groupId: 'sg-slave' }) },
        ec2Instances: { 'i-0pub': { instanceId: 'i-0pub', subnetId: 'subnet-pub', vpcId: 'vpc-1', securityGroupIds: ['sg-master'], publicIpAddress: '54.1.2.3' } },
        vpc: vpcData(),
      },
    ]);
    const run = await runCli(['scan', '--snapshot', writeJson(tempDir(), 's.json', snapshot), '--check', 'exposure/internet-reachable-port', '--check', 'logging/no-log-uri', '--format', 'json']);
    const report = JsonReport.parse(JSON.parse(run.stdout));
    const reach = report.results.find((r) => r.checkId === 'exposure/internet-reachable-port');
    expect(reach).toMatchObject({ status: 'FAIL', severity: 'CRITICAL', resources: ['sg-master', 'i-0pub', 'subnet-pub', 'rtb-main', 'acl-default'] });
    expect(reach?.network).toEqual([
      { instanceId: 'i-0pub', family: 'ipv4', address: '54.1.2.3', protocol: 'tcp', fromPort: 22, toPort: 22, sourceCidrs: ['0.0.0.0/0'], securityGroupId: 'sg-master', networkAclId: 'acl-default', inboundRule: 100, outboundRule: 100, routeTableId: 'rtb-main', gatewayId: 'igw-1', subnetId: 'subnet-pub' },
    ]);
    expect(report.results.find((r) => r.checkId === 'logging/no-log-uri')).not.toHaveProperty('network');
  });

  it('lists the ERROR results of a region that failed as a whole, and exits 3 when every region failed', async () => {
    const snapshot = makeSnapshot([
      { region: 'us-east-1', errors: [{ kind: 'region', resourceId: 'us-east-1', api: 'elasticmapreduce:ListClusters', code: 'AccessDeniedException', message: 'not authorized' }] },
      { region: 'eu-west-1', errors: [{ kind: 'region', resourceId: 'eu-west-1', api: 'elasticmapreduce:ListClusters', code: 'UnrecognizedClientException', message: 'region disabled' }] },
    ]);
    const run = await runCli(['scan', '--snapshot', writeJson(tempDir(), 's.json', snapshot), '--format', 'json']);
    expect(run.code).toBe(3);
    expect(run.stderrLines).toEqual([
      'emr-audit: the audit could not run: every region failed (us-east-1: elasticmapreduce:ListClusters AccessDeniedException; eu-west-1: elasticmapreduce:ListClusters UnrecognizedClientException)',
    ]);
    const report = JsonReport.parse(JSON.parse(run.stdout));
    expect(report.results.every((r) => r.status === 'ERROR')).toBe(true);
    expect(report.summary.errors).toHaveLength(2);
  });

  it('exits 0 when only some regions failed', async () => {
    const snapshot = makeSnapshot([
      { region: 'us-east-1', clusters: [makeCluster()] },
      { region: 'eu-west-1', errors: [{ kind: 'region', resourceId: 'eu-west-1', api: 'elasticmapreduce:ListClusters', code: 'AccessDeniedException', message: 'denied' }] },
    ]);
    const run = await runCli(['scan', '--snapshot', writeJson(tempDir(), 's.json', snapshot), '--check', 'logging/no-log-uri', '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JsonReport.parse(JSON.parse(run.stdout));
    expect(report.results.map((r) => `${r.region} ${r.status}`).sort()).toEqual(['eu-west-1 ERROR', 'us-east-1 PASS']);
  });
});

describe('--fail-on', () => {
  it('exits 1 when a FAIL at or above the threshold exists, and says so on stderr', async () => {
    const file = noLogSnapshot();
    const low = await runCli(['scan', '--snapshot', file, '--check', 'logging/no-log-uri', '--fail-on', 'LOW']);
    expect(low.code).toBe(1);
    expect(low.stderrLines).toEqual(['emr-audit: 1 FAIL result at or above LOW (--fail-on LOW)']);
    expect((await runCli(['scan', '--snapshot', file, '--check', 'logging/no-log-uri', '--fail-on', 'informational'])).code).toBe(1);
  });

  it('exits 0 when every FAIL is below the threshold, or without --fail-on', async () => {
    const file = noLogSnapshot();
    expect((await runCli(['scan', '--snapshot', file, '--check', 'logging/no-log-uri', '--fail-on', 'MEDIUM'])).code).toBe(0);
    expect((await runCli(['scan', '--snapshot', file, '--check', 'logging/no-log-uri'])).code).toBe(0);
  });

  it('exits 1 under --fail-on CRITICAL for SSH from the internet when ListInstances failed (severity fails closed)', async () => {
    const { instances: _unknown, ...cluster } = makeCluster({ id: 'j-NOINSTANCES1' });
    const file = writeJson(
      tempDir(),
      'snapshot.json',
      makeSnapshot([
        {
          clusters: [cluster],
          securityGroups: {
            'sg-master': makeGroup({ groupId: 'sg-master', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { type: 'cidr4', cidr: '0.0.0.0/0' } }] }),
            'sg-slave': makeGroup({ groupId: 'sg-slave' }),
          },
          errors: [accessDenied('clusterInstances', 'j-NOINSTANCES1', 'elasticmapreduce:ListInstances')],
        },
      ]),
    );
    const run = await runCli(['scan', '--snapshot', file, '--check', 'network/ssh-from-internet', '--fail-on', 'CRITICAL', '--format', 'json']);
    expect(run.code).toBe(1);
    const [result] = JsonReport.parse(JSON.parse(run.stdout)).results;
    expect(result).toMatchObject({ status: 'FAIL', severity: 'CRITICAL' });
    expect(result!.message).toContain('Severity CRITICAL (fail closed)');
  });

  it('exits 1 on the demo with --fail-on HIGH (it has HIGH and CRITICAL FAILs), 0 when only LOW checks run', async () => {
    const high = await runCli(['scan', '--demo', '--fail-on', 'HIGH', '--format', 'json']);
    const report = JsonReport.parse(JSON.parse(high.stdout));
    expect(report.summary.failBySeverity.HIGH + report.summary.failBySeverity.CRITICAL).toBeGreaterThan(0);
    expect(high.code).toBe(1);
    expect((await runCli(['scan', '--demo', '--fail-on', 'HIGH', '--check', 'logging/no-log-uri'])).code).toBe(0);
  });

  it('never counts SUPPRESSED results', async () => {
    const file = noLogSnapshot({ 'emr-audit:suppress': 'logging/no-log-uri' });
    const run = await runCli(['scan', '--snapshot', file, '--check', 'logging/no-log-uri', '--fail-on', 'INFORMATIONAL', '--format', 'json']);
    expect(JsonReport.parse(JSON.parse(run.stdout)).results.map((r) => r.status)).toEqual(['SUPPRESSED']);
    expect(run.code).toBe(0);
  });

  it('rejects an unknown severity', async () => {
    const run = await runCli(['scan', '--demo', '--fail-on', 'SEVERE']);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual(['emr-audit: --fail-on SEVERE: expected one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL']);
  });
});

describe('scan --snapshot with a bad file', () => {
  it('exits 2 with one line naming the missing file', async () => {
    const run = await runCli(['scan', '--snapshot', '/nonexistent/audit.json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toEqual(['emr-audit: --snapshot /nonexistent/audit.json: no such file']);
  });

  it('exits 2 with one line when the file is not JSON', async () => {
    const file = writeJson(tempDir(), 'broken.json', '{"schemaVersion": 1,\n  "regions": [');
    const run = await runCli(['scan', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toHaveLength(1);
    expect(run.stderrLines[0]).toMatch(new RegExp(`^emr-audit: --snapshot ${file}: not valid JSON \\(.+\\)$`));
  });

  it('exits 2 with one line naming the first invalid field', async () => {
    const snapshot = makeSnapshot([{ clusters: [makeCluster(), makeCluster({ id: 'j-2' })] }]);
    const raw = JSON.parse(JSON.stringify(snapshot)) as { regions: Array<{ clusters: Array<Record<string, unknown>> }> };
    raw.regions[0]!.clusters[1]!.id = 42;
    const file = writeJson(tempDir(), 'invalid.json', raw);
    const run = await runCli(['scan', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toHaveLength(1);
    expect(run.stderrLines[0]).toMatch(new RegExp(`^emr-audit: --snapshot ${file}: regions\\.0\\.clusters\\.1\\.id: .*expected string`, 'i'));
  });

  it('exits 2 when the file is of another schema version', async () => {
    const file = writeJson(tempDir(), 'v2.json', { ...makeSnapshot(), schemaVersion: 2 });
    const run = await runCli(['scan', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stderrLines[0]).toContain('schemaVersion');
  });

  it('exits 2 when --region or --cluster names something the snapshot does not hold', async () => {
    const region = await runCli(['scan', '--demo', '--region', 'ap-south-1']);
    expect(region.code).toBe(2);
    expect(region.stderrLines).toEqual(['emr-audit: --region ap-south-1: not in the demo account (it holds us-east-1, eu-west-1)']);
    const cluster = await runCli(['scan', '--demo', '--cluster', 'j-DOESNOTEXIST1']);
    expect(cluster.code).toBe(2);
    expect(cluster.stderrLines).toEqual(['emr-audit: --cluster j-DOESNOTEXIST1: not in the demo account']);
  });
});

describe('scan usage errors (exit 2, one line)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown flag, with a suggestion', ['scan', '--demo', '--regoin', 'eu-west-1'], /^emr-audit: unknown option --regoin for scan \(did you mean --region\?\); run `emr-audit scan --help`$/],
    ['a flag without its value', ['scan', '--snapshot'], /^emr-audit: --snapshot needs a value/],
    ['a flag swallowing the next flag', ['scan', '--region', '--demo'], /^emr-audit: --region needs a value/],
    ['an unknown format', ['scan', '--demo', '--format', 'xml'], /^emr-audit: --format xml: expected table, json, asff, html, sarif, ocsf, csv$/],
    ['an unknown check, with a suggestion', ['scan', '--demo', '--check', 'network/ssh-from-internt'], /^emr-audit: --check network\/ssh-from-internt: unknown check \(did you mean network\/ssh-from-internet\?\)/],
    ['an unknown check area', ['scan', '--demo', '--check', 'nope/*'], /^emr-audit: --check nope\/\*: unknown check;/],
    ['a cluster name instead of an id', ['scan', '--demo', '--cluster', 'analytics-prod'], /^emr-audit: --cluster analytics-prod: expected a cluster id/],
    ['a malformed region', ['scan', '--demo', '--region', 'Europe'], /^emr-audit: --region Europe: not an AWS region name/],
    ['--publish with --demo', ['scan', '--demo', '--publish'], /^emr-audit: --publish works on live AWS data only, not with --demo$/],
    ['--publish with --snapshot', ['scan', '--snapshot', 'x.json', '--publish'], /^emr-audit: --publish works on live AWS data only, not with --snapshot$/],
    ['--demo with --snapshot', ['scan', '--demo', '--snapshot', 'x.json'], /^emr-audit: --demo and --snapshot cannot be combined/],
    ['a stray argument', ['scan', 'eu-west-1'], /^emr-audit: scan takes no arguments \(got "eu-west-1"\)/],
    ['a flag given twice', ['scan', '--demo', '--format', 'json', '--format', 'table'], /^emr-audit: --format was given more than once$/],
    ['a value on a boolean flag', ['scan', '--demo=yes'], /^emr-audit: --demo takes no value/],
    ['--set without =', ['scan', '--demo', '--set', 'ssmGraceMinutes'], /^emr-audit: --set ssmGraceMinutes: expected key=value/],
    ['--set of an unknown setting', ['scan', '--demo', '--set', 'graceMinutes=5'], /^emr-audit: --set graceMinutes: unknown setting/],
    ['--set of an invalid value', ['scan', '--demo', '--set', 'ssmGraceMinutes=soon'], /^emr-audit: --set ssmGraceMinutes \(EMR_AUDIT_SSM_GRACE_MINUTES\): expected a whole number/],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toHaveLength(1);
    expect(run.stderrLines[0]).toMatch(message);
  });

  it('names the environment variable of an invalid setting', async () => {
    const run = await runCli(['scan', '--demo'], { env: { EMR_AUDIT_SSM_GRACE_MINUTES: 'fifteen' } });
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual(['emr-audit: EMR_AUDIT_SSM_GRACE_MINUTES: expected a whole number from 0 to 10080, got "fifteen"']);
  });

  it('rejects a disabled-checks setting naming an unknown check', async () => {
    const run = await runCli(['scan', '--demo'], { env: { EMR_AUDIT_DISABLED_CHECKS: 'network/ssh' } });
    expect(run.code).toBe(2);
    expect(run.stderrLines[0]).toMatch(/^emr-audit: EMR_AUDIT_DISABLED_CHECKS: unknown check id "network\/ssh"/);
  });

  it('refuses --check of a check the settings disable, rather than running nothing', async () => {
    const run = await runCli(['scan', '--demo', '--check', 'logging/no-log-uri', '--set', 'disabledChecks=logging/no-log-uri']);
    expect(run.code).toBe(2);
    expect(run.stderrLines[0]).toContain('--check logging/no-log-uri: this check is disabled');
  });

  it('applies settings from the environment and --set (disabled checks are not run)', async () => {
    const run = await runCli(['scan', '--demo', '--format', 'json'], { env: { EMR_AUDIT_DISABLED_CHECKS: 'logging/no-log-uri' } });
    expect(run.code).toBe(0);
    const ids = new Set(JsonReport.parse(JSON.parse(run.stdout)).results.map((r) => r.checkId));
    expect(ids.has('logging/no-log-uri')).toBe(false);
    expect(ids.has('lifecycle/outdated-release')).toBe(true);
  });

  it('explains where a region comes from when none is configured', async () => {
    const run = await runCli(['scan']);
    expect(run.code).toBe(2);
    expect(run.stderrLines).toEqual(['emr-audit: no region to audit: pass --region (e.g. --region eu-west-1), or set AWS_REGION or EMR_AUDIT_REGIONS']);
  });
});

describe('scan --format table', () => {
  it('has no ANSI codes when stdout is not a terminal', async () => {
    const run = await runCli(['scan', '--demo', '--format', 'table']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(ANSI);
  });

  it('is coloured on a terminal, unless NO_COLOR is set; FORCE_COLOR forces colour into a pipe', async () => {
    expect((await runCli(['scan', '--demo'], { stdoutIsTTY: true })).stdout).toMatch(ANSI);
    expect((await runCli(['scan', '--demo'], { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await runCli(['scan', '--demo', '--format', 'table'], { env: { FORCE_COLOR: '1' } })).stdout).toMatch(ANSI);
  });

  it('groups by region then cluster, lists suppressed results apart, and ends with the summary line', async () => {
    const { stdout } = await runCli(['scan', '--demo', '--format', 'table'], { columns: 160 });
    const lines = stdout.trimEnd().split('\n');
    const at = (text: string): number => lines.findIndex((l) => l.includes(text));
    expect(at('us-east-1 ──')).toBeGreaterThan(0);
    expect(at('eu-west-1 ──')).toBeGreaterThan(at('us-east-1 ──'));
    // us-east-1's clusters sit between the two region headers, eu-west-1's after.
    for (const name of ['analytics-prod', 'legacy-etl-nightly', 'adhoc-spark', 'ds-notebooks']) {
      expect(at(`  ${name}  j-`), name).toBeGreaterThan(at('us-east-1 ──'));
      expect(at(`  ${name}  j-`), name).toBeLessThan(at('eu-west-1 ──'));
    }
    for (const name of ['clickstream-prod', 'reporting-hive', 'ml-training', 'risk-models']) expect(at(`  ${name}  j-`), name).toBeGreaterThan(at('eu-west-1 ──'));
    expect(at('Account settings')).toBeGreaterThan(at('us-east-1 ──'));
    expect(at('Suppressed (')).toBeGreaterThan(at('  risk-models  j-'));
    expect(lines[at('Suppressed (') + 2]).toMatch(/ds-notebooks \(j-\w+\) {2}us-east-1 · by cluster tag emr-audit:suppress/);
    expect(lines.at(-1)).toMatch(/^12 clusters in 2 regions · \d+ FAIL \(\d+ CRITICAL, \d+ HIGH, \d+ MEDIUM, \d+ LOW\) · \d+ ERROR · \d+ PASS · \d+ NOT_APPLICABLE · 3 SUPPRESSED$/);
    // The collection error is shown where it happened, with its cause.
    expect(stdout).toContain('iam:GetRolePolicy AccessDenied');
  });

  it('lists passed checks only with --verbose', async () => {
    const quiet = await runCli(['scan', '--demo', '--format', 'table', '--check', 'logging/no-log-uri']);
    expect(quiet.stdout).not.toMatch(/^\s+PASS\s+logging\/no-log-uri/m);
    expect(quiet.stdout).toMatch(/no problems found · 1 passed/);
    const verbose = await runCli(['scan', '--demo', '--format', 'table', '--check', 'logging/no-log-uri', '--verbose']);
    expect(verbose.stdout).toMatch(/^\s+PASS\s+logging\/no-log-uri\n\s+Logs are archived to s3n:\/\/acme-emr-logs\//m);
  });
});
