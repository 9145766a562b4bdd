/**
 * Coalescing of change audits (DESIGN.md "Coalesced and bounded"), pure: times come in. The first
 * event for a target (a cluster id, or an `@…` region-level target) audits it at once; events within
 * the debounce window after that audit are merged into ONE follow-up audit at the window's end, so
 * a burst costs at most two audits per target. The marks live in the region's state.
 */
import type { ChangeMark } from '../state/schema.js';

/** Region-level targets: the account check (block public access), and the bounded audit of a region without index. */
export const BPA_TARGET = '@block-public-access';
export const SSM_DHM_TARGET = '@default-host-management';
export const REGION_TARGET = '@region';

export interface CoalesceDecision {
  /** Audit these now. */
  now: string[];
  /** Merged into a follow-up already due (no new message). */
  merged: string[];
  /** Merged into a NEW follow-up: one message per distinct due time. */
  followUps: Array<{ target: string; dueAt: string }>;
  /** The marks after the decision (the caller saves them). */
  marks: Record<string, ChangeMark>;
}

/**
 * Decide for the event's targets at `now` (epoch ms). A mark older than the window is stale: the
 * target audits at once again. Stale marks without a pending follow-up are dropped.
 */
export function coalesce(marks: Readonly<Record<string, ChangeMark>>, targets: readonly string[], now: number, windowSeconds: number): CoalesceDecision {
  const windowMs = windowSeconds * 1000;
  const next: Record<string, ChangeMark> = {};
  for (const [t, m] of Object.entries(marks)) {
    const at = Date.parse(m.auditedAt);
    if (m.followUpAt !== undefined || (Number.isFinite(at) && now - at < windowMs)) next[t] = { ...m };
  }
  const out: CoalesceDecision = { now: [], merged: [], followUps: [], marks: next };
  for (const t of [...new Set(targets)]) {
    const m = next[t];
    const at = m ? Date.parse(m.auditedAt) : NaN;
    // A mark from the future (another clock) is treated as stale rather than delaying an audit.
    if (!m || !Number.isFinite(at) || at > now || now - at >= windowMs) {
      // A follow-up still pending (its message late) is covered by this audit: it will find nothing due.
      next[t] = { auditedAt: new Date(now).toISOString(), coalesced: 0 };
      out.now.push(t);
    } else if (m.followUpAt !== undefined) {
      m.coalesced += 1;
      out.merged.push(t);
    } else {
      m.followUpAt = new Date(at + windowMs).toISOString();
      m.coalesced = 1;
      out.followUps.push({ target: t, dueAt: m.followUpAt });
    }
  }
  return out;
}

/**
 * A follow-up message arrived: the targets whose follow-up is pending are audited now (their mark
 * restarts the window); a target without one was audited since (its events are covered) — skipped.
 */
export function dueFollowUps(marks: Readonly<Record<string, ChangeMark>>, targets: readonly string[], now: number): { now: string[]; covered: string[]; marks: Record<string, ChangeMark> } {
  const next: Record<string, ChangeMark> = Object.fromEntries(Object.entries(marks).map(([t, m]) => [t, { ...m }]));
  const due: string[] = [];
  const covered: string[] = [];
  for (const t of [...new Set(targets)]) {
    if (next[t]?.followUpAt !== undefined) {
      next[t] = { auditedAt: new Date(now).toISOString(), coalesced: 0 };
      due.push(t);
    } else covered.push(t);
  }
  return { now: due, covered, marks: next };
}

/** Seconds until `dueAt` for an SQS DelaySeconds (0–900). */
export function delaySeconds(dueAt: string, now: number): number {
  const ms = Date.parse(dueAt) - now;
  return Math.min(900, Math.max(0, Math.ceil(ms / 1000)));
}
