/**
 * One audit run: collect (or load) the snapshot, evaluate it, and optionally publish. Shared by the
 * Lambda handler and the CLI so both behave the same.
 */
import type { Check, Result } from '../checks/contract.js';
import { dateOf, type Clock } from './clock.js';
import { evaluateSnapshot } from './evaluate.js';
import type { AuditRequest } from './request.js';
import type { Settings } from './settings.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './snapshot.js';

export interface PublishSummary {
  imported: number;
  archived: number;
  failed: number;
  /** One line per problem (Security Hub disabled in a region, rejected findings…). */
  errors: string[];
  /**
   * `audit/evaluation-incomplete` findings ACTIVE after the synchronisation: this run's gaps and the
   * stored ones it could not close (out of its scope, or their checks still not evaluated).
   */
  openGaps?: number;
}

export interface AuditDeps {
  settings: Settings;
  checks: readonly Check[];
  /** Produces the snapshot for the request (collectors, or a saved file). */
  loadSnapshot: (request: AuditRequest) => Promise<Snapshot>;
  /** Synchronises Security Hub; omitted or skipped on dry runs. */
  publish?: (input: { snapshot: Snapshot; results: Result[]; request: AuditRequest; now: Date }) => Promise<PublishSummary>;
  /** The run's clock (the entry point's). */
  clock: Clock;
}

export interface AuditOutcome {
  snapshot: Snapshot;
  results: Result[];
  startedAt: Date;
  finishedAt: Date;
  /** Undefined when nothing was published (dry run, CLI without --publish). */
  published?: PublishSummary;
}

export async function runAudit(request: AuditRequest, deps: AuditDeps): Promise<AuditOutcome> {
  const startedAt = dateOf(deps.clock);
  const snapshot = await deps.loadSnapshot(request);
  const results = evaluateSnapshot(snapshot, {
    checks: deps.checks,
    settings: deps.settings,
    // The snapshot's collectedAt is "now" for the checks: a saved snapshot evaluates as it did then.
    ...(request.checks ? { checkIds: request.checks } : {}),
    ...(request.clusterIds ? { clusterIds: request.clusterIds } : {}),
    // Suppression rules expire against the run's clock, not the snapshot's.
    runAt: startedAt,
  });
  const published =
    deps.publish && !request.dryRun ? await deps.publish({ snapshot, results, request, now: startedAt }) : undefined;
  return { snapshot, results, startedAt, finishedAt: dateOf(deps.clock), ...(published ? { published } : {}) };
}

/**
 * A request that only reports terminated clusters (EMR state-change event) needs no collection:
 * there is nothing left to describe, only findings to archive.
 */
export function needsCollection(request: AuditRequest): boolean {
  if (request.terminatedClusters.length === 0) return true;
  const gone = new Set(request.terminatedClusters.map((t) => t.clusterId));
  return !request.clusterIds || request.clusterIds.some((id) => !gone.has(id));
}

/** The snapshot of a run that collected nothing. */
export function emptySnapshot(accountId: string, partition: string, now: Date, clusterIds?: readonly string[]): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt: now.toISOString(),
    accountId,
    partition,
    scope: clusterIds && clusterIds.length > 0 ? { clusterIds: [...clusterIds] } : {},
    regions: [],
  };
}
