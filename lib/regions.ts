/**
 * Which regions a run may audit. A region must be a name the AWS SDK's partition table lists (the
 * `partitions.json` it bundles, through `partition()`), in the partition the run's credentials
 * belong to (a commercial function cannot read GovCloud or China), and — where the account lets
 * us ask EC2 `DescribeRegions` — enabled for the account. Anything else is refused before any
 * call: a made-up or foreign region otherwise costs a whole run of failing calls and Security Hub
 * writes that cannot succeed.
 *
 * The SDK's table is its word on which regions exist: a region newer than the installed SDK is
 * refused until emr-audit (and with it the SDK) is updated. Whether a region is enabled is asked
 * of EC2 by lib/enabled-regions.ts (kept apart: settings load this module, and must not load EC2).
 */
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
