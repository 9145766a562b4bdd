/** Coalescing of change audits: the first event audits, a burst costs at most one follow-up per window. */
import { describe, expect, it } from 'vitest';
import { coalesce, delaySeconds, dueFollowUps } from '../../lib/events/coalesce.js';
import type { ChangeMark } from '../../lib/state/schema.js';

const T0 = Date.parse('2026-11-23T12:00:00Z');
const WINDOW = 60;

describe('coalesce', () => {
  it('audits the first event for a target at once, and merges the next ones into ONE follow-up at the window end', () => {
    const first = coalesce({}, ['j-A'], T0, WINDOW);
    expect(first.now).toEqual(['j-A']);
    const second = coalesce(first.marks, ['j-A'], T0 + 5_000, WINDOW);
    expect(second.now).toEqual([]);
    expect(second.followUps).toEqual([{ target: 'j-A', dueAt: new Date(T0 + 60_000).toISOString() }]);
    const third = coalesce(second.marks, ['j-A'], T0 + 9_000, WINDOW);
    expect(third).toMatchObject({ now: [], merged: ['j-A'], followUps: [] });
    expect(third.marks['j-A']?.coalesced).toBe(2);
  });

  it('keeps a burst of 500 events over 20 s on 50 clusters to two audits per cluster', () => {
    let marks: Record<string, ChangeMark> = {};
    const audits = new Map<string, number>();
    const dueAt = new Map<string, string>();
    for (let e = 0; e < 500; e++) {
      const cluster = `j-C${e % 50}`;
      const d = coalesce(marks, [cluster], T0 + e * 40, WINDOW);
      marks = d.marks;
      for (const t of d.now) audits.set(t, (audits.get(t) ?? 0) + 1);
      for (const f of d.followUps) dueAt.set(f.target, f.dueAt);
    }
    // Each follow-up arrives at its due time.
    for (const [target, at] of dueAt) {
      const d = dueFollowUps(marks, [target], Date.parse(at));
      marks = d.marks;
      for (const t of d.now) audits.set(t, (audits.get(t) ?? 0) + 1);
    }
    expect(audits.size).toBe(50);
    expect(Math.max(...audits.values())).toBe(2);
  });

  it('audits at once again after the window, and forgets stale marks without a pending follow-up', () => {
    const first = coalesce({}, ['j-A', 'j-B'], T0, WINDOW);
    const later = coalesce(first.marks, ['j-A'], T0 + 61_000, WINDOW);
    expect(later.now).toEqual(['j-A']);
    expect(Object.keys(later.marks)).toEqual(['j-A']);
  });

  it('treats a mark from the future (another clock) as stale rather than delaying an audit', () => {
    const d = coalesce({ 'j-A': { auditedAt: new Date(T0 + 3_600_000).toISOString(), coalesced: 0 } }, ['j-A'], T0, WINDOW);
    expect(d.now).toEqual(['j-A']);
  });
});

describe('dueFollowUps', () => {
  it('audits targets whose follow-up is pending and skips those audited since', () => {
    const marks: Record<string, ChangeMark> = {
      'j-A': { auditedAt: new Date(T0).toISOString(), followUpAt: new Date(T0 + 60_000).toISOString(), coalesced: 3 },
      'j-B': { auditedAt: new Date(T0 + 30_000).toISOString(), coalesced: 0 },
    };
    const d = dueFollowUps(marks, ['j-A', 'j-B'], T0 + 60_000);
    expect(d.now).toEqual(['j-A']);
    expect(d.covered).toEqual(['j-B']);
    expect(d.marks['j-A']).toEqual({ auditedAt: new Date(T0 + 60_000).toISOString(), coalesced: 0 });
  });
});

describe('delaySeconds', () => {
  it('rounds up and stays within SQS’s 0–900 s', () => {
    expect(delaySeconds(new Date(T0 + 1_500).toISOString(), T0)).toBe(2);
    expect(delaySeconds(new Date(T0 - 5_000).toISOString(), T0)).toBe(0);
    expect(delaySeconds(new Date(T0 + 3_600_000).toISOString(), T0)).toBe(900);
  });
});
