/**
 * `--region all`: every region where the account can use EMR. EC2 DescribeRegions lists the
 * regions enabled for the account (opt-in regions only once opted in); that list is intersected
 * with the regions the SDK's partition table knows in the partition of the home region. The AWS
 * SDK v3 carries no per-service region list, so the partition table is the SDK's word on which
 * regions exist; EMR runs in every commercial region of it. A region newer than the SDK is left
 * out with a note: the SDK's table is the word on which regions exist (lib/regions.ts), so naming it
 * with --region is refused too until emr-audit is updated.
 */
import { partition } from '@aws-sdk/core/client';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../lib/aws/clients.js';
import { AuditCouldNotRunError, type TextSink } from './io.js';

export interface RegionEntry {
  RegionName?: string | undefined;
  OptInStatus?: string | undefined;
}

/** Pure: the enabled regions of `entries` the SDK knows in `homeRegion`'s partition, sorted. */
export function emrRegions(entries: readonly RegionEntry[], homeRegion: string): { regions: string[]; unknown: string[] } {
  const home = partition(homeRegion).name;
  const regions: string[] = [];
  const unknown: string[] = [];
  for (const e of entries) {
    const name = e.RegionName;
    if (!name || e.OptInStatus === 'not-opted-in') continue;
    const info = partition(name);
    if (info.name !== home) continue;
    // Only a region listed in the table has a description; others matched its pattern only.
    if ('description' in info) regions.push(name);
    else unknown.push(name);
  }
  return { regions: [...new Set(regions)].sort(), unknown: [...new Set(unknown)].sort() };
}

export async function allRegions(clients: AwsClients, homeRegion: string, stderr: TextSink, quiet: boolean): Promise<string[]> {
  let entries: RegionEntry[];
  try {
    const out = await clients.forRegion(homeRegion).ec2.send(new DescribeRegionsCommand({}));
    entries = out.Regions ?? [];
  } catch (e) {
    const err = e as { name?: string; message?: string };
    throw new AuditCouldNotRunError(`--region all: ec2:DescribeRegions in ${homeRegion} failed (${err.name ?? 'Error'}: ${err.message ?? ''}); pass the regions with --region instead`);
  }
  const { regions, unknown } = emrRegions(entries, homeRegion);
  if (regions.length === 0) throw new AuditCouldNotRunError(`--region all: ec2:DescribeRegions in ${homeRegion} returned no enabled region`);
  if (unknown.length > 0 && !quiet) {
    stderr.write(`emr-audit: --region all leaves out ${unknown.join(', ')} (not known to this version's AWS SDK); update emr-audit to audit ${unknown.length === 1 ? 'it' : 'them'}\n`);
  }
  return regions;
}
