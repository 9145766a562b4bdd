/**
 * `--format json`: one JSON object `{ "results": [...], "summary": {...} }` (DESIGN.md, public
 * contract: fields may be added, never renamed or removed).
 */
import type { CheckMeta, Result } from '../../checks/contract.js';
import { complianceFor, type ComplianceRef } from '../compliance.js';
import type { PublishSummary } from '../audit.js';
import type { Snapshot } from '../snapshot.js';
import { buildSummary, type ReportSummary } from './render-summary.js';

/** A result as the JSON output carries it: the engine's fields plus its check's compliance mapping. */
export type JsonResult = Result & { compliance: ComplianceRef[] };

export interface JsonReport {
  results: JsonResult[];
  summary: ReportSummary & { published?: PublishSummary };
}

export interface JsonReportInput {
  results: readonly Result[];
  snapshot: Snapshot;
  /** The run's cluster restriction, for `clustersAudited`. */
  clusterIds?: readonly string[];
  /** Present when the run synchronised Security Hub. */
  published?: PublishSummary;
  /** The checks' metadata, for their compliance mapping; default: the mapping of lib/compliance.ts by check id. */
  checks?: readonly CheckMeta[];
}

export function buildJsonReport(input: JsonReportInput): JsonReport {
  const summary = buildSummary(input.results, input.snapshot, input.clusterIds);
  const byId = new Map((input.checks ?? []).map((c) => [c.id, c]));
  const compliance = (checkId: string): ComplianceRef[] => [...(byId.get(checkId)?.compliance ?? complianceFor(checkId))];
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
      // Added field (the contract allows additions): the frameworks' requirements this result relates to.
      compliance: compliance(r.checkId),
    })),
    summary: input.published ? { ...summary, published: input.published } : summary,
  };
}

export function renderJson(input: JsonReportInput): string {
  return `${JSON.stringify(buildJsonReport(input), null, 2)}\n`;
}
