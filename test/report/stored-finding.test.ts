import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { archivedRecord, asUpdateOf, identityOf, incompleteChecksOf, nextUpdatedAt, providerRecord } from '../../lib/report/stored-finding.js';
import { ACCOUNT, REGION } from '../helpers/fixtures.js';

const ID = `emr-audit/${REGION}/${ACCOUNT}/network/ssh-from-internet/j-ABC/sg-1`;

/** A finding as GetFindings returns it: ours, plus what Security Hub and the customer added. */
const stored: AwsSecurityFinding = {
  SchemaVersion: '2018-10-08',
  Id: ID,
  ProductArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
  ProductName: 'emr-audit',
  CompanyName: 'Personal',
  Region: REGION,
  GeneratorId: 'emr-audit/network/ssh-from-internet',
  AwsAccountId: ACCOUNT,
  AwsAccountName: 'prod',
  CreatedAt: '2026-11-01T00:00:00.000Z',
  UpdatedAt: '2026-11-20T00:00:00.000Z',
  FirstObservedAt: '2026-11-01T00:00:00.000Z',
  LastObservedAt: '2026-11-20T00:00:00.000Z',
  ProcessedAt: '2026-11-20T00:00:01.000Z',
  Severity: { Label: 'CRITICAL', Normalized: 90 },
  Types: ['customer/type'],
  Confidence: 50,
  Criticality: 80,
  Title: 'SSH open',
  Description: 'sg-1 allows tcp 22 from 0.0.0.0/0.',
  Remediation: { Recommendation: { Text: 'Remove the rule.', Url: 'https://docs.aws.amazon.com/emr/' } },
  ProductFields: {
    'emr-audit/CheckId': 'network/ssh-from-internet',
    'emr-audit/ResourceId': 'j-ABC/sg-1',
    'emr-audit/ClusterId': 'j-ABC',
    'aws/securityhub/FindingId': 'arn:…',
    'aws/securityhub/ProductName': 'Default',
  },
  UserDefinedFields: { ticket: 'SEC-1' },
  Workflow: { Status: 'NOTIFIED' },
  WorkflowState: 'IN_PROGRESS',
  Note: { Text: 'looking', UpdatedBy: 'alice', UpdatedAt: '2026-11-21T00:00:00.000Z' },
  VerificationState: 'TRUE_POSITIVE',
  RelatedFindings: [{ ProductArn: 'arn:x', Id: 'y' }],
  FindingProviderFields: { Severity: { Label: 'HIGH', Original: 'HIGH' }, Types: ['Software and Configuration Checks/AWS Security Best Practices'] },
  Compliance: { Status: 'FAILED', SecurityControlId: 'EMR.1', AssociatedStandards: [{ StandardsId: 'x' }] },
  RecordState: 'ACTIVE',
  Resources: [{ Type: 'Other', Id: 'arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-ABC', Region: REGION, Partition: 'aws', ApplicationArn: 'arn:app', ApplicationName: 'app', Details: { Other: { ClusterId: 'j-ABC' } } }],
};

describe('identityOf', () => {
  it('reads check, resource and cluster from our ProductFields', () => {
    expect(identityOf(stored)).toEqual({ checkId: 'network/ssh-from-internet', resourceId: 'j-ABC/sg-1', clusterId: 'j-ABC' });
  });

  it('falls back to the Id when the ProductFields are missing', () => {
    expect(identityOf({ ...stored, ProductFields: {} })).toEqual({ checkId: 'network/ssh-from-internet', resourceId: 'j-ABC/sg-1', clusterId: 'j-ABC' });
    expect(identityOf({ Id: `emr-audit/${REGION}/${ACCOUNT}/exposure/block-public-access-disabled/${REGION}` })).toEqual({
      checkId: 'exposure/block-public-access-disabled',
      resourceId: REGION,
      clusterId: null,
    });
  });

  it('does not guess for a hashed Id or a foreign one', () => {
    expect(identityOf({ Id: `emr-audit/${REGION}/${ACCOUNT}/network/ssh-from-internet/sha256-${'a'.repeat(64)}` })).toBeUndefined();
    expect(identityOf({ Id: 'other-tool/1' })).toBeUndefined();
  });

  it('lists the checks of a gap finding', () => {
    expect(incompleteChecksOf({ ProductFields: { 'emr-audit/IncompleteChecks': 'iam/a, iam/b,' } })).toEqual(['iam/a', 'iam/b']);
    expect(incompleteChecksOf({})).toEqual([]);
  });
});

describe('providerRecord', () => {
  const record = providerRecord(stored);

  it('drops the customer fields and what Security Hub fills in itself', () => {
    for (const key of ['Severity', 'Types', 'Confidence', 'Criticality', 'UserDefinedFields', 'Workflow', 'WorkflowState', 'Note', 'VerificationState', 'RelatedFindings', 'Region', 'ProcessedAt', 'AwsAccountName']) {
      expect(record).not.toHaveProperty(key);
    }
    expect(record.ProductFields).toEqual({ 'emr-audit/CheckId': 'network/ssh-from-internet', 'emr-audit/ResourceId': 'j-ABC/sg-1', 'emr-audit/ClusterId': 'j-ABC' });
    expect(record.Compliance).toEqual({ Status: 'FAILED' });
    expect(record.Resources).toEqual([{ Type: 'Other', Id: 'arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-ABC', Region: REGION, Partition: 'aws', Details: { Other: { ClusterId: 'j-ABC' } } }]);
  });

  it('keeps every provider field', () => {
    expect(record).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: ID,
      ProductArn: stored.ProductArn,
      ProductName: 'emr-audit',
      GeneratorId: stored.GeneratorId,
      AwsAccountId: ACCOUNT,
      CreatedAt: stored.CreatedAt,
      FirstObservedAt: stored.FirstObservedAt,
      Title: stored.Title,
      Description: stored.Description,
      Remediation: stored.Remediation,
      FindingProviderFields: stored.FindingProviderFields,
      RecordState: 'ACTIVE',
    });
  });

  it('keeps the reachable path (Network, NetworkPath), which is ours', () => {
    const network = { Direction: 'IN' as const, Protocol: 'TCP', DestinationIpV4: '54.1.2.3', DestinationPort: 22 };
    const path = [{ ComponentId: 'igw-1', ComponentType: 'AWS::EC2::InternetGateway' }];
    const kept = providerRecord({ ...stored, Network: network, NetworkPath: path });
    expect(kept.Network).toEqual(network);
    expect(kept.NetworkPath).toEqual(path);
    expect(archivedRecord({ ...stored, Network: network }, { note: 'Fixed.', now: '2026-11-23T12:00:00.000Z', compliance: 'PASSED' }).Network).toEqual(network);
  });

  it('takes severity and types from the top level when the provider fields lack them', () => {
    const bare = providerRecord({ ...stored, FindingProviderFields: undefined });
    expect(bare.FindingProviderFields).toEqual({ Severity: { Label: 'CRITICAL' }, Types: ['customer/type'] });
  });
});

describe('timestamps', () => {
  const now = '2026-11-23T12:00:00.000Z';

  it('uses the run time when the stored UpdatedAt is older, and one millisecond later otherwise', () => {
    expect(nextUpdatedAt(now, undefined)).toBe(now);
    expect(nextUpdatedAt(now, '2026-11-23T11:59:59.999Z')).toBe(now);
    expect(nextUpdatedAt(now, now)).toBe('2026-11-23T12:00:00.001Z');
    expect(nextUpdatedAt(now, '2026-11-23T12:05:00.000Z')).toBe('2026-11-23T12:05:00.001Z');
    // Sub-millisecond precision from Security Hub: still strictly later.
    expect(nextUpdatedAt(now, '2026-11-23T12:00:00.000500Z')).toBe('2026-11-23T12:00:00.001Z');
  });

  it('keeps CreatedAt and FirstObservedAt of the stored finding on update', () => {
    const fresh: AwsSecurityFinding = { ...providerRecord(stored), CreatedAt: now, UpdatedAt: now, FirstObservedAt: now, LastObservedAt: now };
    expect(asUpdateOf(fresh, stored)).toMatchObject({ CreatedAt: stored.CreatedAt, FirstObservedAt: stored.FirstObservedAt, UpdatedAt: now, LastObservedAt: now });
    expect(asUpdateOf(fresh, undefined)).toBe(fresh);
  });
});

describe('archivedRecord', () => {
  it('archives the stored record with the reason first and the last report after it', () => {
    const archived = archivedRecord(stored, { compliance: 'PASSED', note: 'Resolved: no rule allows SSH.', now: '2026-11-23T12:00:00.000Z' });
    expect(archived).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' }, UpdatedAt: '2026-11-23T12:00:00.000Z', CreatedAt: stored.CreatedAt });
    expect(archived.Description).toBe('Resolved: no rule allows SSH. Last reported: sg-1 allows tcp 22 from 0.0.0.0/0.');
    expect(archived).not.toHaveProperty('Workflow');
  });

  it('keeps the compliance status when none is given and fits the description in 1,024 characters', () => {
    const archived = archivedRecord({ ...stored, Description: 'x'.repeat(1024) }, { note: 'Archived: suppressed.', now: '2026-11-23T12:00:00.000Z' });
    expect(archived.Compliance).toEqual({ Status: 'FAILED' });
    expect(archived.Description).toHaveLength(1024);
    expect(archived.Description?.startsWith('Archived: suppressed. Last reported: xxx')).toBe(true);
  });
});
