/** Builders of snapshot data for tests: sensible defaults, override what the test is about. */
import type { Check, EvalContext, Outcome } from '../../checks/contract.js';
import { makeRegionView } from '../../lib/evaluate.js';
import { defaultSettings, type Settings } from '../../lib/settings.js';
import {
  RegionSnapshot,
  Snapshot,
  type Cluster,
  type CollectionError,
  type SecurityGroup,
} from '../../lib/snapshot.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const NOW = new Date('2026-11-23T12:00:00Z');

export function makeCluster(overrides: Partial<Cluster> = {}): Cluster {
  const id = overrides.id ?? 'j-TEST00000001';
  return {
    id,
    name: 'test-cluster',
    arn: `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/${id}`,
    state: 'WAITING',
    described: true,
    releaseLabel: 'emr-7.5.0',
    logUri: 's3://logs/',
    serviceRole: 'EMR_DefaultRole_V2',
    instanceCollectionType: 'INSTANCE_GROUP',
    createdAt: '2026-11-23T10:00:00Z',
    ec2: {
      instanceProfile: 'EMR_EC2_DefaultRole',
      emrManagedMasterSecurityGroup: 'sg-master',
      emrManagedSlaveSecurityGroup: 'sg-slave',
      additionalMasterSecurityGroups: [],
      additionalSlaveSecurityGroups: [],
    },
    tags: {},
    instances: [],
    ...overrides,
  };
}

export function makeGroup(overrides: Partial<SecurityGroup> & { groupId: string }): SecurityGroup {
  return { groupName: overrides.groupId, vpcId: 'vpc-1', ownerId: ACCOUNT, ingress: [], ...overrides };
}

export type RegionInput = Partial<Omit<RegionSnapshot, 'errors'>> & { errors?: CollectionError[] };

export function makeRegion(overrides: RegionInput = {}): RegionSnapshot {
  return RegionSnapshot.parse({ region: REGION, clusters: [], ...overrides });
}

export function makeSnapshot(regions: RegionInput[] = [{}], extra: Partial<Snapshot> = {}): Snapshot {
  return Snapshot.parse({
    schemaVersion: 1,
    collectedAt: NOW.toISOString(),
    accountId: ACCOUNT,
    partition: 'aws',
    regions: regions.map((r) => makeRegion(r)),
    ...extra,
  });
}

export function makeContext(region: RegionInput = {}, settings: Partial<Settings> = {}, now: Date = NOW): EvalContext {
  return {
    settings: { ...defaultSettings(), ...settings },
    now,
    region: makeRegionView(makeRegion(region), { accountId: ACCOUNT, partition: 'aws' }),
  };
}

/**
 * Evaluate one check on one cluster; the cluster is added to the region's clusters if absent,
 * so checks that look at the other clusters see it.
 */
export function runCluster(check: Check, cluster: Cluster, region: RegionInput = {}, settings: Partial<Settings> = {}, now: Date = NOW): Outcome[] {
  if (check.scope !== 'cluster') throw new Error(`${check.id} is not a cluster check`);
  const clusters = region.clusters ?? [];
  const withCluster = clusters.some((c) => c.id === cluster.id) ? clusters : [...clusters, cluster];
  return check.evaluate(cluster, makeContext({ ...region, clusters: withCluster }, settings, now));
}

export function runRegion(check: Check, region: RegionInput = {}, settings: Partial<Settings> = {}, now: Date = NOW): Outcome[] {
  if (check.scope !== 'region') throw new Error(`${check.id} is not a region check`);
  return check.evaluate(makeContext(region, settings, now));
}

/** The single outcome of a check (most checks return one per cluster). */
export function only(outcomes: Outcome[]): Outcome {
  if (outcomes.length !== 1) throw new Error(`expected one outcome, got ${outcomes.length}: ${JSON.stringify(outcomes)}`);
  return outcomes[0]!;
}

export function accessDenied(kind: CollectionError['kind'], resourceId: string, api: string): CollectionError {
  return { kind, resourceId, api, code: 'AccessDenied', message: `User is not authorized to perform: ${api}` };
}
