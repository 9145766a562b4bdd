/**
 * EMR headroom (lib/collect/headroom.ts, quotas.ts EMR_HEADROOM_SHARE): a warm scheduled run takes
 * only a share of the account-wide EMR bucket, with a burst of one; it drops to the full quota in
 * place the moment its EMR work would not fit the time budget; and it never changes the calls.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRunner } from '../../lib/collect/calls.js';
import { EmrHeadroom, HEADROOM_TAIL_MS, headroomAtStart, headroomText, type RunKind } from '../../lib/collect/headroom.js';
import { clearPolicyVersionCache } from '../../lib/collect/index.js';
import { Pacer } from '../../lib/collect/pacing.js';
import { EMR_HEADROOM_SHARE, headroomRate, type ApiQuota } from '../../lib/collect/quotas.js';
import { defaultSettings } from '../../lib/settings.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { emptyState, type RegionState } from '../../lib/state/schema.js';
import { nextState } from '../../lib/state/view.js';
import { drain, ManualClock, settle } from '../helpers/clock.js';
import { FakeAccount, REGION, type FakeMocks } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf, type Overrides } from './harness.js';

const QUOTAS: Record<string, ApiQuota> = {
  'emr:Fast': { own: { burst: 10, perSecond: 10 }, shared: 'emr-account' },
  'emr:Other': { own: { burst: 10, perSecond: 10 }, shared: 'emr-account' },
};
const SHARED = { 'emr-account': { burst: 3, perSecond: 1 }, 'iam-account': { burst: 2, perSecond: 2 } };

function pacerOn(options: { multiplier?: number } = {}) {
  const clock = new ManualClock(0);
  const pacer = new Pacer({ quotas: QUOTAS, shared: SHARED, clock, guardMs: 0, ...(options.multiplier !== undefined ? { multiplier: options.multiplier } : {}) });
  const granted: Array<{ label: string; at: number }> = [];
  const take = (api: string, label: string, scope = 'r'): Promise<void> => pacer.acquire(scope, api).then(() => void granted.push({ label, at: clock.now() }));
  return { clock, pacer, granted, take };
}

describe('headroom in the Pacer', () => {
  it('the documented share: 18 % of the account-wide EMR refill (0.9 per s), a burst of one', () => {
    expect(EMR_HEADROOM_SHARE).toBe(0.18);
    expect(headroomRate({ burst: 25, perSecond: 5 })).toEqual({ burst: 1, perSecond: 5 * 0.18 });
    const pacer = new Pacer({ clock: new ManualClock(0) });
    expect(pacer.setHeadroom('us-east-1', 'emr-account', EMR_HEADROOM_SHARE)).toEqual({ burst: 1, perSecond: 5 * 0.18 });
    // Per region: another region keeps the full quota.
    expect(pacer.sharedRate('eu-west-1', 'emr-account')).toEqual({ burst: 25, perSecond: 5 });
  });

  it('scaled by rateMultiplier like every rate; the burst stays one call', () => {
    const pacer = new Pacer({ clock: new ManualClock(0), multiplier: 2 });
    expect(pacer.setHeadroom('r', 'emr-account', 0.15)).toEqual({ burst: 1, perSecond: 1.5 });
  });

  it('paces every EMR API of the region together at the share, one call at a time, on top of their own buckets', async () => {
    const { clock, pacer, granted, take } = pacerOn();
    pacer.setHeadroom('r', 'emr-account', 0.5); // 0.5 per s of the (test) account bucket of 1 per s
    const all = [take('emr:Fast', 'a'), take('emr:Other', 'b'), take('emr:Fast', 'c'), take('emr:Fast', 'd', 'other-region')];
    await clock.advanceTo(10_000);
    await Promise.all(all);
    // No burst: b waits 2 s although the full bucket would have let a, b and c through at once.
    expect(granted).toEqual([
      { label: 'a', at: 0 },
      { label: 'd', at: 0 },
      { label: 'b', at: 2000 },
      { label: 'c', at: 4000 },
    ]);
    expect(pacer.sharedTaken('r', 'emr-account')).toBe(3);
  });

  it('applied to a bucket already in use, it keeps at most one token', async () => {
    const { clock, pacer, granted, take } = pacerOn();
    await take('emr:Fast', 'before');
    pacer.setHeadroom('r', 'emr-account', 0.5);
    const all = [take('emr:Fast', 'a'), take('emr:Fast', 'b')];
    await clock.advanceTo(10_000);
    await Promise.all(all);
    expect(granted.map((g) => `${g.label}@${g.at}`)).toEqual(['before@0', 'a@0', 'b@2000']);
  });

  it('dropped mid-run: calls already waiting are released at the full rate at once', async () => {
    const { clock, pacer, granted, take } = pacerOn();
    pacer.setHeadroom('r', 'emr-account', 0.25); // one call per 4 s
    const all = Array.from({ length: 5 }, (_, i) => take('emr:Fast', `c${i}`));
    await clock.advanceTo(1000);
    expect(granted.map((g) => g.at)).toEqual([0]);
    // At 1 s the bucket holds 0.25 token; at the full rate (burst 3, 1 per s) the next is there at 1.75 s,
    // not at the 4 s the headroom timer was set for.
    expect(pacer.setHeadroom('r', 'emr-account', undefined)).toEqual(SHARED['emr-account']);
    await clock.advanceTo(10_000);
    await Promise.all(all);
    expect(granted.map((g) => g.at)).toEqual([0, 1750, 2750, 3750, 4750]);
  });

  it('switched on before the bucket exists, it starts with one token', async () => {
    const { clock, pacer, granted, take } = pacerOn();
    pacer.setHeadroom('r', 'emr-account', 0.5);
    const all = [take('emr:Fast', 'a'), take('emr:Fast', 'b')];
    await settle();
    expect(granted).toHaveLength(1);
    await clock.advanceTo(2000);
    await Promise.all(all);
    expect(granted.map((g) => g.at)).toEqual([0, 2000]);
  });
});

const someState = (clusters = 1): RegionState => {
  const s = emptyState('123456789012', REGION, '2026-11-23T12:00:00Z');
  for (let i = 0; i < clusters; i++) s.clusters[`j-${i}`] = { facts: { id: `j-${i}` } as RegionState['clusters'][string]['facts'], describedAt: '2026-11-23T12:00:00Z' };
  return s;
};

describe('the decision at the start of a region', () => {
  const warm = someState(3);
  it.each<[string, RunKind | undefined, boolean, RegionState | undefined, string | undefined]>([
    ['warm scheduled', { trigger: 'schedule' }, false, warm, undefined],
    ['warm CLI', { trigger: 'cli' }, false, warm, undefined],
    ['cold scheduled (no state)', { trigger: 'schedule' }, false, undefined, 'a cold run (no valid state'],
    ['cold scheduled (empty state)', { trigger: 'schedule' }, false, someState(0), 'a cold run (the state holds no cluster'],
    ['continuation', { trigger: 'on-demand', continuation: true }, true, warm, 'a continuation run'],
    ['continuation of a schedule, unrestricted', { trigger: 'schedule', continuation: true }, false, warm, 'a continuation run'],
    ['state-change event', { trigger: 'cluster-state-change' }, true, warm, 'a state-change event'],
    ['on-demand', { trigger: 'on-demand' }, false, warm, 'an on-demand run'],
    ['CLI restricted to clusters', { trigger: 'cli' }, true, warm, 'a run restricted to some clusters'],
    ['not said', undefined, false, warm, 'the caller did not say'],
  ])('%s', (_, run, restricted, state, off) => {
    const d = headroomAtStart({ ...(run ? { run } : {}), restricted, ...(state ? { state } : {}) });
    if (off === undefined) expect(d).toEqual({ on: true, share: EMR_HEADROOM_SHARE });
    else expect(d).toMatchObject({ on: false, reason: expect.stringContaining(off) as unknown });
  });

  it('reads as the summary says it', () => {
    expect(headroomText({ on: true, share: 0.15 })).toBe("on (15 % of the account's EMR rate)");
    expect(headroomText({ on: false, reason: 'a state-change event' })).toBe('off: a state-change event');
  });
});

describe('the fit estimate', () => {
  function region(deadline: number | undefined) {
    const clock = new ManualClock(0);
    const pacer = new Pacer({ clock, guardMs: 0 });
    const calls = new CallRunner({ concurrency: 4, pacer, clock, ...(deadline !== undefined ? { deadline } : {}) });
    const changes: string[] = [];
    const h = new EmrHeadroom(calls, 'r', { on: true, share: 0.15 }, (t) => changes.push(t));
    return { clock, pacer, calls, h, changes };
  }

  it('stays on while the known EMR calls fit the budget at 0.75 per s, and drops the moment they do not', async () => {
    const { pacer, calls, h, changes, clock } = region(100_000 + HEADROOM_TAIL_MS);
    h.expect(74); // 98.7 s at 0.75 per s: fits in 100 s
    expect(h.on).toBe(true);
    await clock.advanceTo(10_000);
    h.expect(2); // 76 calls: 101.3 s, but only 90 s are left
    expect(h.on).toBe(false);
    expect(pacer.sharedRate('r', 'emr-account')).toEqual({ burst: 25, perSecond: 5 });
    expect(changes).toEqual([expect.stringMatching(/^off: dropped after 10 s: 76 EMR call\(s\) still to make need ~102 s at 15 % of the account's EMR rate, 90 s of the time budget remain$/)]);
    expect(h.stats).toMatchObject({ on: false, share: 0.15 });
    calls.close();
  });

  it('calls made leave the estimate; without a deadline it always fits', () => {
    const a = region(20_000 + HEADROOM_TAIL_MS);
    a.h.expect(10);
    a.h.done(10);
    a.h.expect(14); // 18.7 s: fits once the first ten are made
    expect(a.h.on).toBe(true);
    a.calls.close();
    const b = region(undefined);
    b.h.expect(1_000_000);
    expect(b.h.on).toBe(true);
    b.calls.close();
  });
});

// ---------------------------------------------------------------- the collector

let fake: FakeAccount;
let mocks: FakeMocks;

beforeEach(() => {
  clearPolicyVersionCache();
  fake = new FakeAccount().withDefaults();
  fake.addSecurityConfiguration('sec', { EncryptionConfiguration: { EnableAtRestEncryption: true } });
  for (const id of ['j-1', 'j-2', 'j-3']) fake.addCluster(defaultCluster(id, { securityConfiguration: 'sec' }));
  mocks = fake.mock();
});
afterEach(() => mocks.restore());

/** Runs a collection on a clock the test moves, 100 ms at a time, recording when each EMR call reached the account. */
async function driven(overrides: Overrides): Promise<{ snap: Snapshot; emrAt: number[]; seconds: number; calls: Map<string, number> }> {
  clearPolicyVersionCache();
  const clock = new ManualClock(0);
  const emrAt: number[] = [];
  const handle = fake.handle.bind(fake);
  const from = fake.calls.length;
  fake.handle = (api, input, region) => {
    if (api.startsWith('elasticmapreduce:')) emrAt.push(clock.now());
    return handle(api, input, region);
  };
  let done = false;
  const collecting = collect(fake, { accountId: fake.accountId, clock, ...overrides }).finally(() => (done = true));
  while (!done) {
    await drain(3);
    if (!done) await clock.advanceTo(clock.now() + 100);
  }
  const snap = await collecting;
  fake.handle = handle;
  const calls = new Map<string, number>();
  for (const c of fake.calls.slice(from)) calls.set(c.api, (calls.get(c.api) ?? 0) + 1);
  return { snap, emrAt, seconds: clock.now() / 1000, calls };
}

async function warmState(moreNew = 0): Promise<RegionState> {
  const cold = await driven({ run: { trigger: 'schedule' } });
  expect(regionOf(cold.snap).collection?.emrHeadroom).toMatchObject({ on: false, reason: expect.stringContaining('a cold run') as unknown });
  // Churn: two new clusters, described by the warm run.
  fake.addCluster(defaultCluster('j-4', { securityConfiguration: 'sec' }));
  fake.addCluster(defaultCluster('j-5'));
  for (let i = 0; i < moreNew; i++) fake.addCluster(defaultCluster(`j-new-${String(i).padStart(2, '0')}`));
  return nextState(undefined, regionOf(cold.snap), { accountId: fake.accountId, now: cold.snap.collectedAt, audited: true });
}

describe('collectSnapshot with the headroom', () => {
  it('a warm scheduled run: its EMR calls go out one per 1.11 s (0.9 per s); the same calls as at full pace, the same snapshot', async () => {
    const state = await warmState();
    const states = new Map([[REGION, state]]);

    const paced = await driven({ states, run: { trigger: 'schedule' } });
    const full = await driven({ states });

    expect(regionOf(paced.snap).collection?.emrHeadroom).toEqual({ on: true, share: EMR_HEADROOM_SHARE });
    expect(regionOf(full.snap).collection?.emrHeadroom).toMatchObject({ on: false });
    // ListClusters, block public access, release labels, and the two new clusters' DescribeCluster.
    expect(paced.emrAt).toHaveLength(5);
    const gaps = paced.emrAt.slice(1).map((t, i) => t - paced.emrAt[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1111);
    expect(full.emrAt.at(-1)!).toBeLessThan(1000);
    expect(paced.calls).toEqual(full.calls);
    expect({ ...regionOf(paced.snap), collection: undefined }).toEqual({ ...regionOf(full.snap), collection: undefined });
  });

  it('a state-change event and a continuation keep the full pace', async () => {
    const states = new Map([[REGION, await warmState()]]);
    const event = await driven({ states, clusterIds: ['j-4'], run: { trigger: 'cluster-state-change' } });
    expect(regionOf(event.snap).collection?.emrHeadroom).toMatchObject({ on: false, reason: expect.stringContaining('state-change event') as unknown });
    const continuation = await driven({ states, run: { trigger: 'on-demand', continuation: true } });
    expect(regionOf(continuation.snap).collection?.emrHeadroom).toMatchObject({ on: false, reason: expect.stringContaining('continuation') as unknown });
    expect(continuation.emrAt.at(-1)!).toBeLessThan(1000);
  });

  it('a warm run whose describes would not fit the budget drops the headroom after the listing, and finishes in time', async () => {
    const states = new Map([[REGION, await warmState(12)]]);
    // 14 describes need ~16 s at the headroom pace; 5 s + the tail are left.
    const run = await driven({ states, run: { trigger: 'schedule' }, deadline: 10_000 + HEADROOM_TAIL_MS, settings: { ...defaultSettings(), rateMultiplier: 1 } });
    const h = regionOf(run.snap).collection?.emrHeadroom;
    expect(h).toMatchObject({ on: false, share: EMR_HEADROOM_SHARE });
    expect(h?.reason).toMatch(/^dropped after \d+ s: 1\d EMR call\(s\) still to make/);
    // At the full quota the whole run fits before the deadline: nothing was given up for the headroom.
    expect(run.seconds).toBeLessThan(10);
    expect(regionOf(run.snap).errors).toEqual([]);
    expect(regionOf(run.snap).clusters.every((c) => c.described)).toBe(true);
  });
});
