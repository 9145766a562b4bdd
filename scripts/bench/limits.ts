/**
 * Per-API rate limits and latencies of the simulated account, in model time (seconds / ms).
 *
 * Every AWS API here throttles with a token bucket: `burst` tokens, refilled at `rate` per second;
 * a call that finds the bucket empty is answered with the service's throttling error. The buckets
 * are the documented defaults of a new account, taken from the same table the collectors pace
 * themselves to (lib/collect/quotas.ts, which cites the sources: EMR per-API quotas plus the
 * account-wide 25 / 5 over all EMR operations, EC2 Describe* 100 / 20, IAM one account-wide
 * 20 / 10, SSM 20 / 10 and 5 / 1 — those two services publish no figures, so both sides assume
 * them). Sharing the table is the honest choice: both model "the documented defaults"; an
 * account with other workloads or raised quotas differs from both alike.
 *
 * Throttling errors: EMR answers `ThrottlingException` ("Rate exceeded"), HTTP 400; EC2
 * `RequestLimitExceeded` with HTTP 503 (not 400), so the simulator does too; IAM (awsQuery)
 * `Throttling`, HTTP 400; SSM `ThrottlingException`, HTTP 400.
 *
 * Latencies are typical round trips from an in-region Lambda (IAM from us-east-1), not published
 * figures: a base per call plus a per-item cost for listing APIs, ±20 % deterministic jitter.
 * A throttled call comes back faster (the service rejects it before doing the work).
 */
import { API_QUOTAS, SHARED_QUOTAS, type SharedBucket } from '../../lib/collect/quotas.js';

export type Service = 'emr' | 'ec2' | 'iam' | 'ssm' | 'sts' | 'tag';

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

/** The production quota of an API (by its IAM action), as this simulator's bucket. */
function quota(action: string): Pick<ApiSpec, 'burst' | 'rate'> & { sharedBucket?: SharedBucket } {
  const q = API_QUOTAS[action];
  if (!q) throw new Error(`no quota for ${action} in lib/collect/quotas.ts`);
  return {
    burst: q.own?.burst ?? Infinity,
    rate: q.own?.perSecond ?? Infinity,
    ...(q.shared ? { sharedBucket: q.shared } : {}),
  };
}

const spec = (service: Service, operation: string, latencyMs: number, perItemMs?: number): ApiSpec => {
  const action = `${service === 'emr' ? 'elasticmapreduce' : service}:${operation}`;
  return { service, operation, action, ...quota(action), latencyMs, ...(perItemMs !== undefined ? { perItemMs } : {}) };
};

export const API_SPECS: readonly ApiSpec[] = [
  spec('emr', 'ListClusters', 180, 1),
  spec('emr', 'DescribeCluster', 120),
  spec('emr', 'ListInstances', 150, 1.5),
  spec('emr', 'ListInstanceGroups', 110),
  spec('emr', 'ListInstanceFleets', 110),
  spec('emr', 'DescribeSecurityConfiguration', 90),
  spec('emr', 'GetBlockPublicAccessConfiguration', 80),
  spec('emr', 'ListReleaseLabels', 100),
  spec('ec2', 'DescribeSecurityGroups', 150, 0.5),
  spec('ec2', 'DescribeInstances', 200, 1),
  spec('ec2', 'DescribeManagedPrefixLists', 120, 0.5),
  spec('ec2', 'GetManagedPrefixListEntries', 100, 0.2),
  spec('ec2', 'DescribeSubnets', 120, 0.3),
  spec('ec2', 'DescribeRouteTables', 130, 0.5),
  spec('ec2', 'DescribeNetworkAcls', 130, 0.5),
  spec('iam', 'GetInstanceProfile', 90),
  spec('iam', 'GetRole', 90),
  spec('iam', 'ListAttachedRolePolicies', 90),
  spec('iam', 'ListRolePolicies', 90),
  spec('iam', 'GetRolePolicy', 90),
  spec('iam', 'GetPolicy', 90),
  spec('iam', 'GetPolicyVersion', 90),
  spec('ssm', 'DescribeInstanceInformation', 80, 0.5),
  spec('ssm', 'GetServiceSetting', 60),
  spec('sts', 'GetCallerIdentity', 40),
  spec('tag', 'GetResources', 150, 0.5),
];

export const SHARED_BUCKETS: readonly SharedBucketSpec[] = (Object.keys(SHARED_QUOTAS) as SharedBucket[]).map((name) => ({
  name,
  burst: SHARED_QUOTAS[name].burst,
  rate: SHARED_QUOTAS[name].perSecond,
}));

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
