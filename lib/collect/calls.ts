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
  /**
   * The AWS error code (`AccessDenied`, `ThrottlingException`…), a network errno (`ECONNRESET`,
   * `ETIMEDOUT`…), `HTTP<status>` for an HTTP error without an AWS error code, `UnreadableResponse`
   * for a 2xx answer that could not be parsed, or `TimeBudgetExceeded`.
   */
  code: string;
  /** Short and sanitised: the HTTP status and attempts when known, never a response body or a credential. */
  message: string;
  httpStatus?: number;
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

/** AWS messages are short; an unexpected huge one must not bloat the snapshot or a line of the report. */
const MAX_MESSAGE = 300;

/** What the SDK hangs on its errors: the HTTP response, metadata, the fault side, an errno. */
interface SdkErrorFacts {
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number };
  $fault?: string;
  code?: unknown;
}

/** Credentials and signatures that could appear in an error text, and the SDK's debugging hint. */
const SECRETS: ReadonlyArray<[RegExp, string]> = [
  [/\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '[key id]'],
  [/\b(X-Amz-(Security-Token|Signature|Credential)|Signature|Credential|SessionToken|SecretAccessKey|aws_secret_access_key|Authorization)\s*[=:]\s*[^\s,;&]+/gi, '$1=[redacted]'],
  [/\s*Deserialization error: to see the raw response[^\n]*/g, ''],
  [/@smithy\/node-http-handler - (\[\w+\] )?/g, ''],
];

/** One line, no secrets, bounded. */
export function sanitiseMessage(text: string, max = MAX_MESSAGE): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

const NETWORK_CAUSE: Readonly<Record<string, string>> = {
  ECONNRESET: 'the connection was reset before an answer',
  ECONNREFUSED: 'the connection was refused',
  ETIMEDOUT: 'no answer within the timeout',
  EPIPE: 'the connection was closed while sending',
  ENOTFOUND: 'the endpoint host name does not resolve',
  EAI_AGAIN: 'the endpoint host name could not be resolved (DNS)',
  EHOSTUNREACH: 'the endpoint host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

/**
 * A failure as data: the AWS code when AWS gave one, else what happened on the wire (the HTTP
 * status of a response that was not an AWS answer, the errno of a network failure), with a short,
 * sanitised cause. A response body is never quoted: a parse error's message would carry it.
 */
export function failureOf(api: string, error: unknown): CallFailure {
  if (!(error instanceof Error)) return { api, code: 'Error', message: sanitiseMessage(String(error)) };
  const facts = error as Error & SdkErrorFacts;
  const status = facts.$metadata?.httpStatusCode ?? facts.$response?.statusCode;
  const attempts = facts.$metadata?.attempts;
  const errno = typeof facts.code === 'string' && /^E[A-Z_]+$/.test(facts.code) ? facts.code : undefined;
  const after = attempts !== undefined && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const http = status !== undefined ? `HTTP ${status}: ` : '';
  const withStatus = (fields: Omit<CallFailure, 'api' | 'httpStatus'>): CallFailure => ({ api, ...fields, ...(status !== undefined ? { httpStatus: status } : {}) });

  const modelled = facts.$fault !== undefined && error.name !== 'Unknown' && error.name !== 'UnknownError' && error.name !== 'Error';
  // An AWS error code says what happened: its message as AWS wrote it (sanitised); the status is kept apart.
  if (modelled) return withStatus({ code: error.name, message: sanitiseMessage(error.message) });

  if (facts.$response !== undefined || (facts.$fault !== undefined && status !== undefined)) {
    // A response came, but not one the SDK could read as an AWS answer or error (an HTML error
    // page from a proxy, a truncated body): its status is the cause; its body stays out.
    const ok = status !== undefined && status >= 200 && status < 300;
    const code = ok || status === undefined ? 'UnreadableResponse' : `HTTP${status}`;
    const what = ok ? 'the response body could not be read (truncated, or not from AWS)' : 'the response is not an AWS error (no error code; the body is not shown)';
    return withStatus({ code, message: sanitiseMessage(`${http}${what}${after}`) });
  }

  if (errno !== undefined) {
    const cause = NETWORK_CAUSE[errno];
    const detail = sanitiseMessage(error.message, 160);
    return withStatus({ code: errno, message: sanitiseMessage(`${cause ? `${cause}: ` : ''}${detail}${after}`) });
  }
  const code = error.name && error.name !== 'Error' ? error.name : 'Error';
  return withStatus({ code, message: sanitiseMessage(`${http}${error.message}${after}`) });
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

  /** The run's pacer (absent: calls are not paced). */
  get pacer(): Pacer | undefined {
    return this.options.pacer;
  }

  /** Milliseconds of the clock left until the deadline (Infinity without one). */
  remainingMs(): number {
    return this.options.deadline === undefined ? Infinity : Math.max(0, this.options.deadline - this.options.clock.now());
  }

  /** The run's clock time. */
  now(): number {
    return this.options.clock.now();
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
