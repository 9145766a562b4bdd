/**
 * Reading and writing the facts of one region's state: which clusters need no DescribeCluster, and
 * the next state after a run. Pure (no I/O, no clock: times come in).
 */
import type { ClusterSummary } from '@aws-sdk/client-emr';
import type { Cluster, RegionSnapshot, SecurityConfiguration } from '../snapshot.js';
import { nextIndex } from '../events/cluster-index.js';
import { ClusterFacts, emptyState, type RegionState, type StateEntry } from './schema.js';

/**
 * A cluster is kept once its nodes exist (BOOTSTRAPPING and later): from then on every fact the
 * checks read (groups, subnet, profile, roles, configuration, release, LogUri, Kerberos) is fixed.
 * A STARTING cluster may still lack the groups EMR creates for it and the subnet it picks, so it is
 * described again — unless an EC2 instance of it already exists: EC2 launched that node into the
 * cluster's subnet with its groups, so those were settled before it (without this, every cluster
 * seen while STARTING cost a second DescribeCluster on the next run).
 * (`readyAt` and the master's DNS name of a cluster kept early stay absent: no check reads them.)
 */
const SETTLED_STATES = new Set(['BOOTSTRAPPING', 'RUNNING', 'WAITING']);

function settled(c: Cluster): boolean {
  return SETTLED_STATES.has(c.state) || (c.state === 'STARTING' && (c.instances ?? []).some((i) => !!i.ec2InstanceId));
}

/**
 * The state entry of a listed cluster, if it is really this cluster's: same id, and the same ARN
 * and name where ListClusters gave them. Anything else is described afresh.
 */
export function knownFacts(state: RegionState | undefined, summary: ClusterSummary & { Id: string }): StateEntry | undefined {
  const entry = state?.clusters[summary.Id];
  if (!entry || entry.facts.id !== summary.Id) return undefined;
  if (summary.ClusterArn && entry.facts.arn !== summary.ClusterArn) return undefined;
  if (summary.Name && entry.facts.name !== summary.Name) return undefined;
  // An entry kept before applications and configuration credentials were collected lacks facts
  // the checks need: described once more (one DescribeCluster), never read as "none".
  if (entry.facts.applications === undefined || entry.facts.configurationCredentials === undefined) return undefined;
  return entry;
}

/** A cluster from its kept facts plus the mutable facts of this run (status, tags). */
export function clusterFromFacts(facts: ClusterFacts, summary: ClusterSummary & { Id: string }, tags: Record<string, string>): Cluster {
  return { ...structuredClone(facts), state: summary.Status?.State ?? 'UNKNOWN', described: true, tags: { ...tags } };
}

export function knownSecurityConfiguration(state: RegionState | undefined, name: string): SecurityConfiguration | undefined {
  const c = state?.securityConfigurations[name];
  return c && c.name === name ? structuredClone(c) : undefined;
}

export function lastAuditedAt(state: RegionState | undefined, clusterId: string): number | undefined {
  const at = state?.clusters[clusterId]?.lastAuditedAt;
  const ms = at === undefined ? NaN : Date.parse(at);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The region's state after a run: an entry for every listed cluster that is described (this run
 * or before) and settled, the security configurations they name; clusters no longer listed
 * (terminated) drop out. When the listing failed nothing is known to be gone: the old entries stay.
 * `audited`: the run published its findings (sets lastAuditedAt; a dry run or a CLI scan does not).
 * `restricted`: the run was about some clusters only (its snapshot is not the region's whole picture).
 */
export function nextState(prior: RegionState | undefined, region: RegionSnapshot, input: { accountId: string; now: string; audited: boolean; restricted?: boolean }): RegionState {
  const next = emptyState(input.accountId, region.region, input.now);
  const listed = region.collection?.listed;
  const fresh = new Set(region.collection?.described ?? []);
  const inSnapshot = new Map(region.clusters.map((c) => [c.id, c]));
  const ids = listed ?? [...new Set([...Object.keys(prior?.clusters ?? {}), ...inSnapshot.keys()])];
  for (const id of ids) {
    const c = inSnapshot.get(id);
    const old = prior?.clusters[id];
    if (c?.described && settled(c)) {
      const entry: StateEntry = { facts: ClusterFacts.parse(c), describedAt: fresh.has(id) || !old ? input.now : old.describedAt };
      const audited = input.audited ? input.now : old?.lastAuditedAt;
      if (audited) entry.lastAuditedAt = audited;
      next.clusters[id] = entry;
    } else if (old && old.facts.id === id) {
      next.clusters[id] = old;
    }
  }
  for (const entry of Object.values(next.clusters)) {
    const name = entry.facts.securityConfiguration;
    if (!name || next.securityConfigurations[name]) continue;
    const config = region.securityConfigurations[name] ?? prior?.securityConfigurations[name];
    if (config) next.securityConfigurations[name] = config;
  }
  // The resource index is rebuilt whole only by a run that listed every active cluster of the region.
  const index = nextIndex(prior?.index, region, { complete: listed !== undefined && !input.restricted, now: input.now });
  if (index) next.index = index;
  next.changeAudits = { ...(prior?.changeAudits ?? {}) };
  return next;
}
