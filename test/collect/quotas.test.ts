import { DescribeClusterCommand } from '@aws-sdk/client-emr';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { drain, ManualClock } from '../helpers/clock.js';
import { API_SPECS, SHARED_BUCKETS } from '../../scripts/bench/limits.js';
import { CallRunner } from '../../lib/collect/calls.js';
import { clearPolicyVersionCache, collectionPermissions } from '../../lib/collect/index.js';
import { Pacer } from '../../lib/collect/pacing.js';
import { API_QUOTAS, SHARED_QUOTAS, scaleRate } from '../../lib/collect/quotas.js';
import { defaultSettings, loadSettings, SettingsError } from '../../lib/settings.js';
import { FakeAccount } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf } from './harness.js';

describe('the quota table', () => {
  it('has a quota for every API the collectors call', () => {
    const missing = collectionPermissions().filter((action) => !API_QUOTAS[action]);
    expect(missing).toEqual([]);
  });

  it('holds the documented EMR defaults, the EMR account-wide bucket and EC2 Describe* buckets', () => {
    expect(API_QUOTAS['elasticmapreduce:ListInstances']).toEqual({ own: { burst: 10, perSecond: 0.5 }, shared: 'emr-account' });
    expect(API_QUOTAS['elasticmapreduce:DescribeCluster']).toEqual({ own: { burst: 10, perSecond: 1 }, shared: 'emr-account' });
    expect(SHARED_QUOTAS['emr-account']).toEqual({ burst: 25, perSecond: 5 });
    expect(API_QUOTAS['ec2:DescribeInstances']).toEqual({ own: { burst: 100, perSecond: 20 } });
    expect(API_QUOTAS['iam:GetRole']).toEqual({ shared: 'iam-account' });
  });

  it('is the table the benchmark simulates: same buckets for every API', () => {
    for (const spec of API_SPECS) {
      const q = API_QUOTAS[spec.action];
      expect(q, spec.action).toBeDefined();
      expect([spec.burst, spec.rate, spec.sharedBucket], spec.action).toEqual([q?.own?.burst ?? Infinity, q?.own?.perSecond ?? Infinity, q?.shared]);
    }
    expect(SHARED_BUCKETS).toEqual(Object.entries(SHARED_QUOTAS).map(([name, r]) => ({ name, burst: r.burst, rate: r.perSecond })));
  });

  it('scaleRate multiplies burst and refill, keeping a burst of at least one', () => {
    expect(scaleRate({ burst: 10, perSecond: 0.5 }, 2)).toEqual({ burst: 20, perSecond: 1 });
    expect(scaleRate({ burst: 5, perSecond: 1 }, 0.5)).toEqual({ burst: 2, perSecond: 0.5 });
    expect(scaleRate({ burst: 5, perSecond: 1 }, 0.1)).toEqual({ burst: 1, perSecond: 0.1 });
  });
});

describe('the rateMultiplier setting', () => {
  it('defaults to 1 and reads EMR_AUDIT_RATE_MULTIPLIER or --set rateMultiplier', () => {
    expect(defaultSettings().rateMultiplier).toBe(1);
    expect(loadSettings({ EMR_AUDIT_RATE_MULTIPLIER: '0.5' }).rateMultiplier).toBe(0.5);
    expect(loadSettings({}, { rateMultiplier: '2' }).rateMultiplier).toBe(2);
  });

  it.each(['0', '-1', 'fast', '1000'])('rejects %s, naming the variable', (raw) => {
    expect(() => loadSettings({ EMR_AUDIT_RATE_MULTIPLIER: raw })).toThrow(SettingsError);
    expect(() => loadSettings({ EMR_AUDIT_RATE_MULTIPLIER: raw })).toThrow(/EMR_AUDIT_RATE_MULTIPLIER/);
  });
});

describe('pacing in the call runner', () => {
  it('a call waiting for a token at the deadline fails with TimeBudgetExceeded and is never sent', async () => {
    const pacer = new Pacer({ quotas: { 'x:Api': { own: { burst: 1, perSecond: 0.001 } } }, guardMs: 0, clock: systemClock });
    const runner = new CallRunner({ concurrency: 4, pacer, clock: systemClock, deadline: Date.now() + 60 });
    let sent = 0;
    const send = (): Promise<string> => {
      sent += 1;
      return Promise.resolve('ok');
    };
    await expect(runner.call('r', 'x:Api', send)).resolves.toBe('ok');
    const started = Date.now();
    const late = runner.call('r', 'x:Api', send);
    await expect(late).rejects.toMatchObject({ name: 'TimeBudgetExceeded' });
    await expect(late).rejects.toThrow(/before this call could be made/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sent).toBe(1);
    runner.close();
  });

  it('paces inside the concurrency slot: calls go out spaced by the refill interval, on the run clock', async () => {
    const clock = new ManualClock(0);
    const pacer = new Pacer({ quotas: { 'x:Api': { own: { burst: 1, perSecond: 20 } } }, guardMs: 0, clock });
    const runner = new CallRunner({ concurrency: 4, pacer, clock });
    const at: number[] = [];
    const all = Promise.all(Array.from({ length: 4 }, () => runner.call('r', 'x:Api', () => Promise.resolve(at.push(clock.now())))));
    await clock.advanceTo(1000);
    await all;
    runner.close();
    // 20 per second: one call every 50 ms of the run's clock.
    expect(at).toEqual([0, 50, 100, 150]);
  });
});

describe('collectSnapshot paces to the quotas scaled by rateMultiplier', () => {
  /**
   * 15 clusters and a deadline 150 ms away on a clock only the test moves: DescribeCluster's bucket
   * decides how many are described, whatever the machine's load.
   */
  async function describedWithin150ms(rateMultiplier: number): Promise<{ described: number; calls: number; errors: string[] }> {
    clearPolicyVersionCache();
    const fake = new FakeAccount().withDefaults();
    for (let c = 0; c < 15; c++) fake.addCluster(defaultCluster(`j-${String(c).padStart(2, '0')}`));
    const mocks = fake.mock();
    const clock = new ManualClock(0);
    try {
      const collecting = collect(fake, { accountId: fake.accountId, settings: { ...defaultSettings(), rateMultiplier }, clock, deadline: 150 });
      // Everything that can go now goes; then the clock reaches the deadline.
      await drain();
      await clock.advanceTo(150);
      const snap = await collecting;
      const r = regionOf(snap);
      return {
        described: r.clusters.filter((c) => c.described).length,
        calls: mocks.emr.commandCalls(DescribeClusterCommand).length,
        errors: [...new Set(r.errors.filter((e) => e.kind === 'cluster').map((e) => e.code))],
      };
    } finally {
      mocks.restore();
    }
  }

  it('at 1 (burst 10, 1 per s), nine go at once, the tenth waits out the guard, the rest the refill: past the deadline, never sent', async () => {
    expect(await describedWithin150ms(1)).toEqual({ described: 9, calls: 9, errors: ['TimeBudgetExceeded'] });
  });

  it('at 2 (burst 20), all fifteen are described at once', async () => {
    expect(await describedWithin150ms(2)).toEqual({ described: 15, calls: 15, errors: [] });
  });

  it('at 0.05 even the account-wide EMR bucket holds a single token: only the first EMR call goes out', async () => {
    const r = await describedWithin150ms(0.05);
    expect(r.described).toBe(0);
    expect(r.calls).toBe(0);
  });
});
