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
