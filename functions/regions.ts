/**
 * The handler's region checks (lib/regions.ts, lib/enabled-regions.ts): every region of the settings and of the event in
 * the function's partition, before any call; then the regions to audit enabled for the account,
 * with one `ec2:DescribeRegions` when a region other than the function's own is asked for. A
 * region that fails is the caller's mistake: an invalid event or an invalid setting.
 */
import type { AwsClients } from '../lib/aws/clients.js';
import { checkRegionsEnabled } from '../lib/enabled-regions.js';
import { regionProblem } from '../lib/regions.js';
import type { AuditRequest } from '../lib/request.js';
import { SettingsError, type Settings } from '../lib/settings.js';
import { EventValidationError } from './events.js';

const REGIONS_SETTING = 'EMR_AUDIT_REGIONS';
const FUNCTION_PARTITION = "this function's partition";

/** Where the request's regions came from, for the error: the EMR event's envelope or the on-demand detail. */
function eventField(request: AuditRequest): string {
  return request.trigger === 'cluster-state-change' ? 'region' : 'detail.regions';
}

function invalid(request: AuditRequest, fromEvent: boolean, message: string): Error {
  return fromEvent ? new EventValidationError(`Invalid event: ${eventField(request)}: ${message}`, eventField(request)) : new SettingsError(`${REGIONS_SETTING}: ${message}`, REGIONS_SETTING);
}

/** Throws when a region of the settings or the event is not in the function's partition. Pure. */
export function checkRegionPartition(request: AuditRequest, settings: Settings, functionPartition: string): void {
  for (const region of settings.regions) {
    const problem = regionProblem(region, functionPartition, FUNCTION_PARTITION);
    if (problem) throw invalid(request, false, problem);
  }
  for (const region of request.regions ?? []) {
    const problem = regionProblem(region, functionPartition, FUNCTION_PARTITION);
    if (problem) throw invalid(request, true, problem);
  }
}

export type EnabledCheckLog = (level: 'info' | 'warn', message: string, data: Record<string, unknown>) => void;

/**
 * Throws when a region to audit is not enabled for the account. The function's own region needs no
 * asking (it runs there); for any other, one DescribeRegions in the home region. When that call is
 * denied or fails, the run goes on unchecked (`log` says why): a disabled region then shows as the
 * ERROR of its own calls.
 */
export async function checkRegionsEnabledForRun(request: AuditRequest, regions: readonly string[], homeRegion: string, clients: AwsClients, log: EnabledCheckLog): Promise<void> {
  if (regions.every((r) => r === homeRegion)) return;
  const answer = await checkRegionsEnabled(clients.forRegion(homeRegion).ec2, regions);
  if (!answer.checked) {
    log(answer.denied ? 'info' : 'warn', 'Regions not checked against the account: ec2:DescribeRegions did not answer', { reason: answer.reason });
    return;
  }
  const [first] = answer.notEnabled;
  if (first) throw invalid(request, request.regions !== undefined, first.why);
}
