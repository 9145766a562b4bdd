/**
 * The events the Lambda accepts, parsed with zod into an AuditRequest (DESIGN.md "On-demand
 * event"): the EventBridge schedule, the on-demand `emr-audit` event, and EMR cluster state
 * changes. Anything else is a validation error that names the problem; nothing is written then.
 */
import * as z from 'zod';
import { unknownRegionProblem } from '../lib/regions.js';
import { CLOUDTRAIL_DETAIL_TYPE, parseCloudTrailEvent, type ParsedCloudTrail } from '../lib/events/cloudtrail.js';
import { isSqsBatch, parseFollowUps, type FollowUpMessage } from '../lib/events/follow-up.js';
import { AuditRequest } from '../lib/request.js';
import { LIMITS } from '../lib/settings.js';

export const ON_DEMAND_SOURCE = 'emr-audit';
export const ON_DEMAND_DETAIL_TYPE = 'Run EMR audit';
export const SCHEDULE_SOURCE = 'aws.events';
export const SCHEDULE_DETAIL_TYPE = 'Scheduled Event';
export const EMR_SOURCE = 'aws.emr';
export const EMR_STATE_CHANGE = 'EMR Cluster State Change';
/** How many continuation runs may follow one another (the rotating start covers the rest). */
export const MAX_CONTINUATIONS = 5;

/** Cluster states that start an audit of the cluster, and those that archive its findings. */
const AUDIT_STATES = new Set(['RUNNING', 'WAITING']);
const GONE_STATES = new Set(['TERMINATED', 'TERMINATED_WITH_ERRORS']);

export class EventValidationError extends Error {
  override name = 'EventValidationError';
  /** Where in the event the problem is (`detail.clusterIds[3]`), for a one-line log entry. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export type ParsedEvent =
  | { kind: 'audit'; request: AuditRequest; description: string }
  /** Accepted, nothing to do (e.g. a cluster that is still starting). */
  | { kind: 'ignore'; reason: string }
  /** A CloudTrail "AWS API Call via CloudTrail" event (DESIGN.md "Change-triggered audits"). */
  | { kind: 'change'; cloudTrail: ParsedCloudTrail }
  /** An SQS batch of follow-ups of coalesced change events (lib/events/follow-up.ts). */
  | { kind: 'follow-up'; messages: FollowUpMessage[] };

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const regionName = z
  .string()
  .regex(REGION_NAME, { error: (iss) => `${JSON.stringify(iss.input)} is not an AWS region name` })
  // A well-formed name the SDK does not list (`zz-nowhere-9`) is no region either; whether it is
  // in the function's partition is the handler's question (it knows the function's ARN).
  .superRefine((region, ctx) => {
    const unknown = REGION_NAME.test(region) ? unknownRegionProblem(region) : undefined;
    if (unknown) ctx.addIssue({ code: 'custom', message: unknown });
  });
const clusterId = z.string().regex(/^j-[0-9A-Z]{1,64}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not an EMR cluster id (j-…)` });

const Envelope = z.object({
  source: z.string({ error: 'the event has no "source"' }),
  'detail-type': z.string({ error: 'the event has no "detail-type"' }),
  region: z.string().optional(),
  detail: z.unknown().optional(),
});

function onDemandDetail(knownCheckIds: readonly string[]) {
  const known = new Set(knownCheckIds);
  const checkId = z.string().refine((id) => known.has(id), { error: (iss) => `unknown check id ${JSON.stringify(iss.input)} (see \`emr-audit checks\`)` });
  // Bounded: 200,000 cluster ids were accepted and made one enormous run. The bound is checked
  // before the items, so a huge list is refused without validating each entry.
  const bounded = <T extends z.ZodType>(item: T, max: number, what: string) =>
    z
      .array(z.unknown())
      .min(1, { error: `must list at least one ${what} when given` })
      .max(max, { error: (iss) => `at most ${max} ${what}s (got ${(iss.input as unknown[]).length})` })
      .pipe(z.array(item));
  return z.strictObject({
    regions: bounded(regionName, LIMITS.regions, 'region').optional(),
    clusterIds: bounded(clusterId, LIMITS.clusterIds, 'cluster').optional(),
    checks: bounded(checkId, Math.max(1, knownCheckIds.length), 'check').optional(),
    dryRun: z.boolean().optional(),
    // Added compatibly: set only by the continuation event a run that met its time budget emits.
    continuation: z
      .strictObject({
        of: z.string().min(1).max(100),
        generation: z.number().int().min(1).max(MAX_CONTINUATIONS, { error: `a run continues at most ${MAX_CONTINUATIONS} times` }),
      })
      .optional(),
  });
}

const EmrStateChangeDetail = z.object({ clusterId, state: z.string().min(1), name: z.string().optional() });

/** `detail.clusterIds[1]: "x" is not an EMR cluster id (j-…)` — the first problem, with where it is. */
function describeIssue(error: z.ZodError, prefix: string): { where: string; text: string } {
  const issue = error.issues[0];
  if (!issue) return { where: prefix, text: `${prefix}: invalid` };
  const where = issue.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), prefix);
  return { where, text: issue.code === 'unrecognized_keys' ? `${where}: unknown key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : `${where}: ${issue.message}` };
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = describeIssue(parsed.error, where);
    throw new EventValidationError(`Invalid event: ${issue.text}`, issue.where);
  }
  return parsed.data;
}

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

/** Parse a Lambda event; throws EventValidationError naming the problem. */
export function parseEvent(event: unknown, options: { knownCheckIds: readonly string[] }): ParsedEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new EventValidationError('Invalid event: expected a JSON object (an EventBridge event)');
  }
  if (isSqsBatch(event)) {
    const batch = parseFollowUps(event);
    if (!batch.ok) throw new EventValidationError(`Invalid event: ${batch.message}`, batch.field);
    return { kind: 'follow-up', messages: batch.messages };
  }
  const envelope = parseWith(Envelope, event, 'event');
  const { source } = envelope;
  const detailType = envelope['detail-type'];

  if (source === SCHEDULE_SOURCE && detailType === SCHEDULE_DETAIL_TYPE) {
    return { kind: 'audit', request: AuditRequest.parse({ trigger: 'schedule' }), description: 'scheduled audit' };
  }

  if (source === ON_DEMAND_SOURCE && detailType === ON_DEMAND_DETAIL_TYPE) {
    // An absent detail is an empty one (run everything); `null` or any non-object is malformed.
    const detail = parseWith(onDemandDetail(options.knownCheckIds), envelope.detail === undefined ? {} : envelope.detail, 'detail');
    const request = AuditRequest.parse({
      trigger: 'on-demand',
      ...(detail.regions ? { regions: unique(detail.regions) } : {}),
      ...(detail.clusterIds ? { clusterIds: unique(detail.clusterIds) } : {}),
      ...(detail.checks ? { checks: unique(detail.checks) } : {}),
      dryRun: detail.dryRun ?? false,
      ...(detail.continuation ? { continuation: detail.continuation } : {}),
    });
    return { kind: 'audit', request, description: detail.continuation ? `continuation ${detail.continuation.generation} of run ${detail.continuation.of}` : 'on-demand audit' };
  }

  if (source === EMR_SOURCE && detailType === EMR_STATE_CHANGE) {
    const region = parseWith(regionName, envelope.region, 'region');
    const detail = parseWith(EmrStateChangeDetail, envelope.detail, 'detail');
    const base = { trigger: 'cluster-state-change' as const, regions: [region], clusterIds: [detail.clusterId] };
    if (AUDIT_STATES.has(detail.state)) {
      return { kind: 'audit', request: AuditRequest.parse(base), description: `cluster ${detail.clusterId} is ${detail.state}` };
    }
    if (GONE_STATES.has(detail.state)) {
      return {
        kind: 'audit',
        request: AuditRequest.parse({ ...base, terminatedClusters: [{ clusterId: detail.clusterId, region }] }),
        description: `cluster ${detail.clusterId} is ${detail.state}`,
      };
    }
    return { kind: 'ignore', reason: `cluster ${detail.clusterId} is ${detail.state}: nothing to audit yet` };
  }

  if (detailType === CLOUDTRAIL_DETAIL_TYPE) {
    const parsed = parseCloudTrailEvent(event);
    if (!parsed.ok) throw new EventValidationError(`Invalid event: ${parsed.message}`, parsed.field);
    return { kind: 'change', cloudTrail: parsed.value };
  }

  throw new EventValidationError(
    `Invalid event: unsupported source ${JSON.stringify(source)} with detail-type ${JSON.stringify(detailType)}; expected a scheduled event (${SCHEDULE_SOURCE}), ` +
      `an on-demand event (source "${ON_DEMAND_SOURCE}", detail-type "${ON_DEMAND_DETAIL_TYPE}") or an "${EMR_STATE_CHANGE}" event (${EMR_SOURCE})`,
  );
}
