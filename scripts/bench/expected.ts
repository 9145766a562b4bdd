/**
 * What a run over the simulated account should cost, derived from the model alone:
 *
 * - the MINIMUM calls per API the data requires for the selected checks (one DescribeCluster per
 *   active cluster, ListInstances pages, one lookup per distinct profile/role/policy/version,
 *   full batches for DescribeSecurityGroups / DescribeInstances / DescribeInstanceInformation…);
 * - the NAIVE auditor's calls on the same account (list everything, describe every cluster
 *   including terminated ones, one call per group / instance / policy per cluster, no dedup);
 * - the LOWER BOUND of wall time that rate limits and latencies impose on the minimum calls.
 *
 * Lower-bound model. For each API a with c calls, bucket (burst B, refill r) and minimal latency
 * L_a (base latency × the smallest jitter, no per-item cost):
 *     bound_a = head_a + drain_a + tail_a
 *   head_a  = the shortest chain of dependent calls before a's first call can be sent
 *             (e.g. GetRole waits for ListClusters → DescribeCluster → GetInstanceProfile);
 *   drain_a = the time the bucket needs to admit all c calls when it starts full,
 *             max(0, c − B) / r, or for paged APIs the sequential page chain if longer
 *             ((pages − 1) × L_a: page k+1 needs page k's token);
 *   tail_a  = L_a plus the shortest chain of calls that must follow the last a call (the last
 *             cluster described still needs its ListInstances, then the DescribeInstances /
 *             DescribeInstanceInformation batch holding its instances).
 * Account-wide buckets (all EMR operations; all IAM reads) add the same term over the sum of
 * their APIs' calls. The bound is the largest of these terms: no schedule, however parallel, can
 * beat any one of them. It ignores CPU time and assumes perfect pacing, so real runs sit above it;
 * the target is ≤ 1.25× the bound.
 */
import { ACTIVE_STATES, type SimAccount, type SimCluster } from './account.js';
import { API_SPECS, SHARED_BUCKETS, apiKey, type ApiSpec } from './limits.js';
import { JITTER_MIN } from './simulator.js';
import { EC2_MAX_FILTER_VALUES } from './services/ec2.js';
import { EMR_PAGE_SIZE, RELEASE_LABELS_PAGE_SIZE } from './services/emr.js';
import { SSM_MAX_RESULTS } from './services/ssm.js';

export type CallCounts = Map<string, number>;

const K = {
  listClusters: 'emr:ListClusters',
  describeCluster: 'emr:DescribeCluster',
  listInstances: 'emr:ListInstances',
  listInstanceGroups: 'emr:ListInstanceGroups',
  listInstanceFleets: 'emr:ListInstanceFleets',
  describeSecurityConfiguration: 'emr:DescribeSecurityConfiguration',
  blockPublicAccess: 'emr:GetBlockPublicAccessConfiguration',
  listReleaseLabels: 'emr:ListReleaseLabels',
  describeSecurityGroups: 'ec2:DescribeSecurityGroups',
  describeInstances: 'ec2:DescribeInstances',
  describeManagedPrefixLists: 'ec2:DescribeManagedPrefixLists',
  getManagedPrefixListEntries: 'ec2:GetManagedPrefixListEntries',
  getInstanceProfile: 'iam:GetInstanceProfile',
  getRole: 'iam:GetRole',
  listAttachedRolePolicies: 'iam:ListAttachedRolePolicies',
  listRolePolicies: 'iam:ListRolePolicies',
  getRolePolicy: 'iam:GetRolePolicy',
  getPolicy: 'iam:GetPolicy',
  getPolicyVersion: 'iam:GetPolicyVersion',
  describeInstanceInformation: 'ssm:DescribeInstanceInformation',
  getServiceSetting: 'ssm:GetServiceSetting',
  getCallerIdentity: 'sts:GetCallerIdentity',
  getResources: 'tag:GetResources',
  describeSubnets: 'ec2:DescribeSubnets',
  describeRouteTables: 'ec2:DescribeRouteTables',
  describeNetworkAcls: 'ec2:DescribeNetworkAcls',
} as const;


/** Filter values per VPC describe call (EC2's limit) and the pages the collector asks for. */
export const VPC_FILTER_BATCH = 200;
export const SUBNET_PAGE = 1000;
export const VPC_ITEM_PAGE = 100;

/** A global-unicast IPv6 address (2000::/3): public, as a public IPv4 address is. */
const globalIpv6 = (a: string): boolean => /^[23][0-9a-f]{0,3}:/i.test(a);

/**
 * The subnets and VPCs collectVpcData is asked about: those of RUNNING nodes with a public address
 * (public IPv4 or global IPv6), each once.
 */
export function publicNodeNetwork(account: SimAccount): { subnetIds: string[]; vpcIds: string[] } {
  const subnets = new Set<string>();
  const vpcs = new Set<string>();
  for (const i of account.ec2Instances.values()) {
    if (i.state !== 'running' || !(i.publicIp || (i.ipv6 ?? []).some(globalIpv6))) continue;
    subnets.add(i.subnetId);
    vpcs.add(i.vpcId);
  }
  return { subnetIds: [...subnets].sort(), vpcIds: [...vpcs].sort() };
}

/**
 * The VPC data's minimum: DescribeSubnets one call per 200 subnet ids (≤ 200 matches fit one page
 * of 1,000); DescribeRouteTables and DescribeNetworkAcls one paged call per 200 VPC ids, each page
 * 100 items, at least one page per batch.
 */
export function vpcMinimum(account: SimAccount): CallCounts {
  const { subnetIds, vpcIds } = publicNodeNetwork(account);
  const m: CallCounts = new Map();
  const batches = <T>(ids: readonly T[]): T[][] => Array.from({ length: ceilDiv(ids.length, VPC_FILTER_BATCH) }, (_, k) => ids.slice(k * VPC_FILTER_BATCH, (k + 1) * VPC_FILTER_BATCH));
  const subnetCalls = batches(subnetIds).reduce((n, b) => n + Math.max(1, ceilDiv(b.length, SUBNET_PAGE)), 0);
  const inVpcs = (b: readonly string[], items: Iterable<{ vpcId: string }>): number => {
    const set = new Set(b);
    let count = 0;
    for (const item of items) if (set.has(item.vpcId)) count += 1;
    return count;
  };
  const tables = batches(vpcIds).reduce((n, b) => n + Math.max(1, ceilDiv(inVpcs(b, account.network.routeTables.values()), VPC_ITEM_PAGE)), 0);
  const acls = batches(vpcIds).reduce((n, b) => n + Math.max(1, ceilDiv(inVpcs(b, account.network.networkAcls.values()), VPC_ITEM_PAGE)), 0);
  if (subnetCalls > 0) m.set(K.describeSubnets, subnetCalls);
  if (vpcIds.length > 0) {
    m.set(K.describeRouteTables, tables);
    m.set(K.describeNetworkAcls, acls);
  }
  return m;
}

/** What a warm run already knows from the state store (DESIGN.md "Fleet scale"). */
export interface KnownFromState {
  clusters: ReadonlySet<string>;
  securityConfigurations: ReadonlySet<string>;
}

/** EC2's largest DescribeInstances page (MaxResults 1000), and GetResources' (100). */
const NODE_PAGE = 1000;
const TAG_PAGE = 100;

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Ids per DescribeManagedPrefixLists call and entries per GetManagedPrefixListEntries page (EC2's maximum). */
export const PREFIX_LIST_PAGE = 100;

/**
 * Ids per EC2 describe call in the minimum: 200, EC2's documented limit of filter values per
 * call. The id filter is the form that survives a missing id (with GroupIds/InstanceIds one
 * unknown id fails the whole call); AWS advises at most 1,000 ids for the list form, which has no
 * documented hard limit.
 */
export const EC2_BATCH = EC2_MAX_FILTER_VALUES;

/**
 * What the state store holds after a full run over the account as it is now, from the model alone:
 * every active cluster whose nodes exist — BOOTSTRAPPING and later, or STARTING with an EC2
 * instance launched (its subnet and groups are then settled) — and the security configurations
 * they name. A warm run's minimum describes every other active cluster.
 */
export function knownAfterFullRun(account: SimAccount): KnownFromState {
  const kept = activeClusters(account).filter((c) => c.state !== 'STARTING' || c.instances.some((i) => i.ec2Id !== undefined));
  return { clusters: new Set(kept.map((c) => c.id)), securityConfigurations: new Set(kept.flatMap((c) => c.securityConfiguration ?? [])) };
}

export const activeClusters = (account: SimAccount): SimCluster[] => account.clusters.filter((c) => ACTIVE_STATES.includes(c.state));

/** The name inside an instance-profile or role reference (a name, or an ARN ending in `/name`). */
export const nameFromRef = (ref: string): string => (ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref);

/** What a check declares (its `permissions`: IAM actions). */
export interface PermissionHolder {
  permissions: readonly string[];
}

/**
 * The APIs a collection for these checks needs, from the IAM actions they declare:
 * - instances (ListInstances + ListInstanceGroups/Fleets) when any of ListInstances,
 *   DescribeInstances, DescribeInstanceInformation is declared (EC2 and SSM are asked about the
 *   EC2 ids only ListInstances gives);
 * - the whole instance-profile chain (GetInstanceProfile → GetRole, ListAttachedRolePolicies,
 *   ListRolePolicies → GetRolePolicy, GetPolicy → GetPolicyVersion) when GetInstanceProfile is;
 * - the service roles' ListAttachedRolePolicies when a check declares it without
 *   GetInstanceProfile (the service-role check; instance-profile checks declare both);
 * - every other API when its own action is declared. ListClusters and DescribeCluster always.
 */
export function neededApis(checks: readonly PermissionHolder[]): Set<string> {
  const declared = checks.map((c) => new Set(c.permissions.map((p) => p.toLowerCase())));
  const action = (key: string): string => (API_SPECS.find((s) => apiKey(s.service, s.operation) === key)?.action ?? key).toLowerCase();
  const any = (key: string): boolean => declared.some((set) => set.has(action(key)));
  const needed = new Set<string>([K.listClusters, K.describeCluster]);
  const add = (condition: boolean, ...keys: string[]): void => {
    if (condition) for (const k of keys) needed.add(k);
  };
  add(any(K.listInstances) || any(K.describeInstances) || any(K.describeInstanceInformation), K.listInstances, K.listInstanceGroups, K.listInstanceFleets);
  add(any(K.describeInstances), K.describeInstances);
  add(any(K.describeInstanceInformation), K.describeInstanceInformation);
  for (const k of [K.describeSecurityConfiguration, K.describeSecurityGroups, K.blockPublicAccess, K.listReleaseLabels, K.getServiceSetting]) add(any(k), k);
  // Prefix lists are named by the groups' rules: reading them needs the groups.
  add(any(K.describeManagedPrefixLists) || any(K.getManagedPrefixListEntries), K.describeSecurityGroups, K.describeManagedPrefixLists, K.getManagedPrefixListEntries);
  add(any(K.getInstanceProfile), K.getInstanceProfile, K.getRole, K.listAttachedRolePolicies, K.listRolePolicies, K.getRolePolicy, K.getPolicy, K.getPolicyVersion);
  if (declared.some((set) => set.has(action(K.listAttachedRolePolicies)) && !set.has(action(K.getInstanceProfile)))) needed.add(SERVICE_ROLES);
  add(needed.has(SERVICE_ROLES), K.listAttachedRolePolicies);
  return needed;
}

/** Marker in the needed set: the service roles' attached policies are collected. */
export const SERVICE_ROLES = 'service-roles';

interface AccountFacts {
  active: SimCluster[];
  runningEc2Ids: string[];
  groupIds: Set<string>;
  /** Prefix lists the rules of the active clusters' groups name. */
  prefixListIds: Set<string>;
  configs: Set<string>;
  profileNames: Set<string>;
  profileRoles: Set<string>;
  serviceRoles: Set<string>;
  inlinePolicies: number;
  managedArns: Set<string>;
}

function facts(account: SimAccount): AccountFacts {
  const active = activeClusters(account);
  const groupIds = new Set<string>();
  const configs = new Set<string>();
  const profileNames = new Set<string>();
  const profileRoles = new Set<string>();
  const serviceRoles = new Set<string>();
  const runningEc2Ids: string[] = [];
  for (const c of active) {
    for (const g of [c.masterSg, c.slaveSg, c.serviceAccessSg, ...c.additionalMasterSgs, ...c.additionalSlaveSgs]) if (g) groupIds.add(g);
    if (c.securityConfiguration) configs.add(c.securityConfiguration);
    const profile = account.instanceProfiles.get(nameFromRef(c.instanceProfileRef));
    profileNames.add(nameFromRef(c.instanceProfileRef));
    for (const r of profile?.roleNames ?? []) profileRoles.add(r);
    serviceRoles.add(nameFromRef(c.serviceRoleRef));
    for (const i of c.instances) if (i.state === 'RUNNING' && i.ec2Id) runningEc2Ids.push(i.ec2Id);
  }
  let inlinePolicies = 0;
  const managedArns = new Set<string>();
  for (const name of profileRoles) {
    const role = account.roles.get(name);
    if (!role) continue;
    inlinePolicies += role.inline.length;
    for (const arn of role.attachedArns) managedArns.add(arn);
    if (role.boundaryArn) managedArns.add(role.boundaryArn);
  }
  const prefixListIds = new Set<string>();
  for (const g of groupIds) for (const r of account.securityGroups.get(g)?.ingress ?? []) for (const p of r.prefixLists ?? []) prefixListIds.add(p);
  return { active, runningEc2Ids, groupIds, prefixListIds, configs, profileNames, profileRoles, serviceRoles, inlinePolicies, managedArns };
}

const nonTerminated = (c: SimCluster): number => c.instances.filter((i) => i.state !== 'TERMINATED').length;

/** The fewest calls per API that collect what the `needed` APIs provide, from the model. */
export function minimumCalls(account: SimAccount, needed: ReadonlySet<string>, options: { accountIdKnown?: boolean; known?: KnownFromState } = {}): CallCounts {
  const f = facts(account);
  const m: CallCounts = new Map();
  const set = (key: string, n: number): void => {
    if ((needed.has(key) || key === K.getResources) && n > 0) m.set(key, n);
  };
  const known = options.known;
  const fresh = f.active.filter((c) => !known?.clusters.has(c.id));
  set(K.listClusters, Math.max(1, ceilDiv(f.active.length, EMR_PAGE_SIZE)));
  // Each cluster once per lifetime; a warm run describes only the clusters the state does not know.
  set(K.describeCluster, fresh.length);
  // Tags account-wide when some cluster is known (the tagging index also holds terminated ones).
  if (known && fresh.length < f.active.length) set(K.getResources, Math.max(1, ceilDiv(account.clusters.filter((c) => Object.keys(c.tags).length > 0).length, TAG_PAGE)));
  // Every simulated node carries EMR's system tags: no per-cluster EMR listing is needed. One
  // DescribeInstances by tag for the region's live nodes, 1,000 per page.
  const instancesNeeded = needed.has(K.listInstances);
  if (instancesNeeded) m.set(K.describeInstances, Math.max(1, ceilDiv(account.ec2Instances.size, NODE_PAGE)));
  // Mutable (routes, ACLs): read in every run, cold or warm, whenever nodes are collected.
  if (instancesNeeded) for (const [k, v] of vpcMinimum(account)) m.set(k, v);
  set(K.describeSecurityConfiguration, [...f.configs].filter((c) => !known?.securityConfigurations.has(c)).length);
  set(K.describeSecurityGroups, ceilDiv(f.groupIds.size, EC2_BATCH));
  set(K.describeManagedPrefixLists, ceilDiv(f.prefixListIds.size, PREFIX_LIST_PAGE));
  const customerLists = [...f.prefixListIds].flatMap((id) => account.prefixLists.get(id) ?? []).filter((l) => l.ownerId !== 'AWS' && !l.name.startsWith('com.amazonaws.'));
  set(K.getManagedPrefixListEntries, customerLists.reduce((n, l) => n + Math.max(1, ceilDiv(l.entries.length, PREFIX_LIST_PAGE)), 0));
  set(K.describeInstanceInformation, ceilDiv(new Set(f.runningEc2Ids).size, SSM_MAX_RESULTS));
  set(K.getInstanceProfile, f.profileNames.size);
  set(K.getRole, f.profileRoles.size);
  set(K.listRolePolicies, f.profileRoles.size);
  set(K.getRolePolicy, f.inlinePolicies);
  set(K.getPolicy, f.managedArns.size);
  set(K.getPolicyVersion, f.managedArns.size);
  const profileChain = needed.has(K.getInstanceProfile);
  const attachedLookups = new Set([...(profileChain ? f.profileRoles : []), ...(needed.has(SERVICE_ROLES) ? f.serviceRoles : [])]);
  set(K.listAttachedRolePolicies, attachedLookups.size);
  set(K.blockPublicAccess, 1);
  set(K.getServiceSetting, 1);
  set(K.listReleaseLabels, ceilDiv(account.releaseLabels.length, RELEASE_LABELS_PAGE_SIZE));
  if (!options.accountIdKnown) m.set(K.getCallerIdentity, 1);
  return m;
}

/**
 * The naive auditor: ListClusters without a state filter (terminated clusters included, every
 * page) and DescribeCluster on each; per active cluster ListInstances without a state filter
 * (terminated instances included), its groups/fleets, its security configuration, one
 * DescribeSecurityGroups per group, GetInstanceProfile + GetRole + ListAttachedRolePolicies +
 * ListRolePolicies, GetRolePolicy per inline policy, GetPolicy + GetPolicyVersion per attached
 * policy (and boundary), ListAttachedRolePolicies of its service role, and DescribeInstances +
 * DescribeInstanceInformation per running instance; the account-level calls once per region.
 */
export function naiveCalls(account: SimAccount): CallCounts {
  const m: CallCounts = new Map();
  const add = (key: string, n: number): void => {
    if (n > 0) m.set(key, (m.get(key) ?? 0) + n);
  };
  add(K.listClusters, Math.max(1, ceilDiv(account.clusters.length, EMR_PAGE_SIZE)));
  add(K.describeCluster, account.clusters.length);
  for (const c of activeClusters(account)) {
    add(K.listInstances, Math.max(1, ceilDiv(c.instances.length, EMR_PAGE_SIZE)));
    add(c.collection === 'INSTANCE_GROUP' ? K.listInstanceGroups : K.listInstanceFleets, 1);
    add(K.describeSecurityConfiguration, c.securityConfiguration ? 1 : 0);
    add(K.describeSecurityGroups, new Set([c.masterSg, c.slaveSg, c.serviceAccessSg, ...c.additionalMasterSgs, ...c.additionalSlaveSgs].filter(Boolean)).size);
    add(K.getInstanceProfile, 1);
    const profile = account.instanceProfiles.get(nameFromRef(c.instanceProfileRef));
    for (const roleName of profile?.roleNames ?? []) {
      const role = account.roles.get(roleName);
      add(K.getRole, 1);
      add(K.listAttachedRolePolicies, 1);
      add(K.listRolePolicies, 1);
      add(K.getRolePolicy, role?.inline.length ?? 0);
      const policies = (role?.attachedArns.length ?? 0) + (role?.boundaryArn ? 1 : 0);
      add(K.getPolicy, policies);
      add(K.getPolicyVersion, policies);
    }
    add(K.listAttachedRolePolicies, 1);
    const running = c.instances.filter((i) => i.state === 'RUNNING' && i.ec2Id).length;
    add(K.describeInstances, running);
    add(K.describeInstanceInformation, running);
  }
  add(K.blockPublicAccess, 1);
  add(K.getServiceSetting, 1);
  add(K.listReleaseLabels, ceilDiv(account.releaseLabels.length, RELEASE_LABELS_PAGE_SIZE));
  add(K.getCallerIdentity, 1);
  return m;
}

export interface BoundTerm {
  /** API key or shared bucket name. */
  name: string;
  calls: number;
  head: number;
  drain: number;
  tail: number;
  total: number;
}

export interface LowerBound {
  /** Model seconds. */
  seconds: number;
  /** The term that sets the bound. */
  binding: BoundTerm;
  terms: BoundTerm[];
}

/** Lower bound of wall time (model seconds) for `calls` under the simulator's limits. */
export function lowerBound(account: SimAccount, calls: CallCounts): LowerBound {
  const spec = (key: string): ApiSpec | undefined => API_SPECS.find((s) => apiKey(s.service, s.operation) === key);
  const lat = (key: string): number => (calls.has(key) ? ((spec(key)?.latencyMs ?? 0) * JITTER_MIN) / 1000 : 0);
  const L = (key: string): number => ((spec(key)?.latencyMs ?? 0) * JITTER_MIN) / 1000;
  const instancesFollowUp = Math.max(lat(K.describeInstances), lat(K.describeInstanceInformation));
  const afterDescribe = lat(K.listInstances) > 0 ? lat(K.listInstances) + instancesFollowUp : 0;
  const clusterHead = L(K.listClusters) + L(K.describeCluster);
  const profileHead = clusterHead + L(K.getInstanceProfile);

  const head: Record<string, number> = {
    [K.listClusters]: 0,
    [K.describeCluster]: L(K.listClusters),
    [K.listInstances]: clusterHead,
    [K.listInstanceGroups]: clusterHead,
    [K.listInstanceFleets]: clusterHead,
    [K.describeSecurityConfiguration]: clusterHead,
    [K.describeSecurityGroups]: clusterHead,
    [K.describeManagedPrefixLists]: clusterHead + L(K.describeSecurityGroups),
    [K.getManagedPrefixListEntries]: clusterHead + L(K.describeSecurityGroups) + L(K.describeManagedPrefixLists),
    [K.getInstanceProfile]: clusterHead,
    [K.listAttachedRolePolicies]: clusterHead,
    [K.getRole]: profileHead,
    [K.listRolePolicies]: profileHead,
    [K.getRolePolicy]: profileHead + L(K.listRolePolicies),
    [K.getPolicy]: profileHead + Math.min(L(K.listAttachedRolePolicies), L(K.getRole)),
    [K.getPolicyVersion]: profileHead + Math.min(L(K.listAttachedRolePolicies), L(K.getRole)) + L(K.getPolicy),
    [K.describeInstances]: clusterHead + L(K.listInstances),
    [K.describeInstanceInformation]: clusterHead + L(K.listInstances),
    [K.describeSubnets]: L(K.describeInstances),
    [K.describeRouteTables]: L(K.describeInstances),
    [K.describeNetworkAcls]: L(K.describeInstances),
    [K.blockPublicAccess]: 0,
    [K.listReleaseLabels]: 0,
    [K.getServiceSetting]: 0,
    [K.getCallerIdentity]: 0,
  };
  const roleFollowUp = Math.max(lat(K.getRole), lat(K.listAttachedRolePolicies), lat(K.listRolePolicies));
  const tail: Record<string, number> = {
    [K.listClusters]: L(K.listClusters) + L(K.describeCluster) + afterDescribe,
    [K.describeCluster]: L(K.describeCluster) + afterDescribe,
    [K.listInstances]: L(K.listInstances) + instancesFollowUp,
    [K.getInstanceProfile]: L(K.getInstanceProfile) + roleFollowUp,
    [K.getPolicy]: L(K.getPolicy) + lat(K.getPolicyVersion),
  };
  const pagesChain = (key: string): number => {
    if (key === K.listClusters) return (Math.max(1, ceilDiv(activeClusters(account).length, EMR_PAGE_SIZE)) - 1) * L(key);
    if (key === K.listReleaseLabels) return (ceilDiv(account.releaseLabels.length, RELEASE_LABELS_PAGE_SIZE) - 1) * L(key);
    if (key === K.listInstances) {
      const pages = activeClusters(account).map((c) => Math.max(1, ceilDiv(nonTerminated(c), EMR_PAGE_SIZE)));
      return (Math.max(1, ...pages) - 1) * L(key);
    }
    return 0;
  };

  const terms: BoundTerm[] = [];
  for (const [key, c] of calls) {
    const s = spec(key);
    if (!s || c <= 0) continue;
    const drain = Math.max(s.burst === Infinity ? 0 : Math.max(0, c - s.burst) / s.rate, pagesChain(key));
    const h = head[key] ?? 0;
    const t = tail[key] ?? L(key);
    terms.push({ name: key, calls: c, head: h, drain, tail: t, total: h + drain + t });
  }
  for (const b of SHARED_BUCKETS) {
    const members = [...calls].filter(([key]) => spec(key)?.sharedBucket === b.name);
    const c = members.reduce((n, [, v]) => n + v, 0);
    if (c === 0) continue;
    const drain = Math.max(0, c - b.burst) / b.rate;
    const h = Math.min(...members.map(([key]) => head[key] ?? 0));
    const t = Math.min(...members.map(([key]) => tail[key] ?? L(key)));
    terms.push({ name: `${b.name} (shared)`, calls: c, head: h, drain, tail: t, total: h + drain + t });
  }
  terms.sort((a, b) => b.total - a.total);
  const binding = terms[0] ?? { name: 'none', calls: 0, head: 0, drain: 0, tail: 0, total: 0 };
  return { seconds: binding.total, binding, terms };
}
