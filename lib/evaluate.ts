/**
 * The engine: runs the checks over a snapshot and turns their outcomes into results, applying
 * scope (regions, clusters, checks), disabled checks and suppression (lib/suppression.ts: the
 * cluster tag unless turned off, and the central rules). Pure: no I/O.
 */
import type { Check, ClusterCheck, DependencyResult, EvalContext, GroupUse, Outcome, RegionView, ResourceRef, Result, Status } from '../checks/contract.js';
import type { Settings } from './settings.js';
import type { Cluster, CollectionError, RegionSnapshot, ResourceKind, Snapshot } from './snapshot.js';
import { clusterSecurityGroupRefs, describeErrors } from './lookup.js';
import { parseReleaseLabels, type ReleaseVersion } from './release.js';
import { RecentMap } from './recent.js';
import { clusterSuppression, suppressTagValue, type ClusterSuppression } from './suppression.js';

export { SUPPRESS_TAG } from './suppression.js';

export interface EvaluateOptions {
  checks: readonly Check[];
  settings: Settings;
  /** Default: the snapshot's `collectedAt`. */
  now?: Date;
  /** Only these checks (ids); default all enabled. */
  checkIds?: readonly string[];
  /** Only these clusters; default all in the snapshot. */
  clusterIds?: readonly string[];
  /**
   * The run's time, against which suppression rules expire (default: `now`). A policy decision of
   * today, also when a saved snapshot is evaluated.
   */
  runAt?: Date;
}

export function makeRegionView(region: RegionSnapshot, snapshot: Pick<Snapshot, 'accountId' | 'partition'>): RegionView {
  const index = new Map<string, CollectionError[]>();
  for (const e of region.errors) {
    const key = `${e.kind}\u0000${e.resourceId}`;
    const bucket = index.get(key);
    if (bucket) bucket.push(e);
    else index.set(key, [e]);
  }
  // The indexes are built on first use (once per region), so a run of checks that needs none pays nothing.
  const once = <T>(build: () => T): (() => T) => {
    let value: { v: T } | undefined;
    return () => (value ??= { v: build() }).v;
  };
  const ssmQueried = once(() => new Set(region.ssmQueried));
  const groupUses = once(() => {
    const byGroup = new Map<string, GroupUse[]>();
    region.clusters.forEach((cluster, i) => {
      const refs = clusterSecurityGroupRefs(cluster);
      for (const ref of refs) {
        const use: GroupUse = { cluster, index: i, ref, refs };
        const uses = byGroup.get(ref.groupId);
        if (uses) uses.push(use);
        else byGroup.set(ref.groupId, [use]);
      }
    });
    return byGroup;
  });
  const undescribed = once(() => region.clusters.filter((c) => !c.described));
  const releases = once((): readonly ReleaseVersion[] | undefined => (region.releaseLabels ? parseReleaseLabels(region.releaseLabels) : undefined));
  return {
    snapshot: region,
    region: region.region,
    accountId: snapshot.accountId,
    partition: snapshot.partition,
    errorsFor: (kind: ResourceKind, resourceId: string) => index.get(`${kind}\u0000${resourceId}`) ?? [],
    get ssmQueried() {
      return ssmQueried();
    },
    clustersUsingGroup: (groupId: string) => groupUses().get(groupId) ?? [],
    get undescribedClusters() {
      return undescribed();
    },
    get releases() {
      return releases();
    },
  };
}

/** Check ids a cluster's `emr-audit:suppress` tag names (`*` for all), or undefined without the tag. */
export function suppressedChecks(cluster: Cluster): Set<string> | undefined {
  const raw = suppressTagValue(cluster);
  if (raw === undefined) return undefined;
  return new Set(
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function selectChecks(all: readonly Check[], settings: Settings, checkIds?: readonly string[]): Check[] {
  const disabled = new Set(settings.disabledChecks);
  const only = checkIds && checkIds.length > 0 ? new Set(checkIds) : undefined;
  return all.filter((c) => !disabled.has(c.id) && (!only || only.has(c.id)));
}

export function evaluateSnapshot(snapshot: Snapshot, options: EvaluateOptions): Result[] {
  const now = options.now ?? new Date(snapshot.collectedAt);
  const suppressionOptions = { rules: options.settings.suppressions, honourTags: options.settings.suppressionTags, now: options.runAt ?? now };
  const checks = selectChecks(options.checks, options.settings, options.checkIds);
  const clusterFilter = options.clusterIds && options.clusterIds.length > 0 ? new Set(options.clusterIds) : undefined;
  // An empty scope list is a collection of no cluster (an account-level change audit): restricted too.
  const restricted = clusterFilter !== undefined || snapshot.scope.clusterIds !== undefined;
  const results: Result[] = [];
  const texts = new SameTexts();

  for (const regionSnap of snapshot.regions) {
    const view = makeRegionView(regionSnap, snapshot);
    // Per cluster, not per (check, cluster): the tag and the rules are matched once.
    const suppressions = new Map<Cluster, ClusterSuppression | undefined>();
    const suppressedFor = (cluster: Cluster): ClusterSuppression | undefined => {
      if (!suppressions.has(cluster)) suppressions.set(cluster, clusterSuppression(cluster, suppressionOptions));
      return suppressions.get(cluster);
    };
    const ctx: EvalContext = { settings: options.settings, now, region: view };
    const regionErrors = view.errorsFor('region', regionSnap.region);
    const base = { region: regionSnap.region, accountId: snapshot.accountId };
    const inRegion = checks.filter((check) => !(check.needsAllClusters && restricted));
    // Results are kept per check, in check order then cluster order, whatever order they are computed
    // in. A cluster's one result is kept as it is (not in a list of one): most are alone, and a fleet
    // of thousands of clusters has hundreds of thousands of them.
    const byCheck = inRegion.map((): (Result | Result[])[] => []);

    inRegion.forEach((check, i) => {
      if (check.scope === 'region') {
        // Account-level checks run even in cluster-restricted runs only when no cluster filter is set.
        if (clusterFilter) return;
        const outcomes = regionErrors.length > 0 ? [regionFailure(regionErrors)] : safeEvaluate(check, () => check.evaluate(ctx));
        byCheck[i]!.push(outcomes.map((o) => toResult(check, o, { ...base, clusterId: null, clusterName: null, resourceId: regionSnap.region }, texts)));
      } else if (regionErrors.length > 0) {
        // The clusters of this region are unknown: one ERROR per cluster check for the region.
        byCheck[i]!.push([toResult(check, regionFailure(regionErrors), { ...base, clusterId: null, clusterName: null, resourceId: regionSnap.region }, texts)]);
      }
    });

    if (regionErrors.length === 0) {
      const clusterChecks = inRegion.flatMap((check, i) => (check.scope === 'cluster' ? [{ check, i }] : []));
      const clusters = regionSnap.clusters.map((cluster, index) => ({ cluster, index })).filter(({ cluster }) => !clusterFilter || clusterFilter.has(cluster.id));
      const outcomesOf = dependencyMemo(options.checks, checks, ctx);
      // Cluster by cluster, those of one instance profile one after the other: what is worked out
      // for a role (its parsed policies, verdicts) is used while it is fresh and then let go, so a
      // fleet of thousands of roles never holds them all at once.
      for (const { cluster, index } of [...clusters].sort((a, b) => byText(profileOf(a.cluster), profileOf(b.cluster)))) {
        const sources = suppressedFor(cluster);
        for (const { check, i } of clusterChecks) {
          const outcomes = cluster.described
            ? outcomesOf(check, cluster)
            : [{ status: 'ERROR' as const, message: `The cluster could not be described: ${describeErrors(view.errorsFor('cluster', cluster.id))}` }];
          const suppressedBy = sources?.sources(check.id) ?? [];
          const resultOf = (o: Outcome): Result => {
            const r = toResult(check, o, { ...base, clusterId: cluster.id, clusterName: cluster.name, resourceId: cluster.id }, texts);
            return suppressedBy.length > 0 ? suppress(r, suppressedBy) : r;
          };
          byCheck[i]![index] = outcomes.length === 1 ? resultOf(outcomes[0]!) : outcomes.map(resultOf);
        }
        outcomesOf.forget(cluster);
      }
    }
    for (const perCluster of byCheck) {
      for (const slot of perCluster) {
        if (Array.isArray(slot)) for (const r of slot) results.push(r);
        else if (slot) results.push(slot);
      }
    }
  }
  return results;
}

/**
 * Evaluates cluster checks for one region, keeping the outcomes of the checks some selected check
 * `reads` (per cluster) so each is evaluated once whether the engine or a dependent asks first. A
 * check read by another is looked up among all the checks the engine was given, so it is evaluated
 * for its reader also when it is disabled or not selected.
 */
function dependencyMemo(
  all: readonly Check[],
  selected: readonly Check[],
  ctx: EvalContext,
): ((check: ClusterCheck, cluster: Cluster) => Outcome[]) & { forget: (cluster: Cluster) => void } {
  const byId = new Map(all.map((c) => [c.id, c]));
  const readIds = new Set(selected.flatMap((c) => (c.scope === 'cluster' ? (c.reads ?? []) : [])));
  const kept = new Map<Cluster, Map<string, Outcome[]>>();
  const run = (check: ClusterCheck, cluster: Cluster): Outcome[] => {
    if (!readIds.has(check.id)) return safeEvaluate(check, () => check.evaluate(cluster, withDependencies(check, cluster)));
    let own = kept.get(cluster);
    if (!own) {
      own = new Map();
      kept.set(cluster, own);
    }
    let outcomes = own.get(check.id);
    if (!outcomes) {
      outcomes = safeEvaluate(check, () => check.evaluate(cluster, ctx));
      own.set(check.id, outcomes);
    }
    return outcomes;
  };
  const withDependencies = (check: ClusterCheck, cluster: Cluster): EvalContext => {
    if (!check.reads || check.reads.length === 0) return ctx;
    const dependencies = new Map<string, DependencyResult[]>();
    for (const id of check.reads) {
      const dep = byId.get(id);
      // Only plain cluster checks can be read: a chain of readers could loop.
      if (!dep || dep.scope !== 'cluster' || (dep.reads?.length ?? 0) > 0) continue;
      dependencies.set(
        id,
        run(dep, cluster).map((o) => ({ checkId: id, status: o.status, severity: o.severity ?? dep.severity, message: o.message })),
      );
    }
    return { ...ctx, dependencies };
  };
  // The engine is done with a cluster once all its checks ran: its kept outcomes can go.
  return Object.assign(run, { forget: (cluster: Cluster) => void kept.delete(cluster) });
}

/** The instance profile a cluster's nodes run as, to evaluate the clusters of one role together. */
const profileOf = (cluster: Cluster): string => cluster.ec2?.instanceProfile ?? '';
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function regionFailure(errors: CollectionError[]): Outcome {
  return { status: 'ERROR', message: `The region could not be audited: ${describeErrors(errors)}` };
}

/** A check that throws is a bug, but it must not abort the audit or read as a pass. */
function safeEvaluate(check: Check, run: () => Outcome[]): Outcome[] {
  try {
    const outcomes = run();
    return outcomes.length > 0 ? outcomes : [{ status: 'ERROR', message: `Check ${check.id} returned no result.` }];
  } catch (e) {
    return [{ status: 'ERROR', message: `Check ${check.id} failed internally: ${(e as Error).message}` }];
  }
}

function suppress(r: Result, sources: readonly string[]): Result {
  if (r.status !== 'FAIL' && r.status !== 'ERROR') return r;
  return {
    ...r,
    status: 'SUPPRESSED',
    originalStatus: r.status,
    // Every source, so the audit/suppressed finding names who silenced what.
    suppressedBy: sources.join('; '),
  };
}

/*
 * A scan of thousands of clusters keeps hundreds of thousands of results until the report is
 * written, most of them without resources: they share one empty (frozen) list each instead.
 */
const NO_IDS = Object.freeze([]) as unknown as string[];
const NO_REFS = Object.freeze([]) as unknown as ResourceRef[];

/**
 * One copy of each message among those seen most recently. Fleets are built from templates: the
 * clusters of one launch template, security configuration or shared group get the same message
 * from most checks, and a scan of thousands of clusters kept thousands of copies of each (at 5,000
 * clusters, 36 MB of messages of which 8 MB were distinct).
 */
class SameTexts {
  private readonly seen = new RecentMap<string, string>(2048);

  same(text: string): string {
    const known = this.seen.get(text);
    if (known !== undefined) return known;
    this.seen.set(text, text);
    return text;
  }
}

/**
 * A message built from many pieces (template literals) is kept by V8 as a tree of them; reading a
 * character flattens it into one string, and the tree (tens of bytes per piece) goes at the next
 * collection. Nothing changes but the memory a kept result takes.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

function toResult(
  check: Check,
  o: Outcome,
  where: { region: string; accountId: string; clusterId: string | null; clusterName: string | null; resourceId: string },
  texts: SameTexts,
): Result {
  const refs = o.resources ?? NO_REFS;
  const ids = refs.length === 0 ? NO_IDS : refs.length === 1 ? [refs[0]!.id] : [...new Set(refs.map((r) => r.id))];
  return {
    checkId: check.id,
    status: o.status,
    severity: o.severity ?? check.severity,
    region: where.region,
    accountId: where.accountId,
    clusterId: where.clusterId,
    clusterName: where.clusterName,
    title: check.title,
    message: texts.same(flat(o.message)),
    resources: ids,
    resourceDetails: refs.length === 0 ? NO_REFS : refs,
    resourceId: o.resourceId ?? where.resourceId,
    ...(o.network && o.network.length > 0 ? { network: o.network } : {}),
  };
}

/** Results counted per status, for summaries. */
export function countByStatus(results: readonly Result[]): Record<Status, number> {
  const counts: Record<Status, number> = { PASS: 0, FAIL: 0, NOT_APPLICABLE: 0, ERROR: 0, SUPPRESSED: 0 };
  for (const r of results) counts[r.status] += 1;
  return counts;
}
