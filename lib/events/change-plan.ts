/**
 * From a change event to the audits it needs (DESIGN.md "Change-triggered audits: which clusters"):
 * the targets per region (cluster ids from the state's index, or one lookup; `@…` region-level
 * targets for account settings and for a region without index), then the audit requests for the
 * targets that are due now. Pure but for the injected lookup.
 */
import type { Filter } from '@aws-sdk/client-ec2';
import type { AuditRequest } from '../request.js';
import type { RegionState } from '../state/schema.js';
import type { ChangeEvent } from './cloudtrail.js';
import { invert, keysOf } from './cluster-index.js';
import { BPA_TARGET, REGION_TARGET, SSM_DHM_TARGET } from './coalesce.js';
import { lookupFilter, type LookupOutcome } from './owner-lookup.js';

export const BPA_CHECK_ID = 'exposure/block-public-access-disabled';
export const SSM_PERMISSIONS_CHECK_ID = 'iam/instance-profile-missing-ssm-permissions';

const IAM_SOURCE = 'iam.amazonaws.com';
const CLUSTER_ID = /^j-[0-9A-Z]{1,64}$/;

export interface ResolvedTargets {
  /** Region → targets (cluster ids, or `@…`); a region with no entry is untouched. */
  targets: Map<string, string[]>;
  /** Calls the resolution made (the lookup). */
  calls: number;
  /** One line per thing worth logging (a lookup that failed, a region without index). */
  notes: string[];
}

/**
 * The regions a change concerns: IAM is global (its events arrive from us-east-1 whatever the
 * region of the clusters): every audited region; anything else: its own region, if audited.
 */
export function regionsOf(change: ChangeEvent, audited: readonly string[]): string[] {
  if (change.eventSource === IAM_SOURCE) return [...audited];
  return audited.includes(change.region) ? [change.region] : [];
}

export async function resolveTargets(input: {
  change: ChangeEvent;
  auditedRegions: readonly string[];
  states: ReadonlyMap<string, RegionState | undefined>;
  lookup: (region: string, filter: Filter) => Promise<LookupOutcome>;
}): Promise<ResolvedTargets> {
  const { change } = input;
  const out: ResolvedTargets = { targets: new Map(), calls: 0, notes: [] };
  for (const region of regionsOf(change, input.auditedRegions)) {
    const setting = change.resources.find((r) => r.kind === 'account-setting');
    if (setting?.kind === 'account-setting') {
      out.targets.set(region, [setting.setting === 'emr-block-public-access' ? BPA_TARGET : SSM_DHM_TARGET]);
      continue;
    }
    const index = input.states.get(region)?.index;
    if (!index) {
      out.notes.push(`${region}: no resource index yet (first run or lost state): the region is audited`);
      out.targets.set(region, [REGION_TARGET]);
      continue;
    }
    const byKey = invert(index);
    const clusters = new Set<string>();
    for (const r of change.resources) {
      for (const k of keysOf(r)) for (const c of byKey.get(k) ?? []) clusters.add(c);
      // A tag change names the cluster itself (its tags decide suppression).
      if (r.kind === 'cluster' && CLUSTER_ID.test(r.id)) clusters.add(r.id);
    }
    const filter = clusters.size === 0 && region === change.region ? lookupFilter(change.resources) : undefined;
    if (filter) {
      const found = await input.lookup(region, filter);
      out.calls += found.calls;
      if (!found.ok) {
        out.notes.push(`${region}: the lookup of the changed resource failed (${found.reason}): the region is audited`);
        out.targets.set(region, [REGION_TARGET]);
        continue;
      }
      for (const c of found.clusterIds) clusters.add(c);
    }
    if (clusters.size > 0) out.targets.set(region, [...clusters].sort());
  }
  return out;
}

export interface PlannedAudit {
  request: AuditRequest;
  /** Collect no cluster at all (the account-level check alone). */
  accountOnly: boolean;
  description: string;
}

/** The audits for the targets due now: one for every cluster target, one per region-level target. */
export function auditsFor(due: ReadonlyMap<string, readonly string[]>, what: string): PlannedAudit[] {
  const clusterRegions: string[] = [];
  const clusterIds: string[] = [];
  const audits: PlannedAudit[] = [];
  const wholeRegions: string[] = [];
  const base = { trigger: 'change-event' as const, dryRun: false, terminatedClusters: [] };
  for (const [region, targets] of due) {
    const clusters = targets.filter((t) => !t.startsWith('@'));
    if (clusters.length > 0) {
      clusterRegions.push(region);
      clusterIds.push(...clusters);
    }
    if (targets.includes(REGION_TARGET)) wholeRegions.push(region);
    if (targets.includes(BPA_TARGET)) {
      audits.push({ request: { ...base, regions: [region], checks: [BPA_CHECK_ID], clusterIds: [] }, accountOnly: true, description: `${what}: the account's EMR block public access in ${region}` });
    }
    if (targets.includes(SSM_DHM_TARGET)) {
      audits.push({ request: { ...base, regions: [region], checks: [SSM_PERMISSIONS_CHECK_ID] }, accountOnly: false, description: `${what}: SSM Default Host Management in ${region}` });
    }
  }
  if (clusterIds.length > 0) {
    const ids = [...new Set(clusterIds)].sort();
    audits.unshift({ request: { ...base, regions: clusterRegions, clusterIds: ids }, accountOnly: false, description: `${what}: ${ids.length} cluster(s) ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}` });
  }
  if (wholeRegions.length > 0) {
    audits.push({ request: { ...base, regions: wholeRegions }, accountOnly: false, description: `${what}: every cluster of ${wholeRegions.join(', ')} (no resource index)` });
  }
  return audits;
}
