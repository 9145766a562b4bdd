/**
 * Which regions a run may audit. A region must be a name the AWS SDK's partition table lists (the
 * `partitions.json` it bundles, through `partition()`), in the partition the run's credentials
 * belong to (a commercial function cannot read GovCloud or China), and — where the account lets
 * us ask EC2 `DescribeRegions` — enabled for the account. Anything else is refused before any
 * call: a made-up or foreign region otherwise costs a whole run of failing calls and Security Hub
 * writes that cannot succeed.
 *
 * The SDK's table is its word on which regions exist: a region newer than the installed SDK is
 * refused until emr-audit (and with it the SDK) is updated.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { partition } from '@aws-sdk/core/client';

/** The shape of a region name (`eu-west-1`, `us-gov-west-1`, `eusc-de-east-1`). */
const REGION_NAME_SOURCE = '[a-z]{2,4}(?:-[a-z]+)+-[0-9]+';
const REGION_NAME = new RegExp(`^${REGION_NAME_SOURCE}$`);

export interface RegionPlace {
  /** The partition the SDK places the name in (`aws`, `aws-us-gov`, `aws-cn`, …). */
  partition: string;
  /** The SDK's table lists the region (a name that only fits a partition's pattern is not known). */
  known: boolean;
}

export function regionPlace(region: string): RegionPlace {
  const info = partition(region);
  // Only a region the table lists has a description; other names matched a pattern, or nothing.
  return { partition: info.name, known: 'description' in info };
}

/** The partition of a region the SDK knows, or of the name's pattern. */
export function partitionOf(region: string): string {
  return regionPlace(region).partition;
}

/** Why `region` is not a region at all (undefined when the SDK's table lists it). */
export function unknownRegionProblem(region: string): string | undefined {
  if (!REGION_NAME.test(region)) return `"${region}" is not an AWS region name`;
  if (!regionPlace(region).known) return `"${region}" is not an AWS region (not in this version's AWS SDK partition table)`;
  return undefined;
}

/**
 * Why `region` cannot be audited with credentials of `homePartition` (undefined when it can);
 * `home` says whose partition that is, for the message ("this function's").
 */
export function regionProblem(region: string, homePartition: string, home: string): string | undefined {
  const unknown = unknownRegionProblem(region);
  if (unknown) return unknown;
  const place = regionPlace(region);
  if (place.partition !== homePartition) return `"${region}" is in the ${place.partition} partition, not ${home} (${homePartition})`;
  return undefined;
}

/** What EC2 said about the regions asked for: those not enabled, or why it could not be asked. */
export type EnabledRegions =
  | { checked: true; notEnabled: Array<{ region: string; why: string }> }
  /** `denied`: the caller may not ask (a policy without ec2:DescribeRegions), not a failure. */
  | { checked: false; reason: string; denied: boolean };

/**
 * One `ec2:DescribeRegions` call (in the home region) for every region asked for. A region EC2
 * does not list, or lists as `not-opted-in`, is not enabled. When the call is not allowed or
 * fails, nothing is concluded: the run goes on and a region that turns out disabled is an ERROR
 * of its own calls, as before.
 */
export async function checkRegionsEnabled(ec2: Pick<EC2Client, 'send'>, regions: readonly string[]): Promise<EnabledRegions> {
  let listed: Array<{ RegionName?: string | undefined; OptInStatus?: string | undefined }>;
  try {
    const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    listed = out.Regions ?? [];
  } catch (e) {
    const err = e as { name?: string; message?: string };
    const denied = err.name === 'UnauthorizedOperation' || err.name === 'AccessDenied' || err.name === 'AccessDeniedException';
    return { checked: false, reason: `ec2:DescribeRegions ${err.name ?? 'Error'}${err.message ? ` (${err.message})` : ''}`, denied };
  }
  const status = new Map(listed.flatMap((r) => (r.RegionName ? [[r.RegionName, r.OptInStatus ?? 'opt-in-not-required'] as const] : [])));
  const notEnabled: Array<{ region: string; why: string }> = [];
  for (const region of new Set(regions)) {
    const s = status.get(region);
    if (s === undefined) notEnabled.push({ region, why: `"${region}" is not offered to this account (ec2:DescribeRegions does not list it)` });
    else if (s === 'not-opted-in') notEnabled.push({ region, why: `"${region}" is not enabled for this account (an opt-in region it has not opted in to)` });
  }
  return { checked: true, notEnabled };
}
