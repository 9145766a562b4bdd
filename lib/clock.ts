/**
 * The one clock of a run. Everything that measures time — the Lambda's deadline, the call runner's
 * time budget, client-side pacing, Security Hub retry waits — reads this clock, injected from the
 * entry point (CLI, handler, benchmark). Two clocks that disagree (a deadline computed on an
 * injected clock, compared with the real one) silently turn a run into "time budget exceeded".
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `wake` after `ms` milliseconds of this clock; returns a function that cancels it. */
  setTimer(ms: number, wake: () => void): () => void;
}

export const systemClock: Clock = {
  // Looked up at each call (not captured), so a benchmark that dilates Date.now/setTimeout is seen.
  now: () => Date.now(),
  setTimer: (ms, wake) => {
    // Not unref'd: while a call waits for a token or a retry, the process must stay up for it.
    const t = setTimeout(wake, Math.max(0, Math.ceil(ms)));
    return () => clearTimeout(t);
  },
};

/** The clock's time as a Date. */
export function dateOf(clock: Clock): Date {
  return new Date(clock.now());
}

/** Resolves after `ms` of the clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(ms, resolve);
  });
}

/**
 * A clock that reads `start` at creation and then runs at real speed, with real timers: a fixed,
 * date-independent origin for tests and replays, whose deadlines and pacing still pass.
 */
export function clockFrom(start: Date | number, base: Clock = systemClock): Clock {
  const origin = typeof start === 'number' ? start : start.getTime();
  const t0 = base.now();
  return { now: () => origin + (base.now() - t0), setTimer: (ms, wake) => base.setTimer(ms, wake) };
}
