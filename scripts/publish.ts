/**
 * Publish the versioned code zip for the StackSet template: upload dist/emr-audit-<version>.zip to
 * the bucket `<prefix>-<region>` of every Region the StackSet deploys to (the template reads its
 * code from `${CodeBucketPrefix}-${AWS::Region}`), then print the bucket policy that lets the
 * organization's accounts read it.
 *   npm run package
 *   npm run publish -- --bucket-prefix P --regions eu-west-1,us-east-1 [--profile NAME] [--org-id o-…] [--overwrite]
 * A version's key is never silently replaced: an object already there with the same SHA-256 is
 * left as it is, a different one is refused unless --overwrite (stacks already deployed would not
 * notice the change, and new ones would run other code under the same version).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ROOT } from './build.js';
import { packageVersion } from './stackset.js';
import { codeKeyFor } from './stackset/parameters.js';

export const ORG_ID_PLACEHOLDER = 'o-exampleorgid';
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface PublishOptions {
  bucketPrefix: string;
  regions: string[];
  profile?: string;
  orgId?: string;
  overwrite: boolean;
}

const USAGE = 'usage: npm run publish -- --bucket-prefix PREFIX --regions REGION[,REGION…] [--profile NAME] [--org-id o-…] [--overwrite]';

export function parseArgs(argv: readonly string[]): PublishOptions {
  const values = new Map<string, string>();
  let overwrite = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--overwrite') {
      overwrite = true;
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!['--bucket-prefix', '--regions', '--profile', '--org-id'].includes(flag)) throw new UsageError(`unknown option ${arg}\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value\n${USAGE}`);
    values.set(flag, value);
  }
  const bucketPrefix = values.get('--bucket-prefix');
  const regionList = values.get('--regions');
  if (!bucketPrefix || !regionList) throw new UsageError(`--bucket-prefix and --regions are required\n${USAGE}`);
  const regions = [...new Set(regionList.split(',').map((r) => r.trim()).filter(Boolean))];
  const badRegion = regions.find((r) => !REGION.test(r));
  if (regions.length === 0 || badRegion !== undefined) throw new UsageError(`--regions: "${badRegion ?? regionList}" is not an AWS Region name (e.g. eu-west-1)`);
  const badBucket = regions.map((r) => bucketName(bucketPrefix, r)).find((b) => !BUCKET.test(b) || b.length > 63);
  if (badBucket) throw new UsageError(`--bucket-prefix: "${badBucket}" is not a valid S3 bucket name`);
  const orgId = values.get('--org-id');
  if (orgId !== undefined && !ORG_ID.test(orgId)) throw new UsageError(`--org-id: "${orgId}" is not an organization id (o- and 10 to 32 lowercase letters or digits)`);
  return { bucketPrefix, regions, profile: values.get('--profile'), orgId, overwrite };
}

export function bucketName(prefix: string, region: string): string {
  return `${prefix}-${region}`;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Read access to emr-audit's code zips for every principal of the organization, and no one else. */
export function bucketPolicy(bucket: string, region: string, orgId: string = ORG_ID_PLACEHOLDER): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrganizationReadsEmrAuditCode',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:${partitionOf(region)}:s3:::${bucket}/emr-audit-*.zip`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
      },
    ],
  };
}

export type RegionResult = { region: string; bucket: string } & ({ status: 'uploaded' | 'unchanged' } | { status: 'failed'; error: string });

/** What went wrong, in the operator's terms, with the Region and bucket named. */
function explain(e: unknown, region: string, bucket: string, key: string): string {
  const where = `${region}: s3://${bucket}`;
  const name = e instanceof S3ServiceException || e instanceof Error ? e.name : 'Error';
  switch (name) {
    case 'NoSuchBucket':
      return `${where} does not exist: create it in ${region} (aws s3 mb s3://${bucket} --region ${region})`;
    case 'AccessDenied':
    case 'Forbidden':
      return `${where}: access denied: the caller needs s3:GetObject and s3:PutObject on arn:${partitionOf(region)}:s3:::${bucket}/${key}`;
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return `${where} is not in ${region}: each Region's stacks read <prefix>-<their Region>`;
    default:
      return `${where}: ${name}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export interface PublishDeps {
  clientFor: (region: string) => S3Client;
}

/** Upload `body` as `key` to the bucket of every Region, concurrently; never throws for one Region. */
export async function publish(options: PublishOptions, artefact: { key: string; body: Uint8Array }, deps: PublishDeps): Promise<RegionResult[]> {
  const checksum = createHash('sha256').update(artefact.body).digest('base64');
  return Promise.all(
    options.regions.map(async (region): Promise<RegionResult> => {
      const bucket = bucketName(options.bucketPrefix, region);
      const client = deps.clientFor(region);
      try {
        const existing = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: artefact.key, ChecksumMode: 'ENABLED' })).catch((e: unknown) => {
          // A missing object is the usual case; a missing bucket shows up as NoSuchBucket on the upload.
          if (e instanceof S3ServiceException && (e.name === 'NotFound' || e.$metadata.httpStatusCode === 404)) return undefined;
          throw e;
        });
        if (existing && existing.ChecksumSHA256 === checksum) return { region, bucket, status: 'unchanged' };
        if (existing && !options.overwrite) {
          return { region, bucket, status: 'failed', error: `${region}: s3://${bucket}/${artefact.key} already holds other code for this version: bump the version, or pass --overwrite` };
        }
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: artefact.key, Body: artefact.body, ContentType: 'application/zip', ChecksumSHA256: checksum }));
        return { region, bucket, status: 'uploaded' };
      } catch (e) {
        return { region, bucket, status: 'failed', error: explain(e, region, bucket, artefact.key) };
      }
    }),
  );
}

/** The report: one line per Region, then the bucket policies (or what to fix). */
export function report(results: readonly RegionResult[], key: string, options: PublishOptions): string {
  const lines = results.map((r) => (r.status === 'failed' ? `✗ ${r.error}` : `✓ ${r.region}: s3://${r.bucket}/${key} ${r.status}`));
  const ok = results.filter((r) => r.status !== 'failed');
  if (ok.length > 0) {
    lines.push('', `Bucket policy for each bucket (aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json)${options.orgId ? '' : `; replace ${ORG_ID_PLACEHOLDER} by your organization id (aws organizations describe-organization), or pass --org-id`}:`);
    for (const r of ok) lines.push('', `# ${r.bucket}`, JSON.stringify(bucketPolicy(r.bucket, r.region, options.orgId), null, 2));
    lines.push('', `Then deploy or update the StackSet with CodeBucketPrefix=${options.bucketPrefix} CodeKey=${key} (docs/organization.md).`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  // The SDK's default credential chain reads AWS_PROFILE: one place decides the credentials.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const key = codeKeyFor(await packageVersion(ROOT));
  const file = join(ROOT, 'dist', key);
  const body = await readFile(file).catch(() => {
    throw new UsageError(`${relative(ROOT, file)} not found: run npm run package first`);
  });
  const results = await publish(options, { key, body }, { clientFor: (region) => new S3Client({ region }) });
  console.log(report(results, key, options));
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`publish: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = e instanceof UsageError ? 2 : 1;
    },
  );
}
