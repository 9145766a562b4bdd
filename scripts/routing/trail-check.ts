/**
 * Whether CloudTrail events will reach EventBridge for change-triggered audits. The EventBridge
 * User Guide ("Events from AWS services"): "To record events with a detail-type value of AWS API
 * Call via CloudTrail, a CloudTrail trail with logging enabled is required." So per Region: is a
 * trail that applies to it (its own, or a multi-Region or organization trail) logging write
 * management events? Run at deploy time with the deployer's credentials: the function itself gets
 * no CloudTrail permission. It warns only where it can tell; a trail it may not read (an
 * organization trail seen from a member account) is "cannot tell", not a warning.
 */
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type CloudTrailClient,
  type EventSelector,
  type Trail,
} from '@aws-sdk/client-cloudtrail';

export type TrailVerdict = { region: string; status: 'recorded'; trail: string } | { region: string; status: 'not-recorded'; why: string } | { region: string; status: 'unknown'; why: string };

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

function classicRecordsWrites(selectors: readonly EventSelector[]): boolean {
  return selectors.some((s) => s.IncludeManagementEvents !== false && s.ReadWriteType !== 'ReadOnly');
}

function advancedRecordsWrites(selectors: readonly AdvancedEventSelector[]): boolean {
  return selectors.some((s) => {
    const fields = s.FieldSelectors ?? [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category?.Equals?.includes('Management')) return false;
    const readOnly = fields.find((f) => f.Field === 'readOnly');
    return !readOnly || readOnly.Equals?.includes('false') === true || readOnly.NotEquals?.includes('true') === true || (readOnly.Equals === undefined && readOnly.NotEquals === undefined);
  });
}

/** Whether one trail logs write management events; read from its home Region. */
async function trailRecordsWrites(trail: Trail, client: (region: string) => CloudTrailClient): Promise<boolean> {
  const home = client(trail.HomeRegion ?? '');
  const name = trail.TrailARN ?? trail.Name;
  const status = await home.send(new GetTrailStatusCommand({ Name: name }));
  if (status.IsLogging !== true) return false;
  const selectors = await home.send(new GetEventSelectorsCommand({ TrailName: name }));
  if (selectors.AdvancedEventSelectors && selectors.AdvancedEventSelectors.length > 0) return advancedRecordsWrites(selectors.AdvancedEventSelectors);
  // No selectors at all is CloudTrail's default: all management events.
  return selectors.EventSelectors === undefined || selectors.EventSelectors.length === 0 || classicRecordsWrites(selectors.EventSelectors);
}

export async function checkRegion(region: string, client: (region: string) => CloudTrailClient): Promise<TrailVerdict> {
  let trails: Trail[];
  try {
    trails = (await client(region).send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  } catch (error) {
    return { region, status: 'unknown', why: `cloudtrail:DescribeTrails failed (${errorText(error)})` };
  }
  if (trails.length === 0) return { region, status: 'not-recorded', why: 'no CloudTrail trail applies to this Region' };
  const unreadable: string[] = [];
  const silent: string[] = [];
  for (const trail of trails) {
    try {
      if (await trailRecordsWrites(trail, client)) return { region, status: 'recorded', trail: trail.Name ?? trail.TrailARN ?? '(unnamed)' };
      silent.push(trail.Name ?? trail.TrailARN ?? '(unnamed)');
    } catch (error) {
      unreadable.push(`${trail.Name ?? trail.TrailARN ?? '(unnamed)'}: ${errorText(error)}`);
    }
  }
  if (unreadable.length > 0) return { region, status: 'unknown', why: `could not read ${unreadable.join('; ')}` };
  return { region, status: 'not-recorded', why: `trail(s) ${silent.join(', ')} are not logging write management events` };
}

/** One line per Region where change events will not (or may not) flow; empty when all are fine. */
export async function trailWarnings(regions: readonly string[], client: (region: string) => CloudTrailClient): Promise<string[]> {
  const lines: string[] = [];
  for (const region of [...new Set(regions)].sort()) {
    const verdict = await checkRegion(region, client);
    if (verdict.status === 'not-recorded') {
      lines.push(`WARNING change events: ${region}: ${verdict.why}; changes there will not trigger audits (the schedule still covers them). Create or enable a trail that logs write management events (docs/change-triggered.md).`);
    } else if (verdict.status === 'unknown') {
      lines.push(`change events: ${region}: cannot tell whether a CloudTrail trail records write management events (${verdict.why}).`);
    }
  }
  return lines;
}
