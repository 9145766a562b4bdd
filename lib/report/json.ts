/**
 * `--format json`: one JSON object `{ "schemaVersion", "tool", "results": [...], "summary": {...} }`
 * (DESIGN.md, public contract: fields may be added, never renamed or removed).
 */
import type { CheckMeta, Result } from '../../checks/contract.js';
import { complianceFor, type ComplianceRef } from '../compliance.js';
import type { PublishSummary } from '../audit.js';
import type { Snapshot } from '../snapshot.js';
import { collectSuppressions, resultId, type ClusterSuppressions } from './asff.js';
import { fixFirst } from './fix-first.js';
import { buildSummary, type ReportSummary } from './render-summary.js';
import type { ReportInput } from './report-input.js';
import { IAM_CATALOGUE } from '../iam/catalogue-version.js';
import { jsonChunks, LazyList, mapLazily, SharedJson, WithSharedTail, wholeText } from './json-chunks.js';

/**
 * The version of this JSON shape. Bumped only for an incompatible change (which the contract
 * forbids): consumers may rely on every field of version 1 staying as it is.
 */
export const JSON_SCHEMA_VERSION = 1;

/** A result as the JSON output carries it: its stable id, the engine's fields, its check's compliance mapping. */
export type JsonResult = Result & { id: string; compliance: ComplianceRef[] };

export interface JsonReport {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  /** What produced the report, so a stored report says which version of the checks it reflects. */
  tool: { name: 'emr-audit'; version: string; iamCatalogue: { package: string; version: string; date: string } };
  results: JsonResult[];
  /**
   * `suppressed`: clusters with suppressed results, each check with its source (only when there are any).
   * `fixFirst`: the ids of the results to fix first, in order (attack paths, then other CRITICAL FAILs).
   */
  summary: ReportSummary & { fixFirst: string[]; published?: PublishSummary; suppressed?: ClusterSuppressions[] };
}

export interface JsonReportInput {
  results: readonly Result[];
  snapshot: Snapshot;
  /** The run's cluster restriction, for `clustersAudited`. */
  clusterIds?: readonly string[];
  /** Present when the run synchronised Security Hub. */
  published?: PublishSummary;
  /** emr-audit's version; `unknown` when the caller does not know it. */
  toolVersion?: string;
  /** The checks' metadata, for their compliance mapping; default: the mapping of lib/compliance.ts by check id. */
  checks?: readonly CheckMeta[];
}

type Compliance = (checkId: string) => readonly ComplianceRef[];

/** The report with its results as given: a list built by `results` (a LazyList when streamed). */
function reportShape<R>(input: JsonReportInput, results: (compliance: Compliance) => R): Omit<JsonReport, 'results'> & { results: R } {
  const base = { ...buildSummary(input.results, input.snapshot, input.clusterIds), fixFirst: fixFirst(input.results).map(resultId) };
  const suppressed = collectSuppressions(input.results);
  const summary = suppressed.length > 0 ? { ...base, suppressed } : base;
  const byId = new Map((input.checks ?? []).map((c) => [c.id, c]));
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    // The iam checks' verdicts depend on the action catalogue as much as on our version.
    tool: { name: 'emr-audit', version: input.toolVersion ?? 'unknown', iamCatalogue: { ...IAM_CATALOGUE } },
    results: results((checkId) => byId.get(checkId)?.compliance ?? complianceFor(checkId)),
    summary: input.published ? { ...summary, published: input.published } : summary,
  };
}

/** A result's fields before its compliance mapping, in an explicit order: people read this output too. */
function jsonResultHead(r: Result): Omit<JsonResult, 'compliance'> {
  return {
    // Added field: the result's stable id (= its Security Hub finding Id), what summary.fixFirst lists.
    id: resultId(r),
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
    // Added field: the paths along which the internet reaches a node today (only when there are any).
    ...(r.network && r.network.length > 0 ? { network: r.network } : {}),
  };
}

export function buildJsonReport(input: JsonReportInput): JsonReport {
  // Added field (the contract allows additions): the frameworks' requirements a result relates to.
  return reportShape(input, (compliance) => input.results.map((r) => ({ ...jsonResultHead(r), compliance: [...compliance(r.checkId)] })));
}

/**
 * The report's text in chunks, each result built and serialised as it is written. A check's
 * compliance mapping is most of a result's text and the same in all its results: it is serialised
 * once per check.
 */
export function jsonReportChunks(input: JsonReportInput): Iterable<string> {
  return jsonChunks(
    reportShape(input, (compliance) => {
      const shared = new Map<string, SharedJson>();
      const sharedOf = (checkId: string): SharedJson => {
        let known = shared.get(checkId);
        if (!known) {
          known = new SharedJson(compliance(checkId));
          shared.set(checkId, known);
        }
        return known;
      };
      return new LazyList(mapLazily(input.results, (r) => new WithSharedTail(jsonResultHead(r), 'compliance', sharedOf(r.checkId))));
    }),
  );
}

export function renderJson(input: JsonReportInput): string {
  return wholeText(jsonReportChunks(input));
}

/** The JSON report as a format of the registry (lib/report/formats.ts). */
export function renderJsonReport(input: ReportInput): Iterable<string> {
  return jsonReportChunks({
    results: input.results,
    snapshot: input.snapshot,
    toolVersion: input.toolVersion,
    checks: input.checks,
    ...(input.clusterIds && input.clusterIds.length > 0 ? { clusterIds: input.clusterIds } : {}),
    ...(input.published ? { published: input.published } : {}),
  });
}
