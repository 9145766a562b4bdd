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
import { loadSettings, type Settings } from '../lib/settings.js';
import type { Snapshot } from '../lib/snapshot.js';
import { parseEvent } from './events.js';

export const METRICS_NAMESPACE = 'EmrAudit';
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
    const key = `${settings.maxAttempts}\u0000${homeRegion}`;
    if (cache?.key !== key) cache = { key, clients: createAwsClients({ maxAttempts: settings.maxAttempts, homeRegion }) };
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

export function createHandler(overrides: Partial<HandlerDeps> = {}) {
  const deps: HandlerDeps = { ...defaultDeps(), ...overrides };
  const { logger, metrics } = deps;
  const knownCheckIds = deps.checks.map((c) => c.id);

  const audit = async (event: unknown, context: Context): Promise<RunSummary> => {
    const runId = deps.newRunId();
    logger.appendKeys({ runId });
    const startedAt = dateOf(deps.clock);
    // Both throw before any AWS call: a bad setting or event writes nothing.
    const settings = loadSettings(deps.env(), {}, { knownCheckIds });
    const parsed = parseEvent(event, { knownCheckIds });
    const { accountId, partition, region: homeRegion } = functionIdentity(context.invokedFunctionArn);

    if (parsed.kind === 'ignore') {
      logger.info('Event accepted, nothing to do', { reason: parsed.reason });
      metrics.addMetric('EventsIgnored', 'Count', 1);
      return skippedRunSummary({ runId, trigger: 'cluster-state-change', accountId, at: startedAt, reason: parsed.reason });
    }
    const { request } = parsed;
    const regions = request.regions ?? (settings.regions.length > 0 ? settings.regions : [homeRegion]);
    const remaining = context.getRemainingTimeInMillis();
    const deadline = startedAt.getTime() + remaining - settings.timeMarginSeconds * 1000;
    if (deadline <= startedAt.getTime()) {
      logger.warn('EMR_AUDIT_TIME_MARGIN_SECONDS is not below the time left: nothing will be collected', { remainingMs: remaining, marginSeconds: settings.timeMarginSeconds });
    }
    logger.info('Audit started', { trigger: request.trigger, description: parsed.description, regions, clusterIds: request.clusterIds, checks: request.checks, dryRun: request.dryRun });

    const clients = deps.clients(settings, homeRegion);
    const outcome = await runAudit(request, {
      settings,
      checks: deps.checks,
      clock: deps.clock,
      loadSnapshot: (req) =>
        needsCollection(req)
          ? deps.collect({
              regions,
              ...(req.clusterIds ? { clusterIds: req.clusterIds } : {}),
              checks: selectChecks(deps.checks, settings, req.checks),
              settings,
              clients,
              accountId,
              deadline,
              clock: deps.clock,
              now: startedAt,
              onProgress: (p) => logger.debug('Collecting', { ...p }),
            })
          : Promise.resolve(emptySnapshot(accountId, partition, startedAt, req.clusterIds)),
      publish: createPublisher({
        clients,
        settings,
        checks: deps.checks,
        clock: deps.clock,
        log: (level, message, data) => logger[level](message, data ?? {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      }),
    });

    const summary = buildRunSummary({ runId, request, regions, outcome });
    const collectionErrors = outcome.snapshot.regions.reduce((n, r) => n + r.errors.length, 0);
    for (const m of runMetrics(summary, collectionErrors)) metrics.addMetric(m.name, m.unit, m.value);
    logger.info('Audit finished', { summary });
    return summary;
  };

  return middy(audit)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .onError((request) => {
      logger.error('Audit failed', { error: request.error });
    });
}

export const handler = createHandler();
