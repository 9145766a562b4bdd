/**
 * The numbers of a run, shared by the JSON and table renderers so both always agree: what was
 * audited, results per status, FAILs per severity and per check, and the collection errors.
 */
import { SEVERITIES, type Result, type Severity, type Status } from '../../checks/contract.js';
import { countByStatus } from '../evaluate.js';
import type { Snapshot } from '../snapshot.js';
import { headroomText } from '../collect/headroom.js';
import { groupCollectionErrors, groupedErrorLines, type ErrorGroup } from './error-groups.js';
import { oneLine } from './render-style.js';

export interface ReportSummary {
  accountId: string;
  /** Regions of the snapshot that were evaluated. */
  regions: string[];
  /** When the data was collected: the audit's "now". */
  collectedAt: string;
  /** Active clusters in scope (a region that could not be listed contributes none). */
  clustersAudited: number;
  counts: Record<Status, number>;
  /** FAIL results (not SUPPRESSED) per severity, every severity present. */
  failBySeverity: Record<Severity, number>;
  /** FAIL results per check id, only checks with at least one FAIL. */
  failByCheck: Record<string, number>;
  /**
   * Collection errors, one line each: `region kind resourceId: api code (message)`, identical
   * failures on several resources grouped into one line with a count (./error-groups.ts).
   */
  errors: string[];
  /** The same, structured (additive): api, code, cause, count, resources and affected clusters. */
  errorGroups: ErrorGroup[];
}

/**
 * How the run's data was read (DESIGN.md "Fleet scale"): clusters described vs. known from the
 * state store, and the fallbacks the design otherwise avoids, each named (`region/j-…`).
 */
export interface CollectionFigures {
  described: number;
  fromState: number;
  /** Clusters whose nodes came from ListInstances/ListInstanceGroups/ListInstanceFleets. */
  nodeFallbacks: string[];
  /** Clusters described only because the tagging API failed. */
  tagFallbacks: string[];
  /**
   * Per region, the EMR headroom of the run (lib/collect/headroom.ts): "on (15 % of the account's
   * EMR rate)" or "off: why". Absent for a snapshot that does not say.
   */
  emrHeadroom?: Record<string, string>;
}

export function collectionFigures(snapshot: Snapshot): CollectionFigures {
  const named = (pick: (c: NonNullable<Snapshot['regions'][number]['collection']>) => readonly string[]): string[] =>
    snapshot.regions.flatMap((r) => (r.collection ? pick(r.collection).map((id) => `${r.region}/${id}`) : []));
  const headroom = snapshot.regions.flatMap((r) => (r.collection?.emrHeadroom ? [[r.region, headroomText(r.collection.emrHeadroom)] as const] : []));
  return {
    described: snapshot.regions.reduce((n, r) => n + (r.collection?.described.length ?? 0), 0),
    fromState: snapshot.regions.reduce((n, r) => n + (r.collection?.fromState.length ?? 0), 0),
    nodeFallbacks: named((c) => c.nodeFallbacks),
    tagFallbacks: named((c) => c.tagFallbacks),
    ...(headroom.length > 0 ? { emrHeadroom: Object.fromEntries(headroom) } : {}),
  };
}

/** One line per kind of fallback a region had (the table's and the logs' wording). */
export function fallbackLines(region: Snapshot['regions'][number]): string[] {
  const c = region.collection;
  if (!c) return [];
  const out: string[] = [];
  const ids = (list: readonly string[]): string => (list.length > 10 ? `${list.slice(0, 10).join(', ')} and ${list.length - 10} more` : list.join(', '));
  if (c.nodeFallbacks.length > 0) {
    const why = c.nodeQueryFailure ? `the node query failed: ${oneLine(c.nodeQueryFailure)}` : "no node carries EMR's system tag";
    out.push(`${c.nodeFallbacks.length} cluster(s) listed with EMR ListInstances (${why}): ${ids(c.nodeFallbacks)}`);
  }
  if (c.tagFallbacks.length > 0) out.push(`${c.tagFallbacks.length} cluster(s) described for their tags (tag:GetResources failed${c.tagQueryFailure ? `: ${oneLine(c.tagQueryFailure)}` : ''}): ${ids(c.tagFallbacks)}`);
  return out;
}

// Their home was this module until error-groups.ts stopped importing it back; importers may still
// name them here.
export { describeCollectionError } from './error-groups.js';
export { oneLine } from './render-style.js';

/** Severities from the most to the least severe. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].reverse();

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Clusters in scope of a run: the snapshot's, restricted to `clusterIds` when given. */
export function auditedClusterCount(snapshot: Snapshot, clusterIds?: readonly string[]): number {
  const only = clusterIds && clusterIds.length > 0 ? new Set(clusterIds) : undefined;
  let n = 0;
  for (const region of snapshot.regions) {
    for (const cluster of region.clusters) if (!only || only.has(cluster.id)) n += 1;
  }
  return n;
}

export function buildSummary(results: readonly Result[], snapshot: Snapshot, clusterIds?: readonly string[]): ReportSummary {
  const failBySeverity = Object.fromEntries(SEVERITIES_DESC.map((s) => [s, 0])) as Record<Severity, number>;
  const failByCheck: Record<string, number> = {};
  for (const r of results) {
    if (r.status !== 'FAIL') continue;
    failBySeverity[r.severity] += 1;
    failByCheck[r.checkId] = (failByCheck[r.checkId] ?? 0) + 1;
  }
  return {
    accountId: snapshot.accountId,
    regions: snapshot.regions.map((r) => r.region),
    collectedAt: snapshot.collectedAt,
    clustersAudited: auditedClusterCount(snapshot, clusterIds),
    counts: countByStatus(results),
    failBySeverity,
    failByCheck,
    errors: snapshot.regions.flatMap((r) => groupedErrorLines(r)),
    errorGroups: snapshot.regions.flatMap((r) => groupCollectionErrors(r)),
  };
}

/** Every audited region failed as a whole: nothing was evaluated (exit code 3). */
export function everyRegionFailed(snapshot: Snapshot): boolean {
  return snapshot.regions.length > 0 && snapshot.regions.every((r) => r.errors.some((e) => e.kind === 'region'));
}
