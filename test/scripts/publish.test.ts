import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bucketPolicy, parseArgs, publish, report, UsageError, type PublishOptions } from '../../scripts/publish.js';

const s3 = mockClient(S3Client);
const BODY = new TextEncoder().encode('zip bytes');
const SHA = createHash('sha256').update(BODY).digest('base64');
const KEY = 'emr-audit-1.2.3.zip';
const ARTEFACT = { key: KEY, body: BODY };

const options = (o: Partial<PublishOptions> = {}): PublishOptions => ({ bucketPrefix: 'acme-sec', regions: ['eu-west-1', 'us-east-1'], overwrite: false, ...o });
const clients = new Map<string, S3Client>();
const deps = { clientFor: (region: string) => clients.get(region) ?? clients.set(region, new S3Client({ region, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } })).get(region)! };

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: `${name} (test)` });
}

beforeEach(() => {
  s3.reset();
  clients.clear();
  s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
  s3.on(PutObjectCommand).resolves({});
});
afterEach(() => s3.reset());

describe('publish', () => {
  it('uploads the versioned zip to <prefix>-<region> in every Region, with its SHA-256', async () => {
    const results = await publish(options(), ARTEFACT, deps);
    expect(results).toEqual([
      { region: 'eu-west-1', bucket: 'acme-sec-eu-west-1', status: 'uploaded' },
      { region: 'us-east-1', bucket: 'acme-sec-us-east-1', status: 'uploaded' },
    ]);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Bucket).sort()).toEqual(['acme-sec-eu-west-1', 'acme-sec-us-east-1']);
    for (const p of puts) expect(p).toMatchObject({ Key: KEY, Body: BODY, ContentType: 'application/zip', ChecksumSHA256: SHA });
    // Each bucket through the client of its own Region.
    expect(await clients.get('eu-west-1')!.config.region()).toBe('eu-west-1');
  });

  it('names the Region and the bucket when the bucket is missing, and still uploads the others', async () => {
    s3.on(PutObjectCommand, { Bucket: 'acme-sec-us-east-1' }).rejects(s3Error('NoSuchBucket', 404));
    const results = await publish(options(), ARTEFACT, deps);
    expect(results[0]).toMatchObject({ region: 'eu-west-1', status: 'uploaded' });
    expect(results[1]).toEqual({
      region: 'us-east-1',
      bucket: 'acme-sec-us-east-1',
      status: 'failed',
      error: 'us-east-1: s3://acme-sec-us-east-1 does not exist: create it in us-east-1 (aws s3 mb s3://acme-sec-us-east-1 --region us-east-1)',
    });
  });

  it('explains AccessDenied with the permissions needed', async () => {
    s3.on(HeadObjectCommand, { Bucket: 'acme-sec-eu-west-1' }).rejects(s3Error('Forbidden', 403));
    s3.on(PutObjectCommand, { Bucket: 'acme-sec-us-east-1' }).rejects(s3Error('AccessDenied', 403));
    const results = await publish(options(), ARTEFACT, deps);
    expect(results.map((r) => (r.status === 'failed' ? r.error : r.status))).toEqual([
      `eu-west-1: s3://acme-sec-eu-west-1: access denied: the caller needs s3:GetObject and s3:PutObject on arn:aws:s3:::acme-sec-eu-west-1/${KEY}`,
      `us-east-1: s3://acme-sec-us-east-1: access denied: the caller needs s3:GetObject and s3:PutObject on arn:aws:s3:::acme-sec-us-east-1/${KEY}`,
    ]);
  });

  it('says when a bucket is in another Region', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PermanentRedirect', 301));
    const [result] = await publish(options({ regions: ['eu-west-1'] }), ARTEFACT, deps);
    expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/^eu-west-1: s3:\/\/acme-sec-eu-west-1 is not in eu-west-1/) as unknown });
  });

  it('leaves an identical object alone and refuses to replace different code of the same version unless told', async () => {
    s3.on(HeadObjectCommand, { Bucket: 'acme-sec-eu-west-1' }).resolves({ ChecksumSHA256: SHA });
    s3.on(HeadObjectCommand, { Bucket: 'acme-sec-us-east-1' }).resolves({ ChecksumSHA256: 'other' });
    const results = await publish(options(), ARTEFACT, deps);
    expect(results.map((r) => r.status)).toEqual(['unchanged', 'failed']);
    expect(results[1]).toMatchObject({ error: expect.stringContaining('already holds other code for this version') as unknown });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);

    const forced = await publish(options({ overwrite: true }), ARTEFACT, deps);
    expect(forced.map((r) => r.status)).toEqual(['unchanged', 'uploaded']);
  });
});

describe('the bucket policy', () => {
  it('grants s3:GetObject on the code zips to principals of the organization only', () => {
    expect(bucketPolicy('acme-sec-eu-west-1', 'eu-west-1', 'o-a1b2c3d4e5')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrganizationReadsEmrAuditCode',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-sec-eu-west-1/emr-audit-*.zip',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ],
    });
    expect(JSON.stringify(bucketPolicy('b-cn-north-1', 'cn-north-1'))).toContain('arn:aws-cn:s3:::b-cn-north-1/');
  });

  it('is printed for every bucket that holds the code, with a placeholder without --org-id', () => {
    const text = report(
      [
        { region: 'eu-west-1', bucket: 'acme-sec-eu-west-1', status: 'uploaded' },
        { region: 'us-east-1', bucket: 'acme-sec-us-east-1', status: 'failed', error: 'us-east-1: nope' },
      ],
      KEY,
      options(),
    );
    expect(text).toContain(`✓ eu-west-1: s3://acme-sec-eu-west-1/${KEY} uploaded`);
    expect(text).toContain('✗ us-east-1: nope');
    expect(text).toContain('# acme-sec-eu-west-1');
    expect(text).not.toContain('# acme-sec-us-east-1');
    expect(text).toContain('"aws:PrincipalOrgID": "o-exampleorgid"');
    expect(text).toContain(`CodeBucketPrefix=acme-sec CodeKey=${KEY}`);
  });
});

describe('the command line', () => {
  it('reads the prefix, Regions, profile and organization id', () => {
    expect(parseArgs(['--bucket-prefix', 'acme-sec', '--regions', 'eu-west-1, us-east-1,eu-west-1', '--profile', 'sec', '--org-id=o-a1b2c3d4e5'])).toEqual({
      bucketPrefix: 'acme-sec',
      regions: ['eu-west-1', 'us-east-1'],
      profile: 'sec',
      orgId: 'o-a1b2c3d4e5',
      overwrite: false,
    });
  });

  it.each([
    [[], /are required/],
    [['--bucket-prefix', 'acme'], /are required/],
    [['--bucket-prefix', 'acme', '--regions', 'europe'], /"europe" is not an AWS Region name/],
    [['--bucket-prefix', 'Acme_Sec', '--regions', 'eu-west-1'], /"Acme_Sec-eu-west-1" is not a valid S3 bucket name/],
    [['--bucket-prefix', 'acme', '--regions', 'eu-west-1', '--org-id', '123'], /not an organization id/],
    [['--bucket-prefix', '--regions', 'eu-west-1'], /--bucket-prefix needs a value/],
    [['--bucket', 'acme'], /unknown option --bucket/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
