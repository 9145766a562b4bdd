import { describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, backoffMs, batches, errorInfo, isRetryable, isUnavailable } from '../../lib/report/security-hub.js';

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
