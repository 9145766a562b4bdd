/**
 * Collect the snapshot of the requested regions/clusters: read-only AWS calls, paged to the end,
 * deduplicated and batched, bounded per API, with every failure recorded on the resource it
 * concerns. Regions run in parallel; one failing never stops the others. Only the account id is
 * indispensable: without it (no credentials) the audit cannot run at all.
 *
 * Rate limits (docs/api-calls.md has the same with links): every call is
 * paced client-side (./pacing.ts) to the documented default quotas (./quotas.ts, with sources) —
 * a token bucket per API and Region, plus the account-wide bucket EMR applies over all its
 * operations (25 / 5 per s), and one assumed bucket for all IAM reads of the account — scaled
 * by the `rateMultiplier` setting. The audit thus stays under the quotas instead of being
 * throttled, which would also throttle every other workload sharing those buckets. The SDK's
 * adaptive retry (`maxAttempts` 10) remains the safety net for tokens other callers spend. The
 * binding quota is EMR ListInstances (10 burst, 0.5 per s): one call per cluster (per 50 live
 * instances), so a run over N clusters needs about 2·N seconds; work is pipelined per cluster
 * (./region.ts) so that nothing else adds to that, and a run that meets its deadline starts the
 * next run elsewhere in the list (./rotation.ts). `apiConcurrency` still bounds calls in flight per
 * API and Region. The deadline aborts token waits and back-offs still pending. A warm scheduled
 * run takes only a share of the account-wide EMR bucket (./headroom.ts), as long as its EMR work fits.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Check } from '../../checks/contract.js';
import type { AwsClients } from '../aws/clients.js';
import type { Clock } from '../clock.js';
import type { Settings } from '../settings.js';
import { emptyRegion, SNAPSHOT_SCHEMA_VERSION, type RegionSnapshot, type Snapshot } from '../snapshot.js';
import type { RegionState } from '../state/schema.js';
import { CallRunner, failureOf } from './calls.js';
import type { RunKind } from './headroom.js';
import { IamCollector } from './iam.js';
import { dataNeeds } from './needs.js';
import { Pacer } from './pacing.js';
import { collectRegion } from './region.js';

export { COLLECTOR_BASE_PERMISSIONS, collectionPermissions, dataNeeds, type DataNeeds } from './needs.js';
export { clearPolicyVersionCache } from './iam.js';
export { TIME_BUDGET_EXCEEDED } from './calls.js';
export { headroomText, type RunKind } from './headroom.js';

export interface CollectProgress {
  region: string;
  /** 'emr-headroom', 'clusters', 'describe', 'instances', 'security-groups', 'security-configurations', 'iam', 'ec2-instances', 'ssm', 'vpc', 'done'. */
  phase: string;
  detail?: string;
}

export interface CollectOptions {
  regions: string[];
  /** Restrict to these clusters (still listed by ListClusters, only these are described). */
  clusterIds?: string[];
  /** Collect no cluster, only the account-level data (a change audit of an account setting). */
  accountOnly?: boolean;
  /** The checks to be run: only the data their `permissions` need is collected. Default: all data. */
  checks?: readonly Check[];
  settings: Settings;
  clients: AwsClients;
  /** Known account id (Lambda: from the function ARN); otherwise STS GetCallerIdentity. */
  accountId?: string;
  /** Epoch ms of `clock` after which no new work starts; unfinished work is recorded as TimeBudgetExceeded errors. */
  deadline?: number;
  onProgress?: (p: CollectProgress) => void;
  /** The run's clock (deadline, pacing): the entry point's, never a second one. */
  clock: Clock;
  /** The run's start time (snapshot.collectedAt); default: the clock's now. */
  now?: Date;
  /** Each region's state from the previous run (lib/state/): clusters it knows are not described again. */
  states?: ReadonlyMap<string, RegionState>;
  /**
   * What kind of run asks (its trigger, whether it continues another): a warm scheduled or CLI
   * run leaves most of the account's EMR budget to other clients (./headroom.ts). Absent: full pace.
   */
  run?: RunKind;
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

/** The account of the credentials (STS); throws AuditUnavailableError without them. */
export function resolveAccountId(clients: AwsClients): Promise<string> {
  return callerAccount(clients);
}

export async function collectSnapshot(options: CollectOptions): Promise<Snapshot> {
  const startedAt = options.now ?? new Date(options.clock.now());
  const collectedAt = startedAt.toISOString();
  const accountId = options.accountId ?? (await callerAccount(options.clients));
  const needs = dataNeeds(options.checks);
  const calls = new CallRunner({
    concurrency: options.settings.apiConcurrency,
    clock: options.clock,
    pacer: new Pacer({ clock: options.clock, multiplier: options.settings.rateMultiplier }),
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
  });
  const iam = new IamCollector(options.clients.iam, calls);
  const clusterIds = options.accountOnly ? new Set<string>() : options.clusterIds && options.clusterIds.length > 0 ? new Set(options.clusterIds) : undefined;
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
        const state = options.states?.get(region);
        try {
          return await collectRegion({
            ...(state ? { state } : {}),
            ctx: { region, clients: options.clients.forRegion(region), calls },
            needs,
            iam,
            ...(clusterIds ? { clusterIds } : {}),
            progress,
            startedAt: startedAt.getTime(),
            ...(options.run ? { kind: options.run } : {}),
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
