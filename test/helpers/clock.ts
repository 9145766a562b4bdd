/** Clocks for tests: a fixed origin chosen by the test, never today's date. */
import { systemClock, type Clock } from '../../lib/clock.js';

/**
 * Reads `at` until the test moves it with `advance`; timers are real. Pacing cannot refill on a
 * clock that stands still, so use it only where no API's burst is exhausted (small fake accounts),
 * and `clockFrom` (lib/clock.ts) where time must pass.
 */
export class TestClock implements Clock {
  private t: number;

  constructor(at: Date | number) {
    this.t = typeof at === 'number' ? at : at.getTime();
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  setTimer(ms: number, wake: () => void): () => void {
    return systemClock.setTimer(ms, wake);
  }
}

/** A clock the test moves by hand; timers fire in time order as it passes them. */
export class ManualClock implements Clock {
  private t: number;
  private timers: Array<{ at: number; wake: () => void; cancelled: boolean }> = [];

  constructor(at: Date | number = 0) {
    this.t = typeof at === 'number' ? at : at.getTime();
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, wake: () => void): () => void {
    const timer = { at: this.t + ms, wake, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Pending (not cancelled) timers. */
  get pending(): number {
    return this.timers.filter((x) => !x.cancelled).length;
  }

  /** Moves time forward to `to`, firing each due timer at its own time, and lets promises settle. */
  async advanceTo(to: number): Promise<void> {
    // Grants already made see the time they were made at.
    await settle();
    for (;;) {
      const due = this.timers.filter((x) => !x.cancelled && x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.wake();
      await settle();
    }
    this.t = to;
    await settle();
  }
}

/** Lets pending promise callbacks run (five microtask turns). */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** Lets every pending callback run, microtasks and I/O callbacks alike, `turns` times over. */
export async function drain(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

