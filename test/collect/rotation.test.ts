import { DescribeClusterCommand } from '@aws-sdk/client-emr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearPolicyVersionCache } from '../../lib/collect/index.js';
import { rotate, rotationOffset } from '../../lib/collect/rotation.js';
import { defaultSettings } from '../../lib/settings.js';
import { FakeAccount, type FakeMocks } from '../helpers/fake-account.js';
import { collect, defaultCluster, regionOf } from './harness.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');

describe('rotationOffset', () => {
  it('is the same within an hour and moves from one hour to the next', () => {
    const offset = rotationOffset(1000, T0);
    expect(rotationOffset(1000, T0 + 59 * 60_000)).toBe(offset);
    expect(rotationOffset(1000, T0 + HOUR)).not.toBe(offset);
  });

  it('is the fractional part of hours × (√5 − 1)/2, scaled to the count', () => {
    const hours = Math.floor(T0 / HOUR);
    const fraction = (hours * ((Math.sqrt(5) - 1) / 2)) % 1;
    expect(rotationOffset(1000, T0)).toBe(Math.floor(fraction * 1000));
  });

  it('stays within the list, and is 0 for lists of 0 or 1', () => {
    for (let h = 0; h < 500; h++) {
      const o = rotationOffset(7, T0 + h * HOUR);
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(7);
    }
    expect(rotationOffset(0, T0)).toBe(0);
    expect(rotationOffset(1, T0)).toBe(0);
  });

  // Runs that each finish only a third of the fleet (a 900 s Lambda at default quotas on a large
  // fleet) still reach every cluster within a few runs, hourly or on the default 6-hour schedule.
  it.each([
    ['hourly', 1],
    ['every 6 hours', 6],
  ])('runs %s that each cover a third of 1,000 clusters reach all of them within 8 runs', (_label, everyHours) => {
    const count = 1000;
    const covered = Math.floor(count / 3);
    for (let start = 0; start < 24 * 30; start += 7) {
      const seen = new Set<number>();
      for (let run = 0; run < 8; run++) {
        const offset = rotationOffset(count, T0 + (start + run * everyHours) * HOUR);
        for (let k = 0; k < covered; k++) seen.add((offset + k) % count);
      }
      expect(seen.size, `runs starting ${start} h after T0`).toBe(count);
    }
  });
});

describe('rotate', () => {
  it('sorts by id and starts at the offset, wrapping around; every item once', () => {
    const ids = ['j-C', 'j-A', 'j-E', 'j-B', 'j-D'];
    const offset = rotationOffset(ids.length, T0);
    const sorted = [...ids].sort();
    const rotated = rotate(ids, (x) => x, T0);
    expect(rotated).toEqual([...sorted.slice(offset), ...sorted.slice(0, offset)]);
    expect([...rotated].sort()).toEqual(sorted);
  });

  it('does not depend on the order the clusters were listed in', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `j-${String(i).padStart(3, '0')}`);
    const shuffled = [...ids].reverse();
    expect(rotate(shuffled, (x) => x, T0)).toEqual(rotate(ids, (x) => x, T0));
  });
});

describe('collection order', () => {
  let fake: FakeAccount;
  let mocks: FakeMocks;
  beforeEach(() => {
    clearPolicyVersionCache();
    fake = new FakeAccount().withDefaults();
    mocks = fake.mock();
  });
  afterEach(() => mocks.restore());

  it("describes clusters in the run's rotated order; the snapshot keeps the listing's order", async () => {
    const ids = Array.from({ length: 9 }, (_, i) => `j-${String(i)}`);
    for (const id of [...ids].reverse()) fake.addCluster(defaultCluster(id, { instances: [] }));
    const settings = { ...defaultSettings(), apiConcurrency: 1 };

    for (const now of [new Date(T0), new Date(T0 + HOUR)]) {
      mocks.emr.resetHistory();
      const r = regionOf(await collect(fake, { settings, now }));
      const described = mocks.emr.commandCalls(DescribeClusterCommand).map((c) => c.args[0].input.ClusterId);
      expect(described).toEqual(rotate(ids, (x) => x, now.getTime()));
      expect(r.clusters.map((c) => c.id)).toEqual([...ids].reverse());
    }
    // Two different hours, two different starting points.
    expect(rotationOffset(9, T0)).not.toBe(rotationOffset(9, T0 + HOUR));
  });
});
