/**
 * Process-wide time dilation by a factor K, for the benchmark child only. "Model time" advances
 * K times faster than real time while the event loop is idle (waiting for simulated AWS answers,
 * back-offs, token buckets) and at real speed while it is busy (CPU work costs in the model what
 * it costs for real):
 *
 *     model elapsed = K × idle time + 1 × busy time      (performance.eventLoopUtilization())
 *
 * `Date.now()` and `performance.now()` read model time; `setTimeout` / `setInterval` (global,
 * `node:timers`, `node:timers/promises`) wait a model duration: they sleep the real equivalent
 * and re-arm until the model clock has really advanced that far, so CPU work during a wait never
 * shortens it. Everything that paces itself by these clocks — the simulator's latencies and
 * token buckets, the SDK's adaptive rate limiter and retry back-off, any limiter the collectors
 * use — then runs in one consistent model time: a run that takes 30 minutes against AWS takes
 * seconds, with every ratio intact and CPU time not inflated K-fold.
 *
 * The simulator's own CPU work (parsing requests, building responses) is left out of model time
 * (`untimed`): it stands for AWS's side, which the simulated latency covers.
 *
 * Limits: `new Date()` is not dilated (only request signing and timestamps read it); real timers
 * resolve to 1 ms, so at large K a very short model delay is rounded up to K ms.
 */
import { syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';

export interface TimeWarp {
  readonly scale: number;
  /** Real milliseconds (undilated `performance.now()`). */
  realNow(): number;
  /** Real milliseconds the event loop was busy since the warp started (excluded work included). */
  busyMs(): number;
  /**
   * Runs `fn` (synchronous) without it costing model time: the simulator's own work stands for
   * AWS's server side, which the simulated latency already covers.
   */
  untimed<T>(fn: () => T): T;
  restore(): void;
}

type Callback = (...args: unknown[]) => void;
type TimerFn = (callback: Callback, ms?: number, ...args: unknown[]) => unknown;
type ClearFn = (handle?: unknown) => void;

/** Model time may fall short of a target by rounding only. */
const EPSILON_MS = 0.01;

export function installTimeWarp(scale: number): TimeWarp {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`time scale must be a positive number, got ${scale}`);
  // Installed at K = 1 too: the clock still leaves out the simulator's own work.
  const realPerfNow = performance.now.bind(performance);
  const elu = performance.eventLoopUtilization.bind(performance);
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const realPromisesSetTimeout = timersPromises.setTimeout;
  const start = elu();
  const anchorPerf = realPerfNow();
  const anchorDate = Date.now();
  const restoreAll: (() => void)[] = [];
  let excluded = 0;
  // Nothing else runs while an untimed (synchronous) section runs, so the clock never goes back.
  const modelElapsed = (): number => {
    const e = elu();
    return (e.idle - start.idle) * scale + (e.active - start.active - excluded);
  };

  {
    /** A model-time timer: sleeps the real equivalent, re-arms until the model clock is there. */
    class WarpTimer {
      private real: NodeJS.Timeout;
      private target: number;
      private refed = true;
      private cancelled = false;

      constructor(
        private readonly callback: Callback,
        private readonly delay: number,
        private readonly args: unknown[],
        private readonly repeat: boolean,
      ) {
        this.target = modelElapsed() + delay;
        this.real = this.arm();
      }

      private arm(): NodeJS.Timeout {
        const t = realSetTimeout(() => this.fire(), Math.max(0, this.target - modelElapsed()) / scale);
        if (!this.refed) t.unref();
        return t;
      }

      private fire(): void {
        if (this.cancelled) return;
        if (modelElapsed() < this.target - EPSILON_MS) {
          this.real = this.arm();
          return;
        }
        if (this.repeat) {
          this.target += Math.max(1, this.delay);
          this.real = this.arm();
        }
        this.callback(...this.args);
      }

      cancel(): void {
        this.cancelled = true;
        realClearTimeout(this.real);
      }
      ref(): this {
        this.refed = true;
        this.real.ref();
        return this;
      }
      unref(): this {
        this.refed = false;
        this.real.unref();
        return this;
      }
      hasRef(): boolean {
        return this.refed;
      }
      refresh(): this {
        realClearTimeout(this.real);
        this.cancelled = false;
        this.target = modelElapsed() + this.delay;
        this.real = this.arm();
        return this;
      }
      close(): this {
        this.cancel();
        return this;
      }
      [Symbol.toPrimitive](): number {
        return this.real[Symbol.toPrimitive]();
      }
    }

    const delayOf = (ms: unknown): number => (typeof ms === 'number' && ms > 0 ? ms : 0);
    const warpedSetTimeout: TimerFn = (callback, ms, ...args) => new WarpTimer(callback, delayOf(ms), args, false);
    const warpedSetInterval: TimerFn = (callback, ms, ...args) => new WarpTimer(callback, delayOf(ms), args, true);
    const warpedClear: ClearFn = (handle) => {
      if (handle instanceof WarpTimer) handle.cancel();
      else realClearTimeout(handle as NodeJS.Timeout);
    };
    const sleep = async (ms: unknown, value?: unknown, options?: object): Promise<unknown> => {
      const target = modelElapsed() + delayOf(ms);
      do await realPromisesSetTimeout(Math.max(0, target - modelElapsed()) / scale, undefined, options);
      while (modelElapsed() < target - EPSILON_MS);
      return value;
    };
    // `util.promisify(setTimeout)` looks for this symbol.
    Object.defineProperty(warpedSetTimeout, promisify.custom, { value: sleep });

    const perfDescriptor = Object.getOwnPropertyDescriptor(performance, 'now');
    Object.defineProperty(performance, 'now', { value: () => anchorPerf + modelElapsed(), configurable: true, writable: true });
    restoreAll.push(() => {
      if (perfDescriptor) Object.defineProperty(performance, 'now', perfDescriptor);
      else delete (performance as { now?: unknown }).now;
    });

    const dateNow = Date.now;
    Date.now = () => Math.floor(anchorDate + modelElapsed());
    restoreAll.push(() => {
      Date.now = dateNow;
    });

    type TimerApi = { setTimeout: unknown; setInterval: unknown; clearTimeout: unknown; clearInterval: unknown };
    const targets = [globalThis as unknown as TimerApi, timers as unknown as TimerApi];
    for (const t of targets) {
      const saved = { ...t };
      t.setTimeout = warpedSetTimeout;
      t.setInterval = warpedSetInterval;
      t.clearTimeout = warpedClear;
      t.clearInterval = warpedClear;
      restoreAll.push(() => Object.assign(t, { setTimeout: saved.setTimeout, setInterval: saved.setInterval, clearTimeout: saved.clearTimeout, clearInterval: saved.clearInterval }));
    }
    const promises = timersPromises as unknown as { setTimeout: unknown };
    const savedPromise = promises.setTimeout;
    promises.setTimeout = sleep;
    restoreAll.push(() => {
      promises.setTimeout = savedPromise;
    });
    // Named ESM imports of node:timers(/promises) see the patched functions only after this.
    syncBuiltinESMExports();
  }

  return {
    scale,
    realNow: () => realPerfNow(),
    busyMs: () => elu().active - start.active,
    untimed: <T>(fn: () => T): T => {
      const t0 = realPerfNow();
      try {
        return fn();
      } finally {
        excluded += realPerfNow() - t0;
      }
    },
    restore: () => {
      for (const undo of restoreAll.reverse()) undo();
      if (restoreAll.length > 0) syncBuiltinESMExports();
      restoreAll.length = 0;
    },
  };
}
