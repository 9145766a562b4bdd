/**
 * What to write to Security Hub in one region (SECURITY-HUB.md rules 14–16), decided from this
 * run's results and the findings Security Hub already holds. Pure: sync.ts does the I/O.
 *
 * The rule that shapes everything here: a finding is archived only when this run proves it is
 * over — its check passed for its resource, its cluster is gone, it is suppressed, or its check is
 * disabled account-wide (full runs only). An ERROR, a failed region, or a cluster or check outside
 * the run's scope leaves the finding exactly as it was.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { Check, Result } from '../../checks/contract.js';
import { selectChecks } from '../evaluate.js';
import type { AuditRequest } from '../request.js';
import type { Settings } from '../settings.js';
import type { RegionSnapshot } from '../snapshot.js';
import {
  FIELD,
  GAP_CHECK_ID,
  accountResource,
  clusterArn,
  SUPPRESSED_CHECK_ID,
  collectGaps,
  collectSuppressions,
  suppressionFinding,
  failFindings,
  gapFinding,
  groupById,
  mergeSameFinding,
  resultFinding,
  type EvaluationGap,
  type FindingContext,
} from './asff.js';
import { importReason, type ImportReason } from './import-due.js';
import { archivedRecord, asUpdateOf, identityOf, incompleteChecksOf, type FindingIdentity } from './stored-finding.js';

/** One region's part of a run. */
export interface RegionRun {
  region: string;
  /** Undefined when the region was not collected (a run that only archives terminated clusters). */
  snapshot?: RegionSnapshot;
  /** This run's results in this region. */
  results: readonly Result[];
  request: AuditRequest;
  /** The clusters the snapshot was collected for, when it was restricted. */
  snapshotClusterIds?: readonly string[];
  settings: Settings;
  checks: readonly Check[];
}

export type ImportKind = 'fail' | 'pass' | 'gap' | 'suppressed' | 'archive';

export interface PlannedImport {
  kind: ImportKind;
  finding: AwsSecurityFinding;
  /** Why a current finding is sent (rule 14): new (or reopened), changed, or its refresh (at most once every 24 h). */
  reason?: ImportReason;
}

export interface Desired {
  kind: Exclude<ImportKind, 'archive'>;
  finding: AwsSecurityFinding;
  /** For gaps: the gap, so checks carried over from a stored gap can be added. */
  gap?: EvaluationGap;
}

export interface RegionPlan {
  imports: PlannedImport[];
  /** Stored ACTIVE findings left as they are (the unchanged current ones included). */
  untouched: number;
  /** Current findings Security Hub already shows as they are, refreshed within the last day: not sent. */
  unchanged: number;
  /** Stored findings the plan could not attribute to a check and resource. */
  unrecognised: string[];
  /** Evaluation gaps ACTIVE once the plan is carried out: this run's and the stored ones it keeps or narrows. */
  openGaps: number;
}

export function regionFailed(run: Pick<RegionRun, 'snapshot'>): boolean {
  return run.snapshot?.errors.some((e) => e.kind === 'region') ?? false;
}

/** What this run says Security Hub should show: current FAILs (PASSes with reportPassed) and gaps. */
export function desiredFindings(run: RegionRun, ctx: FindingContext): Map<string, Desired> {
  const desired = new Map<string, Desired>();
  if (!regionFailed(run)) {
    for (const finding of failFindings(run.results, ctx)) desired.set(finding.Id ?? '', { kind: 'fail', finding });
    if (run.settings.reportPassed) {
      for (const group of groupById(run.results.filter((r) => r.status === 'PASS'), ctx)) {
        const finding = resultFinding(mergeSameFinding(group), ctx, 'PASSED');
        if (!desired.has(finding.Id ?? '')) desired.set(finding.Id ?? '', { kind: 'pass', finding });
      }
    }
  }
  for (const gap of collectGaps(run.results)) {
    const finding = gapFinding(gap, ctx);
    desired.set(finding.Id ?? '', { kind: 'gap', finding, gap });
  }
  // Visible whatever else happened in the region: a suppression never hides a cluster.
  for (const suppressed of collectSuppressions(run.results)) {
    const finding = suppressionFinding(suppressed, ctx);
    desired.set(finding.Id ?? '', { kind: 'suppressed', finding });
  }
  return desired;
}

// ---------------------------------------------------------------- scope

interface Scope {
  regionFailed: boolean;
  /** The region's active clusters were listed completely in this run. */
  listingComplete: boolean;
  activeClusters: ReadonlySet<string>;
  /** No cluster or check restriction: disabled checks' findings may be archived. */
  unrestricted: boolean;
  /** Every enabled check ran (no check restriction): a cluster's suppressions are all known. */
  allChecks: boolean;
  /** The cluster was described in this run (its tags, hence its suppressions, are known). */
  described(clusterId: string): boolean;
  inClusterScope(clusterId: string): boolean;
  terminated(clusterId: string): boolean;
  /** The check was part of the request (whatever the settings). */
  requested(checkId: string): boolean;
  /** Checks this run evaluated for a cluster / for the region as a whole. */
  evaluatedForCluster: ReadonlySet<string>;
  evaluatedForRegion: ReadonlySet<string>;
  disabled(checkId: string): boolean;
  known(checkId: string): boolean;
}

function scopeOf(run: RegionRun): Scope {
  const requestClusters = run.request.clusterIds?.length ? new Set(run.request.clusterIds) : undefined;
  // An empty list: the snapshot holds no cluster (an account-level change audit): no cluster finding is in scope.
  const snapshotClusters = run.snapshotClusterIds ? new Set(run.snapshotClusterIds) : undefined;
  const requestChecks = run.request.checks?.length ? new Set(run.request.checks) : undefined;
  const restricted = requestClusters !== undefined || snapshotClusters !== undefined;
  // Mirrors lib/evaluate.ts: which checks produced results for a cluster, and for the region.
  const selected = selectChecks(run.checks, run.settings, run.request.checks);
  const runs = (c: Check): boolean => !(c.needsAllClusters && restricted);
  const forCluster = selected.filter((c) => c.scope === 'cluster' && runs(c)).map((c) => c.id);
  const forRegion = requestClusters ? [] : selected.filter((c) => c.scope === 'region' && runs(c)).map((c) => c.id);
  const failed = regionFailed(run);
  const terminated = new Set(run.request.terminatedClusters.filter((t) => t.region === run.region).map((t) => t.clusterId));
  const disabled = new Set(run.settings.disabledChecks);
  const known = new Set(run.checks.map((c) => c.id));
  return {
    regionFailed: failed,
    listingComplete: run.snapshot !== undefined && !failed,
    activeClusters: new Set(run.snapshot?.clusters.map((c) => c.id) ?? []),
    unrestricted: !restricted && !requestChecks,
    allChecks: !requestChecks,
    described: (id) => run.snapshot?.clusters.some((c) => c.id === id && c.described) ?? false,
    inClusterScope: (id) => (!requestClusters || requestClusters.has(id)) && (!snapshotClusters || snapshotClusters.has(id)),
    terminated: (id) => terminated.has(id),
    requested: (id) => !requestChecks || requestChecks.has(id),
    evaluatedForCluster: new Set(forCluster),
    evaluatedForRegion: new Set([...forCluster, ...forRegion]),
    disabled: (id) => disabled.has(id),
    known: (id) => known.has(id),
  };
}

/**
 * At most this many resources in a scoped read: GetFindings takes 20 values per filter field, so
 * one filtered read covers the run; a wider run reads the whole region (the read is then no dearer).
 */
export const MAX_SCOPED_RESOURCES = 20;

/**
 * The resources (Resources[].Id) whose stored findings the plan can act on when the run is
 * restricted to a few clusters: each such cluster's ARN (the in-scope ones and those reported
 * terminated) and the account's resource (region-level findings and gaps). Undefined: read the
 * whole region. Safe because the plan acts only on findings it reads, and decides every cluster
 * finding outside these clusters "keep" (decide() below): a finding not read is never "gone".
 */
export function scopedResourceIds(run: RegionRun, ctx: FindingContext): string[] | undefined {
  const requestClusters = run.request.clusterIds?.length ? run.request.clusterIds : undefined;
  const snapshotClusters = run.snapshotClusterIds;
  if (requestClusters === undefined && snapshotClusters === undefined) return undefined;
  const inScope =
    requestClusters && snapshotClusters ? requestClusters.filter((id) => snapshotClusters.includes(id)) : (requestClusters ?? snapshotClusters ?? []);
  const terminated = run.request.terminatedClusters.filter((t) => t.region === run.region).map((t) => t.clusterId);
  const ids = new Set<string>();
  for (const clusterId of new Set([...inScope, ...terminated])) {
    // Both spellings a stored finding may carry: DescribeCluster's ARN and the one built from the id.
    ids.add(clusterArn(ctx, run.region, clusterId));
    const described = ctx.cluster(run.region, clusterId)?.arn;
    if (described) ids.add(described);
  }
  const account = accountResource(ctx, run.region).Id;
  if (account) ids.add(account);
  return ids.size <= MAX_SCOPED_RESOURCES ? [...ids] : undefined;
}

// ---------------------------------------------------------------- the plan

export interface PlanInput {
  run: RegionRun;
  ctx: FindingContext;
  desired: Map<string, Desired>;
  /** Our ACTIVE findings in the region (GetFindings). */
  active: readonly AwsSecurityFinding[];
  /** Stored versions (ARCHIVED) of desired findings that are not ACTIVE, by Id. */
  previous?: ReadonlyMap<string, AwsSecurityFinding>;
  /** False when the stored findings could not be read: import what is current, archive nothing. */
  storedKnown?: boolean;
}

const CARRIED_REASON = 'not evaluated by this run (reported by an earlier run).';

export function planRegion(input: PlanInput): RegionPlan {
  const { run, ctx, desired } = input;
  const storedKnown = input.storedKnown ?? true;
  const scope = scopeOf(run);
  const active = new Map(input.active.map((f) => [f.Id ?? '', f]));
  const imports: PlannedImport[] = [];
  const unrecognised: string[] = [];
  const nowMs = Date.parse(ctx.now);
  let untouched = 0;
  let unchanged = 0;
  // Rule 14: a current finding goes in when it is new, its provider content changed, or its refresh is due (at most once every 24 h).
  const send = (kind: Exclude<ImportKind, 'archive'>, finding: AwsSecurityFinding, current: AwsSecurityFinding | undefined): void => {
    const reason = importReason(finding, current, nowMs);
    if (reason) imports.push({ kind, finding, reason });
    else {
      unchanged += 1;
      untouched += 1;
    }
  };
  const archive = (stored: AwsSecurityFinding, change: { compliance?: 'PASSED' | 'NOT_AVAILABLE'; note: string }): void => {
    imports.push({ kind: 'archive', finding: archivedRecord(stored, { ...change, now: ctx.now }) });
  };

  for (const [id, want] of desired) {
    const stored = active.get(id) ?? input.previous?.get(id);
    if (want.kind === 'gap' && want.gap) {
      const carried = stored && active.has(id) ? carriedChecks(stored, want.gap, scope) : [];
      const gap = carried.length > 0 ? { ...want.gap, checks: [...want.gap.checks, ...carried] } : want.gap;
      send('gap', asUpdateOf(carried.length > 0 ? gapFinding(gap, ctx) : want.finding, stored), active.get(id));
      continue;
    }
    if (want.kind === 'pass' && stored && active.has(id) && samePassed(stored, want.finding)) {
      untouched += 1; // rule 16: an unchanged PASSED finding is not sent again
      continue;
    }
    if (want.kind === 'pass') imports.push({ kind: 'pass', finding: asUpdateOf(want.finding, stored), reason: stored && active.has(id) ? 'changed' : 'new' });
    else send(want.kind, asUpdateOf(want.finding, stored), active.get(id));
  }

  const desiredGaps = [...desired.values()].filter((d) => d.kind === 'gap').length;
  if (!storedKnown) return { imports, untouched, unchanged, unrecognised, openGaps: desiredGaps };
  let keptGaps = 0;

  for (const stored of input.active) {
    const id = stored.Id ?? '';
    if (desired.has(id)) continue;
    const identity = identityOf(stored);
    if (!identity) {
      unrecognised.push(id);
      untouched += 1;
      continue;
    }
    const decision = decide(stored, identity, run, scope);
    if (identity.checkId === GAP_CHECK_ID && decision.action !== 'archive') keptGaps += 1;
    if (decision.action === 'keep') untouched += 1;
    else if (decision.action === 'archive') archive(stored, decision);
    else imports.push({ kind: 'gap', finding: asUpdateOf(gapFinding(decision.gap, ctx), stored) });
  }
  return { imports, untouched, unchanged, unrecognised, openGaps: desiredGaps + keptGaps };
}

type Decision =
  | { action: 'keep' }
  | { action: 'archive'; compliance?: 'PASSED' | 'NOT_AVAILABLE'; note: string }
  /** A stored gap some of whose checks are now resolved: re-imported with the rest. */
  | { action: 'narrow-gap'; gap: EvaluationGap };

const KEEP: Decision = { action: 'keep' };

function decide(stored: AwsSecurityFinding, identity: FindingIdentity, run: RegionRun, scope: Scope): Decision {
  if (scope.regionFailed) return KEEP;
  const { checkId, resourceId, clusterId } = identity;

  if (clusterId !== null) {
    const gone = scope.terminated(clusterId)
      ? 'terminated'
      : scope.listingComplete && !scope.activeClusters.has(clusterId) && scope.inClusterScope(clusterId)
        ? 'inactive'
        : undefined;
    if (gone) {
      if (checkId !== GAP_CHECK_ID && !scope.requested(checkId)) return KEEP;
      return {
        action: 'archive',
        compliance: 'NOT_AVAILABLE',
        note:
          gone === 'terminated'
            ? `Archived: cluster ${clusterId} terminated.`
            : `Archived: cluster ${clusterId} is no longer active (absent from the region's active clusters).`,
      };
    }
    if (!scope.activeClusters.has(clusterId) || !scope.inClusterScope(clusterId)) return KEEP;
  } else if (!scope.listingComplete) {
    return KEEP;
  }

  if (checkId === GAP_CHECK_ID) return decideGap(stored, identity, run, scope);
  if (checkId === SUPPRESSED_CHECK_ID) {
    // Archived only when this run proves nothing is suppressed any more: every check ran on a
    // cluster whose tags were read. (Had something been suppressed, it would be desired.)
    if (clusterId === null || !scope.allChecks || !scope.described(clusterId)) return KEEP;
    return { action: 'archive', compliance: 'PASSED', note: 'Resolved: nothing on this cluster is suppressed any more.' };
  }

  const exact = run.results.filter((r) => r.checkId === checkId && r.resourceId === resourceId);
  if (exact.length > 0) return decideByResults(exact, true);
  if (clusterId !== null) {
    // The check reported parts of the cluster (its own resource ids) and no longer reports this one.
    const sameCluster = run.results.filter((r) => r.checkId === checkId && r.clusterId === clusterId);
    if (sameCluster.length > 0) return decideByResults(sameCluster, false);
  }
  if (scope.unrestricted && scope.disabled(checkId)) {
    return { action: 'archive', note: `Archived: check ${checkId} is disabled account-wide (EMR_AUDIT_DISABLED_CHECKS).` };
  }
  return KEEP;
}

function decideByResults(results: readonly Result[], exact: boolean): Decision {
  if (results.some((r) => r.status === 'ERROR')) return KEEP;
  if (exact && results.some((r) => r.status === 'FAIL')) return KEEP;
  const suppressed = results.find((r) => r.status === 'SUPPRESSED');
  if (suppressed) return { action: 'archive', note: `Archived: suppressed by ${suppressed.suppressedBy ?? 'the emr-audit:suppress cluster tag'}.` };
  const passed = results.find((r) => r.status === 'PASS' || r.status === 'NOT_APPLICABLE');
  const note = exact && passed ? `Resolved: ${passed.message}` : 'Resolved: the check no longer reports this resource.';
  return { action: 'archive', compliance: 'PASSED', note };
}

/** A stored gap with no gap in this run: archive it if its checks ran, narrow it if some did. */
function decideGap(stored: AwsSecurityFinding, identity: FindingIdentity, run: RegionRun, scope: Scope): Decision {
  const listed = incompleteChecksOf(stored);
  const evaluated = identity.clusterId !== null ? scope.evaluatedForCluster : scope.evaluatedForRegion;
  const remaining = listed.filter((id) => !evaluated.has(id) && !(scope.unrestricted && (scope.disabled(id) || !scope.known(id))));
  if (listed.length > 0 && remaining.length === listed.length) return KEEP;
  if (remaining.length > 0) {
    return {
      action: 'narrow-gap',
      gap: {
        region: run.region,
        clusterId: identity.clusterId,
        clusterName: stored.ProductFields?.[FIELD.clusterName] ?? null,
        checks: remaining.map((checkId) => ({ checkId, reason: CARRIED_REASON })),
      },
    };
  }
  return { action: 'archive', compliance: 'PASSED', note: 'Resolved: every check listed here was evaluated in this run.' };
}

/** Checks of a stored gap this run did not evaluate: they stay listed in the updated gap. */
function carriedChecks(stored: AwsSecurityFinding, gap: EvaluationGap, scope: Scope): Array<{ checkId: string; reason: string }> {
  const evaluated = gap.clusterId !== null ? scope.evaluatedForCluster : scope.evaluatedForRegion;
  const current = new Set(gap.checks.map((c) => c.checkId));
  return incompleteChecksOf(stored)
    .filter((id) => !current.has(id) && !evaluated.has(id) && !(scope.unrestricted && (scope.disabled(id) || !scope.known(id))))
    .map((checkId) => ({ checkId, reason: CARRIED_REASON }));
}

function samePassed(stored: AwsSecurityFinding, fresh: AwsSecurityFinding): boolean {
  const resourceIds = (f: AwsSecurityFinding): string => (f.Resources ?? []).map((r) => r.Id).join('\u0000');
  return (
    stored.Compliance?.Status === 'PASSED' &&
    stored.Title === fresh.Title &&
    stored.Description === fresh.Description &&
    stored.FindingProviderFields?.Severity?.Label === fresh.FindingProviderFields?.Severity?.Label &&
    resourceIds(stored) === resourceIds(fresh)
  );
}

