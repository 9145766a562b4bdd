/**
 * The request-rate quotas the collectors pace themselves to: AWS's documented defaults for a new
 * account (token buckets: `burst` tokens, refilled at `perSecond`), per API and Region unless
 * noted. The benchmark's simulated account imports this same table, so what it enforces and what
 * we pace to are, by construction, both "the documented defaults".
 *
 * Sources:
 * - EMR — Service Quotas, service code `elasticmapreduce` ("The maximum number of X API requests
 *   that you can make per second" = burst, "Replenishment rate of X calls" = refill):
 *   https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-service-limits-what-are.html and
 *   https://docs.aws.amazon.com/general/latest/gr/emr.html#limits_emr
 *     ListClusters 20 / 0.5 (L-2C4B0A7F / L-ECF78C67), DescribeCluster 10 / 1 (L-81AF5123 / L-D74118B4),
 *     ListInstances 10 / 0.5 (L-41AA02AE / L-76CEF085), ListInstanceGroups 10 / 1 (L-2266B3CF / L-84D58688),
 *     ListInstanceFleets 5 / 0.5 (L-85BA8360 / L-C0B235E1),
 *     DescribeSecurityConfiguration 5 / 0.5 (L-27AD4F43 / L-8029315A);
 *     and, account-wide per Region over ALL EMR operations, 25 / 5 (L-283CCA2A / L-432FAB44): a
 *     call needs a token from both. GetBlockPublicAccessConfiguration and ListReleaseLabels have no
 *     published per-API quota: assumed 10 / 1 (called once per Region).
 * - EC2 — one request-token bucket per API; non-mutating (Describe*, Get*) actions 100 / 20:
 *   https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 * - IAM — no published read-API rates; IAM is global (shared by every Region and every other IAM
 *   caller of the account) and its rates cannot be raised. Assumed: one account-wide bucket over
 *   every IAM read, 20 / 10.
 * - SSM — no published rate for DescribeInstanceInformation / GetServiceSetting. Assumed 20 / 10
 *   and 5 / 1.
 * - STS GetCallerIdentity — one call per run; 100 / 100 (not paced, listed for the benchmark).
 * - Resource Groups Tagging API GetResources — no published default rate found. Assumed 10 / 5
 *   (a handful of pages of 100 clusters per Region and run).
 */

export interface Rate {
  /** Bucket size: calls that may be made at once after an idle period. */
  burst: number;
  /** Tokens refilled per second. */
  perSecond: number;
}

/** Account-level buckets that several APIs draw from (per Region, or global for IAM). */
export type SharedBucket = 'emr-account' | 'iam-account';

export interface ApiQuota {
  /** The API's own bucket; absent when only the shared bucket limits it. */
  own?: Rate;
  /** An account-level bucket the call also needs a token from. */
  shared?: SharedBucket;
}

export const SHARED_QUOTAS: Readonly<Record<SharedBucket, Rate>> = {
  'emr-account': { burst: 25, perSecond: 5 },
  'iam-account': { burst: 20, perSecond: 10 },
};

const emr = (burst: number, perSecond: number): ApiQuota => ({ own: { burst, perSecond }, shared: 'emr-account' });
const iam: ApiQuota = { shared: 'iam-account' };

/** Keyed by the IAM action that allows the call (`service:Operation`), as the collectors name APIs. */
export const API_QUOTAS: Readonly<Record<string, ApiQuota>> = {
  'elasticmapreduce:ListClusters': emr(20, 0.5),
  'elasticmapreduce:DescribeCluster': emr(10, 1),
  'elasticmapreduce:ListInstances': emr(10, 0.5),
  'elasticmapreduce:ListInstanceGroups': emr(10, 1),
  'elasticmapreduce:ListInstanceFleets': emr(5, 0.5),
  'elasticmapreduce:DescribeSecurityConfiguration': emr(5, 0.5),
  'elasticmapreduce:GetBlockPublicAccessConfiguration': emr(10, 1),
  'elasticmapreduce:ListReleaseLabels': emr(10, 1),
  'ec2:DescribeSecurityGroups': { own: { burst: 100, perSecond: 20 } },
  'ec2:DescribeInstances': { own: { burst: 100, perSecond: 20 } },
  'ec2:DescribeSubnets': { own: { burst: 100, perSecond: 20 } },
  'ec2:DescribeRouteTables': { own: { burst: 100, perSecond: 20 } },
  'ec2:DescribeNetworkAcls': { own: { burst: 100, perSecond: 20 } },
  // Get* are non-mutating actions too: the same 100 / 20 bucket class as Describe*.
  'ec2:DescribeManagedPrefixLists': { own: { burst: 100, perSecond: 20 } },
  'ec2:GetManagedPrefixListEntries': { own: { burst: 100, perSecond: 20 } },
  'iam:GetInstanceProfile': iam,
  'iam:GetRole': iam,
  'iam:ListAttachedRolePolicies': iam,
  'iam:ListRolePolicies': iam,
  'iam:GetRolePolicy': iam,
  'iam:GetPolicy': iam,
  'iam:GetPolicyVersion': iam,
  'ssm:DescribeInstanceInformation': { own: { burst: 20, perSecond: 10 } },
  'ssm:GetServiceSetting': { own: { burst: 5, perSecond: 1 } },
  'sts:GetCallerIdentity': { own: { burst: 100, perSecond: 100 } },
  'tag:GetResources': { own: { burst: 10, perSecond: 5 } },
};

/**
 * EMR headroom — how much of the account-wide EMR budget a run that is not in a hurry takes.
 *
 * The account-wide EMR bucket (25 / 5 per s per Region) is shared by every EMR client of the
 * account: schedulers polling DescribeCluster, autoscalers, the console. A run pacing itself to the
 * full documented quota holds that whole budget while it runs (and DescribeCluster's own 1 / s —
 * 20 % of the account refill — entirely). A warm scheduled run (the state store knows the clusters)
 * makes few EMR calls and has most of its invocation left, so it takes only this share of the
 * account-wide refill, with a burst of one call (a burst is budget too), on top of each API's own
 * bucket. ./pacing.ts holds the mechanism (a shared bucket re-rated in place); ./headroom.ts and
 * ./region.ts decide when it applies and drop it the moment the region's EMR work would not fit
 * the time budget at this pace, so it never costs a run its completeness, nor a call.
 *
 * Why 0.18 (0.9 calls per s): the floor is the wall-time target of a warm 1,000-cluster run — its
 * minimum of ~73 EMR calls (20 ListClusters pages, ~50 new clusters described, account settings)
 * must fit in 120 s with the rest of the run (measured: 0.15 took 111–124 s, too close on a loaded
 * machine, where CPU time stretches the run); the ceiling is the 20 % of the account's
 * tokens during the run (refill plus the initial 25) with room for latency and the call mix,
 * ≲ 0.19. 0.18 gives ~95 s for that run and ~15 % of the account's EMR tokens, and leaves 82 % of
 * the account refill and a tenth of DescribeCluster's own refill to other clients.
 * Scaled by `rateMultiplier` like every other rate.
 */
export const EMR_HEADROOM_SHARE = 0.18;

/**
 * The headroom bucket of an account-wide `rate` already scaled by `rateMultiplier`: `share` of its
 * refill, and a burst of one call whatever the multiplier (the smallest a bucket can be).
 */
export function headroomRate(rate: Rate, share: number = EMR_HEADROOM_SHARE): Rate {
  if (!(share > 0 && share <= 1)) throw new Error(`a headroom share is in (0, 1], got ${share}`);
  return { burst: 1, perSecond: share * rate.perSecond };
}

/**
 * A rate scaled by the `rateMultiplier` setting (2 for an account with raised quotas, 0.5 to leave
 * half the room to other workloads). The burst never drops below one call.
 */
export function scaleRate(rate: Rate, multiplier: number): Rate {
  return { burst: Math.max(1, Math.floor(rate.burst * multiplier)), perSecond: rate.perSecond * multiplier };
}
