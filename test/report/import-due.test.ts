import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { MIN_REFRESH_INTERVAL_MS, REFRESH_CYCLE_MS, importReason, refreshDue, sameProviderContent, slotAtOrAfter, slotOfCycle } from '../../lib/report/import-due.js';
import { ACCOUNT, REGION } from '../helpers/fixtures.js';

const ID = `emr-audit/${REGION}/${ACCOUNT}/network/ssh-from-internet/j-ABC/sg-1`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** What this run would send. */
const fresh: AwsSecurityFinding = {
  SchemaVersion: '2018-10-08',
  Id: ID,
  ProductArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
  ProductName: 'emr-audit',
  GeneratorId: 'emr-audit/network/ssh-from-internet',
  AwsAccountId: ACCOUNT,
  CreatedAt: iso(T0 - 10 * DAY),
  UpdatedAt: iso(T0 + 6 * HOUR),
  FirstObservedAt: iso(T0 - 10 * DAY),
  LastObservedAt: iso(T0 + 6 * HOUR),
  Title: 'SSH open',
  Description: 'sg-1 allows tcp 22 from 0.0.0.0/0.',
  FindingProviderFields: { Severity: { Label: 'HIGH', Original: 'HIGH' }, Types: ['Software and Configuration Checks/AWS Security Best Practices/Network Reachability'] },
  Compliance: { Status: 'FAILED', RelatedRequirements: ['NIST.800-53.r5 AC-4'] },
  RecordState: 'ACTIVE',
  Remediation: { Recommendation: { Text: 'Remove the rule.', Url: 'https://docs.aws.amazon.com/emr/' } },
  ProductFields: { 'emr-audit/CheckId': 'network/ssh-from-internet', 'emr-audit/ResourceId': 'j-ABC/sg-1', 'emr-audit/ClusterId': 'j-ABC' },
  Resources: [
    { Type: 'Other', Id: `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/j-ABC`, Partition: 'aws', Region: REGION, Details: { Other: { ClusterId: 'j-ABC' } } },
    { Type: 'AwsEc2SecurityGroup', Id: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-1`, Partition: 'aws', Region: REGION },
  ],
};

/** The same finding as GetFindings returns it a run earlier: its own times, plus Security Hub's and the customer's fields. */
const stored: AwsSecurityFinding = {
  ...structuredClone(fresh),
  CompanyName: 'Personal',
  ProductName: 'Default',
  Region: REGION,
  UpdatedAt: iso(T0),
  LastObservedAt: iso(T0),
  ProcessedAt: iso(T0 + 1000),
  Severity: { Label: 'CRITICAL', Normalized: 90 },
  Types: ['customer/type'],
  Workflow: { Status: 'NOTIFIED' },
  WorkflowState: 'IN_PROGRESS',
  Note: { Text: 'looking', UpdatedBy: 'me', UpdatedAt: iso(T0) },
  UserDefinedFields: { ticket: 'SEC-1' },
  ProductFields: { ...fresh.ProductFields, 'aws/securityhub/FindingId': 'arn:…', 'aws/securityhub/ProductName': 'Default' },
  Compliance: { ...fresh.Compliance, SecurityControlId: undefined },
};

describe('provider content', () => {
  it('is the same when only the times and the fields Security Hub or the customer own differ', () => {
    expect(sameProviderContent(fresh, stored)).toBe(true);
  });

  it.each<[string, (f: AwsSecurityFinding) => AwsSecurityFinding]>([
    ['the description', (f) => ({ ...f, Description: 'sg-1 allows tcp 22 from ::/0.' })],
    ['the title', (f) => ({ ...f, Title: 'SSH open to the world' })],
    ['the provider severity', (f) => ({ ...f, FindingProviderFields: { ...f.FindingProviderFields, Severity: { Label: 'CRITICAL', Original: 'CRITICAL' } } })],
    ['a resource added', (f) => ({ ...f, Resources: [...(f.Resources ?? []), { Type: 'AwsEc2SecurityGroup', Id: 'arn:aws:ec2:::security-group/sg-2' }] })],
    ['a resource detail', (f) => ({ ...f, Resources: (f.Resources ?? []).map((r, i) => (i === 0 ? { ...r, Details: { Other: { ClusterId: 'j-ABC', Name: 'renamed' } } } : r)) })],
    ['a product field of ours', (f) => ({ ...f, ProductFields: { ...f.ProductFields, 'emr-audit/ClusterName': 'etl' } })],
    ['the compliance status', (f) => ({ ...f, Compliance: { Status: 'PASSED' } })],
    ['the remediation link', (f) => ({ ...f, Remediation: { Recommendation: { Text: 'Remove the rule.', Url: 'https://docs.aws.amazon.com/emr/latest/' } } })],
  ])('differs when %s changes', (_what, change) => {
    expect(sameProviderContent(change(fresh), stored)).toBe(false);
  });

  it('reads a field that is absent, null or empty as the same', () => {
    expect(sameProviderContent({ ...fresh, Network: undefined }, { ...stored, Network: {} })).toBe(true);
  });
});

describe('import reason (rule 14)', () => {
  it('sends a finding Security Hub does not hold ACTIVE', () => {
    expect(importReason(fresh, undefined, T0)).toBe('new');
    expect(importReason(fresh, { ...stored, RecordState: 'ARCHIVED' }, T0 + HOUR)).toBe('new');
  });

  it('sends a changed finding at once, whatever its age', () => {
    expect(importReason({ ...fresh, Description: 'now also ::/0' }, stored, T0 + 1)).toBe('changed');
  });

  it('leaves an unchanged finding alone until its refresh, then refreshes it', () => {
    const due = slotAtOrAfter(ID, T0 + 18 * HOUR);
    expect(importReason(fresh, stored, T0 + 6 * HOUR)).toBeUndefined();
    expect(importReason(fresh, stored, Math.max(due, T0 + MIN_REFRESH_INTERVAL_MS) - 1)).toBeUndefined();
    expect(importReason(fresh, stored, Math.max(due, T0 + MIN_REFRESH_INTERVAL_MS))).toBe('refresh');
  });

  it('refreshes a finding whose stored UpdatedAt cannot be read (fail safe)', () => {
    expect(refreshDue(ID, undefined, T0)).toBe(true);
    expect(refreshDue(ID, 'yesterday', T0)).toBe(true);
  });
});

describe('refresh slot', () => {
  it('never refreshes sooner than 24 h after the last import, and at most 48 h after it', () => {
    for (let i = 0; i < 200; i += 1) {
      const id = `${ID}-${i}`;
      const first = [...Array(49).keys()].map((h) => T0 + h * HOUR).find((t) => refreshDue(id, iso(T0), t));
      expect(first).toBeDefined();
      expect((first ?? 0) - T0).toBeGreaterThanOrEqual(MIN_REFRESH_INTERVAL_MS);
      expect((first ?? 0) - T0).toBeLessThanOrEqual(48 * HOUR);
    }
  });

  it('keeps a finding on its 30-hour cycle through a schedule that jitters by minutes', () => {
    const id = `${ID}-cycle`;
    let last = T0;
    const refreshes: number[] = [];
    for (let run = 1; run <= 40; run += 1) {
      const now = T0 + run * 6 * HOUR + (run % 2 === 0 ? -4 : 3) * 60_000;
      if (refreshDue(id, iso(last), now)) {
        refreshes.push(now);
        last = now;
      }
    }
    const gaps = refreshes.slice(1).map((t, i) => (t - (refreshes[i] ?? 0)) / HOUR);
    expect(refreshes.length).toBeGreaterThanOrEqual(7);
    for (const gap of gaps) expect(Math.abs(gap - REFRESH_CYCLE_MS / HOUR)).toBeLessThan(1);
  });

  it('spreads findings imported together over the five 6-hour runs of a cycle', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `emr-audit/${REGION}/${ACCOUNT}/logging/no-log-uri/j-${String(i).padStart(12, '0')}`);
    const perQuarter = [0, 0, 0, 0, 0];
    for (const id of ids) {
      const slot = slotOfCycle(id);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(REFRESH_CYCLE_MS);
      const quarter = Math.floor(slot / (6 * HOUR));
      perQuarter[quarter] = (perQuarter[quarter] ?? 0) + 1;
    }
    for (const n of perQuarter) expect(n / ids.length).toBeGreaterThan(0.15);
    for (const n of perQuarter) expect(n / ids.length).toBeLessThan(0.25);
  });
});
