import { describe, expect, it } from 'vitest';
import type { ResourceRef } from '../../checks/contract.js';
import {
  buildFindings,
  collectGaps,
  findingContext,
  findingId,
  GAP_CHECK_ID,
  resultFinding,
  truncate,
} from '../../lib/report/asff.js';
import { ACCOUNT, NOW, REGION, makeCluster, makeSnapshot } from '../helpers/fixtures.js';
import { asffProblems } from './asff-schema.js';
import { TEST_CHECKS, result, sg } from './helpers.js';

const cluster = makeCluster({ id: 'j-CLUSTER0001', name: 'analytics', releaseLabel: 'emr-6.15.0', tags: { owner: 'data-team', 'db-password': 'hunter2' } });
const snapshot = makeSnapshot([{ clusters: [cluster] }]);
const ctx = findingContext(snapshot, NOW, TEST_CHECKS);

describe('findingId', () => {
  it('is built from region, account, check and resource only', () => {
    expect(findingId('eu-west-1', ACCOUNT, 'network/ssh-from-internet', 'j-ABC')).toBe(`emr-audit/eu-west-1/${ACCOUNT}/network/ssh-from-internet/j-ABC`);
  });

  it('hashes a resource id that would push the Id over 512 characters, deterministically', () => {
    const long = `j-ABC/${'x'.repeat(600)}`;
    const id = findingId(REGION, ACCOUNT, 'network/ssh-from-internet', long);
    expect(id.length).toBeLessThanOrEqual(512);
    expect(id).toMatch(new RegExp(`^emr-audit/${REGION}/${ACCOUNT}/network/ssh-from-internet/sha256-[0-9a-f]{64}$`));
    expect(findingId(REGION, ACCOUNT, 'network/ssh-from-internet', long)).toBe(id);
    expect(findingId(REGION, ACCOUNT, 'network/ssh-from-internet', `${long}y`)).not.toBe(id);
  });
});

describe('truncate', () => {
  it('keeps short text and cuts long text to the limit ending with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('a'.repeat(20), 10);
    expect(cut).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncate(`${'a'.repeat(8)}😀😀😀`, 10);
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).toBe(`${'a'.repeat(8)}…`);
  });
});

describe('resultFinding', () => {
  const fail = result({
    checkId: 'network/ssh-from-internet',
    status: 'FAIL',
    severity: 'CRITICAL',
    message: 'sg-master allows tcp 22 from 0.0.0.0/0.',
    resourceDetails: [
      sg('sg-master'),
      { type: 'AwsIamRole', id: 'EMR_EC2_DefaultRole', arn: `arn:aws:iam::${ACCOUNT}:role/EMR_EC2_DefaultRole` },
      { type: 'AwsIamInstanceProfile', id: 'EMR_EC2_DefaultRole', arn: `arn:aws:iam::${ACCOUNT}:instance-profile/EMR_EC2_DefaultRole` },
      { type: 'AwsEc2Instance', id: 'i-0abc', arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0abc` },
      { type: 'Other', id: 'sgr-0123' },
      sg('sg-master'),
    ],
  });
  const finding = resultFinding(fail, ctx, 'FAILED');

  it('identifies the finding for the default product, in the cluster region, from the audited account', () => {
    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: `emr-audit/${REGION}/${ACCOUNT}/network/ssh-from-internet/j-CLUSTER0001`,
      ProductArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
      GeneratorId: 'emr-audit/network/ssh-from-internet',
      AwsAccountId: ACCOUNT,
      CreatedAt: NOW.toISOString(),
      UpdatedAt: NOW.toISOString(),
      FirstObservedAt: NOW.toISOString(),
      LastObservedAt: NOW.toISOString(),
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
      Title: 'Title of network/ssh-from-internet',
      Description: 'sg-master allows tcp 22 from 0.0.0.0/0.',
    });
  });

  it('puts severity and types in FindingProviderFields, never at the top level', () => {
    expect(finding.FindingProviderFields).toEqual({
      Severity: { Label: 'CRITICAL', Original: 'CRITICAL' },
      Types: ['Software and Configuration Checks/AWS Security Best Practices/Network Reachability'],
    });
    expect(finding).not.toHaveProperty('Severity');
    expect(finding).not.toHaveProperty('Types');
    expect(finding).not.toHaveProperty('Workflow');
    expect(finding).not.toHaveProperty('Note');
  });

  it('uses the check remediation and links the cluster console page', () => {
    expect(finding.Remediation).toEqual({
      Recommendation: { Text: 'Fix network/ssh-from-internet.', Url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security.html' },
    });
    expect(finding.SourceUrl).toBe(`https://${REGION}.console.aws.amazon.com/emr/home?region=${REGION}#/clusterDetails/j-CLUSTER0001`);
  });

  it('makes the cluster Resources[0] as Other with its EMR details, then each involved resource once', () => {
    expect(finding.Resources?.[0]).toEqual({
      Type: 'Other',
      Id: cluster.arn,
      Partition: 'aws',
      Region: REGION,
      Details: { Other: { ResourceType: 'AWS::EMR::Cluster', ClusterId: 'j-CLUSTER0001', Name: 'analytics', ReleaseLabel: 'emr-6.15.0', State: 'WAITING' } },
    });
    expect(finding.Resources?.slice(1).map((r) => [r.Type, r.Id])).toEqual([
      ['AwsEc2SecurityGroup', `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-master`],
      ['AwsIamRole', `arn:aws:iam::${ACCOUNT}:role/EMR_EC2_DefaultRole`],
      ['Other', `arn:aws:iam::${ACCOUNT}:instance-profile/EMR_EC2_DefaultRole`],
      ['AwsEc2Instance', `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0abc`],
      ['Other', 'sgr-0123'],
    ]);
    expect(finding.Resources?.[3]?.Details?.Other).toEqual({ ResourceType: 'AWS::IAM::InstanceProfile', Name: 'EMR_EC2_DefaultRole' });
  });

  it('records the identity in ProductFields, outside the reserved aws/ namespace', () => {
    expect(finding.ProductFields).toEqual({
      'emr-audit/CheckId': 'network/ssh-from-internet',
      'emr-audit/ResourceId': 'j-CLUSTER0001',
      'emr-audit/ClusterId': 'j-CLUSTER0001',
      'emr-audit/ClusterName': 'name-j-CLUSTER0001',
    });
  });

  it('copies nothing else from the cluster: no tags, no configuration', () => {
    const json = JSON.stringify(finding);
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('db-password');
  });

  it('uses the account as the resource of an account-level check', () => {
    const f = resultFinding(result({ checkId: 'exposure/block-public-access-disabled', status: 'FAIL', clusterId: null, severity: 'CRITICAL' }), ctx, 'FAILED');
    expect(f.Id).toBe(`emr-audit/${REGION}/${ACCOUNT}/exposure/block-public-access-disabled/${REGION}`);
    expect(f.Resources).toEqual([{ Type: 'AwsAccount', Id: `AWS::::Account:${ACCOUNT}`, Partition: 'aws', Region: REGION }]);
    expect(f.ProductFields).not.toHaveProperty('emr-audit/ClusterId');
    expect(f).not.toHaveProperty('SourceUrl');
  });

  it('builds the cluster ARN when the snapshot does not know the cluster', () => {
    const f = resultFinding(result({ checkId: 'logging/no-log-uri', status: 'FAIL', clusterId: 'j-UNKNOWN0001' }), ctx, 'FAILED');
    expect(f.Resources?.[0]).toMatchObject({ Type: 'Other', Id: `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/j-UNKNOWN0001` });
    expect(f.Resources?.[0]?.Details?.Other).toEqual({ ResourceType: 'AWS::EMR::Cluster', ClusterId: 'j-UNKNOWN0001', Name: 'name-j-UNKNOWN0001' });
  });

  it('truncates a 5,000-character message to a 1,024-character description instead of failing', () => {
    const f = resultFinding(result({ checkId: 'logging/no-log-uri', status: 'FAIL', message: 'x'.repeat(5000) }), ctx, 'FAILED');
    expect(f.Description).toHaveLength(1024);
    expect(f.Description?.endsWith('…')).toBe(true);
  });

  it('truncates a long title to 256 characters and a long remediation to 512', () => {
    const long = TEST_CHECKS.map((c) => (c.id === 'logging/no-log-uri' ? { ...c, remediation: { text: 'r'.repeat(900), url: c.remediation.url } } : c));
    const f = resultFinding(result({ checkId: 'logging/no-log-uri', status: 'FAIL', title: 't'.repeat(300) }), findingContext(snapshot, NOW, long), 'FAILED');
    expect(f.Title).toHaveLength(256);
    expect(f.Remediation?.Recommendation?.Text).toHaveLength(512);
  });

  it('lists at most 32 resources and names the rest in the description', () => {
    const refs: ResourceRef[] = Array.from({ length: 40 }, (_, i) => sg(`sg-${String(i).padStart(3, '0')}`));
    const f = resultFinding(result({ checkId: 'network/ssh-from-internet', status: 'FAIL', resourceDetails: refs, message: 'x'.repeat(3000) }), ctx, 'FAILED');
    expect(f.Resources).toHaveLength(32);
    expect(f.Resources?.[31]?.Id).toContain('sg-030');
    expect(f.Description?.length).toBeLessThanOrEqual(1024);
    expect(f.Description).toContain('9 more resource(s) involved, not listed under Resources: sg-031, sg-032');
    expect(f.Description).toContain('sg-039');
  });

  it('is PASSED when asked for a passing result', () => {
    const f = resultFinding(result({ checkId: 'logging/no-log-uri', status: 'PASS', message: 'Logs go to s3://logs/.' }), ctx, 'PASSED');
    expect(f.Compliance).toEqual({ Status: 'PASSED' });
    expect(f.Description).toBe('Logs go to s3://logs/.');
  });
});

describe('evaluation gaps', () => {
  it('makes one gap per cluster with ERROR results, grouping checks that failed for the same reason', () => {
    const denied = 'Could not evaluate: role R unavailable — iam:GetRole AccessDenied (not authorized)';
    const results = [
      result({ checkId: 'iam/instance-profile-admin', status: 'ERROR', message: denied }),
      result({ checkId: 'network/ssh-from-internet', status: 'ERROR', message: denied }),
      result({ checkId: 'logging/no-log-uri', status: 'ERROR', message: 'The cluster could not be described: ThrottlingException' }),
      result({ checkId: 'logging/no-log-uri', status: 'FAIL', clusterId: 'j-CLUSTER0002' }),
      result({ checkId: 'iam/instance-profile-admin', status: 'SUPPRESSED', originalStatus: 'ERROR', clusterId: 'j-CLUSTER0003' }),
    ];
    const gaps = collectGaps(results);
    expect(gaps).toHaveLength(1);
    const [f] = buildFindings(results, snapshot, NOW, TEST_CHECKS).filter((x) => x.GeneratorId === `emr-audit/${GAP_CHECK_ID}`);
    expect(f).toMatchObject({
      Id: `emr-audit/${REGION}/${ACCOUNT}/audit/evaluation-incomplete/j-CLUSTER0001`,
      GeneratorId: 'emr-audit/audit/evaluation-incomplete',
      Compliance: { Status: 'WARNING' },
      RecordState: 'ACTIVE',
      FindingProviderFields: { Severity: { Label: 'INFORMATIONAL' } },
      ProductFields: { 'emr-audit/IncompleteChecks': 'iam/instance-profile-admin,network/ssh-from-internet,logging/no-log-uri' },
    });
    expect(f?.Title).toBe('Audit incomplete: 3 check(s) could not be evaluated on cluster name-j-CLUSTER0001 (j-CLUSTER0001)');
    expect(f?.Description).toContain(`- iam/instance-profile-admin, network/ssh-from-internet: ${denied}`);
    expect(f?.Description).toContain('- logging/no-log-uri: The cluster could not be described: ThrottlingException');
    expect(f?.Resources?.[0]?.Type).toBe('Other');
    expect(f?.Remediation?.Recommendation?.Url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });

  it('makes one region gap for a region that could not be listed', () => {
    const reason = 'The region could not be audited: elasticmapreduce:ListClusters AccessDenied';
    const results = TEST_CHECKS.map((c) => result({ checkId: c.id, status: 'ERROR', clusterId: null, message: reason, region: 'eu-west-1' }));
    const findings = buildFindings(results, snapshot, NOW, TEST_CHECKS);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      Id: `emr-audit/eu-west-1/${ACCOUNT}/audit/evaluation-incomplete/eu-west-1`,
      ProductArn: `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`,
      Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${ACCOUNT}`, Region: 'eu-west-1' }],
    });
    expect(findings[0]?.Description).toContain(`${TEST_CHECKS.map((c) => c.id).join(', ')}: ${reason}`);
  });
});

describe('buildFindings', () => {
  it('returns the current FAILs, gaps and suppression traces: no finding for a PASS, NOT_APPLICABLE or SUPPRESSED result', () => {
    const results = [
      result({ checkId: 'logging/no-log-uri', status: 'FAIL' }),
      result({ checkId: 'network/ssh-from-internet', status: 'PASS' }),
      result({ checkId: 'iam/instance-profile-admin', status: 'NOT_APPLICABLE' }),
      result({ checkId: 'iam/instance-profile-admin', status: 'SUPPRESSED', originalStatus: 'FAIL', clusterId: 'j-CLUSTER0002' }),
    ];
    // The suppressed FAIL is no finding of its own, but its cluster has the audit/suppressed one (issue 14).
    expect(buildFindings(results, snapshot, NOW, TEST_CHECKS).map((f) => f.GeneratorId)).toEqual(['emr-audit/logging/no-log-uri', 'emr-audit/audit/suppressed']);
  });

  it('merges two FAIL results of one check on one resource into one finding with the higher severity', () => {
    const results = [
      result({ checkId: 'network/ssh-from-internet', status: 'FAIL', severity: 'HIGH', message: 'rule A', resourceDetails: [sg('sg-a')] }),
      result({ checkId: 'network/ssh-from-internet', status: 'FAIL', severity: 'CRITICAL', message: 'rule B', resourceDetails: [sg('sg-b')] }),
    ];
    const findings = buildFindings(results, snapshot, NOW, TEST_CHECKS);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.Description).toBe('rule A | rule B');
    expect(findings[0]?.FindingProviderFields?.Severity?.Label).toBe('CRITICAL');
    expect(findings[0]?.Resources?.map((r) => (r.Id ?? '').split('/').pop())).toEqual(['j-CLUSTER0001', 'sg-a', 'sg-b']);
  });

  it('dates observations by the data\'s collection and the record by the run (an offline scan of an old snapshot)', () => {
    const old = { ...snapshot, collectedAt: '2026-10-01T08:00:00Z' };
    const results = [result({ checkId: 'logging/no-log-uri', status: 'FAIL' }), result({ checkId: 'iam/instance-profile-admin', status: 'ERROR', message: 'iam:GetRolePolicy AccessDenied' })];
    const findings = buildFindings(results, old, NOW, TEST_CHECKS);
    expect(findings.length).toBeGreaterThan(1);
    for (const f of findings) {
      expect(f).toMatchObject({ FirstObservedAt: '2026-10-01T08:00:00.000Z', LastObservedAt: '2026-10-01T08:00:00.000Z', CreatedAt: NOW.toISOString(), UpdatedAt: NOW.toISOString() });
      expect(asffProblems(f)).toEqual([]);
    }
    // A live run collects at its start: every date is the run's.
    const live = buildFindings(results, { ...snapshot, collectedAt: NOW.toISOString() }, NOW, TEST_CHECKS);
    for (const f of live) expect(new Set([f.CreatedAt, f.UpdatedAt, f.FirstObservedAt, f.LastObservedAt])).toEqual(new Set([NOW.toISOString()]));
  });

  it('gives the same Id to the same problem in two runs', () => {
    const results = [result({ checkId: 'logging/no-log-uri', status: 'FAIL' })];
    const first = buildFindings(results, snapshot, NOW, TEST_CHECKS);
    const second = buildFindings(results, snapshot, new Date(NOW.getTime() + 3_600_000), TEST_CHECKS);
    expect(second.map((f) => f.Id)).toEqual(first.map((f) => f.Id));
  });
});

describe('compliance in ASFF', () => {
  const real = findingContext(snapshot, NOW);
  const fail = result({ checkId: 'exposure/primary-node-public-ip', status: 'FAIL', message: 'The primary node has 54.1.2.3.' });
  const finding = resultFinding(fail, real, 'FAILED');

  it('lists the related requirements of the check (EMR.1), within the 32-item limit', () => {
    expect(finding.Compliance?.Status).toBe('FAILED');
    expect(finding.Compliance?.RelatedRequirements).toEqual(expect.arrayContaining(['PCI DSS v4.0.1/1.4.4', 'PCI DSS v3.2.1/1.2.1', 'NIST.800-53.r5 SC-7(21)']));
    expect(finding.Compliance?.RelatedRequirements?.length).toBeLessThanOrEqual(32);
    // The FSBP control id is standards membership, not a requirement.
    expect(finding.Compliance?.RelatedRequirements).not.toContain('EMR.1');
  });

  it('names the Security Hub standards by their StandardsId, and the controls in ProductFields', () => {
    expect(finding.Compliance?.AssociatedStandards).toEqual([
      { StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' },
      { StandardsId: 'standards/pci-dss/v/3.2.1' },
      { StandardsId: 'standards/pci-dss/v/4.0.1' },
      { StandardsId: 'standards/nist-800-53/v/5.0.0' },
    ]);
    expect(finding.ProductFields?.['emr-audit/SecurityHubControls']).toBe('EMR.1');
  });

  it('keeps our own mapping out of the standards and the controls field', () => {
    const f = resultFinding(result({ checkId: 'logging/no-log-uri', status: 'FAIL' }), real, 'FAILED');
    expect(f.Compliance?.RelatedRequirements).toEqual(['NIST.800-53.r5 AU-2', 'NIST.800-53.r5 AU-11', 'NIST.800-53.r5 AU-12']);
    expect(f.Compliance).not.toHaveProperty('AssociatedStandards');
    expect(f.ProductFields).not.toHaveProperty('emr-audit/SecurityHubControls');
  });

  it('gives evaluation gaps a status only', () => {
    const [gap] = buildFindings([result({ checkId: 'iam/instance-profile-admin', status: 'ERROR' })], snapshot, NOW);
    expect(gap?.Compliance).toEqual({ Status: 'WARNING' });
  });
});

describe('parts findings share', () => {
  it('gives the findings of one run one frozen copy of a check\'s Compliance and Remediation and a cluster\'s resource, and keeps findings distinct', () => {
    const run = findingContext(snapshot, NOW, TEST_CHECKS);
    const a = resultFinding(result({ checkId: 'network/ssh-from-internet', status: 'FAIL', resourceId: 'j-CLUSTER0001/sg-a', message: 'sg-a allows tcp 22.', resourceDetails: [sg('sg-a')] }), run, 'FAILED');
    const b = resultFinding(result({ checkId: 'network/ssh-from-internet', status: 'FAIL', resourceId: 'j-CLUSTER0001/sg-b', message: 'sg-b allows tcp 22.', resourceDetails: [sg('sg-b')] }), run, 'FAILED');
    expect(a.Id).not.toBe(b.Id);
    expect(a.Description).toBe('sg-a allows tcp 22.');
    expect(b.Description).toBe('sg-b allows tcp 22.');
    expect(b.Compliance).toBe(a.Compliance);
    expect(b.Remediation).toBe(a.Remediation);
    expect(b.Resources?.[0]).toBe(a.Resources?.[0]);
    expect(b.Resources?.[1]?.Id).not.toBe(a.Resources?.[1]?.Id);
    // Shared means read-only: one finding cannot change another's.
    expect(Object.isFrozen(a.Compliance)).toBe(true);
    const other0 = a.Resources?.[0]?.Details?.Other;
    expect(other0).toBeDefined();
    expect(() => Object.assign(other0 ?? {}, { Name: 'x' })).toThrow(TypeError);
    // A PASSED finding of the same check has its own Compliance (status differs).
    const passed = resultFinding(result({ checkId: 'network/ssh-from-internet', status: 'PASS', message: 'ok' }), run, 'PASSED');
    expect(passed.Compliance?.Status).toBe('PASSED');
    expect(a.Compliance?.Status).toBe('FAILED');
    // Another run builds its own parts.
    const other = resultFinding(result({ checkId: 'network/ssh-from-internet', status: 'FAIL', resourceId: 'j-CLUSTER0001/sg-a', message: 'x', resourceDetails: [sg('sg-a')] }), findingContext(snapshot, NOW, TEST_CHECKS), 'FAILED');
    expect(other.Compliance).toEqual(a.Compliance);
    expect(other.Compliance).not.toBe(a.Compliance);
  });
});
