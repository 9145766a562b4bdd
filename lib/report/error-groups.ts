/**
 * Collection errors people can read: identical failures (same API, code and cause) on many
 * resources become one line with a count and the clusters they affect — one SSM denial was 93
 * near-identical lines. A cause is compared with resource ids masked out, since AWS repeats the
 * resource in its message ("… on resource i-0abc…").
 */
import { clusterSecurityGroupRefs } from '../lookup.js';
import type { CollectionError, RegionSnapshot } from '../snapshot.js';
import { oneLine } from './render-style.js';

export interface ErrorGroup {
  region: string;
  api: string;
  code: string;
  /** The cause, with resource ids masked when the group has several resources. */
  message: string;
  count: number;
  kind: CollectionError['kind'];
  /** The resources the failure concerns (at most MAX_LISTED; `count` has the total). */
  resources: string[];
  /** The active clusters those resources belong to (at most MAX_LISTED). */
  clusters: string[];
  /** Clusters affected in all. */
  clusterCount: number;
}

const MAX_LISTED = 10;

/** One collection error on one line: `region [kind resourceId]: api code (cause)`. */
export function describeCollectionError(region: string, e: CollectionError): string {
  const subject = e.kind === 'region' ? region : `${region} ${e.kind} ${e.resourceId}`;
  return `${subject}: ${e.api} ${e.code}${e.message ? ` (${oneLine(e.message)})` : ''}`;
}

/** Masks what differs from one resource to the next in an AWS message. */
export function causeKey(message: string): string {
  return oneLine(message)
    .replace(/arn:[\w-]+:[\w-]*:[\w-]*:\d*:[^\s,;)"']+/g, 'arn:…')
    .replace(/\b(i|sg|j|ci|vpc|subnet|eni|ami|mi)-[0-9a-zA-Z]{4,}\b/g, '$1-…')
    .replace(/\(after \d+ attempts\)/g, '(after retries)');
}

/** The clusters of a region a resource of this kind belongs to. */
function clustersOf(region: RegionSnapshot): (e: CollectionError) => string[] {
  const byInstance = new Map<string, string>();
  const byGroup = new Map<string, string[]>();
  for (const c of region.clusters) {
    for (const i of c.instances ?? []) if (i.ec2InstanceId) byInstance.set(i.ec2InstanceId, c.id);
    for (const ref of clusterSecurityGroupRefs(c)) {
      // Pushed, not copied: thousands of clusters share the managed groups.
      const ids = byGroup.get(ref.groupId);
      if (ids) ids.push(c.id);
      else byGroup.set(ref.groupId, [c.id]);
    }
  }
  return (e) => {
    switch (e.kind) {
      case 'cluster':
      case 'clusterInstances':
        return [e.resourceId];
      case 'ec2Instance':
      case 'ssmInstance': {
        const id = byInstance.get(e.resourceId);
        return id ? [id] : [];
      }
      case 'securityGroup':
        return byGroup.get(e.resourceId) ?? [];
      case 'securityConfiguration':
        return region.clusters.filter((c) => c.securityConfiguration === e.resourceId).map((c) => c.id);
      case 'instanceProfile':
        return region.clusters.filter((c) => c.ec2?.instanceProfile === e.resourceId).map((c) => c.id);
      default:
        return [];
    }
  };
}

export function groupCollectionErrors(region: RegionSnapshot): ErrorGroup[] {
  return grouped(region).map((g) => g.group);
}

function grouped(region: RegionSnapshot): Array<{ group: ErrorGroup; first: CollectionError }> {
  if (region.errors.length === 0) return [];
  const affected = clustersOf(region);
  const groups = new Map<string, { group: ErrorGroup; first: CollectionError; resources: Set<string>; clusters: Set<string>; messages: Set<string> }>();
  for (const e of region.errors) {
    const key = [e.api, e.code, e.kind, causeKey(e.message)].join('\u0000');
    let entry = groups.get(key);
    if (!entry) {
      entry = {
        group: { region: region.region, api: e.api, code: e.code, message: oneLine(e.message), count: 0, kind: e.kind, resources: [], clusters: [], clusterCount: 0 },
        first: e,
        resources: new Set(),
        clusters: new Set(),
        messages: new Set(),
      };
      groups.set(key, entry);
    }
    entry.group.count += 1;
    entry.resources.add(e.resourceId);
    entry.messages.add(oneLine(e.message));
    for (const c of affected(e)) entry.clusters.add(c);
  }
  return [...groups.values()].map(({ group, first, resources, clusters, messages }) => ({
    first,
    group: {
      ...group,
      // One resource, or the same words each time: the message as AWS wrote it; else the masked cause.
      message: messages.size === 1 ? group.message : causeKey(group.message),
      resources: [...resources].slice(0, MAX_LISTED),
      clusters: [...clusters].slice(0, MAX_LISTED),
      clusterCount: clusters.size,
    },
  }));
}

function listed(items: readonly string[], total: number): string {
  return `${items.join(', ')}${total > items.length ? ` (+${total - items.length} more)` : ''}`;
}

/**
 * One line per group: a single failure reads as before (`region kind id: api code (message)`),
 * a repeated one as `region: api code (cause) — 93× ssmInstance: i-…, … ; clusters: j-…`.
 */
export function describeErrorGroup(g: ErrorGroup, first: CollectionError): string {
  if (g.count === 1) return describeCollectionError(g.region, first);
  const clusters = g.clusterCount > 0 ? `; clusters: ${listed(g.clusters, g.clusterCount)}` : '';
  return `${g.region}: ${g.api} ${g.code}${g.message ? ` (${g.message})` : ''} — ${g.count}× ${g.kind}: ${listed(g.resources, g.count)}${clusters}`;
}

/** The region's collection errors as grouped lines, in first-seen order. */
export function groupedErrorLines(region: RegionSnapshot): string[] {
  return grouped(region).map(({ group, first }) => describeErrorGroup(group, first));
}
