/**
 * What the Lambda returns and measures for one run (DESIGN.md "Lambda result"): counts per status,
 * FAILs per severity and check, findings written, and every error in one line each. The same
 * numbers feed the CloudWatch metrics, so the dashboard and the result always agree.
 */
import { SEVERITIES, type Result, type Severity, type Status } from '../../checks/contract.js';
import type { AuditOutcome } from '../audit.js';
import type { AuditRequest, AuditTrigger } from '../request.js';
import { collectGaps, resultId } from './asff.js';
import { fixFirst } from './fix-first.js';
import type { ErrorGroup } from './error-groups.js';
import { buildSummary, collectionFigures, type CollectionFigures } from './render-summary.js';

export interface RunSummary {
  runId: string;
  trigger: AuditTrigger;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  accountId: string;
  regions: string[];
  clustersAudited: number;
  results: Record<Status, number>;
  /** FAIL results per severity (every severity present). */
  failBySeverity: Record<Severity, number>;
  /** FAIL results per check id (checks with a FAIL only). */
  failByCheck: Record<string, number>;
  /** Ids of the results to fix first, in order: attack paths, then other CRITICAL FAILs (lib/report/fix-first.ts). */
  fixFirst?: string[];
  findings: {
    imported: number;
    archived: number;
    failed: number;
    /** Clusters and regions with an `audit/evaluation-incomplete` finding this run. */
    evaluationIncomplete: number;
  };
  /** Collection errors (identical failures grouped, with a count), then publishing problems: one line each. */
  errors: string[];
  /** The collection errors, structured (additive): api, code, cause, count, affected clusters. */
  errorGroups?: ErrorGroup[];
  /** Set when the event asked for nothing (e.g. a cluster still starting, or debounced). */
  skipped?: string;
  /** Things to know that are not errors (an expired suppression rule), one line each. */
  warnings?: string[];
  /** How the data was read: described vs. from the state store, and the fallbacks (named). */
  collection?: CollectionFigures;
  /** Set when the run met its time budget and handed the rest to a continuation event. */
  continuation?: { emitted: boolean; clusters: number; left: number; note?: string };
  /** Set by a CloudTrail change event or a follow-up of coalesced ones (DESIGN.md "Change-triggered audits"). */
  changeEvents?: ChangeEventCounts;
}

/**
 * What became of the change events of one invocation. Each event counts in exactly one of audited,
 * coalesced, skipped and unaffected; an unmapped one also counts in `unmapped` (its region was
 * audited whole, or is not audited).
 */
export interface ChangeEventCounts {
  /** Audited at once (or, for a follow-up, the targets audited). */
  audited: number;
  /** Merged into the one follow-up audit of their debounce window. */
  coalesced: number;
  /** Failed calls (`errorCode` set), calls that change nothing, and all of them when EMR_AUDIT_CHANGE_EVENTS is false. */
  skipped: number;
  /** A listed call whose resources could not be told: the bounded audit of its region instead. */
  unmapped: number;
  /** A change that touches no audited cluster (an unrelated group, a region not audited). */
  unaffected: number;
  /** Clusters (or `@…` region-level targets) the audit covered. */
  targets: number;
  /** Follow-up messages sent to the queue. */
  followUpsSent: number;
}

export function noChangeEvents(): ChangeEventCounts {
  return { audited: 0, coalesced: 0, skipped: 0, unmapped: 0, unaffected: 0, targets: 0, followUpsSent: 0 };
}

export function buildRunSummary(input: { runId: string; request: AuditRequest; regions: string[]; outcome: AuditOutcome; warnings?: readonly string[] }): RunSummary {
  const { outcome, request } = input;
  const report = buildSummary(outcome.results, outcome.snapshot, request.clusterIds);
  const published = outcome.published;
  return {
    runId: input.runId,
    trigger: request.trigger,
    dryRun: request.dryRun,
    startedAt: outcome.startedAt.toISOString(),
    finishedAt: outcome.finishedAt.toISOString(),
    accountId: outcome.snapshot.accountId,
    regions: input.regions,
    clustersAudited: report.clustersAudited,
    results: report.counts,
    failBySeverity: report.failBySeverity,
    failByCheck: report.failByCheck,
    fixFirst: fixFirst(outcome.results).map(resultId),
    findings: {
      imported: published?.imported ?? 0,
      archived: published?.archived ?? 0,
      failed: published?.failed ?? 0,
      // The gaps still open after the run (Security Hub's view when it was synchronised), not only this run's.
      evaluationIncomplete: published?.openGaps ?? countGaps(outcome.results),
    },
    errors: [...report.errors, ...(published?.errors ?? [])],
    ...(report.errorGroups.length > 0 ? { errorGroups: report.errorGroups } : {}),
    ...(input.warnings && input.warnings.length > 0 ? { warnings: [...input.warnings] } : {}),
    collection: collectionFigures(outcome.snapshot),
  };
}

/** The summary of an event that asked for nothing. */
export function skippedRunSummary(input: { runId: string; trigger: AuditTrigger; accountId: string; at: Date; reason: string; changeEvents?: ChangeEventCounts }): RunSummary {
  const at = input.at.toISOString();
  const zeroSeverities = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  return {
    runId: input.runId,
    trigger: input.trigger,
    dryRun: false,
    startedAt: at,
    finishedAt: at,
    accountId: input.accountId,
    regions: [],
    clustersAudited: 0,
    results: { PASS: 0, FAIL: 0, NOT_APPLICABLE: 0, ERROR: 0, SUPPRESSED: 0 },
    failBySeverity: zeroSeverities,
    failByCheck: {},
    findings: { imported: 0, archived: 0, failed: 0, evaluationIncomplete: 0 },
    errors: [],
    skipped: input.reason,
    ...(input.changeEvents ? { changeEvents: input.changeEvents } : {}),
  };
}

export function countGaps(results: readonly Result[]): number {
  return collectGaps(results).length;
}

export interface MetricValue {
  name: string;
  unit: 'Count' | 'Milliseconds';
  value: number;
}

const STATUS_METRIC: Record<Status, string> = {
  PASS: 'ResultsPass',
  FAIL: 'ResultsFail',
  NOT_APPLICABLE: 'ResultsNotApplicable',
  ERROR: 'ResultsError',
  SUPPRESSED: 'ResultsSuppressed',
};

const capitalised = (s: string): string => s.charAt(0) + s.slice(1).toLowerCase();

/**
 * The run's CloudWatch metrics. `EvaluationIncompleteFindings` is what the deployment's alarm
 * watches: it is above zero whenever some cluster or region could not be fully audited.
 */
export function runMetrics(summary: RunSummary, collectionErrors: number): MetricValue[] {
  const count = (name: string, value: number): MetricValue => ({ name, unit: 'Count', value });
  return [
    count('ClustersAudited', summary.clustersAudited),
    ...(Object.keys(STATUS_METRIC) as Status[]).map((s) => count(STATUS_METRIC[s], summary.results[s])),
    ...SEVERITIES.map((s) => count(`Fail${capitalised(s)}`, summary.failBySeverity[s])),
    count('FindingsImported', summary.findings.imported),
    count('FindingsArchived', summary.findings.archived),
    count('FindingsFailed', summary.findings.failed),
    count('CollectionErrors', collectionErrors),
    count('EvaluationIncompleteFindings', summary.findings.evaluationIncomplete),
    { name: 'DurationMs', unit: 'Milliseconds', value: Date.parse(summary.finishedAt) - Date.parse(summary.startedAt) },
    // Fleet scale: how much the state store saved, and the fallbacks the design otherwise avoids.
    ...(summary.collection
      ? [
          count('ClustersDescribed', summary.collection.described),
          count('ClustersFromState', summary.collection.fromState),
          count('NodeFallbacks', summary.collection.nodeFallbacks.length),
          count('TagFallbacks', summary.collection.tagFallbacks.length),
        ]
      : []),
    ...(summary.continuation ? [count('ContinuationsSent', summary.continuation.emitted ? 1 : 0)] : []),
    ...(summary.changeEvents
      ? [
          count('ChangeEventsAudited', summary.changeEvents.audited),
          count('ChangeEventsCoalesced', summary.changeEvents.coalesced),
          count('ChangeEventsSkipped', summary.changeEvents.skipped),
          count('ChangeEventsUnmapped', summary.changeEvents.unmapped),
          count('ChangeEventsUnaffected', summary.changeEvents.unaffected),
        ]
      : []),
  ];
}

/** One summary of several audits of one invocation (a change touching clusters and an account setting). */
export function mergeRunSummaries(first: RunSummary, rest: readonly RunSummary[]): RunSummary {
  const out: RunSummary = structuredClone(first);
  for (const s of rest) {
    out.finishedAt = s.finishedAt;
    out.regions = [...new Set([...out.regions, ...s.regions])];
    out.clustersAudited += s.clustersAudited;
    for (const k of Object.keys(out.results) as Status[]) out.results[k] += s.results[k];
    for (const k of Object.keys(out.failBySeverity) as Severity[]) out.failBySeverity[k] += s.failBySeverity[k];
    for (const [k, v] of Object.entries(s.failByCheck)) out.failByCheck[k] = (out.failByCheck[k] ?? 0) + v;
    out.findings.imported += s.findings.imported;
    out.findings.archived += s.findings.archived;
    out.findings.failed += s.findings.failed;
    out.findings.evaluationIncomplete += s.findings.evaluationIncomplete;
    out.errors.push(...s.errors);
  }
  return out;
}
