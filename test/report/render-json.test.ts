import { catalogueInfo } from '../../lib/iam/catalogue.js';
import { describe, expect, it } from 'vitest';
import type { CheckMeta, Result } from '../../checks/contract.js';
import type { ComplianceRef } from '../../lib/compliance.js';
import { buildJsonReport, renderJson } from '../../lib/report/json.js';
import { describeCollectionError } from '../../lib/report/error-groups.js';
import { buildSummary, everyRegionFailed } from '../../lib/report/render-summary.js';
import { ACCOUNT, makeCluster, makeSnapshot } from '../helpers/fixtures.js';

function result(r: Partial<Result> & Pick<Result, 'checkId' | 'status'>): Result {
  return {
    severity: 'HIGH',
    region: 'us-east-1',
    accountId: ACCOUNT,
    clusterId: 'j-AAA',
    clusterName: 'alpha',
    title: 'A title',
    message: 'A message',
    resources: ['sg-1'],
    resourceDetails: [{ type: 'AwsEc2SecurityGroup', id: 'sg-1', arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-1` }],
    resourceId: 'j-AAA',
    ...r,
  };
}

const snapshot = makeSnapshot([
  { region: 'us-east-1', clusters: [makeCluster({ id: 'j-AAA' }), makeCluster({ id: 'j-BBB' })], errors: [{ kind: 'role', resourceId: 'app-role', api: 'iam:GetRole', code: 'AccessDenied', message: 'User is\nnot authorized' }] },
  { region: 'eu-west-1', clusters: [makeCluster({ id: 'j-CCC' })] },
]);

const results = [
  result({ checkId: 'a/one', status: 'FAIL', severity: 'CRITICAL' }),
  result({ checkId: 'a/one', status: 'FAIL', severity: 'HIGH', clusterId: 'j-BBB' }),
  result({ checkId: 'b/two', status: 'FAIL', severity: 'LOW' }),
  result({ checkId: 'b/two', status: 'PASS' }),
  result({ checkId: 'c/three', status: 'SUPPRESSED', originalStatus: 'FAIL', suppressedBy: 'cluster tag emr-audit:suppress' }),
  result({ checkId: 'c/three', status: 'ERROR', clusterId: null, clusterName: null, region: 'eu-west-1', resourceId: 'eu-west-1' }),
];

describe('renderJson', () => {
  it("adds each result's compliance mapping: the check's own when given, else the registry's by id", () => {
    const mapped = result({ checkId: 'exposure/primary-node-public-ip', status: 'FAIL' });
    const [fromRegistry] = buildJsonReport({ results: [mapped], snapshot }).results;
    expect(fromRegistry!.compliance).toEqual(expect.arrayContaining([{ framework: 'aws-fsbp', id: 'EMR.1', source: 'EMR.1' }, { framework: 'pci-dss', id: 'PCI DSS v4.0.1/1.4.4', source: 'EMR.1' }]));
    const own: ComplianceRef = { framework: 'nist-800-53', id: 'NIST.800-53.r5 AC-6', source: 'ours' };
    const meta: CheckMeta = { id: 'a/one', title: 'A title', severity: 'HIGH', scope: 'cluster', description: 'd', types: [], remediation: { text: 't', url: 'https://docs.aws.amazon.com/x' }, permissions: [], settings: [], compliance: [own] };
    const [fromChecks] = buildJsonReport({ results: [result({ checkId: 'a/one', status: 'FAIL' })], snapshot, checks: [meta] }).results;
    expect(fromChecks!.compliance).toEqual([own]);
    expect(buildJsonReport({ results: [result({ checkId: 'x/unknown', status: 'PASS' })], snapshot }).results[0]!.compliance).toEqual([]);
  });

  it('prints one JSON object: schema version, tool, results and summary', () => {
    const text = renderJson({ results, snapshot, toolVersion: '1.2.3' });
    expect(text.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(text) as { schemaVersion: number; tool: unknown; results: unknown[]; summary: unknown };
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'tool', 'results', 'summary']);
    expect(parsed.schemaVersion).toBe(1);
    expect(parsed.tool).toEqual({ name: 'emr-audit', version: '1.2.3', iamCatalogue: catalogueInfo() });
    expect(parsed.results).toHaveLength(results.length);
  });

  it('keeps every field of a result, contract fields first, suppression details when suppressed', () => {
    const report = buildJsonReport({ results, snapshot });
    expect(Object.keys(report.results[0]!)).toEqual(['id', 'checkId', 'status', 'severity', 'region', 'accountId', 'clusterId', 'clusterName', 'title', 'message', 'resources', 'resourceDetails', 'resourceId', 'compliance']);
    expect(report.results[4]).toMatchObject({ status: 'SUPPRESSED', originalStatus: 'FAIL', suppressedBy: 'cluster tag emr-audit:suppress' });
    expect(report.results[5]!.clusterId).toBeNull();
  });

  it('adds the optional `network` field after resourceId only to results that carry paths', () => {
    const path = { instanceId: 'i-1', family: 'ipv4' as const, address: '54.1.2.3', protocol: 'tcp' as const, fromPort: 22, toPort: 22, sourceCidrs: ['0.0.0.0/0'], securityGroupId: 'sg-1', networkAclId: 'acl-1', inboundRule: 100, outboundRule: 100, routeTableId: 'rtb-1', gatewayId: 'igw-1', subnetId: 'subnet-1' };
    const report = buildJsonReport({ results: [result({ checkId: 'exposure/internet-reachable-port', status: 'FAIL', network: [path] }), result({ checkId: 'a/one', status: 'PASS' })], snapshot });
    expect(Object.keys(report.results[0]!)).toEqual(['id', 'checkId', 'status', 'severity', 'region', 'accountId', 'clusterId', 'clusterName', 'title', 'message', 'resources', 'resourceDetails', 'resourceId', 'network', 'compliance']);
    expect(report.results[0]!.network).toEqual([path]);
    expect(report.results[1]).not.toHaveProperty('network');
  });

  it('summarises counts per status, FAILs per severity and check, clusters and errors', () => {
    const { summary } = buildJsonReport({ results, snapshot });
    expect(summary).toEqual({
      accountId: ACCOUNT,
      regions: ['us-east-1', 'eu-west-1'],
      collectedAt: '2026-11-23T12:00:00.000Z',
      clustersAudited: 3,
      counts: { PASS: 1, FAIL: 3, NOT_APPLICABLE: 0, ERROR: 1, SUPPRESSED: 1 },
      failBySeverity: { CRITICAL: 1, HIGH: 1, MEDIUM: 0, LOW: 1, INFORMATIONAL: 0 },
      failByCheck: { 'a/one': 2, 'b/two': 1 },
      // Additive (issue 23): the ids of the results to fix first (the one CRITICAL FAIL here).
      fixFirst: [expect.stringMatching(/^emr-audit\/us-east-1\/123456789012\/[a-z]\/[a-z]+\//)],
      errors: ['us-east-1 role app-role: iam:GetRole AccessDenied (User is not authorized)'],
      errorGroups: [expect.objectContaining({ api: 'iam:GetRole', code: 'AccessDenied', count: 1, kind: 'role', resources: ['app-role'] })],
      // Additive (issue 14): the clusters with suppressed results, each check with its source.
      suppressed: [expect.objectContaining({ checks: [expect.objectContaining({ originalStatus: 'FAIL' })] })],
    });
  });

  it('counts only the clusters of a cluster-restricted run', () => {
    expect(buildJsonReport({ results, snapshot, clusterIds: ['j-BBB'] }).summary.clustersAudited).toBe(1);
  });

  it('adds what was published to Security Hub', () => {
    const published = { imported: 2, archived: 1, failed: 0, errors: [] };
    expect(buildJsonReport({ results, snapshot, published }).summary.published).toEqual(published);
    expect('published' in buildJsonReport({ results, snapshot }).summary).toBe(false);
  });
});

describe('summary helpers', () => {
  it('describes a region failure by its region only', () => {
    expect(describeCollectionError('eu-west-1', { kind: 'region', resourceId: 'eu-west-1', api: 'elasticmapreduce:ListClusters', code: 'AccessDeniedException', message: '' })).toBe(
      'eu-west-1: elasticmapreduce:ListClusters AccessDeniedException',
    );
  });

  it('knows when every region failed (and that no region is not a failure)', () => {
    const regionError = (region: string) => ({ kind: 'region' as const, resourceId: region, api: 'sts:X', code: 'Denied', message: '' });
    expect(everyRegionFailed(makeSnapshot([{ region: 'us-east-1', errors: [regionError('us-east-1')] }, { region: 'eu-west-1', errors: [regionError('eu-west-1')] }]))).toBe(true);
    expect(everyRegionFailed(makeSnapshot([{ region: 'us-east-1', errors: [regionError('us-east-1')] }, { region: 'eu-west-1' }]))).toBe(false);
    expect(everyRegionFailed(makeSnapshot([{ region: 'us-east-1', errors: [{ ...regionError('r'), kind: 'role' }] }]))).toBe(false);
    expect(everyRegionFailed(makeSnapshot([]))).toBe(false);
  });

  it('counts no FAIL for suppressed results', () => {
    expect(buildSummary([result({ checkId: 'a', status: 'SUPPRESSED', originalStatus: 'FAIL' })], snapshot).failBySeverity.HIGH).toBe(0);
  });
});
