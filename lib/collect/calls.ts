/**
 * Every AWS call of a collection goes through one runner: it bounds concurrency per API and
 * region (the unit AWS throttles), paces each call to the API's quota (./pacing.ts) right before
 * sending it, stops starting work once the time budget is spent, aborts calls still waiting on a
 * token or on retries at the deadline, and turns failures into data (`CallFailure`) instead of
 * exceptions, so a failed call is recorded on the resource it concerns and the audit goes on.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.js';
import { KeyedLimiter } from '../concurrency.js';
import type { Pacer } from './pacing.js';
import type { CollectionError, ResourceKind } from '../snapshot.js';

/** A failed call, before it is attached to the resource it concerns. */
export interface CallFailure {
  /** `service:Operation`, e.g. `iam:GetRolePolicy`. */
  api: string;
  /** The AWS error code (`AccessDenied`, `ThrottlingException`…), or `TimeBudgetExceeded`. */
  code: string;
  message: string;
}

/** The data, or the failures that kept it from being known. Never rejects. */
export type Fetched<T> = { ok: true; value: T } | { ok: false; failures: CallFailure[] };

export const TIME_BUDGET_EXCEEDED = 'TimeBudgetExceeded';

export class TimeBudgetExceededError extends Error {
  override name = TIME_BUDGET_EXCEEDED;
  constructor(inFlight = false) {
    super(
      inFlight
        ? 'The run reached its time budget while this call was in progress (waiting for an answer or a retry); it was abandoned.'
        : 'The run reached its time budget before this call could be made.',
    );
  }
}

/** AWS messages are short; an unexpected huge one must not bloat the snapshot. */
const MAX_MESSAGE = 512;

export function failureOf(api: string, error: unknown): CallFailure {
  if (error instanceof Error) {
    // Network failures are plain Errors: their errno code (ECONNREFUSED, ETIMEDOUT…) says more.
    const errno = (error as { code?: unknown }).code;
    const code = error.name && error.name !== 'Error' ? error.name : typeof errno === 'string' && errno !== '' ? errno : 'Error';
    const message = error.message.length > MAX_MESSAGE ? `${error.message.slice(0, MAX_MESSAGE)}…` : error.message;
    return { api, code, message };
  }
  return { api, code: 'Error', message: String(error).slice(0, MAX_MESSAGE) };
}

export function toCollectionError(kind: ResourceKind, resourceId: string, failure: CallFailure): CollectionError {
  return { kind, resourceId, api: failure.api, code: failure.code, message: failure.message };
}

export interface CallRunnerOptions {
  /** Concurrent calls per API and scope. */
  concurrency: number;
  /** Epoch ms of `clock` after which no call starts (and pending retries are aborted). */
  deadline?: number;
  /** The run's clock: the deadline is measured on it, and nothing else. */
  clock: Clock;
  /** Waits for a rate-limit token before each call; without one, calls are not paced. */
  pacer?: Pacer;
}

/** The region of a regional API, or `global` for IAM (one quota for the whole account). */
export type CallScope = string;

export class CallRunner {
  private readonly limiter: KeyedLimiter;
  private readonly controller = new AbortController();
  private readonly cancelTimer: (() => void) | undefined;

  constructor(private readonly options: CallRunnerOptions) {
    this.limiter = new KeyedLimiter(() => options.concurrency);
    // Every call in flight listens on the one signal; many concurrent calls are expected.
    setMaxListeners(0, this.controller.signal);
    if (options.deadline !== undefined) {
      const wait = Math.max(0, options.deadline - options.clock.now());
      // Aborting at the deadline also cuts an SDK retry back-off short, so a throttled API
      // cannot hold the Lambda past its budget. close() cancels it, so it never keeps a process up.
      this.cancelTimer = options.clock.setTimer(wait, () => this.controller.abort());
    }
  }

  expired(): boolean {
    return this.options.deadline !== undefined && this.options.clock.now() >= this.options.deadline;
  }

  /**
   * One AWS call, queued behind the others of the same API and scope. Throws the AWS error, or a
   * TimeBudgetExceededError if the budget ran out before the call could start.
   */
  async call<T>(scope: CallScope, api: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.expired()) throw new TimeBudgetExceededError();
    return this.limiter.run(`${scope}\u0000${api}`, async () => {
      if (this.expired()) throw new TimeBudgetExceededError();
      if (this.options.pacer) {
        // Paced inside the concurrency slot, right before sending: a token taken earlier and spent
        // later could meet AWS's bucket after it refilled to its cap, and be one too many.
        try {
          await this.options.pacer.acquire(scope, api, this.controller.signal);
        } catch (e) {
          if (this.controller.signal.aborted) throw new TimeBudgetExceededError();
          throw e;
        }
        if (this.expired()) throw new TimeBudgetExceededError();
      }
      try {
        return await send(this.controller.signal);
      } catch (e) {
        if (this.controller.signal.aborted) throw new TimeBudgetExceededError(true);
        throw e;
      }
    });
  }

  /** Runs `work` (one call or several pages) and turns a failure into a `CallFailure`. */
  async attempt<T>(api: string, work: () => Promise<T>): Promise<Fetched<T>> {
    try {
      return { ok: true, value: await work() };
    } catch (e) {
      return { ok: false, failures: [failureOf(api, e)] };
    }
  }

  /** Releases the deadline timer. */
  close(): void {
    this.cancelTimer?.();
  }
}

/**
 * Reads every page of a paged API. `fetchPage` makes one call for a token and returns the page's
 * items and the next token; a token that does not advance stops the loop with an error rather
 * than spinning forever.
 */
export async function allPages<T>(fetchPage: (token: string | undefined) => Promise<{ items: readonly T[]; next?: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    out.push(...page.items);
    if (!page.next) return out;
    if (seen.has(page.next)) throw new Error(`pagination token repeated (${page.next.slice(0, 40)}): the listing is incomplete`);
    seen.add(page.next);
    token = page.next;
  }
}

/** Caches one promise per key, so concurrent askers share one in-flight call. */
export class Memo<K, V> {
  private readonly cache = new Map<K, Promise<V>>();

  get(key: K, create: () => Promise<V>): Promise<V> {
    let p = this.cache.get(key);
    if (!p) {
      p = create();
      this.cache.set(key, p);
    }
    return p;
  }
}

/** Splits ids into batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Ids sent in batches as they arrive: a batch goes out as soon as it is full, the remainder only at
 * `finish()`, so a pipeline sends no more calls than batching the whole list at once would (one
 * partial batch at most) while full batches need not wait for the slowest producer. Each id is
 * sent once.
 */
export class StreamingBatcher {
  private readonly seen = new Set<string>();
  private pending: string[] = [];
  private readonly sends: Promise<void>[] = [];
  private finished = false;

  constructor(
    private readonly size: number,
    private readonly send: (batch: string[]) => Promise<void>,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive integer, got ${size}`);
  }

  /** Ids sent or waiting so far. */
  get count(): number {
    return this.seen.size;
  }

  add(ids: Iterable<string>): void {
    if (this.finished) throw new Error('StreamingBatcher: add() after finish()');
    for (const id of ids) {
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.pending.push(id);
      if (this.pending.length === this.size) this.flush();
    }
  }

  /** Sends the remainder and waits for every batch. */
  async finish(): Promise<void> {
    this.finished = true;
    if (this.pending.length > 0) this.flush();
    await Promise.all(this.sends);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.sends.push(this.send(batch));
  }
}
