/**
 * No cluster left for the next schedule (DESIGN.md "Fleet scale"): a scheduled run that meets its
 * time budget puts one on-demand event on the bus for everything it could not finish, so the next
 * invocation continues at once: the clusters it could not describe, and the described clusters with
 * a check left ERROR while the region's calls ran out of time (their security-group, SSM or IAM
 * reads were cut short). Bounded: at most MAX_CONTINUATION_CLUSTERS clusters per event and
 * MAX_CONTINUATIONS runs in a row; whatever is beyond is the rotating start's.
 *
 * With the state store, a continuation audits its regions whole (continuationRequest): the clusters
 * the cut-short run described come from the state (no per-cluster call), only the rest are
 * described, and every check — the cross-cluster network/shared-managed-security-group included —
 * is evaluated over the whole region, so the gaps the budget left are closed. Without a state, a
 * whole-region run would describe everything again and meet the same budget: it stays restricted
 * to the clusters it continues.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { TIME_BUDGET_EXCEEDED, failureOf } from './collect/calls.js';
import type { AuditRequest } from './request.js';
import type { Result } from '../checks/contract.js';
import type { Snapshot } from './snapshot.js';

export const CONTINUATION_SOURCE = 'emr-audit';
export const CONTINUATION_DETAIL_TYPE = 'Run EMR audit';
/** Cluster ids per event: ~20 KB, far below EventBridge's 256 KB entry limit. */
export const MAX_CONTINUATION_CLUSTERS = 1000;

export interface Remaining {
  region: string;
  clusterId: string;
}

/** Clusters the run could not describe because its time budget ran out. */
export function undescribedForTime(snapshot: Snapshot): Remaining[] {
  return snapshot.regions.flatMap((r) => {
    const timedOut = new Set(r.errors.filter((e) => e.kind === 'cluster' && e.code === TIME_BUDGET_EXCEEDED).map((e) => e.resourceId));
    return r.clusters.filter((c) => !c.described && timedOut.has(c.id)).map((c) => ({ region: r.region, clusterId: c.id }));
  });
}

/**
 * Everything the time budget left unfinished: the undescribed clusters, then the clusters with a
 * check left ERROR in a region whose calls ran out of time. An ERROR of another cause in such a
 * region is continued too (re-reading it costs one cluster's calls; telling the causes apart would
 * mean following every check's data back to its calls), never one in a region that had time.
 */
export function unfinishedForTime(snapshot: Snapshot, results: readonly Result[]): Remaining[] {
  const out = undescribedForTime(snapshot);
  const seen = new Set(out.map((r) => `${r.region}\u0000${r.clusterId}`));
  const shortOfTime = new Set(snapshot.regions.filter((r) => r.errors.some((e) => e.code === TIME_BUDGET_EXCEEDED)).map((r) => r.region));
  for (const r of results) {
    if (r.status !== 'ERROR' || r.clusterId === null || !shortOfTime.has(r.region)) continue;
    const key = `${r.region}\u0000${r.clusterId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ region: r.region, clusterId: r.clusterId });
  }
  return out;
}

/**
 * The request a continuation is run with: with a state, its regions whole (see the module's
 * comment); without one, the clusters it continues.
 */
export function continuationRequest(request: AuditRequest, hasState: boolean): AuditRequest {
  if (!request.continuation || !hasState || !request.clusterIds) return request;
  const { clusterIds: _continued, ...whole } = request;
  return whole;
}

export interface ContinuationPlan {
  /** The event's detail (functions/events.ts on-demand schema). */
  detail: { regions: string[]; clusterIds: string[]; checks?: string[]; continuation: { of: string; generation: number } };
  /** Clusters beyond the bound, left to the next schedule. */
  left: number;
}

/** The continuation of a run, or undefined when none is due (not scheduled, nothing left, too deep). */
export function planContinuation(input: { request: AuditRequest; runId: string; snapshot: Snapshot; results?: readonly Result[]; maxGenerations: number }): ContinuationPlan | undefined {
  const { request } = input;
  if (request.dryRun) return undefined;
  const generation = request.continuation ? request.continuation.generation + 1 : 1;
  if (request.trigger !== 'schedule' && !request.continuation) return undefined;
  if (generation > input.maxGenerations) return undefined;
  const remaining = input.results ? unfinishedForTime(input.snapshot, input.results) : undescribedForTime(input.snapshot);
  if (remaining.length === 0) return undefined;
  const taken = remaining.slice(0, MAX_CONTINUATION_CLUSTERS);
  return {
    detail: {
      regions: [...new Set(taken.map((r) => r.region))],
      clusterIds: [...new Set(taken.map((r) => r.clusterId))],
      ...(request.checks ? { checks: request.checks } : {}),
      continuation: { of: request.continuation?.of ?? input.runId, generation },
    },
    left: remaining.length - taken.length,
  };
}

/** Puts the event on the account's default bus; never throws (the schedule is the safety net). */
export async function emitContinuation(events: EventBridgeClient, plan: ContinuationPlan): Promise<{ sent: boolean; note?: string }> {
  try {
    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: CONTINUATION_SOURCE, DetailType: CONTINUATION_DETAIL_TYPE, Detail: JSON.stringify(plan.detail) }] }));
    const failed = out.Entries?.find((e) => e.ErrorCode);
    if ((out.FailedEntryCount ?? 0) > 0 || failed) return { sent: false, note: `${failed?.ErrorCode ?? 'FailedEntry'}: ${failed?.ErrorMessage ?? 'the event was not accepted'}` };
    return { sent: true };
  } catch (e) {
    const f = failureOf('events:PutEvents', e);
    return { sent: false, note: `${f.api} ${f.code}: ${f.message}` };
  }
}
