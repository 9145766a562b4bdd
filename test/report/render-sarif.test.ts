import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildSarif, renderSarif, SECURITY_SEVERITY } from '../../lib/report/sarif.js';
import { demoInput } from './demo-input.js';

// The SARIF 2.1.0 JSON schema (draft-04), as Microsoft's SARIF tooling ships it: offline, from a package.
const require = createRequire(import.meta.url);
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
// Both are CommonJS packages: under NodeNext their default export is `module.exports.default`.
// unicodeRegExp off: the schema's `language` pattern has a stray `]` that only non-unicode regexps accept.
const ajv = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
ajvFormats.default(ajv);
const validate = ajv.compile(schema);

const input = demoInput();
const log = buildSarif(input, { informationUri: 'https://example.com/emr-audit' });
const run = log.runs[0]!;

describe('SARIF 2.1.0 output', () => {
  it('is valid against the SARIF 2.1.0 JSON schema (demo account)', () => {
    const parsed: unknown = JSON.parse(renderSarif(input));
    const ok = validate(parsed);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(validate(log)).toBe(true);
  });

  it('rejects what the schema rejects (the validator is really checking)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
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
    expect(ssh.properties['security-severity']).toBe('8.0');
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

  it('has one result per FAIL, located at the cluster and its resources', () => {
    const fails = input.results.filter((r) => r.status === 'FAIL');
    expect(run.results).toHaveLength(fails.length);
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
});
