import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../checks/contract.js';
import { automationId, buildSarif, failedCalls, GITHUB_LIMITS, highestSeverity, renderSarif, SECURITY_SEVERITY } from '../../lib/report/sarif.js';
import { demoInput } from './demo-input.js';

// Both are CommonJS packages: under NodeNext their default export is `module.exports.default`.
// unicodeRegExp off: the schemas' `language` pattern has a stray `]` that only non-unicode regexps accept.
function compile(schema: object): ValidateFunction {
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  return ajv.compile(schema);
}
// The OASIS SARIF 2.1.0 schema (errata 01, draft-04), vendored from github:oasis-tcs/sarif-spec (test/fixtures/README.md)…
const oasis = compile(JSON.parse(readFileSync(new URL('../fixtures/sarif-2.1.0/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object);
// …and the copy Microsoft's SARIF tooling ships.
const require = createRequire(import.meta.url);
const microsoft = compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object);
const validate = oasis;

const input = demoInput();
const log = buildSarif(input, { informationUri: 'https://example.com/emr-audit' });
const run = log.runs[0]!;

describe('SARIF 2.1.0 output', () => {
  it('is valid against the OASIS SARIF 2.1.0 schema and Microsoft\'s copy (demo account)', () => {
    const parsed: unknown = JSON.parse(renderSarif(input));
    for (const v of [oasis, microsoft]) {
      const ok = v(parsed);
      expect(v.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('rejects what the schema rejects (the validator is really checking)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    const badSuppression = structuredClone(log) as unknown as { runs: Array<{ results: Array<{ suppressions?: unknown[] }> }> };
    badSuppression.runs[0]!.results[0]!.suppressions = [{ kind: 'ignored' }];
    expect(validate(badSuppression)).toBe(false);
  });

  it('names the tool with its version and information URI', () => {
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver).toMatchObject({ name: 'emr-audit', version: input.toolVersion, semanticVersion: input.toolVersion, informationUri: 'https://example.com/emr-audit' });
    expect(buildSarif(input).runs[0]!.tool.driver).not.toHaveProperty('informationUri');
    expect(run.invocations[0]!.startTimeUtc).toBe(input.startedAt.toISOString());
  });

  it('has one rule per check, with help text, security-severity and tags', () => {
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(input.checks.map((c) => c.id));
    const ssh = run.tool.driver.rules.find((r) => r.id === 'network/ssh-from-internet')!;
    const check = input.checks.find((c) => c.id === 'network/ssh-from-internet')!;
    expect(ssh.help.text).toContain(check.remediation.text);
    expect(ssh.help.text).toContain(check.remediation.url);
    expect(ssh.helpUri).toBe(check.remediation.url);
    // HIGH by default, CRITICAL when port 22 is reachable: GitHub scores every alert of the rule by the rule.
    expect(ssh.properties['security-severity']).toBe('9.5');
    expect(Number(ssh.properties['security-severity'])).toBeGreaterThan(9.0);
    expect(ssh.defaultConfiguration.level).toBe('error');
    expect(ssh.properties.tags).toEqual(expect.arrayContaining(['security', 'network', 'EC2.13', 'EC2.19', 'cis', 'pci-dss', 'nist-800-53']));
    for (const r of run.tool.driver.rules) expect(Number(r.properties['security-severity'])).toBeGreaterThanOrEqual(0);
  });

  it('maps severities onto the scores and levels GitHub reads', () => {
    expect(Number(SECURITY_SEVERITY.CRITICAL)).toBeGreaterThanOrEqual(9);
    expect(Number(SECURITY_SEVERITY.HIGH)).toBeGreaterThanOrEqual(7);
    expect(Number(SECURITY_SEVERITY.HIGH)).toBeLessThan(9);
    expect(Number(SECURITY_SEVERITY.MEDIUM)).toBeGreaterThanOrEqual(4);
    expect(Number(SECURITY_SEVERITY.LOW)).toBeLessThan(4);
    const levels = new Set(run.results.map((r) => `${String(r.properties.severity)}:${r.level}`));
    for (const pair of levels) expect(['CRITICAL:error', 'HIGH:error', 'MEDIUM:warning', 'LOW:note', 'INFORMATIONAL:note']).toContain(pair);
  });

  it('has one result per FAIL and per suppressed FAIL, located at the cluster and its resources', () => {
    const fails = input.results.filter((r) => r.status === 'FAIL');
    const suppressed = input.results.filter((r) => r.status === 'SUPPRESSED' && r.originalStatus === 'FAIL');
    expect(suppressed.length).toBeGreaterThan(0);
    expect(run.results).toHaveLength(fails.length + suppressed.length);
    expect(run.results.filter((r) => r.suppressions === undefined)).toHaveLength(fails.length);
    expect(fails.length).toBeGreaterThan(10);
    const withResources = fails.find((r) => r.clusterId !== null && r.resourceDetails.length > 0)!;
    const sarif = run.results.find((r) => r.message.text === withResources.message && r.ruleId === withResources.checkId)!;
    const [cluster, ...resources] = sarif.locations[0]!.logicalLocations;
    expect(cluster).toEqual({ name: withResources.clusterName, fullyQualifiedName: `${withResources.accountId}/${withResources.region}/${withResources.clusterId}`, kind: 'resource' });
    const distinct = [...new Map(withResources.resourceDetails.map((d) => [d.arn ?? d.id, d.id])).values()];
    expect(resources.map((l) => l.name)).toEqual(distinct);
    expect(resources.length).toBeGreaterThan(0);
    expect(run.tool.driver.rules[sarif.ruleIndex]!.id).toBe(sarif.ruleId);
    expect(sarif.partialFingerprints['emrAuditFindingId/v1']).toMatch(/^emr-audit\//);
    // GitHub code scanning needs a relative artifact path on every result.
    expect(sarif.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`aws/${withResources.accountId}/${withResources.region}/${withResources.clusterId}`);
  });

  it('locates account-level results at the account and region', () => {
    const regional = run.results.find((r) => r.ruleId === 'exposure/block-public-access-disabled');
    expect(regional?.locations[0]!.logicalLocations[0]).toMatchObject({ kind: 'namespace', fullyQualifiedName: `${input.snapshot.accountId}/${String(regional?.properties.region)}` });
    expect(regional?.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`aws/${input.snapshot.accountId}/${String(regional?.properties.region)}/account`);
  });

  it('scores each rule by the highest severity its check can emit, and no result above its rule', () => {
    for (const check of input.checks) {
      const rule = run.tool.driver.rules.find((r) => r.id === check.id)!;
      expect(rule.properties['security-severity']).toBe(SECURITY_SEVERITY[highestSeverity(check)]);
    }
    for (const r of run.results) {
      expect(Number(r.properties['security-severity'])).toBeLessThanOrEqual(Number(run.tool.driver.rules[r.ruleIndex]!.properties['security-severity']));
    }
    expect(run.results.some((r) => r.ruleId === 'network/ssh-from-internet' && r.properties.severity === 'CRITICAL')).toBe(true);
    // A maxSeverity below the default is ignored: the default is a floor.
    expect(highestSeverity({ ...input.checks[0]!, severity: 'HIGH', maxSeverity: 'LOW' })).toBe('HIGH');
  });

  it('shows a suppressed FAIL as an external, accepted suppression with its source and reason', () => {
    const source = input.results.find((r) => r.status === 'SUPPRESSED' && r.originalStatus === 'FAIL')!;
    const sarif = run.results.find((r) => r.ruleId === source.checkId && r.suppressions !== undefined && r.message.text === source.message)!;
    expect(sarif.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: source.suppressedBy }]);
    expect(source.suppressedBy).toMatch(/emr-audit:suppress/);
    expect(sarif.properties.suppressedBy).toBe(source.suppressedBy);
  });

  it('reports every ERROR as a tool execution notification naming the check, cluster and failed call, and the run as unsuccessful', () => {
    const errors = input.results.filter((r) => r.status === 'ERROR');
    expect(errors.length).toBeGreaterThan(0);
    const invocation = run.invocations[0]!;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toHaveLength(errors.length);
    const first = errors[0]!;
    const n = invocation.toolExecutionNotifications[0]!;
    expect(n.level).toBe('error');
    expect(n.associatedRule).toEqual({ id: first.checkId, index: input.checks.findIndex((c) => c.id === first.checkId) });
    expect(n.message.text).toContain(first.checkId);
    expect(n.message.text).toContain(first.clusterId!);
    expect(n.message.text).toContain('iam:GetRolePolicy AccessDenied');
    expect(n.properties).toMatchObject({ checkId: first.checkId, clusterId: first.clusterId, region: first.region, failedCalls: ['iam:GetRolePolicy'] });
    expect(n.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`aws/${first.accountId}/${first.region}/${first.clusterId}`);
    // An ERROR is never a result: it is not a finding, and not a pass either.
    expect(run.results.some((r) => r.message.text === first.message)).toBe(false);
  });

  it('says the run succeeded when nothing errored, and keeps a suppressed ERROR visible without failing the run', () => {
    const noErrors = { ...input, results: input.results.filter((r) => r.status !== 'ERROR') };
    const ok = buildSarif(noErrors).runs[0]!.invocations[0]!;
    expect(ok).toMatchObject({ executionSuccessful: true, toolExecutionNotifications: [] });
    const error = input.results.find((r) => r.status === 'ERROR')!;
    const suppressedError: Result = { ...error, status: 'SUPPRESSED', originalStatus: 'ERROR', suppressedBy: 'setting EMR_AUDIT_SUPPRESSIONS: known SCP (ticket SEC-1)' };
    const inv = buildSarif({ ...noErrors, results: [...noErrors.results, suppressedError] }).runs[0]!.invocations[0]!;
    expect(inv.executionSuccessful).toBe(true);
    expect(inv.toolExecutionNotifications).toHaveLength(1);
    expect(inv.toolExecutionNotifications[0]).toMatchObject({ level: 'note', properties: { suppressedBy: suppressedError.suppressedBy } });
    expect(oasis(buildSarif({ ...noErrors, results: [...noErrors.results, suppressedError] }))).toBe(true);
  });

  it('names the failed AWS calls of an ERROR message', () => {
    expect(failedCalls('x: iam:GetRolePolicy AccessDenied (User: arn:aws:sts::1:assumed-role/a/b is not authorized to perform: iam:GetRolePolicy)')).toEqual(['iam:GetRolePolicy']);
    expect(failedCalls('eu-west-1: ec2:DescribeSecurityGroups Throttling; ssm:DescribeInstanceInformation AccessDenied')).toEqual(['ec2:DescribeSecurityGroups', 'ssm:DescribeInstanceInformation']);
    expect(failedCalls('no call here: 10:30 UTC')).toEqual([]);
  });

  it('gives each account and region set its own automation category', () => {
    expect(run.automationDetails.id).toBe(automationId(input.snapshot.accountId, input.snapshot.regions.map((r) => r.region)));
    expect(run.automationDetails.id).toMatch(new RegExp(`^emr-audit/${input.snapshot.accountId}/[a-z0-9,-]+/$`));
    expect(automationId('111122223333', ['us-east-1', 'eu-west-1'])).toBe('emr-audit/111122223333/eu-west-1,us-east-1/');
    expect(automationId('111122223333', ['eu-west-1', 'us-east-1'])).toBe(automationId('111122223333', ['us-east-1', 'eu-west-1']));
    expect(automationId('444455556666', ['eu-west-1'])).not.toBe(automationId('111122223333', ['eu-west-1']));
  });

  it('keeps within GitHub code scanning\'s upload rules', () => {
    // docs.github.com "SARIF support for code scanning" and "SARIF results exceed limits".
    expect(log.runs.length).toBeLessThanOrEqual(20);
    expect(run.results.length).toBeLessThanOrEqual(GITHUB_LIMITS.resultsPerRun);
    expect(run.tool.driver.rules.length).toBeLessThanOrEqual(GITHUB_LIMITS.rulesPerRun);
    for (const rule of run.tool.driver.rules) {
      expect(rule.properties.tags.length).toBeLessThanOrEqual(GITHUB_LIMITS.tagsPerRule);
      expect(rule.properties.tags).toContain('security');
      expect(rule.id).toMatch(/^[a-z]+\/[a-z0-9-]+$/);
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.fullDescription.text.length).toBeGreaterThan(0);
    }
    const fingerprints = new Set<string>();
    for (const r of run.results) {
      // The rule id is stable across runs and every result names its rule and a relative artifact path.
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(r.locations.length).toBeGreaterThan(0);
      expect(r.locations.length).toBeLessThanOrEqual(GITHUB_LIMITS.locationsPerResult);
      const uri = r.locations[0]!.physicalLocation.artifactLocation.uri;
      expect(uri).not.toMatch(/^([a-z]+:|\/)/);
      expect(r.partialFingerprints['emrAuditFindingId/v1']).toBeTruthy();
      fingerprints.add(`${r.ruleId}\u0000${r.partialFingerprints['emrAuditFindingId/v1']!}`);
    }
    // One alert per problem: no two results share a fingerprint.
    expect(fingerprints.size).toBe(run.results.length);
  });

  it('dates results by the data\'s collection and the invocation by the run', () => {
    const later = { ...input, startedAt: new Date(Date.parse(input.snapshot.collectedAt) + 14 * 86_400_000) };
    const r = buildSarif(later).runs[0]!;
    expect(r.invocations[0]!.startTimeUtc).toBe(later.startedAt.toISOString());
    for (const x of r.results) expect(x.provenance.lastDetectionTimeUtc).toBe(new Date(input.snapshot.collectedAt).toISOString());
    for (const n of r.invocations[0]!.toolExecutionNotifications) expect(n.timeUtc).toBe(new Date(input.snapshot.collectedAt).toISOString());
    expect(r.properties.collectedAt).toBe(input.snapshot.collectedAt);
  });
});

