/**
 * Collect the snapshot of the requested regions/clusters: read-only AWS calls, paged to the end,
 * deduplicated and batched, bounded per API, with every failure recorded on the resource it
 * concerns. Regions run in parallel; one failing never stops the others. Only the account id is
 * indispensable: without it (no credentials) the audit cannot run at all.
 *
 * Rate-limit assumptions (the README's "API calls and throttling" has the same with links):
 * - EMR throttles per account, Region and API with token buckets (a burst, then a refill rate;
 *   e.g. AddInstanceFleet 5 burst / 0.5 per s), plus account-level buckets for all EMR operations
 *   ("What are Amazon EMR Service Quotas" and "How to manage Amazon EMR Service Quotas", EMR
 *   Management Guide; per-API defaults in "Amazon EMR endpoints and quotas", General Reference).
 * - EC2 throttles per account, Region and API with token buckets; a non-mutating action such as
 *   DescribeHosts gets 100 tokens refilled at 20/s ("Request throttling for the Amazon EC2 API").
 * - IAM and STS rate limits are per account (IAM is global, so shared by every Region and every
 *   other IAM caller of the account) and cannot be raised ("How do I resolve API throttling or
 *   'Rate exceeded' errors for IAM and AWS STS?", AWS re:Post knowledge center). Hence one queue
 *   per IAM API for the whole run and each distinct IAM object fetched once per run.
 * - Systems Manager throttles per account and Region; no per-API figure for
 *   DescribeInstanceInformation or GetServiceSetting was found, so we rely on batching (50 ids per
 *   call) and adaptive retry.
 * Hence the defaults: `apiConcurrency` 4 calls in flight per API and Region (IAM: per API for the
 * whole account). The per-cluster volume is on EMR (DescribeCluster, ListInstances,
 * ListInstanceGroups), whose buckets the SDK's adaptive retry mode (client-side rate limiting once
 * throttled, `maxAttempts` 10) adapts to instead of failing; EC2 and SSM see a few batched calls
 * per Region, well within a 100-token burst; IAM sees one call per distinct object. The deadline
 * aborts back-offs still pending.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Check } from '../../checks/contract.js';
import type { AwsClients } from '../aws/clients.js';
import type { Settings } from '../settings.js';
import { emptyRegion, SNAPSHOT_SCHEMA_VERSION, type RegionSnapshot, type Snapshot } from '../snapshot.js';
import { CallRunner, failureOf } from './calls.js';
import { IamCollector } from './iam.js';
import { dataNeeds } from './needs.js';
import { collectRegion } from './region.js';

export { COLLECTOR_BASE_PERMISSIONS, collectionPermissions, dataNeeds, type DataNeeds } from './needs.js';
export { clearPolicyVersionCache } from './iam.js';
export { TIME_BUDGET_EXCEEDED } from './calls.js';

export interface CollectProgress {
  region: string;
  /** 'clusters', 'describe', 'instances', 'security-groups', 'security-configurations', 'iam', 'ec2-instances', 'ssm', 'done'. */
  phase: string;
  detail?: string;
}

export interface CollectOptions {
  regions: string[];
  /** Restrict to these clusters (still listed by ListClusters, only these are described). */
  clusterIds?: string[];
  /** The checks to be run: only the data their `permissions` need is collected. Default: all data. */
  checks?: readonly Check[];
  settings: Settings;
  clients: AwsClients;
  /** Known account id (Lambda: from the function ARN); otherwise STS GetCallerIdentity. */
  accountId?: string;
  /** Epoch ms after which no new work starts; unfinished work is recorded as TimeBudgetExceeded errors. */
  deadline?: number;
  onProgress?: (p: CollectProgress) => void;
  /** The run's start time (snapshot.collectedAt). */
  now?: Date;
}

/** Thrown when the audit cannot run at all (no credentials: STS failed). */
export class AuditUnavailableError extends Error {
  override name = 'AuditUnavailableError';
}

/** The partition a region belongs to (ARNs of its resources use it). */
export function partitionOf(region: string | undefined): string {
  if (!region) return 'aws';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

async function callerAccount(clients: AwsClients): Promise<string> {
  try {
    const out = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (out.Account) return out.Account;
    throw new AuditUnavailableError('sts:GetCallerIdentity returned no account id.');
  } catch (e) {
    if (e instanceof AuditUnavailableError) throw e;
    const f = failureOf('sts:GetCallerIdentity', e);
    throw new AuditUnavailableError(`Cannot identify the AWS account (${f.api} ${f.code}: ${f.message}). Check the AWS credentials and region.`, { cause: e });
  }
}

export async function collectSnapshot(options: CollectOptions): Promise<Snapshot> {
  const collectedAt = (options.now ?? new Date()).toISOString();
  const accountId = options.accountId ?? (await callerAccount(options.clients));
  const needs = dataNeeds(options.checks);
  const calls = new CallRunner({ concurrency: options.settings.apiConcurrency, ...(options.deadline !== undefined ? { deadline: options.deadline } : {}) });
  const iam = new IamCollector(options.clients.iam, calls);
  const clusterIds = options.clusterIds && options.clusterIds.length > 0 ? new Set(options.clusterIds) : undefined;
  const regionNames = [...new Set(options.regions)];

  try {
    const regions = await Promise.all(
      regionNames.map(async (region): Promise<RegionSnapshot> => {
        const progress = (phase: string, detail?: string): void => {
          try {
            options.onProgress?.(detail === undefined ? { region, phase } : { region, phase, detail });
          } catch {
            // A progress display must never break the audit.
          }
        };
        try {
          return await collectRegion({
            ctx: { region, clients: options.clients.forRegion(region), calls },
            needs,
            iam,
            ...(clusterIds ? { clusterIds } : {}),
            progress,
          });
        } catch (e) {
          // A bug or an unexpected client error in one region must not cost the others.
          const snap = emptyRegion(region);
          const f = failureOf('collect', e);
          snap.errors.push({ kind: 'region', resourceId: region, api: f.api, code: f.code, message: f.message });
          progress('done', 'the region could not be collected');
          return snap;
        }
      }),
    );
    return {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      collectedAt,
      accountId,
      partition: partitionOf(regionNames[0]),
      scope: clusterIds ? { clusterIds: [...clusterIds] } : {},
      regions,
    };
  } finally {
    calls.close();
  }
}
