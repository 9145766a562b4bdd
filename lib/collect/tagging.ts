/**
 * Cluster tags account-wide (per region) from the Resource Groups Tagging API: one paged
 * GetResources for the resource type `elasticmapreduce:cluster`, instead of one DescribeCluster per
 * cluster. Tags are mutable (suppression tags!), so they are read fresh every run and never kept.
 * GetResources returns every tagged or once-tagged resource; a cluster it does not return has no
 * tags. If the call fails, the caller describes the clusters instead (tags from DescribeCluster).
 */
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { allPages, type Fetched } from './calls.js';
import { regionCall, type RegionContext } from './context.js';

export const CLUSTER_RESOURCE_TYPE = 'elasticmapreduce:cluster';
/** GetResources' largest page (ResourcesPerPage 1–100). */
export const TAGGING_PAGE_SIZE = 100;

/** `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-ABC` → `j-ABC`. */
export function clusterIdOfArn(arn: string): string | undefined {
  const m = /^arn:[^:]+:elasticmapreduce:[^:]*:\d*:cluster\/(j-[0-9A-Za-z]+)$/.exec(arn);
  return m?.[1];
}

/** Tags per cluster id of every EMR cluster the region's tagging index knows. */
export async function clusterTags(ctx: RegionContext): Promise<Fetched<Map<string, Record<string, string>>>> {
  const api = 'tag:GetResources';
  return ctx.calls.attempt(api, async () => {
    const resources = await allPages(async (PaginationToken) => {
      const out = await regionCall(ctx, api, (abortSignal) =>
        ctx.clients.tagging.send(
          new GetResourcesCommand({ ResourceTypeFilters: [CLUSTER_RESOURCE_TYPE], ResourcesPerPage: TAGGING_PAGE_SIZE, ...(PaginationToken ? { PaginationToken } : {}) }),
          { abortSignal },
        ),
      );
      // The last page carries an empty token, not none.
      return { items: out.ResourceTagMappingList ?? [], next: out.PaginationToken || undefined };
    });
    const tags = new Map<string, Record<string, string>>();
    for (const r of resources) {
      const id = r.ResourceARN ? clusterIdOfArn(r.ResourceARN) : undefined;
      if (!id) continue;
      const record: Record<string, string> = {};
      for (const t of r.Tags ?? []) if (t.Key) record[t.Key] = t.Value ?? '';
      tags.set(id, record);
    }
    return tags;
  });
}
