/**
 * Synchronise Security Hub with a run's results (SECURITY-HUB.md rules 13–18), region by region:
 * read our ACTIVE findings, plan (sync-plan.ts), import in batches, and count what landed.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { Check } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import type { AuditDeps, PublishSummary } from '../audit.js';
import type { AwsClients } from '../aws/clients.js';
import { sleep, type Clock } from '../clock.js';
import { Pacer } from '../collect/pacing.js';
import type { AuditRequest } from '../request.js';
import type { Settings } from '../settings.js';
import type { Snapshot } from '../snapshot.js';
import { collectGaps, findingContext, GAP_CHECK_ID, productArn, type FindingContext } from './asff.js';
import {
  errorInfo,
  importFindings,
  isUnavailable,
  readActiveFindings,
  readActiveIdsOfCheck,
  readFindingsById,
  SECURITY_HUB_QUOTAS,
  SyncDeadlineError,
  TIME_LIMIT,
  type AwsErrorInfo,
  type HubTarget,
  type PublishLog,
} from './security-hub.js';
import { desiredFindings, planRegion, scopedResourceIds, type ImportKind, type RegionRun } from './sync-plan.js';

export interface PublisherOptions {
  clients: AwsClients;
  settings: Settings;
  /** Structured logger (Powertools in the Lambda, stderr in the CLI). */
  log?: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
  /** The check registry (default: every check). */
  checks?: readonly Check[];
  /** The run's clock: retry waits are its timers. */
  clock: Clock;
  /** Waits between retries (default: on the clock; tests replace it). */
  sleep?: (ms: number) => Promise<void>;
  /** Retries of a batch's retryable failures (default 3). */
  maxRetries?: number;
  /**
   * Epoch ms of `clock` at which the synchronisation stops (the Lambda reserves the time after it
   * for the summary): no call starts after it, calls in flight are abandoned, and what was not
   * done is reported. Nothing is archived that this run did not prove.
   */
  deadline?: number;
}

export function createPublisher(options: PublisherOptions): NonNullable<AuditDeps['publish']> {
  const log: PublishLog = options.log ?? (() => undefined);
  const checks = options.checks ?? CHECKS;
  // One pacer for every publish of this publisher, keyed by account and region (rule 17), at the
  // settings' rate multiplier: two publishes in a row share the buckets, as they do at AWS.
  const pacer = new Pacer({ clock: options.clock, quotas: SECURITY_HUB_QUOTAS, multiplier: options.settings.rateMultiplier });
  return async ({ snapshot, results, request, now }) => {
    const ctx = findingContext(snapshot, now, checks);
    const summary: PublishSummary = { imported: 0, archived: 0, failed: 0, errors: [], openGaps: 0 };
    const controller = new AbortController();
    const cancelTimer = options.deadline === undefined ? undefined : options.clock.setTimer(Math.max(0, options.deadline - options.clock.now()), () => controller.abort());
    const expired = (): boolean => controller.signal.aborted || (options.deadline !== undefined && options.clock.now() >= options.deadline);
    try {
      // Regions one after the other: Security Hub's quotas are per region, and a run is not urgent.
      for (const region of regionsToSync(snapshot, request)) {
        if (expired()) {
          controller.abort();
          summary.errors.push(`${region}: Security Hub was not synchronised: the run reached its time limit first; its findings are unchanged.`);
          summary.openGaps = (summary.openGaps ?? 0) + collectGaps(results.filter((r) => r.region === region)).length;
          continue;
        }
        const regionSnapshot = snapshot.regions.find((r) => r.region === region);
        const run: RegionRun = {
          region,
          ...(regionSnapshot ? { snapshot: regionSnapshot } : {}),
          results: results.filter((r) => r.region === region),
          request,
          ...(snapshot.scope.clusterIds ? { snapshotClusterIds: snapshot.scope.clusterIds } : {}),
          settings: options.settings,
          checks,
        };
        const part = await syncRegion(run, ctx, options.clients, {
          log,
          sleep: options.sleep ?? ((ms) => sleep(options.clock, ms)),
          maxRetries: options.maxRetries ?? 3,
          pacer,
          signal: controller.signal,
        });
        summary.imported += part.imported;
        summary.archived += part.archived;
        summary.failed += part.failed;
        summary.errors.push(...part.errors);
        summary.openGaps = (summary.openGaps ?? 0) + (part.openGaps ?? collectGaps(run.results).length);
      }
    } finally {
      cancelTimer?.();
    }
    return summary;
  };
}

/** The snapshot's regions, plus those of clusters reported terminated (nothing else to do there). */
export function regionsToSync(snapshot: Snapshot, request: AuditRequest): string[] {
  return [...new Set([...snapshot.regions.map((r) => r.region), ...request.terminatedClusters.map((t) => t.region)])];
}

interface SyncOptions {
  log: PublishLog;
  sleep: (ms: number) => Promise<void>;
  maxRetries: number;
  pacer?: Pacer;
  signal?: AbortSignal;
}

function deadlineLine(region: string, what: string): string {
  return `${region}: Security Hub synchronisation stopped at the run's time limit: ${what}. Nothing was archived that this run did not prove; the next run completes it.`;
}

function unavailableLine(region: string, info: AwsErrorInfo): string {
  return `${region}: Security Hub refused the findings (${info.code}: ${info.message}). Is Security Hub CSPM enabled in ${region}, and may the audit role call securityhub:BatchImportFindings and securityhub:GetFindings? Nothing was written there.`;
}

export async function syncRegion(run: RegionRun, ctx: FindingContext, clients: AwsClients, options: SyncOptions): Promise<PublishSummary> {
  const { region } = run;
  const { log } = options;
  const target: HubTarget = {
    client: clients.forRegion(region).securityHub,
    region,
    accountId: ctx.accountId,
    productArn: productArn(ctx.partition, region, ctx.accountId),
    ...(options.pacer ? { pacer: options.pacer } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const summary: PublishSummary = { imported: 0, archived: 0, failed: 0, errors: [] };
  const desired = desiredFindings(run, ctx);

  // A run restricted to a few clusters reads only their findings and the account's (issue 25).
  const scoped = scopedResourceIds(run, ctx);
  let active: AwsSecurityFinding[] = [];
  let storedKnown = true;
  try {
    active = await readActiveFindings(target, scoped);
  } catch (error) {
    if (error instanceof SyncDeadlineError) {
      summary.failed = desired.size;
      summary.errors.push(deadlineLine(region, `the stored findings were not read; ${desired.size} finding(s) not imported`));
      log('warn', 'Security Hub synchronisation stopped at the time limit', { region, notImported: desired.size });
      return summary;
    }
    const info = errorInfo(error);
    log('error', 'GetFindings failed', { region, errorCode: info.code, errorMessage: info.message });
    if (isUnavailable(info.code)) {
      summary.failed = desired.size;
      summary.errors.push(unavailableLine(region, info));
      return summary;
    }
    // Without the stored findings nothing can be archived safely; current failures still go in.
    storedKnown = false;
    summary.errors.push(`${region}: could not read the existing findings (${info.code}: ${info.message}); current failures were imported, nothing was archived.`);
  }

  const activeIds = new Set(active.map((f) => f.Id));
  const reopened = [...desired.keys()].filter((id) => !activeIds.has(id));
  let previous = new Map<string, AwsSecurityFinding>();
  if (storedKnown && reopened.length > 0) {
    try {
      previous = await readFindingsById(target, reopened);
    } catch (error) {
      if (error instanceof SyncDeadlineError) {
        summary.failed = desired.size;
        summary.errors.push(deadlineLine(region, `${desired.size} finding(s) not imported`));
        log('warn', 'Security Hub synchronisation stopped at the time limit', { region, notImported: desired.size });
        return summary;
      }
      const info = errorInfo(error);
      log('warn', 'Could not look up archived findings; their CreatedAt is reset', { region, errorCode: info.code, errorMessage: info.message });
    }
  }

  if (scoped) {
    // A current finding filed under a resource the scoped read did not ask for is still ACTIVE:
    // the plan must see it as such (carried gap checks, rule 14's "unchanged").
    for (const [id, f] of previous) {
      if ((f.RecordState ?? 'ACTIVE') !== 'ACTIVE') continue;
      active.push(f);
      previous.delete(id);
    }
  }

  const plan = planRegion({ run, ctx, desired, active, previous, storedKnown });
  summary.openGaps = plan.openGaps;
  if (scoped && storedKnown) {
    // Open gaps of clusters outside the scope were not read, yet stay open: count them too.
    try {
      const read = new Set(active.map((f) => f.Id));
      const outside = [...(await readActiveIdsOfCheck(target, GAP_CHECK_ID))].filter((id) => !read.has(id));
      summary.openGaps += outside.length;
    } catch (error) {
      if (!(error instanceof SyncDeadlineError)) {
        const info = errorInfo(error);
        log('warn', 'Could not count the open evaluation gaps outside the run\'s scope', { region, errorCode: info.code, errorMessage: info.message });
      }
      summary.errors.push(`${region}: could not count the open evaluation gaps outside this run's clusters; findings.evaluationIncomplete counts only this run's.`);
    }
  }
  const kinds = new Map(plan.imports.map((p) => [p.finding.Id ?? '', p.kind]));
  log('info', 'Security Hub plan', {
    region,
    active: active.length,
    ...countKinds(plan.imports.map((p) => p.kind)),
    untouched: plan.untouched,
    // Rule 14: current findings not sent because Security Hub shows them as they are.
    unchanged: plan.unchanged,
    refreshed: plan.imports.filter((p) => p.reason === 'refresh').length,
  });
  if (plan.unrecognised.length > 0) log('warn', 'Findings with our GeneratorId but no check/resource identity were left alone', { region, findingIds: plan.unrecognised });
  if (plan.imports.length === 0) return summary;

  const result = await importFindings(
    target,
    plan.imports.map((p) => p.finding),
    options,
  );
  for (const id of result.imported) {
    if (kinds.get(id) === 'archive') summary.archived += 1;
    else summary.imported += 1;
  }
  summary.failed += result.failed.length;
  if (result.unavailable) summary.errors.push(unavailableLine(region, result.unavailable));
  const cut = result.failed.filter((f) => f.code === TIME_LIMIT);
  if (cut.length > 0) {
    summary.errors.push(deadlineLine(region, `${cut.length} of ${plan.imports.length} planned update(s) not sent`));
    log('warn', 'Security Hub synchronisation stopped at the time limit', { region, notSent: cut.length });
  }
  for (const f of result.failed) {
    if (f.code === TIME_LIMIT) continue;
    if (result.unavailable && f.code === result.unavailable.code) continue;
    summary.errors.push(`${region}: finding ${f.id} was not imported (${f.code}: ${f.message})`);
  }
  return summary;
}

function countKinds(kinds: readonly ImportKind[]): Record<ImportKind, number> {
  const counts: Record<ImportKind, number> = { fail: 0, pass: 0, gap: 0, suppressed: 0, archive: 0 };
  for (const k of kinds) counts[k] += 1;
  return counts;
}
