/**
 * Security Hub calls are paced to its quotas (issue 14, defect 8; SECURITY-HUB.md rule 17) and the
 * synchronisation stops at its deadline (defect 4). A first publish of 26 clusters made 7
 * GetFindings calls in 116 ms against 3/s (burst 6).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../checks/contract.js';
import type { Clock } from '../../lib/clock.js';
import { SECURITY_HUB_QUOTAS } from '../../lib/report/security-hub.js';
import { createPublisher } from '../../lib/report/sync.js';
import { FakeSecurityHub } from '../helpers/fake-security-hub.js';
import { NOW, REGION, makeCluster, makeSnapshot } from '../helpers/fixtures.js';
import { TEST_CHECKS, clients, noSleep, request, result, settings } from './helpers.js';

/**
 * Virtual time: a timer moves the clock to its due time and fires on the next turn. The pacer
 * keeps one timer at a time and the publisher runs sequentially, so this is exact for them.
 */
class JumpClock implements Clock {
  private t: number;
  constructor(start: number) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimer(ms: number, wake: () => void): () => void {
    let cancelled = false;
    // Whole milliseconds, as real timers: a sub-ulp wait on an epoch-sized time would never pass.
    const due = this.t + Math.max(0, Math.ceil(ms));
    setImmediate(() => {
      if (cancelled) return;
      this.t = Math.max(this.t, due);
      wake();
    });
    return () => {
      cancelled = true;
    };
  }
}

/** Replays call times through a token bucket: the fewest tokens ever left (negative = over quota). */
function lowestTokens(times: readonly number[], rate: { burst: number; perSecond: number }): number {
  let tokens = rate.burst;
  let last = times[0] ?? 0;
  let lowest = tokens;
  for (const at of times) {
    tokens = Math.min(rate.burst, tokens + ((at - last) / 1000) * rate.perSecond) - 1;
    last = at;
    lowest = Math.min(lowest, tokens);
  }
  return lowest;
}

const CLUSTERS = Array.from({ length: 26 }, (_, i) => `j-PACED${String(i).padStart(6, '0')}`);

function failingResults(): Result[] {
  // Four FAILs per cluster and one for the account: 105 findings, so the lookup of reopened
  // findings takes 6 calls of 20 ids after the read of the active ones — 7 GetFindings, as reported.
  return [
    ...CLUSTERS.flatMap((clusterId) =>
      ['network/ssh-from-internet', 'iam/instance-profile-admin', 'logging/no-log-uri', 'network/shared-managed-security-group'].map((checkId) => result({ checkId, status: 'FAIL', clusterId, resourceId: clusterId })),
    ),
    result({ checkId: 'exposure/block-public-access-disabled', status: 'FAIL', clusterId: null }),
  ];
}

let hub: FakeSecurityHub;
beforeEach(() => {
  hub = new FakeSecurityHub();
});
afterEach(() => hub.restore());

describe('Security Hub pacing', () => {
  it('a first publish of 26 clusters never exceeds the GetFindings or BatchImportFindings bucket', async () => {
    const clock = new JumpClock(NOW.getTime());
    hub.clock = clock;
    const snapshot = makeSnapshot([{ region: REGION, clusters: CLUSTERS.map((id) => makeCluster({ id, name: id })) }]);
    const publish = createPublisher({ clients: clients(), settings: settings(), checks: TEST_CHECKS, clock, sleep: noSleep });
    const summary = await publish({ snapshot, results: failingResults(), request: request(), now: NOW });
    expect(summary).toMatchObject({ imported: 105, failed: 0, errors: [] });

    const gets = hub.callTimes.filter((c) => c.api === 'GetFindings').map((c) => c.at);
    const imports = hub.callTimes.filter((c) => c.api === 'BatchImportFindings').map((c) => c.at);
    expect(gets).toHaveLength(7);
    // The seventh waited for a token: one third of a second (plus the pacer's guard) after the burst.
    expect(gets[6]! - gets[0]!).toBeGreaterThanOrEqual(333);
    expect(lowestTokens(gets, SECURITY_HUB_QUOTAS['securityhub:GetFindings']!.own!)).toBeGreaterThanOrEqual(-1e-9);
    expect(lowestTokens(imports, SECURITY_HUB_QUOTAS['securityhub:BatchImportFindings']!.own!)).toBeGreaterThanOrEqual(-1e-9);
  });

  it('a second run of the same account waits for tokens the first one spent', async () => {
    const clock = new JumpClock(NOW.getTime());
    hub.clock = clock;
    const snapshot = makeSnapshot([{ region: REGION, clusters: CLUSTERS.map((id) => makeCluster({ id, name: id })) }]);
    const publish = createPublisher({ clients: clients(), settings: settings(), checks: TEST_CHECKS, clock, sleep: noSleep });
    await publish({ snapshot, results: failingResults(), request: request(), now: NOW });
    await publish({ snapshot, results: failingResults(), request: request(), now: NOW });
    const gets = hub.callTimes.filter((c) => c.api === 'GetFindings').map((c) => c.at);
    expect(gets.length).toBeGreaterThan(7);
    expect(lowestTokens(gets, SECURITY_HUB_QUOTAS['securityhub:GetFindings']!.own!)).toBeGreaterThanOrEqual(-1e-9);
    // More calls than the burst: virtual time had to pass for them.
    expect(gets.at(-1)! - gets[0]!).toBeGreaterThan(0);
  });
});

describe('Security Hub synchronisation deadline', () => {
  it('a stalled GetFindings ends at the deadline: nothing imported or archived, the summary says why', async () => {
    hub.stall.GetFindings = true;
    const clock = new JumpClock(NOW.getTime());
    const snapshot = makeSnapshot([{ region: REGION, clusters: [makeCluster({ id: CLUSTERS[0]!, name: 'one' })] }]);
    const publish = createPublisher({ clients: clients(), settings: settings(), checks: TEST_CHECKS, clock, sleep: noSleep, deadline: NOW.getTime() + 5_000 });
    const summary = await publish({ snapshot, results: failingResults().slice(0, 3), request: request(), now: NOW });
    expect(summary.imported).toBe(0);
    expect(summary.archived).toBe(0);
    expect(summary.failed).toBe(3);
    expect(summary.errors).toEqual([expect.stringMatching(/^us-east-1: Security Hub synchronisation stopped at the run's time limit: the stored findings were not read; 3 finding\(s\) not imported\. Nothing was archived/)]);
    expect(hub.all()).toHaveLength(0);
  });

  it('a stalled import ends at the deadline, counted as not imported', async () => {
    hub.stall.BatchImportFindings = true;
    const clock = new JumpClock(NOW.getTime());
    const snapshot = makeSnapshot([{ region: REGION, clusters: [makeCluster({ id: CLUSTERS[0]!, name: 'one' })] }]);
    const publish = createPublisher({ clients: clients(), settings: settings(), checks: TEST_CHECKS, clock, sleep: noSleep, deadline: NOW.getTime() + 5_000 });
    const summary = await publish({ snapshot, results: failingResults().slice(0, 3), request: request(), now: NOW });
    expect(summary).toMatchObject({ imported: 0, archived: 0, failed: 3 });
    expect(summary.errors[0]).toMatch(/stopped at the run's time limit: 3 of 3 planned update\(s\) not sent/);
  });
});
