/**
 * The Lambda handler: parse the event (functions/events.ts), run the audit (lib/audit.ts: collect →
 * evaluate → publish to Security Hub), and return the run summary. middy carries the Powertools
 * logger (JSON logs with the run id) and metrics (namespace EmrAudit) middlewares.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Check } from '../checks/contract.js';
import { CHECKS } from '../checks/index.js';
import { emptySnapshot, needsCollection, runAudit } from '../lib/audit.js';
import { createAwsClients, type AwsClients } from '../lib/aws/clients.js';
import { dateOf, systemClock, type Clock } from '../lib/clock.js';
import { collectSnapshot, type CollectOptions } from '../lib/collect/index.js';
import { selectChecks } from '../lib/evaluate.js';
import { buildRunSummary, runMetrics, skippedRunSummary, type RunSummary } from '../lib/report/run-summary.js';
import { createPublisher } from '../lib/report/sync.js';
import { loadSettings, SettingsError, type Settings } from '../lib/settings.js';
import type { AuditRequest } from '../lib/request.js';
import type { Snapshot } from '../lib/snapshot.js';
import { expiredRuleLines } from '../lib/suppression.js';
import { continuationRequest, emitContinuation, planContinuation } from '../lib/continuation.js';
import { loadRunState, saveRunState, statesOf, type RunState, type StateLog } from '../lib/state/run.js';
import { S3StateStore } from '../lib/state/store.js';
import { lastAuditedAt } from '../lib/state/view.js';
import { FOLLOW_UP_QUEUE_ENV } from '../lib/events/follow-up.js';
import { handleChange } from './change-events.js';
import { EventValidationError, MAX_CONTINUATIONS, parseEvent } from './events.js';
import { checkRegionPartition, checkRegionsEnabledForRun } from './regions.js';

export const METRICS_NAMESPACE = 'EmrAudit';
/** The state store's bucket (serverless.yml passes the one it creates); unset: no state. */
export const STATE_BUCKET_ENV = 'EMR_AUDIT_STATE_BUCKET';
export const STATE_PREFIX = 'state/';
export const SERVICE_NAME = 'emr-audit';

export interface HandlerDeps {
  logger: Logger;
  metrics: Metrics;
  env: () => Record<string, string | undefined>;
  checks: readonly Check[];
  /** AWS clients for this container (created once, reused by warm invocations). */
  clients: (settings: Settings, homeRegion: string) => AwsClients;
  collect: (options: CollectOptions) => Promise<Snapshot>;
  /** The one clock of every run: the deadline, pacing and retry waits are all measured on it. */
  clock: Clock;
  newRunId: () => string;
  /** Waits between Security Hub retries. */
  sleep?: (ms: number) => Promise<void>;
}

/** Account, partition and region of the function, from `arn:aws:lambda:us-east-1:123456789012:function:name`. */
export function functionIdentity(invokedFunctionArn: string): { partition: string; region: string; accountId: string } {
  const [arn, partition, service, region, accountId] = invokedFunctionArn.split(':');
  if (arn !== 'arn' || service !== 'lambda' || !partition || !region || !accountId || !/^\d{12}$/.test(accountId)) {
    throw new Error(`Cannot read the account id from the function ARN "${invokedFunctionArn}"`);
  }
  return { partition, region, accountId };
}

function cachedClients(): HandlerDeps['clients'] {
  let cache: { key: string; clients: AwsClients } | undefined;
  return (settings, homeRegion) => {
    const key = [settings.maxAttempts, settings.connectTimeoutMs, settings.requestTimeoutMs, homeRegion].join('\u0000');
    if (cache?.key !== key) {
      cache = {
        key,
        clients: createAwsClients({ maxAttempts: settings.maxAttempts, connectTimeoutMs: settings.connectTimeoutMs, requestTimeoutMs: settings.requestTimeoutMs, homeRegion }),
      };
    }
    return cache.clients;
  };
}

/**
 * The Powertools service name: serverless.yml sets POWERTOOLS_SERVICE_NAME to `emr-audit-<stage>`,
 * the `service` dimension the stage's alarm watches. An explicit option would override it.
 */
export function serviceName(env: Record<string, string | undefined>): string {
  return env.POWERTOOLS_SERVICE_NAME?.trim() || SERVICE_NAME;
}

export function defaultDeps(): HandlerDeps {
  return {
    logger: new Logger({ serviceName: serviceName(process.env) }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: serviceName(process.env) }),
    env: () => process.env,
    checks: CHECKS,
    clients: cachedClients(),
    collect: collectSnapshot,
    clock: systemClock,
    newRunId: randomUUID,
  };
}

/**
 * Time kept after the Security Hub synchronisation for evaluation leftovers, the summary, its log
 * line and the metrics flush: a quarter of the margin, between 1 and 10 seconds. The sync stops at
 * `end − reserve`, so the run returns its summary before the Lambda (and middy) time out.
 */
export function summaryReserveMs(timeMarginSeconds: number): number {
  return Math.min(10_000, Math.max(1_000, (timeMarginSeconds * 1000) / 4));
}

export function createHandler(overrides: Partial<HandlerDeps> = {}) {
  const deps: HandlerDeps = { ...defaultDeps(), ...overrides };
  const { logger, metrics } = deps;
  const knownCheckIds = deps.checks.map((c) => c.id);

  const audit = async (event: unknown, context: Context): Promise<RunSummary> => {
    const runId = deps.newRunId();
    logger.appendKeys({ runId });
    const startedAt = dateOf(deps.clock);
    // Both throw before any AWS call: a bad setting or event writes nothing.
    const settings = loadSettings(deps.env(), {}, { knownCheckIds, now: startedAt });
    const parsed = parseEvent(event, { knownCheckIds });
    const { accountId, partition, region: homeRegion } = functionIdentity(context.invokedFunctionArn);

    if (parsed.kind === 'ignore') {
      logger.info('Event accepted, nothing to do', { reason: parsed.reason });
      metrics.addMetric('EventsIgnored', 'Count', 1);
      return skippedRunSummary({ runId, trigger: 'cluster-state-change', accountId, at: startedAt, reason: parsed.reason });
    }
    const remaining = context.getRemainingTimeInMillis();
    const end = startedAt.getTime() + remaining;
    const clients = deps.clients(settings, homeRegion);
    const stateLog: StateLog = (level, message, data) => logger[level](message, data ?? {});
    const bucket = deps.env()[STATE_BUCKET_ENV]?.trim();
    const store = bucket ? new S3StateStore(clients.s3, bucket, STATE_PREFIX) : undefined;
    // Reported once per run: an expired rule silently stopping would look like a new finding out of nowhere.
    const expiredRules = expiredRuleLines(settings.suppressions, startedAt);
    for (const line of expiredRules) logger.warn('Suppression rule expired', { rule: line });

    /** One audit of this invocation: collect → evaluate → publish, the state saved, the summary. */
    const execute = async (request: AuditRequest, description: string, options: { state?: RunState; accountOnly?: boolean }): Promise<{ summary: RunSummary; collectionErrors: number }> => {
      const { state } = options;
      const regions = request.regions ?? (settings.regions.length > 0 ? settings.regions : [homeRegion]);
      // Collection stops a margin before the end, leaving it to evaluation and Security Hub; the
      // synchronisation stops a reserve before the end, leaving that to the summary.
      const deadline = end - settings.timeMarginSeconds * 1000;
      const syncDeadline = end - summaryReserveMs(settings.timeMarginSeconds);
      if (deadline <= deps.clock.now()) {
        logger.warn('EMR_AUDIT_TIME_MARGIN_SECONDS is not below the time left: nothing will be collected', { remainingMs: end - deps.clock.now(), marginSeconds: settings.timeMarginSeconds });
      }
      logger.info('Audit started', { trigger: request.trigger, description, regions, clusterIds: request.clusterIds, checks: request.checks, dryRun: request.dryRun });
      // A continuation with a state audits its regions whole: the gaps it closes include the cross-cluster ones.
      const audited = continuationRequest(request, state !== undefined);
      if (audited !== request) logger.info('Continuation: the regions are audited whole, the clusters already described come from the state', { continued: request.clusterIds?.length ?? 0 });
      const outcome = await runAudit(audited, {
        settings,
        checks: deps.checks,
        clock: deps.clock,
        loadSnapshot: (req) =>
          needsCollection(req)
            ? deps.collect({
                regions,
                ...(req.clusterIds ? { clusterIds: req.clusterIds } : {}),
                ...(options.accountOnly ? { accountOnly: true } : {}),
                checks: selectChecks(deps.checks, settings, req.checks),
                settings,
                clients,
                accountId,
                deadline,
                clock: deps.clock,
                now: startedAt,
                run: { trigger: req.trigger, continuation: req.continuation !== undefined },
                onProgress: (p) => (p.phase === 'emr-headroom' ? logger.info('EMR headroom', { region: p.region, headroom: p.detail }) : logger.debug('Collecting', { ...p })),
                ...(state ? { states: statesOf(state) } : {}),
              })
            : Promise.resolve(emptySnapshot(accountId, partition, startedAt, req.clusterIds)),
        publish: createPublisher({
          clients,
          settings,
          checks: deps.checks,
          clock: deps.clock,
          deadline: syncDeadline,
          log: (level, message, data) => logger[level](message, data ?? {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
        }),
      });

      // Written at the end of every run but a dry run, which writes nothing anywhere (it may still
      // read the state); lastAuditedAt moves only when findings were published.
      if (state && !request.dryRun) await saveRunState(state, outcome.snapshot, { audited: outcome.published !== undefined, now: outcome.snapshot.collectedAt }, stateLog);

      const summary = buildRunSummary({ runId, request: audited, regions, outcome, warnings: expiredRules });
      const plan = request.dryRun ? undefined : planContinuation({ request, runId, snapshot: outcome.snapshot, results: outcome.results, maxGenerations: MAX_CONTINUATIONS });
      if (plan) {
        const sent = await emitContinuation(clients.events, plan);
        summary.continuation = { emitted: sent.sent, clusters: plan.detail.clusterIds.length, left: plan.left, ...(sent.note ? { note: sent.note } : {}) };
        if (sent.sent) logger.info('Continuation event sent for the clusters the time budget left', { clusters: plan.detail.clusterIds.length, generation: plan.detail.continuation.generation, left: plan.left });
        else logger.warn('Continuation event not sent: the next scheduled run covers these clusters', { clusters: plan.detail.clusterIds.length, reason: sent.note });
      }
      const collectionErrors = outcome.snapshot.regions.reduce((n, r) => n + r.errors.length, 0);
      return { summary, collectionErrors };
    };

    const finish = (summary: RunSummary, collectionErrors: number): RunSummary => {
      for (const m of runMetrics(summary, collectionErrors)) metrics.addMetric(m.name, m.unit, m.value);
      logger.info('Audit finished', { summary });
      return summary;
    };

    if (parsed.kind === 'change' || parsed.kind === 'follow-up') {
      const out = await handleChange(parsed, {
        runId,
        settings,
        accountId,
        homeRegion,
        startedAt,
        clock: deps.clock,
        clients,
        ...(store ? { store } : {}),
        queueUrl: deps.env()[FOLLOW_UP_QUEUE_ENV]?.trim() || undefined,
        log: stateLog,
        execute,
      });
      return finish(out.summary, out.collectionErrors);
    }

    const { request } = parsed;
    // Before any call: a region of another partition, or none at all, is refused (functions/regions.ts).
    checkRegionPartition(request, settings, partition);
    const regions = request.regions ?? (settings.regions.length > 0 ? settings.regions : [homeRegion]);
    await checkRegionsEnabledForRun(request, regions, homeRegion, clients, (level, message, data) => logger[level](message, data));
    const state: RunState | undefined = store && needsCollection(request) ? await loadRunState(store, accountId, regions, stateLog) : undefined;

    const debounced = debounce(request, state, settings, deps.clock.now());
    if (debounced) {
      logger.info('Event skipped: the cluster was audited recently', { reason: debounced });
      metrics.addMetric('EventsDebounced', 'Count', 1);
      return skippedRunSummary({ runId, trigger: request.trigger, accountId, at: startedAt, reason: debounced });
    }
    const { summary, collectionErrors } = await execute(request, parsed.description, state ? { state } : {});
    return finish(summary, collectionErrors);
  };

  return middy(audit)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .onError((request) => {
      const error = request.error;
      // A bad setting or event is the caller's mistake, fully described by its message: one line,
      // no stack. Anything else is unexpected and keeps its stack for whoever debugs it.
      if (error instanceof SettingsError) {
        logger.error('Audit failed', { reason: 'invalid setting', setting: error.setting, validationError: error.message });
      } else if (error instanceof EventValidationError) {
        logger.error('Audit failed', { reason: 'invalid event', field: error.field, validationError: error.message });
      } else {
        logger.error('Audit failed', { error });
      }
    });
}

/**
 * Why a state-change event need not be audited: RUNNING/WAITING for a cluster whose findings were
 * published within EMR_AUDIT_EVENT_DEBOUNCE_SECONDS (WAITING follows RUNNING, steps flip a cluster
 * between them). A cluster the state does not know — a new one — is always audited.
 */
export function debounce(request: AuditRequest, state: RunState | undefined, settings: Settings, now: number): string | undefined {
  if (request.trigger !== 'cluster-state-change' || request.terminatedClusters.length > 0 || settings.eventDebounceSeconds === 0) return undefined;
  const [region] = request.regions ?? [];
  const [clusterId] = request.clusterIds ?? [];
  if (!region || !clusterId) return undefined;
  const at = lastAuditedAt(state?.loaded.get(region)?.state, clusterId);
  if (at === undefined) return undefined;
  const age = Math.floor((now - at) / 1000);
  if (age < 0 || age >= settings.eventDebounceSeconds) return undefined;
  return `cluster ${clusterId} was audited ${age} s ago (EMR_AUDIT_EVENT_DEBOUNCE_SECONDS ${settings.eventDebounceSeconds})`;
}

export const handler = createHandler();
