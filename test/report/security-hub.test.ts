import { SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { productArn } from '../../lib/report/asff.js';
import { MAX_BATCH_BYTES, backoffMs, batches, errorInfo, isRetryable, isUnavailable, readActiveFindings } from '../../lib/report/security-hub.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { ACCOUNT, REGION } from '../helpers/fixtures.js';

const finding = (i: number, descriptionBytes = 10): { Id: string; Description: string } => ({ Id: `f-${i}`, Description: 'd'.repeat(descriptionBytes) });

describe('batches', () => {
  it('cuts at 100 findings', () => {
    expect(batches(Array.from({ length: 250 }, (_, i) => finding(i))).map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches([])).toEqual([]);
  });

  it('cuts before a batch would exceed the byte limit, keeping the order', () => {
    const items = Array.from({ length: 5 }, (_, i) => finding(i, 400));
    const size = Buffer.byteLength(JSON.stringify(items[0])) + 1;
    const out = batches(items, 100, size * 2);
    expect(out.map((b) => b.map((f) => f.Id))).toEqual([['f-0', 'f-1'], ['f-2', 'f-3'], ['f-4']]);
  });

  it('splits 120 findings of 60 KB into calls under 6 MB each', () => {
    const big = Array.from({ length: 120 }, (_, i) => finding(i, 60_000));
    const out = batches(big);
    for (const b of out) expect(b.reduce((n, f) => n + Buffer.byteLength(JSON.stringify(f)) + 1, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(out.flat()).toHaveLength(120);
    expect(out.length).toBeGreaterThan(1);
  });
});

describe('error classification', () => {
  it('retries throttling and server errors, never invalid input', () => {
    expect(isRetryable('LimitExceededException')).toBe(true);
    expect(isRetryable('InternalException')).toBe(true);
    expect(isRetryable('ThrottlingException')).toBe(true);
    expect(isRetryable('InvalidInput')).toBe(false);
    expect(isRetryable('InvalidInputException', 400)).toBe(false);
    expect(isRetryable('Unknown', 503)).toBe(true);
    expect(isRetryable('Unknown', 429)).toBe(true);
  });

  it('treats InvalidAccess and AccessDenied as the region refusing imports', () => {
    expect(isUnavailable('InvalidAccessException')).toBe(true);
    expect(isUnavailable('InvalidAccess')).toBe(true);
    expect(isUnavailable('AccessDeniedException')).toBe(true);
    expect(isUnavailable('InvalidInput')).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
  });

  it('reads code, message and status from SDK errors', () => {
    const e = Object.assign(new Error('slow down'), { name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
    expect(errorInfo(e)).toEqual({ code: 'LimitExceededException', message: 'slow down', status: 429 });
    expect(errorInfo('boom')).toEqual({ code: 'Error', message: 'boom' });
  });

  it('backs off exponentially up to 5 seconds', () => {
    expect([0, 1, 2, 3, 10].map(backoffMs)).toEqual([200, 400, 800, 1600, 5000]);
  });
});

describe('readActiveFindings', () => {
  const stored = (cluster: string, state: 'ACTIVE' | 'ARCHIVED' = 'ACTIVE'): AwsSecurityFinding => ({
    SchemaVersion: '2018-10-08',
    Id: `emr-audit/${REGION}/${ACCOUNT}/logging/no-log-uri/${cluster}`,
    ProductArn: productArn('aws', REGION, ACCOUNT),
    GeneratorId: 'emr-audit/logging/no-log-uri',
    AwsAccountId: ACCOUNT,
    CreatedAt: '2026-11-01T00:00:00.000Z',
    UpdatedAt: '2026-11-01T00:00:00.000Z',
    Title: 't',
    Description: 'd',
    FindingProviderFields: { Severity: { Label: 'LOW' }, Types: ['Software and Configuration Checks/AWS Security Best Practices'] },
    RecordState: state,
    Resources: [{ Type: 'Other', Id: arn(cluster) }],
  });
  const arn = (cluster: string): string => `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/${cluster}`;
  const clusters = Array.from({ length: 30 }, (_, i) => `j-C${String(i).padStart(10, '0')}`);

  it('reads the whole region without resource ids, and only the named resources\' ACTIVE findings with them, 20 values a call', async () => {
    const hub = new FakeSecurityHub();
    try {
      for (const c of clusters) hub.seed(REGION, stored(c));
      hub.seed(REGION, stored('j-ARCHIVED0001', 'ARCHIVED'));
      const target = { client: new SecurityHubClient({ region: REGION }), region: REGION, accountId: ACCOUNT, productArn: productArn('aws', REGION, ACCOUNT) };
      expect(await readActiveFindings(target)).toHaveLength(30);
      expect(hub.getCalls(REGION).at(-1)?.input.Filters?.ResourceId).toBeUndefined();

      const before = hub.getCalls(REGION).length;
      const wanted = [...clusters.slice(0, 25).map(arn), arn(clusters[0] ?? ''), arn('j-ARCHIVED0001')];
      const found = await readActiveFindings(target, wanted);
      expect(found.map((f) => f.Id).sort()).toEqual(clusters.slice(0, 25).map((c) => stored(c).Id).sort());
      const calls = hub.getCalls(REGION).slice(before);
      expect(calls.map((c) => c.input.Filters?.ResourceId?.length)).toEqual([20, 6]);
    } finally {
      hub.restore();
    }
  });
});
