/**
 * Client-side pacing: before each call, wait for a token from the same buckets AWS throttles with
 * (one per API and Region, plus the account-wide bucket some services add over all their
 * operations), so the audit stays under the quotas instead of finding them by being throttled —
 * throttling that would also hit every other workload of the account sharing those buckets. The
 * SDK's adaptive retry stays in place as the safety net for what pacing cannot see (other callers
 * spending the same tokens).
 *
 * An account-wide bucket can also be re-rated in place per scope (`setHeadroom`): a run that is not
 * in a hurry then takes only a share of it (./quotas.ts EMR_HEADROOM_SHARE), and calls already
 * waiting are re-timed the moment the rate changes back. Who decides is ./headroom.ts.
 *
 * Pure: time comes from the run's injected clock (lib/clock.ts), so the tests drive it by hand.
 */
import type { Clock } from '../clock.js';
import { API_QUOTAS, SHARED_QUOTAS, headroomRate, scaleRate, type ApiQuota, type Rate, type SharedBucket } from './quotas.js';

/** Tokens are compared with this slack: refills computed from float times land a hair under 1. */
const EPSILON = 1e-9;

/** The shortest timer the pacer sets, ms: long enough for an epoch-ms clock to move. */
const MIN_WAIT_MS = 0.001;

/**
 * A call reaches AWS some time after its token is taken here (signing, the network), and that
 * delay varies: a call sent with little delay right behind one sent with much would meet AWS's
 * bucket a little emptier than ours says. Waiting until a token has been there this long absorbs
 * that jitter. It costs no throughput — the bucket then idles this much above empty instead of at
 * empty, the refill rate is unchanged — only this much latency on calls that had to wait.
 */
export const GUARD_MS = 250;

/** A token bucket that starts full (an idle account), in clock milliseconds. */
export class TokenBucket {
  private tokens: number;
  private at: number;
  private current: Rate;
  /** Tokens needed before one is handed out: one, plus the guard's worth (within the burst). */
  private threshold: number;
  private handedOut = 0;

  constructor(
    rate: Rate,
    now: number,
    private readonly guardMs = GUARD_MS,
  ) {
    this.current = rate;
    this.tokens = rate.burst;
    this.at = now;
    this.threshold = thresholdOf(rate, guardMs);
  }

  get rate(): Rate {
    return this.current;
  }

  /** Tokens taken so far. */
  get taken(): number {
    return this.handedOut;
  }

  private refill(now: number): void {
    if (now <= this.at) return;
    this.tokens = Math.min(this.current.burst, this.tokens + ((now - this.at) / 1000) * this.current.perSecond);
    this.at = now;
  }

  /**
   * Changes the rate from `now` on: what refilled until now at the old rate is kept, capped at the
   * new burst. Never more than that: tokens this bucket did not hand out while slower were left to
   * other clients of the account, who may have spent them, so a faster rate starts from the same
   * level and only refills faster.
   */
  rerate(rate: Rate, now: number): void {
    this.refill(now);
    this.current = rate;
    this.tokens = Math.min(rate.burst, this.tokens);
    this.threshold = thresholdOf(rate, this.guardMs);
  }

  /** Milliseconds until a token is available (0: one is there now). */
  waitMs(now: number): number {
    this.refill(now);
    if (this.tokens >= this.threshold - EPSILON) return 0;
    return ((this.threshold - this.tokens) / this.current.perSecond) * 1000;
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
    this.handedOut += 1;
  }
}

function thresholdOf(rate: Rate, guardMs: number): number {
  return Math.max(1, Math.min(rate.burst, 1 + (guardMs / 1000) * rate.perSecond));
}

export interface PacerOptions {
  /** The run's clock: buckets refill on its time and waits are its timers. */
  clock: Clock;
  /** Per-API quotas keyed `service:Operation`; APIs not listed are not paced. Default: the documented defaults. */
  quotas?: Readonly<Record<string, ApiQuota>>;
  shared?: Readonly<Record<SharedBucket, Rate>>;
  /** Scales every burst and refill rate (the `rateMultiplier` setting). Default 1. */
  multiplier?: number;
  /** See GUARD_MS. */
  guardMs?: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  lane: Lane;
  detach?: () => void;
}

interface Lane {
  own?: TokenBucket;
  shared?: TokenBucket;
  queue: Waiter[];
}

/** Raised to a waiter whose signal aborted before it got a token. */
export class PacingAbortedError extends Error {
  override name = 'PacingAbortedError';
}

/**
 * Hands out tokens per (scope, API): callers of one API are served in arrival order; when an
 * account-wide bucket is the limit, the oldest caller whose own bucket is ready goes first, so one
 * busy API cannot starve the others.
 */
export class Pacer {
  private readonly quotas: Readonly<Record<string, ApiQuota>>;
  private readonly sharedRates: Readonly<Record<SharedBucket, Rate>>;
  private readonly multiplier: number;
  private readonly clock: Clock;
  private readonly guardMs: number;
  private readonly lanes = new Map<string, Lane | null>();
  private readonly sharedBuckets = new Map<string, TokenBucket>();
  /** Shares of account-wide buckets in headroom mode, by scope and bucket. */
  private readonly shares = new Map<string, number>();
  private seq = 0;
  private timer: { at: number; cancel: () => void } | undefined;
  private waited = 0;

  constructor(options: PacerOptions) {
    const multiplier = options.multiplier ?? 1;
    if (!(multiplier > 0) || !Number.isFinite(multiplier)) throw new Error(`rate multiplier must be a positive number, got ${multiplier}`);
    this.quotas = options.quotas ?? API_QUOTAS;
    this.sharedRates = options.shared ?? SHARED_QUOTAS;
    this.multiplier = multiplier;
    this.clock = options.clock;
    this.guardMs = options.guardMs ?? GUARD_MS;
  }

  /** Calls that had to wait for a token so far. */
  get delayedCalls(): number {
    return this.waited;
  }

  /**
   * Resolves once a token for `api` in `scope` is taken (at once when one is there and nobody of
   * the same API waits). Rejects with PacingAbortedError if `signal` aborts first.
   */
  acquire(scope: string, api: string, signal?: AbortSignal): Promise<void> {
    const lane = this.lane(scope, api);
    if (!lane) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(new PacingAbortedError('aborted before a token was available'));
    const now = this.clock.now();
    if (lane.queue.length === 0 && this.waitOf(lane, now) === 0) {
      this.take(lane, now);
      return Promise.resolve();
    }
    this.waited += 1;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { seq: this.seq++, resolve, reject, lane };
      if (signal) {
        const onAbort = (): void => {
          const i = lane.queue.indexOf(waiter);
          if (i >= 0) lane.queue.splice(i, 1);
          reject(new PacingAbortedError('aborted before a token was available'));
          this.pump();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      lane.queue.push(waiter);
      this.pump();
    });
  }

  private lane(scope: string, api: string): Lane | undefined {
    const key = `${scope}\u0000${api}`;
    const known = this.lanes.get(key);
    if (known !== undefined) return known ?? undefined;
    const quota = this.quotas[api];
    if (!quota || (!quota.own && !quota.shared)) {
      this.lanes.set(key, null);
      return undefined;
    }
    const now = this.clock.now();
    const lane: Lane = { queue: [] };
    if (quota.own) lane.own = new TokenBucket(scaleRate(quota.own, this.multiplier), now, this.guardMs);
    if (quota.shared) lane.shared = this.sharedBucket(scope, quota.shared, now);
    this.lanes.set(key, lane);
    return lane;
  }

  private sharedBucket(scope: string, shared: SharedBucket, now: number): TokenBucket {
    const key = `${scope}\u0000${shared}`;
    let bucket = this.sharedBuckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.sharedRateOf(key, shared), now, this.guardMs);
      this.sharedBuckets.set(key, bucket);
    }
    return bucket;
  }

  private sharedRateOf(key: string, shared: SharedBucket): Rate {
    const full = scaleRate(this.sharedRates[shared], this.multiplier);
    const share = this.shares.get(key);
    return share === undefined ? full : headroomRate(full, share);
  }

  /**
   * Headroom mode: from now on the calls of `scope` draw only `share` of the account-wide `shared`
   * bucket's (scaled) refill, with a burst of one; `undefined` restores the full quota. In place:
   * calls already waiting are re-timed to the new rate at once. Returns the rate now in force.
   */
  setHeadroom(scope: string, shared: SharedBucket, share: number | undefined): Rate {
    const key = `${scope}\u0000${shared}`;
    if (share === undefined) this.shares.delete(key);
    else this.shares.set(key, share);
    const now = this.clock.now();
    const rate = this.sharedRateOf(key, shared);
    const bucket = this.sharedBuckets.get(key);
    if (!bucket) {
      this.sharedBuckets.set(key, new TokenBucket(rate, now, this.guardMs));
      return rate;
    }
    bucket.rerate(rate, now);
    // The pending timer was set for the old rate: a faster one may admit waiters sooner.
    this.timer?.cancel();
    this.timer = undefined;
    this.pump();
    return rate;
  }

  /** The rate of an account-wide bucket in `scope` now (scaled; the headroom share when on). */
  sharedRate(scope: string, shared: SharedBucket): Rate {
    return this.sharedRateOf(`${scope}\u0000${shared}`, shared);
  }

  /** Tokens handed out so far from an account-wide bucket in `scope`: the calls it paced. */
  sharedTaken(scope: string, shared: SharedBucket): number {
    return this.sharedBuckets.get(`${scope}\u0000${shared}`)?.taken ?? 0;
  }

  private waitOf(lane: Lane, now: number): number {
    return Math.max(lane.own?.waitMs(now) ?? 0, lane.shared?.waitMs(now) ?? 0);
  }

  private take(lane: Lane, now: number): void {
    lane.own?.take(now);
    lane.shared?.take(now);
  }

  /** Admits every waiter that can go now, oldest first, then sets one timer for the next. */
  private pump(): void {
    const now = this.clock.now();
    for (;;) {
      let best: Lane | undefined;
      for (const lane of this.lanes.values()) {
        const head = lane?.queue[0];
        if (!lane || !head || this.waitOf(lane, now) > 0) continue;
        if (!best || head.seq < best.queue[0]!.seq) best = lane;
      }
      if (!best) break;
      const waiter = best.queue.shift()!;
      this.take(best, now);
      waiter.detach?.();
      waiter.resolve();
    }
    let next = Infinity;
    for (const lane of this.lanes.values()) if (lane && lane.queue.length > 0) next = Math.min(next, this.waitOf(lane, now));
    if (next === Infinity) {
      this.timer?.cancel();
      this.timer = undefined;
      return;
    }
    // A refill computed from epoch-millisecond times can leave a deficit smaller than the clock can
    // step (2⁻¹² ms at today's epoch): a wait that short would wake at the same instant, forever.
    const wait = Math.max(next, MIN_WAIT_MS);
    const at = now + wait;
    if (this.timer && this.timer.at <= at) return;
    this.timer?.cancel();
    const cancel = this.clock.setTimer(wait, () => {
      this.timer = undefined;
      this.pump();
    });
    this.timer = { at, cancel };
  }
}
