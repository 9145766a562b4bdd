/**
 * STUB (collectors helper): collect the snapshot of the requested regions/clusters.
 */
import type { Check } from '../../checks/contract.js';
import type { AwsClients } from '../aws/clients.js';
import type { Settings } from '../settings.js';
import type { Snapshot } from '../snapshot.js';

export interface CollectProgress {
  region: string;
  /** e.g. 'clusters', 'security-groups', 'iam', 'ssm', 'done'. */
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

/** IAM actions the collectors need whatever checks run (the Lambda role adds the checks' own). */
export const COLLECTOR_BASE_PERMISSIONS: readonly string[] = ['elasticmapreduce:ListClusters', 'elasticmapreduce:DescribeCluster'];

/** Thrown when the audit cannot run at all (no credentials: STS failed). */
export class AuditUnavailableError extends Error {
  override name = 'AuditUnavailableError';
}

export function collectSnapshot(_options: CollectOptions): Promise<Snapshot> {
  return Promise.reject(new Error('not implemented'));
}
