/**
 * The state store's object: per region, the facts that cannot change after a cluster or a security
 * configuration was created, so the next run need not ask EMR for them again (DESIGN.md "Fleet
 * scale"). It is outside data when read back: parsed with its own schema and version, and an
 * object that does not parse is ignored whole, never trusted in part.
 *
 * What it holds is the snapshot's own (already secret-free) shapes: a cluster's description minus
 * everything that changes (state, tags, nodes), and security configurations as the snapshot keeps
 * them. No password, no `Configurations`, no tag ever enters it.
 */
import * as z from 'zod';
import { Cluster, SecurityConfiguration } from '../snapshot.js';

export const STATE_KIND = 'emr-audit-state';
/**
 * 2: the resource → cluster index and the change audits' coalescing marks (an object of version 1
 * does not parse: it is ignored and rebuilt by the run that reads it, as any invalid state).
 */
export const STATE_SCHEMA_VERSION = 2;

/**
 * DescribeCluster's immutable part. Tags and status are mutable (read fresh every run), nodes too;
 * `described` is a property of a run, not of the cluster.
 */
export const ClusterFacts = Cluster.omit({ state: true, tags: true, instances: true, described: true });
export type ClusterFacts = z.infer<typeof ClusterFacts>;

export const StateEntry = z.object({
  facts: ClusterFacts,
  /** When DescribeCluster was called for these facts (ISO). */
  describedAt: z.string(),
  /** When the cluster's findings were last published (ISO): the debounce of state-change events. */
  lastAuditedAt: z.string().optional(),
});
export type StateEntry = z.infer<typeof StateEntry>;

/**
 * The resources each cluster's findings rest on (lib/events/cluster-index.ts has the keys), so a
 * change event names its clusters without a call. Rebuilt whole by every run that listed the
 * region, updated per cluster by the runs restricted to some.
 */
export const ClusterIndex = z.object({
  /** When a run last rebuilt it whole (ISO). */
  builtAt: z.string(),
  /** Cluster id → resource keys (`sg:sg-…`, `role:Name`, …). */
  clusters: z.record(z.string(), z.array(z.string())),
});
export type ClusterIndex = z.infer<typeof ClusterIndex>;

/**
 * One target of change audits (a cluster id, or `@…` for a region-level target): when it was last
 * audited for a change and, while events are being coalesced, when its one follow-up is due.
 */
export const ChangeMark = z.object({
  auditedAt: z.string(),
  followUpAt: z.string().optional(),
  /** Events merged into the pending follow-up. */
  coalesced: z.number().int().min(0).default(0),
});
export type ChangeMark = z.infer<typeof ChangeMark>;

export const RegionState = z.object({
  kind: z.literal(STATE_KIND),
  version: z.literal(STATE_SCHEMA_VERSION),
  accountId: z.string().regex(/^\d{12}$/),
  region: z.string().min(1),
  savedAt: z.string(),
  /** Keyed by cluster id. */
  clusters: z.record(z.string(), StateEntry),
  /** Keyed by name: a security configuration cannot be modified, only deleted. */
  securityConfigurations: z.record(z.string(), SecurityConfiguration),
  /** Absent until a run built it (then change events fall back to a bounded audit of the region). */
  index: ClusterIndex.optional(),
  changeAudits: z.record(z.string(), ChangeMark).default({}),
});
export type RegionState = z.infer<typeof RegionState>;


export function emptyState(accountId: string, region: string, savedAt: string): RegionState {
  return { kind: STATE_KIND, version: STATE_SCHEMA_VERSION, accountId, region, savedAt, clusters: {}, securityConfigurations: {}, changeAudits: {} };
}

/**
 * Parses a state object read back; anything but a valid object of this account and region is
 * rejected with the reason (the caller then describes everything).
 */
export function parseState(json: unknown, expect: { accountId: string; region: string }): { ok: true; state: RegionState } | { ok: false; reason: string } {
  const parsed = RegionState.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return { ok: false, reason: `schema-invalid at ${where}: ${issue?.message ?? 'invalid'}` };
  }
  const s = parsed.data;
  if (s.accountId !== expect.accountId) return { ok: false, reason: `it belongs to account ${s.accountId}, not ${expect.accountId}` };
  if (s.region !== expect.region) return { ok: false, reason: `it belongs to region ${s.region}, not ${expect.region}` };
  return { ok: true, state: s };
}
