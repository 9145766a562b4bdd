/**
 * The benchmark's time warp: idle waits run K times faster, CPU work counts at real speed, the
 * simulator's own work counts not at all, and everything is put back afterwards.
 */
import { setTimeout as sleepPromise } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { installTimeWarp } from '../../scripts/bench/timewarp.js';

const busy = (ms: number, now: () => number): void => {
  const end = now() + ms;
  while (now() < end) {
    // spin
  }
};

describe('bench time warp', () => {
  it('dilates idle waits, not CPU work, and restores the real timers', async () => {
    const originalSetTimeout = globalThis.setTimeout;
    const warp = installTimeWarp(100);
    try {
      const m0 = performance.now();
      const r0 = warp.realNow();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const waitedModel = performance.now() - m0;
      const waitedReal = warp.realNow() - r0;
      expect(waitedModel).toBeGreaterThanOrEqual(1999);
      expect(waitedReal).toBeLessThan(1000);

      // 30 ms of CPU is 30 ms of model time, not 3 s.
      const m1 = performance.now();
      busy(30, () => warp.realNow());
      const cpuModel = performance.now() - m1;
      expect(cpuModel).toBeGreaterThanOrEqual(29);
      expect(cpuModel).toBeLessThan(300);

      // The simulator's own work costs no model time.
      const m2 = performance.now();
      warp.untimed(() => busy(30, () => warp.realNow()));
      expect(performance.now() - m2).toBeLessThan(5);

      // node:timers/promises is warped too, and Date.now follows model time.
      const d0 = Date.now();
      await sleepPromise(1000);
      expect(Date.now() - d0).toBeGreaterThanOrEqual(999);
    } finally {
      warp.restore();
    }
    expect(globalThis.setTimeout).toBe(originalSetTimeout);
  });

  it('waits the full model delay even when the loop is busy meanwhile', async () => {
    const warp = installTimeWarp(50);
    try {
      const m0 = performance.now();
      const done = new Promise((resolve) => setTimeout(resolve, 500));
      // 20 ms of CPU would end a naive 10 ms (= 500 / 50) real timer with only ~20 ms of model time.
      busy(20, () => warp.realNow());
      await done;
      expect(performance.now() - m0).toBeGreaterThanOrEqual(499);
    } finally {
      warp.restore();
    }
  });
});
