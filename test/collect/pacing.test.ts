import { describe, expect, it } from 'vitest';
import { Pacer, PacingAbortedError, TokenBucket } from '../../lib/collect/pacing.js';
import type { ApiQuota } from '../../lib/collect/quotas.js';
import { ManualClock as FakeClock, settle } from '../helpers/clock.js';

/** Acquires and records the clock time at which each token was handed out. */
function recorder(pacer: Pacer, clock: FakeClock) {
  const granted: Array<{ label: string; at: number }> = [];
  const take = (scope: string, api: string, label: string, signal?: AbortSignal): Promise<void> =>
    pacer.acquire(scope, api, signal).then(() => {
      granted.push({ label, at: clock.now() });
    });
  return { granted, take };
}

const QUOTAS: Record<string, ApiQuota> = {
  'emr:Slow': { own: { burst: 2, perSecond: 0.5 }, shared: 'emr-account' },
  'emr:Fast': { own: { burst: 10, perSecond: 10 }, shared: 'emr-account' },
  'iam:Get': { shared: 'iam-account' },
  'ec2:Describe': { own: { burst: 3, perSecond: 1 } },
};
const SHARED = { 'emr-account': { burst: 3, perSecond: 1 }, 'iam-account': { burst: 2, perSecond: 2 } };

function setUp(options: { multiplier?: number; guardMs?: number } = {}) {
  const clock = new FakeClock();
  const pacer = new Pacer({ quotas: QUOTAS, shared: SHARED, clock, guardMs: options.guardMs ?? 0, ...(options.multiplier !== undefined ? { multiplier: options.multiplier } : {}) });
  return { clock, pacer, ...recorder(pacer, clock) };
}

describe('TokenBucket', () => {
  it('starts full, empties, and refills at its rate up to its burst', () => {
    const b = new TokenBucket({ burst: 2, perSecond: 0.5 }, 0, 0);
    expect(b.waitMs(0)).toBe(0);
    b.take(0);
    b.take(0);
    expect(b.waitMs(0)).toBe(2000);
    expect(b.waitMs(1500)).toBe(500);
    expect(b.waitMs(2000)).toBe(0);
    // An hour idle refills to the burst, not beyond: two calls at once, the third waits 2 s.
    b.take(3_600_000);
    b.take(3_600_000);
    expect(b.waitMs(3_600_000)).toBe(2000);
  });

  it('with a guard, hands a token out only once it has been there for the guard time', () => {
    const b = new TokenBucket({ burst: 10, perSecond: 1 }, 0, 250);
    for (let i = 0; i < 9; i++) {
      expect(b.waitMs(0)).toBe(0);
      b.take(0);
    }
    // One token left, but 1.25 are needed: the guard keeps a quarter second in hand.
    expect(b.waitMs(0)).toBe(250);
    b.take(250);
    expect(b.waitMs(250)).toBe(1000);
  });

  it('a guard never asks for more than the burst (a burst of one still works)', () => {
    const b = new TokenBucket({ burst: 1, perSecond: 1 }, 0, 5000);
    expect(b.waitMs(0)).toBe(0);
    b.take(0);
    expect(b.waitMs(0)).toBe(1000);
  });
});

describe('Pacer', () => {
  it('lets the burst through at once, then one call per refill interval, in arrival order', async () => {
    const { clock, take, granted } = setUp();
    const all = ['a', 'b', 'c', 'd'].map((l) => take('r1', 'ec2:Describe', l));
    await settle();
    expect(granted).toEqual([
      { label: 'a', at: 0 },
      { label: 'b', at: 0 },
      { label: 'c', at: 0 },
    ]);
    await clock.advanceTo(999);
    expect(granted).toHaveLength(3);
    await clock.advanceTo(1000);
    await Promise.all(all);
    expect(granted.at(-1)).toEqual({ label: 'd', at: 1000 });
  });

  it('a call needs a token from its own bucket and from the account-wide one', async () => {
    const { clock, take, granted } = setUp();
    // emr:Fast has 10 tokens of its own but the EMR account bucket only 3 (refill 1/s).
    const all = Array.from({ length: 5 }, (_, i) => take('r1', 'emr:Fast', `f${i}`));
    await clock.advanceTo(10_000);
    await Promise.all(all);
    expect(granted.map((g) => g.at)).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('the account-wide bucket is per scope (region); an API bucket is per scope too', async () => {
    const { clock, take, granted } = setUp();
    const all = [
      ...Array.from({ length: 3 }, (_, i) => take('us-east-1', 'emr:Fast', `us${i}`)),
      ...Array.from({ length: 3 }, (_, i) => take('eu-west-1', 'emr:Fast', `eu${i}`)),
      ...Array.from({ length: 3 }, (_, i) => take('eu-west-1', 'ec2:Describe', `ec2-${i}`)),
    ];
    await clock.advanceTo(0);
    await Promise.all(all);
    expect(granted.every((g) => g.at === 0)).toBe(true);
    expect(granted).toHaveLength(9);
  });

  it('when the shared bucket is the limit, the oldest waiter whose own bucket is ready goes first', async () => {
    const { clock, take, granted } = setUp();
    // Three Fast calls spend the account bucket; then Slow waits (older), and more Fast calls come.
    const first = Array.from({ length: 3 }, (_, i) => take('r', 'emr:Fast', `f${i}`));
    const slow = take('r', 'emr:Slow', 'slow');
    const later = Array.from({ length: 2 }, (_, i) => take('r', 'emr:Fast', `g${i}`));
    await clock.advanceTo(5000);
    await Promise.all([...first, slow, ...later]);
    expect(granted.map((g) => `${g.label}@${g.at}`)).toEqual(['f0@0', 'f1@0', 'f2@0', 'slow@1000', 'g0@2000', 'g1@3000']);
  });

  it('IAM: only the account-wide bucket, shared by every IAM API', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ quotas: { ...QUOTAS, 'iam:List': { shared: 'iam-account' } }, shared: SHARED, clock, guardMs: 0 });
    const { take, granted } = recorder(pacer, clock);
    const all = [take('global', 'iam:Get', 'g1'), take('global', 'iam:List', 'l1'), take('global', 'iam:Get', 'g2')];
    await clock.advanceTo(2000);
    await Promise.all(all);
    expect(granted).toEqual([
      { label: 'g1', at: 0 },
      { label: 'l1', at: 0 },
      { label: 'g2', at: 500 },
    ]);
  });

  it('an API without a quota is not paced', async () => {
    const { pacer } = setUp();
    await Promise.all(Array.from({ length: 1000 }, () => pacer.acquire('r', 'other:Api')));
    expect(pacer.delayedCalls).toBe(0);
  });

  it('the multiplier scales burst and refill: 2 doubles both, 0.5 halves them', async () => {
    const fast = setUp({ multiplier: 2 });
    const f = Array.from({ length: 8 }, (_, i) => fast.take('r', 'ec2:Describe', String(i)));
    await fast.clock.advanceTo(10_000);
    await Promise.all(f);
    expect(fast.granted.map((g) => g.at)).toEqual([0, 0, 0, 0, 0, 0, 500, 1000]);

    const slow = setUp({ multiplier: 0.5 });
    const s = Array.from({ length: 3 }, (_, i) => slow.take('r', 'ec2:Describe', String(i)));
    await slow.clock.advanceTo(10_000);
    await Promise.all(s);
    // Burst floor(3 × 0.5) = 1, refill 0.5/s.
    expect(slow.granted.map((g) => g.at)).toEqual([0, 2000, 4000]);
  });

  it('rejects a multiplier that is not a positive number', () => {
    expect(() => new Pacer({ clock: new FakeClock(), multiplier: 0 })).toThrow(/positive/);
    expect(() => new Pacer({ clock: new FakeClock(), multiplier: Number.NaN })).toThrow(/positive/);
  });

  it('an aborted waiter is rejected, leaves the queue, and the next one takes its place', async () => {
    const { clock, take, granted } = setUp();
    const controller = new AbortController();
    const burst = Array.from({ length: 3 }, (_, i) => take('r', 'ec2:Describe', `b${i}`));
    const doomed = take('r', 'ec2:Describe', 'doomed', controller.signal);
    const next = take('r', 'ec2:Describe', 'next');
    await clock.advanceTo(500);
    controller.abort();
    await expect(doomed).rejects.toBeInstanceOf(PacingAbortedError);
    await clock.advanceTo(1000);
    await Promise.all([...burst, next]);
    expect(granted.map((g) => `${g.label}@${g.at}`)).toEqual(['b0@0', 'b1@0', 'b2@0', 'next@1000']);
  });

  it('an already aborted signal is rejected at once, without taking a token', async () => {
    const { pacer, take, granted } = setUp();
    const controller = new AbortController();
    controller.abort();
    await expect(pacer.acquire('r', 'ec2:Describe', controller.signal)).rejects.toBeInstanceOf(PacingAbortedError);
    await Promise.all(Array.from({ length: 3 }, (_, i) => take('r', 'ec2:Describe', String(i))));
    expect(granted.every((g) => g.at === 0)).toBe(true);
  });

  it('keeps one timer, for the earliest waiter, and none once nobody waits', async () => {
    const { clock, take } = setUp();
    const all = [...Array.from({ length: 5 }, (_, i) => take('r', 'ec2:Describe', `e${i}`)), ...Array.from({ length: 4 }, (_, i) => take('r', 'emr:Slow', `s${i}`))];
    await settle();
    expect(clock.pending).toBe(1);
    await clock.advanceTo(60_000);
    await Promise.all(all);
    expect(clock.pending).toBe(0);
  });

  it('uses the default guard: the last burst token waits the guard time', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ quotas: QUOTAS, shared: SHARED, clock });
    const { take, granted } = recorder(pacer, clock);
    const all = Array.from({ length: 3 }, (_, i) => take('r', 'ec2:Describe', String(i)));
    await clock.advanceTo(5000);
    await Promise.all(all);
    // burst 3, 1/s, guard 250 ms: two at once, the third once 1.25 tokens are there.
    expect(granted.map((g) => g.at)).toEqual([0, 0, 250]);
  });
});
