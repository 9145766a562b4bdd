/**
 * From a change event to the audits it needs (DESIGN.md "Change-triggered audits: which clusters"):
 * the targets per region (cluster ids from the state's index, or one lookup; `@…` region-level
 * targets for account settings, and the bounded audit of a region whenever the change cannot be
 * narrowed to clusters), then the audit requests for the targets that are due now. Pure but for
 * the injected lookups.
 */
import type { Filter } from '@aws-sdk/client-ec2';
import type { AuditRequest } from '../request.js';
import type { RegionState } from '../state/schema.js';
import type { ChangeEvent, UnmappedChange } from './cloudtrail.js';
import { invert, keysOf } from './cluster-index.js';
import { BPA_TARGET, REGION_TARGET, SSM_DHM_TARGET } from './coalesce.js';
import { lookupFilter, type GroupNameOutcome, type LookupOutcome } from './owner-lookup.js';

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
export function regionsOf(change: Pick<ChangeEvent, 'eventSource' | 'region'>, audited: readonly string[]): string[] {
  if (change.eventSource === IAM_SOURCE) return [...audited];
  return audited.includes(change.region) ? [change.region] : [];
}

/**
 * A listed call whose resources cannot be told: the bounded audit of each region it concerns
 * (its own if audited; every audited one for IAM), never silence. An empty map: not audited here.
 */
export function unmappedTargets(unmapped: Pick<UnmappedChange, 'eventSource' | 'region'>, audited: readonly string[]): Map<string, string[]> {
  return new Map(regionsOf(unmapped, audited).map((r) => [r, [REGION_TARGET]]));
}

export interface TargetLookups {
  /** The owners of an unknown instance, interface, group or address (DescribeInstances). */
  lookup: (region: string, filter: Filter) => Promise<LookupOutcome>;
  /** The ids of default-VPC groups named by name only (DescribeSecurityGroups). */
  groupIds: (region: string, names: readonly string[]) => Promise<GroupNameOutcome>;
}

export async function resolveTargets(input: { change: ChangeEvent; auditedRegions: readonly string[]; states: ReadonlyMap<string, RegionState | undefined> } & TargetLookups): Promise<ResolvedTargets> {
  const { change } = input;
  const out: ResolvedTargets = { targets: new Map(), calls: 0, notes: [] };
  const wholeRegion = (region: string, why: string): void => {
    out.notes.push(`${region}: ${why}: the region is audited`);
    out.targets.set(region, [REGION_TARGET]);
  };
  for (const region of regionsOf(change, input.auditedRegions)) {
    const setting = change.resources.find((r) => r.kind === 'account-setting');
    if (setting?.kind === 'account-setting') {
      out.targets.set(region, [setting.setting === 'emr-block-public-access' ? BPA_TARGET : SSM_DHM_TARGET]);
      continue;
    }
    const index = input.states.get(region)?.index;
    if (!index) {
      wholeRegion(region, 'no resource index yet (first run or lost state)');
      continue;
    }
    const resources = [...change.resources];
    // A group named by name only: its id first (the one lookup this event may cost), then the index.
    const names = change.resources.flatMap((r) => (r.kind === 'security-group-name' ? [r.name] : []));
    let lookedUp = false;
    if (names.length > 0 && region === change.region) {
      const found = await input.groupIds(region, names);
      out.calls += found.calls;
      lookedUp = true;
      if (!found.ok) {
        wholeRegion(region, `the security group named ${names.join(', ')} could not be resolved (${found.reason})`);
        continue;
      }
      for (const id of found.groupIds) resources.push({ kind: 'security-group', id });
    }
    const byKey = invert(index);
    const clusters = new Set<string>();
    const unknownAssociations: string[] = [];
    for (const r of resources) {
      const named = keysOf(r).flatMap((k) => byKey.get(k) ?? []);
      for (const c of named) clusters.add(c);
      // An association the index does not know cannot be placed by any lookup (it is gone once
      // disassociated): no proof that it touches no cluster, so the region is audited.
      if (r.kind === 'route-table-association' && named.length === 0) unknownAssociations.push(r.id);
      // A tag change names the cluster itself (its tags decide suppression).
      if (r.kind === 'cluster' && CLUSTER_ID.test(r.id)) clusters.add(r.id);
    }
    if (unknownAssociations.length > 0) {
      wholeRegion(region, `the route table association ${unknownAssociations.join(', ')} is not in the resource index`);
      continue;
    }
    const filter = clusters.size === 0 && !lookedUp && region === change.region ? lookupFilter(resources) : undefined;
    if (filter) {
      const found = await input.lookup(region, filter);
      out.calls += found.calls;
      if (!found.ok) {
        wholeRegion(region, `the lookup of the changed resource failed (${found.reason})`);
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
    audits.push({ request: { ...base, regions: wholeRegions }, accountOnly: false, description: `${what}: every cluster of ${wholeRegions.join(', ')} (not narrowed to clusters)` });
  }
  return audits;
}
