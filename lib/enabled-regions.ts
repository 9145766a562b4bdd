/**
 * Whether the regions a run is asked to audit are enabled for the account: one EC2
 * `DescribeRegions` (the name and partition checks are lib/regions.ts, before any call).
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';

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
