/**
 * The simulated AWS endpoint. A middleware placed right after the SDK's deserializer (so below
 * the retry layer, the signer and the serializer) answers every request from the account model,
 * with per-call latency and token-bucket rate limits. A throttled call gets the service's real
 * throttling error on the wire, so the SDK's adaptive retry sees, classifies and retries it as
 * it would against AWS. Every attempt is counted per API; SDK invocations are tracked through
 * the `amz-sdk-invocation-id` / `amz-sdk-request` headers to tell retried throttles from calls
 * that finally failed.
 *
 * Time is whatever `performance.now()` / `setTimeout` say: the benchmark dilates both (see
 * ./timewarp.ts) so a simulated hour runs in seconds with every ratio intact.
 */
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { AwsClients, RegionClients } from '../../lib/aws/clients.js';
import type { SimAccount } from './account.js';
import { API_BY_KEY, API_SPECS, SHARED_BUCKETS, THROTTLED_LATENCY_FACTOR, TokenBucket, apiKey, type ApiSpec, type Service, type SharedBucketSpec } from './limits.js';
import { hashString } from './rng.js';
import { handleEc2 } from './services/ec2.js';
import { handleEmr } from './services/emr.js';
import { handleIam, handleSts } from './services/iam.js';
import { handleSsm } from './services/ssm.js';
import { handleTagging } from './services/tagging.js';
import { ec2Error, jsonError, parseRequest, queryError, type ParsedRequest, type SimResponse, type WireRequest } from './wire.js';

export interface Clock {
  /** Milliseconds (model time when the time warp is on). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Latency jitter: a deterministic factor in [JITTER_MIN, JITTER_MIN + JITTER_SPAN) per request. */
export const JITTER_MIN = 0.8;
const JITTER_SPAN = 0.4;

export interface SimulatorOptions {
  account: SimAccount;
  clock?: Clock;
  specs?: readonly ApiSpec[];
  sharedBuckets?: readonly SharedBucketSpec[];
  /** Multiplies every latency (0: instant answers, for tests). */
  latencyScale?: number;
  /** Runs the simulator's synchronous work outside model time (see TimeWarp.untimed). */
  untimed?: <T>(fn: () => T) => T;
}

export interface ApiStats {
  /** Successful calls (HTTP 2xx). */
  ok: number;
  /** Attempts answered with the throttling error. */
  throttled: number;
  /** Attempts answered with another error, by code. */
  errors: Record<string, number>;
  /** Most calls in flight at once. */
  peakInFlight: number;
  /** Model ms of the first request and of the last response. */
  firstAt?: number;
  lastAt?: number;
}

export interface InvocationSummary {
  /** SDK calls whose last attempt succeeded. */
  succeeded: number;
  /** SDK calls whose last attempt failed (after retries, or a non-retryable error), by API and code. */
  failed: { api: string; code: string; count: number }[];
  /** Throttled attempts that were followed by another attempt of the same call. */
  throttlesRetried: number;
  /** Most attempts one call needed. */
  maxAttempts: number;
}

interface Invocation {
  api: string;
  attempts: number;
  lastOk: boolean;
  lastCode?: string;
  throttles: number;
}

function throttleResponse(service: Service): SimResponse {
  switch (service) {
    case 'ec2':
      return ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.');
    case 'iam':
    case 'sts':
      return queryError(service, 400, 'Throttling', 'Rate exceeded');
    default:
      return jsonError(400, 'ThrottlingException', 'Rate exceeded');
  }
}

function answer(service: Service, account: SimAccount, req: ParsedRequest): SimResponse {
  switch (service) {
    case 'emr':
      return handleEmr(account, req);
    case 'ec2':
      return handleEc2(account, req);
    case 'iam':
      return handleIam(account, req);
    case 'sts':
      return handleSts(account, req);
    case 'ssm':
      return handleSsm(account, req);
    case 'tag':
      return handleTagging(account, req);
  }
}

export class Simulator {
  readonly account: SimAccount;
  private readonly clock: Clock;
  private readonly latencyScale: number;
  private readonly untimed: <T>(fn: () => T) => T;
  private readonly specs: Map<string, ApiSpec>;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly shared = new Map<string, TokenBucket>();
  private readonly stats = new Map<string, ApiStats>();
  private readonly inFlight = new Map<string, number>();
  private readonly invocations = new Map<string, Invocation>();

  constructor(options: SimulatorOptions) {
    this.account = options.account;
    this.clock = options.clock ?? systemClock;
    this.latencyScale = options.latencyScale ?? 1;
    this.untimed = options.untimed ?? ((fn) => fn());
    const now = this.clock.now();
    this.specs = options.specs ? new Map(options.specs.map((s) => [apiKey(s.service, s.operation), s])) : new Map(API_BY_KEY);
    for (const [key, spec] of this.specs) this.buckets.set(key, new TokenBucket(spec.burst, spec.rate, now));
    for (const b of options.sharedBuckets ?? SHARED_BUCKETS) this.shared.set(b.name, new TokenBucket(b.burst, b.rate, now));
  }

  /** Answers one HTTP attempt of `service` (the SDK's serialized, signed request). */
  async handle(service: Service, wire: WireRequest): Promise<SimResponse> {
    const req = this.untimed(() => parseRequest(wire));
    const key = apiKey(service, req.operation);
    const spec = this.specs.get(key);
    const stats = this.statsFor(key);
    const start = this.clock.now();
    stats.firstAt ??= start;
    const inFlight = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, inFlight);
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);

    const own = this.buckets.get(key);
    const shared = spec?.sharedBucket ? this.shared.get(spec.sharedBucket) : undefined;
    // Both the API's bucket and the account-wide one must hold a token; neither is spent otherwise.
    const admitted = (own?.available(start) ?? true) && (shared?.available(start) ?? true);
    let response: SimResponse;
    let latency: number;
    const jitter = JITTER_MIN + JITTER_SPAN * (hashString(`${key}|${req.rawBody}|${req.attempt}`) / 4294967296);
    if (admitted) {
      own?.take();
      shared?.take();
      response = this.untimed(() => answer(service, this.account, req));
      latency = ((spec?.latencyMs ?? 100) + response.items * (spec?.perItemMs ?? 0)) * jitter;
    } else {
      response = throttleResponse(service);
      latency = (spec?.latencyMs ?? 100) * THROTTLED_LATENCY_FACTOR * jitter;
    }
    if (this.latencyScale > 0) await this.clock.sleep(latency * this.latencyScale);

    this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    stats.lastAt = this.clock.now();
    if (!admitted) stats.throttled += 1;
    else if (response.errorCode) stats.errors[response.errorCode] = (stats.errors[response.errorCode] ?? 0) + 1;
    else stats.ok += 1;
    this.track(req, key, admitted, response.errorCode);
    return response;
  }

  private statsFor(key: string): ApiStats {
    let s = this.stats.get(key);
    if (!s) {
      s = { ok: 0, throttled: 0, errors: {}, peakInFlight: 0 };
      this.stats.set(key, s);
    }
    return s;
  }

  private track(req: ParsedRequest, key: string, admitted: boolean, code: string | undefined): void {
    let inv = this.invocations.get(req.invocationId);
    if (!inv) {
      inv = { api: key, attempts: 0, lastOk: false, throttles: 0 };
      this.invocations.set(req.invocationId, inv);
    }
    inv.attempts = Math.max(inv.attempts, req.attempt);
    inv.lastOk = admitted && code === undefined;
    if (!admitted) {
      inv.throttles += 1;
      inv.lastCode = 'Throttled';
    } else if (code) inv.lastCode = code;
    else delete inv.lastCode;
  }

  /** Per-API counters, keyed `service:Operation`. */
  apiStats(): Map<string, ApiStats> {
    return new Map([...this.stats].map(([k, v]) => [k, { ...v, errors: { ...v.errors } }]));
  }

  invocationSummary(): InvocationSummary {
    let succeeded = 0;
    let throttlesRetried = 0;
    let maxAttempts = 0;
    const failed = new Map<string, number>();
    for (const inv of this.invocations.values()) {
      maxAttempts = Math.max(maxAttempts, inv.attempts);
      // Every throttle but a final one was retried.
      throttlesRetried += inv.throttles - (!inv.lastOk && inv.lastCode === 'Throttled' ? 1 : 0);
      if (inv.lastOk) succeeded += 1;
      else {
        const k = `${inv.api}\u0000${inv.lastCode ?? 'unknown'}`;
        failed.set(k, (failed.get(k) ?? 0) + 1);
      }
    }
    return {
      succeeded,
      throttlesRetried,
      maxAttempts,
      failed: [...failed].map(([k, count]) => {
        const [api = '', code = ''] = k.split('\u0000');
        return { api, code, count };
      }),
    };
  }

  /** Makes every client of `clients` answer from this simulator (regional clients as created). */
  instrument(clients: AwsClients): AwsClients {
    this.attach(clients.iam, 'iam');
    this.attach(clients.sts, 'sts');
    const done = new Set<string>();
    const forRegion = (region: string): RegionClients => {
      const rc = clients.forRegion(region);
      if (!done.has(region)) {
        done.add(region);
        this.attach(rc.emr, 'emr');
        this.attach(rc.ec2, 'ec2');
        this.attach(rc.ssm, 'ssm');
        this.attach(rc.tagging, 'tag');
      }
      return rc;
    };
    return { iam: clients.iam, sts: clients.sts, s3: clients.s3, events: clients.events, forRegion };
  }

  /** Inserts the simulator right after the deserializer: the innermost step, below retries. */
  attach<I extends object, O extends object>(client: { middlewareStack: MiddlewareStack<I, O> }, service: Service): void {
    const middleware: DeserializeMiddleware<I, O> = () => async (args) => {
      const request = args.request;
      if (typeof request !== 'object' || request === null || !('headers' in request)) throw new Error('simulator: not an HTTP request');
      const response = await this.handle(service, request as WireRequest);
      // The deserializer above reads only `response`; `output` is its to fill.
      return { response, output: undefined as unknown as O };
    };
    client.middlewareStack.addRelativeTo(middleware, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'emrAuditBenchSimulator', override: true });
  }
}

/** Every API the simulator models, for reports. */
export const MODELLED_APIS: readonly string[] = API_SPECS.map((s) => apiKey(s.service, s.operation));
