/**
 * `--format json`: one JSON object `{ "results": [...], "summary": {...} }` (DESIGN.md, public
 * contract: fields may be added, never renamed or removed).
 */
import type { Result } from '../../checks/contract.js';
import type { PublishSummary } from '../audit.js';
import type { Snapshot } from '../snapshot.js';
import { collectSuppressions, type ClusterSuppressions } from './asff.js';
import { buildSummary, type ReportSummary } from './render-summary.js';

export interface JsonReport {
  results: Result[];
  /** `suppressed`: clusters with suppressed results, each check with its source (only when there are any). */
  summary: ReportSummary & { published?: PublishSummary; suppressed?: ClusterSuppressions[] };
}

export interface JsonReportInput {
  results: readonly Result[];
  snapshot: Snapshot;
  /** The run's cluster restriction, for `clustersAudited`. */
  clusterIds?: readonly string[];
  /** Present when the run synchronised Security Hub. */
  published?: PublishSummary;
}

export function buildJsonReport(input: JsonReportInput): JsonReport {
  const base = buildSummary(input.results, input.snapshot, input.clusterIds);
  const suppressed = collectSuppressions(input.results);
  const summary = suppressed.length > 0 ? { ...base, suppressed } : base;
  return {
    // Explicit field order: people read this output too.
    results: input.results.map((r) => ({
      checkId: r.checkId,
      status: r.status,
      severity: r.severity,
      region: r.region,
      accountId: r.accountId,
      clusterId: r.clusterId,
      clusterName: r.clusterName,
      title: r.title,
      message: r.message,
      resources: r.resources,
      resourceDetails: r.resourceDetails,
      resourceId: r.resourceId,
      ...(r.originalStatus ? { originalStatus: r.originalStatus } : {}),
      ...(r.suppressedBy ? { suppressedBy: r.suppressedBy } : {}),
    })),
    summary: input.published ? { ...summary, published: input.published } : summary,
  };
}

export function renderJson(input: JsonReportInput): string {
  return `${JSON.stringify(buildJsonReport(input), null, 2)}\n`;
}
