/**
 * The CloudTrail warning of `osls deploy` (scripts/osls/change-event-forwarders.mjs): the check of
 * lib/events/trail-check.ts for the Regions the deployment takes change events from, as the lines
 * the plugin logs. `emr-audit change-events` runs the same check from the CLI.
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { checkTrails, trailCheckTargets, type TrailVerdict } from '../../lib/events/trail-check.js';

export type { TrailVerdict };

/** A line per Region where change events will not (or may not) flow. */
export function warningLine(verdict: TrailVerdict): string | undefined {
  if (verdict.status === 'not-recorded') {
    return `WARNING change events: ${verdict.region}: ${verdict.why}; changes there will not trigger audits (the schedule still covers them). Create or enable a trail that logs write management events (docs/change-triggered.md), and check with \`emr-audit change-events\`.`;
  }
  if (verdict.status === 'unknown') return `change events: ${verdict.region}: cannot tell whether a CloudTrail trail records write management events (${verdict.why}).`;
  return undefined;
}

/**
 * One line per Region where change events will not (or may not) flow; empty when all are fine.
 * `auditedRegions`: the deployment's (EMR_AUDIT_REGIONS, else its home Region); us-east-1 is
 * checked for IAM's events whether audited or not.
 */
export async function trailWarnings(auditedRegions: readonly string[], client: (region: string) => CloudTrailClient, accountId?: string): Promise<string[]> {
  const verdicts = await checkTrails(trailCheckTargets(auditedRegions), client, accountId);
  return verdicts.map(warningLine).filter((l): l is string => l !== undefined);
}
