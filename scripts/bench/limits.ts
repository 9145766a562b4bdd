/**
 * Per-API rate limits and latencies of the simulated account, in model time (seconds / ms).
 *
 * Every AWS API here throttles with a token bucket: `burst` tokens, refilled at `rate` per second;
 * a call that finds the bucket empty is answered with the service's throttling error. Sources
 * (defaults of a new account, per region unless noted):
 *
 * - EMR — Service Quotas, service code `elasticmapreduce` ("The maximum number of X API requests
 *   that you can make per second" = burst, "Replenishment rate of X calls" = rate); see
 *   https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-service-limits-what-are.html and
 *   https://docs.aws.amazon.com/general/latest/gr/emr.html#limits_emr :
 *     ListClusters 20 / 0.5 (L-2C4B0A7F / L-ECF78C67), DescribeCluster 10 / 1 (L-81AF5123 / L-D74118B4),
 *     ListInstances 10 / 0.5 (L-41AA02AE / L-76CEF085), ListInstanceGroups 10 / 1 (L-2266B3CF / L-84D58688),
 *     ListInstanceFleets 5 / 0.5 (L-85BA8360 / L-C0B235E1),
 *     DescribeSecurityConfiguration 5 / 0.5 (L-27AD4F43 / L-8029315A);
 *     and, account-wide over ALL EMR operations, 25 / 5 (L-283CCA2A / L-432FAB44) — both buckets
 *     must hold a token. GetBlockPublicAccessConfiguration and ListReleaseLabels have no published
 *     per-API quota: assumed 10 / 1 (they are called once per region).
 *   EMR answers `ThrottlingException` ("Rate exceeded"), HTTP 400.
 * - EC2 — request-token buckets, one per API; non-mutating (Describe*) actions 100 / 20:
 *   https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html . EC2 answers
 *   `RequestLimitExceeded`; real EC2 sends it with HTTP 503 (not 400), so the simulator does too.
 * - IAM — AWS publishes no read-API rates; IAM is global (one endpoint for all regions) and
 *   throttles early in practice. Assumed: one account-wide bucket shared by every IAM read,
 *   20 / 10. IAM (awsQuery) answers error code `Throttling`, HTTP 400.
 * - SSM — no published rate for DescribeInstanceInformation / GetServiceSetting. Assumed 20 / 10
 *   and 5 / 1. SSM answers `ThrottlingException`, HTTP 400.
 * - STS GetCallerIdentity — effectively unthrottled for one call: 100 / 100.
 *
 * Latencies are typical round trips from an in-region Lambda (IAM from us-east-1), not published
 * figures: a base per call plus a per-item cost for listing APIs, ±20 % deterministic jitter.
 * A throttled call comes back faster (the service rejects it before doing the work).
 */

export type Service = 'emr' | 'ec2' | 'iam' | 'ssm' | 'sts';

export interface ApiSpec {
  service: Service;
  operation: string;
  /** IAM action that allows the call (how checks declare what they need). */
  action: string;
  burst: number;
  /** Tokens per second. */
  rate: number;
  /** Model milliseconds: base round trip. */
  latencyMs: number;
  /** Model milliseconds per returned item (instances, groups…). */
  perItemMs?: number;
  /** A shared account-level bucket the call also needs a token from. */
  sharedBucket?: string;
}

export interface SharedBucketSpec {
  name: string;
  burst: number;
  rate: number;
}

const emr = (operation: string, burst: number, rate: number, latencyMs: number, perItemMs?: number): ApiSpec => ({
  service: 'emr',
  operation,
  action: `elasticmapreduce:${operation}`,
  burst,
  rate,
  latencyMs,
  sharedBucket: 'emr-account',
  ...(perItemMs !== undefined ? { perItemMs } : {}),
});

const iam = (operation: string, latencyMs = 90): ApiSpec => ({ service: 'iam', operation, action: `iam:${operation}`, burst: Infinity, rate: Infinity, latencyMs, sharedBucket: 'iam-account' });

export const API_SPECS: readonly ApiSpec[] = [
  emr('ListClusters', 20, 0.5, 180, 1),
  emr('DescribeCluster', 10, 1, 120),
  emr('ListInstances', 10, 0.5, 150, 1.5),
  emr('ListInstanceGroups', 10, 1, 110),
  emr('ListInstanceFleets', 5, 0.5, 110),
  emr('DescribeSecurityConfiguration', 5, 0.5, 90),
  emr('GetBlockPublicAccessConfiguration', 10, 1, 80),
  emr('ListReleaseLabels', 10, 1, 100),
  { service: 'ec2', operation: 'DescribeSecurityGroups', action: 'ec2:DescribeSecurityGroups', burst: 100, rate: 20, latencyMs: 150, perItemMs: 0.5 },
  { service: 'ec2', operation: 'DescribeInstances', action: 'ec2:DescribeInstances', burst: 100, rate: 20, latencyMs: 200, perItemMs: 1 },
  iam('GetInstanceProfile'),
  iam('GetRole'),
  iam('ListAttachedRolePolicies'),
  iam('ListRolePolicies'),
  iam('GetRolePolicy'),
  iam('GetPolicy'),
  iam('GetPolicyVersion'),
  { service: 'ssm', operation: 'DescribeInstanceInformation', action: 'ssm:DescribeInstanceInformation', burst: 20, rate: 10, latencyMs: 80, perItemMs: 0.5 },
  { service: 'ssm', operation: 'GetServiceSetting', action: 'ssm:GetServiceSetting', burst: 5, rate: 1, latencyMs: 60 },
  { service: 'sts', operation: 'GetCallerIdentity', action: 'sts:GetCallerIdentity', burst: 100, rate: 100, latencyMs: 40 },
];

export const SHARED_BUCKETS: readonly SharedBucketSpec[] = [
  { name: 'emr-account', burst: 25, rate: 5 },
  { name: 'iam-account', burst: 20, rate: 10 },
];

/** `service:Operation` → spec. */
export const API_BY_KEY: ReadonlyMap<string, ApiSpec> = new Map(API_SPECS.map((s) => [apiKey(s.service, s.operation), s]));

export function apiKey(service: Service, operation: string): string {
  return `${service}:${operation}`;
}

/** Throttled calls are rejected early: this fraction of the base latency. */
export const THROTTLED_LATENCY_FACTOR = 0.3;

/** A token bucket in model time; starts full (an idle account). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly burst: number,
    readonly rate: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Refills to `now` (model ms) and reports whether a token is available, without taking it. */
  available(now: number): boolean {
    if (this.burst === Infinity) return true;
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
    this.last = now;
    return this.tokens >= 1;
  }

  take(): void {
    if (this.burst !== Infinity) this.tokens -= 1;
  }
}
