import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../../lib/collect/iam.js';

describe('parsePolicyDocument', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Data', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::my bucket/é/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }],
  };

  it('decodes the URL-encoded documents IAM returns', () => {
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual({ ok: true, document: doc });
  });

  it('accepts a document that was not encoded', () => {
    expect(parsePolicyDocument(JSON.stringify(doc))).toEqual({ ok: true, document: doc });
  });

  it('accepts a single Statement object', () => {
    const single = { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(single)))).toEqual({ ok: true, document: single });
  });

  it.each([
    ['no document', undefined, /no policy document/],
    ['broken URL encoding', '%E0%A4%A', /not valid URL-encoded/],
    ['invalid JSON', encodeURIComponent('{"Statement": ['), /not valid JSON/],
    ['no Statement', encodeURIComponent('{"Version":"2012-10-17"}'), /no Statement/],
  ])('rejects %s with a reason', (_label, raw, reason) => {
    const r = parsePolicyDocument(raw);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});
