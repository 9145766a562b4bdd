/**
 * A CloudTrail change event, or a follow-up of coalesced ones, through one invocation (DESIGN.md
 * "Change-triggered audits"): which clusters it touches (lib/events/change-plan.ts, from the state's
 * resource index), which of them audit now and which wait for the one follow-up of their debounce
 * window (lib/events/coalesce.ts, the follow-up an SQS message with a delay), then the audits
 * themselves through the handler's own pipeline, so every Security Hub rule holds for them too.
 */
import type { Clock } from '../lib/clock.js';
import type { AwsClients } from '../lib/aws/clients.js';
import { auditsFor, regionsOf, resolveTargets, unmappedTargets, type PlannedAudit } from '../lib/events/change-plan.js';
import type { ParsedCloudTrail } from '../lib/events/cloudtrail.js';
import { coalesce, delaySeconds, dueFollowUps } from '../lib/events/coalesce.js';
import { FOLLOW_UP_KIND, sendFollowUp, type FollowUpMessage } from '../lib/events/follow-up.js';
import { lookupGroupIds, lookupOwners } from '../lib/events/owner-lookup.js';
import { mergeRunSummaries, noChangeEvents, skippedRunSummary, type ChangeEventCounts, type RunSummary } from '../lib/report/run-summary.js';
import type { AuditRequest } from '../lib/request.js';
import type { Settings } from '../lib/settings.js';
import { loadRunState, type RunState, type StateLog } from '../lib/state/run.js';
import type { StateStore } from '../lib/state/store.js';

export interface ChangeContext {
  runId: string;
  settings: Settings;
  accountId: string;
  homeRegion: string;
  startedAt: Date;
  clock: Clock;
  clients: AwsClients;
  store?: StateStore;
  /** The follow-up queue; absent: nothing is coalesced, every change is audited at once. */
  queueUrl: string | undefined;
  log: StateLog;
  execute: (request: AuditRequest, description: string, options: { state?: RunState; accountOnly?: boolean }) => Promise<{ summary: RunSummary; collectionErrors: number }>;
}

type ChangeInput = { kind: 'change'; cloudTrail: ParsedCloudTrail } | { kind: 'follow-up'; messages: FollowUpMessage[] };
type Skip = (reason: string, counts: Partial<ChangeEventCounts>) => { summary: RunSummary; collectionErrors: number };

export async function handleChange(input: ChangeInput, ctx: ChangeContext): Promise<{ summary: RunSummary; collectionErrors: number }> {
  const skip: Skip = (reason, counts) => ({
    summary: skippedRunSummary({ runId: ctx.runId, trigger: 'change-event', accountId: ctx.accountId, at: ctx.startedAt, reason, changeEvents: { ...noChangeEvents(), ...counts } }),
    collectionErrors: 0,
  });
  if (input.kind === 'follow-up') return followUp(input.messages, ctx, skip);

  const parsed = input.cloudTrail;
  if (parsed.kind === 'failed-call') return skip(`${parsed.eventName} failed (${parsed.errorCode}): nothing changed`, { skipped: 1 });
  if (parsed.kind === 'not-a-change') return skip(`${parsed.eventName} changes nothing the checks read`, { skipped: 1 });
  if (!ctx.settings.changeEvents) return skip(`${parsed.kind === 'change' ? parsed.change.eventName : parsed.eventName}: change-triggered audits are off (EMR_AUDIT_CHANGE_EVENTS=false)`, { skipped: 1 });
  const audited = ctx.settings.regions.length > 0 ? ctx.settings.regions : [ctx.homeRegion];

  if (parsed.kind === 'unmapped') {
    // A listed call whose resources cannot be told: its region is audited whole (bounded, and
    // coalesced like any target), counted as unmapped as well as audited or coalesced.
    const targets = unmappedTargets(parsed, audited);
    if (targets.size === 0) return skip(`${parsed.eventName} in ${parsed.region}: the region is not audited`, { unmapped: 1, unaffected: 1 });
    ctx.log('warn', 'Change event not mapped to a resource: the region is audited instead', {
      eventName: parsed.eventName,
      eventId: parsed.eventId,
      regions: [...targets.keys()],
      reason: parsed.reason,
    });
    const state = ctx.store ? await loadRunState(ctx.store, ctx.accountId, [...targets.keys()], ctx.log) : undefined;
    return auditTargets(targets, parsed.eventName, state, { unmapped: 1 }, ctx, skip);
  }

  const { change } = parsed;
  const regions = regionsOf(change, audited);
  if (regions.length === 0) return skip(`${change.eventName} in ${change.region}: the region is not audited`, { unaffected: 1 });

  const state = ctx.store ? await loadRunState(ctx.store, ctx.accountId, regions, ctx.log) : undefined;
  const resolved = await resolveTargets({
    change,
    auditedRegions: audited,
    states: new Map(regions.map((r) => [r, state?.loaded.get(r)?.state])),
    lookup: (region, filter) => lookupOwners(ctx.clients.forRegion(region).ec2, filter),
    groupIds: (region, names) => lookupGroupIds(ctx.clients.forRegion(region).ec2, names),
  });
  for (const note of resolved.notes) ctx.log('info', 'Change event', { eventName: change.eventName, note });
  if (resolved.targets.size === 0) return skip(`${change.eventName} (${change.eventId}) touches no audited cluster`, { unaffected: 1 });
  return auditTargets(resolved.targets, change.eventName, state, {}, ctx, skip);
}

/**
 * The targets of one event: those due now are audited in this invocation, the others merged into
 * the one follow-up of their debounce window. `extra` adds to the counts (an unmapped event).
 */
async function auditTargets(
  targets: ReadonlyMap<string, string[]>,
  eventName: string,
  state: RunState | undefined,
  extra: Partial<ChangeEventCounts>,
  ctx: ChangeContext,
  skip: Skip,
): Promise<{ summary: RunSummary; collectionErrors: number }> {
  const now = ctx.clock.now();
  const due = new Map<string, string[]>();
  const changedMarks = new Set<string>();
  let merged = 0;
  let followUpsSent = 0;
  for (const [region, regionTargets] of targets) {
    const regionState = state?.loaded.get(region)?.state;
    // Coalescing needs somewhere to keep its marks and a queue for the follow-up; without either, audit at once.
    if (!regionState || !ctx.queueUrl || !ctx.clients.sqs) {
      due.set(region, regionTargets);
      continue;
    }
    const decision = coalesce(regionState.changeAudits, regionTargets, now, ctx.settings.changeDebounceSeconds);
    const nowTargets = [...decision.now];
    for (const [dueAt, group] of groupByDueAt(decision.followUps)) {
      const message: FollowUpMessage = { kind: FOLLOW_UP_KIND, region, targets: group, dueAt };
      const sent = await sendFollowUp(ctx.clients.sqs, ctx.queueUrl, message, delaySeconds(dueAt, now));
      if (sent.sent) {
        followUpsSent += 1;
        continue;
      }
      // No follow-up can come: these targets are audited now instead (never left to the schedule).
      ctx.log('warn', 'Follow-up not queued: audited at once instead', { region, targets: group, reason: sent.note });
      for (const t of group) decision.marks[t] = { auditedAt: new Date(now).toISOString(), coalesced: 0 };
      nowTargets.push(...group);
    }
    merged += regionTargets.length - nowTargets.length;
    regionState.changeAudits = decision.marks;
    changedMarks.add(region);
    if (nowTargets.length > 0) due.set(region, nowTargets);
  }
  const counts: ChangeEventCounts = { ...noChangeEvents(), ...extra, followUpsSent, targets: [...due.values()].reduce((n, t) => n + t.length, 0) };
  if (due.size === 0) {
    await saveMarks(state, changedMarks, new Set(), ctx);
    return skip(`${eventName}: ${merged} target(s) merged into their follow-up audit`, { ...extra, coalesced: 1, followUpsSent });
  }
  counts.audited = 1;
  return runAudits(auditsFor(due, eventName), state, changedMarks, counts, ctx);
}

async function followUp(messages: readonly FollowUpMessage[], ctx: ChangeContext, skip: Skip): Promise<{ summary: RunSummary; collectionErrors: number }> {
  if (!ctx.settings.changeEvents) return skip('follow-up: change-triggered audits are off (EMR_AUDIT_CHANGE_EVENTS=false)', { skipped: messages.length });
  const byRegion = new Map<string, Set<string>>();
  for (const m of messages) {
    const set = byRegion.get(m.region) ?? new Set<string>();
    for (const t of m.targets) set.add(t);
    byRegion.set(m.region, set);
  }
  const regions = [...byRegion.keys()];
  const state = ctx.store ? await loadRunState(ctx.store, ctx.accountId, regions, ctx.log) : undefined;
  const now = ctx.clock.now();
  const due = new Map<string, string[]>();
  const changedMarks = new Set<string>();
  for (const [region, targets] of byRegion) {
    const regionState = state?.loaded.get(region)?.state;
    // Without the marks (state lost), every named target is audited: a follow-up never vanishes.
    if (!regionState) {
      due.set(region, [...targets]);
      continue;
    }
    const d = dueFollowUps(regionState.changeAudits, [...targets], now);
    regionState.changeAudits = d.marks;
    changedMarks.add(region);
    if (d.now.length > 0) due.set(region, d.now);
  }
  if (due.size === 0) {
    await saveMarks(state, changedMarks, new Set(), ctx);
    return skip('follow-up: every target was audited since', { unaffected: messages.length });
  }
  const counts: ChangeEventCounts = { ...noChangeEvents(), audited: messages.length, targets: [...due.values()].reduce((n, t) => n + t.length, 0) };
  return runAudits(auditsFor(due, 'follow-up of coalesced changes'), state, changedMarks, counts, ctx);
}

async function runAudits(audits: readonly PlannedAudit[], state: RunState | undefined, changedMarks: ReadonlySet<string>, counts: ChangeEventCounts, ctx: ChangeContext): Promise<{ summary: RunSummary; collectionErrors: number }> {
  const summaries: RunSummary[] = [];
  let collectionErrors = 0;
  const saved = new Set<string>();
  for (const a of audits) {
    const out = await ctx.execute(a.request, a.description, { ...(state ? { state } : {}), accountOnly: a.accountOnly });
    summaries.push(out.summary);
    collectionErrors += out.collectionErrors;
    for (const r of a.request.regions ?? []) saved.add(r);
  }
  await saveMarks(state, changedMarks, saved, ctx);
  const summary = mergeRunSummaries(summaries[0]!, summaries.slice(1));
  summary.changeEvents = counts;
  return { summary, collectionErrors };
}

/** The marks of regions no audit of this invocation saved (an audit saves its regions' state, marks included). */
async function saveMarks(state: RunState | undefined, changed: ReadonlySet<string>, saved: ReadonlySet<string>, ctx: ChangeContext): Promise<void> {
  if (!state) return;
  for (const region of changed) {
    if (saved.has(region)) continue;
    const loaded = state.loaded.get(region);
    if (!loaded?.state) continue;
    const out = await state.store.save({ ...loaded.state, savedAt: new Date(ctx.clock.now()).toISOString() }, loaded);
    if (!out.saved) ctx.log('warn', 'Coalescing marks not saved: a later event may audit at once', { region, reason: out.note });
  }
}

function groupByDueAt(followUps: ReadonlyArray<{ target: string; dueAt: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of followUps) out.set(f.dueAt, [...(out.get(f.dueAt) ?? []), f.target]);
  return out;
}


