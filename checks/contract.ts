/**
 * The check contract. A check is metadata plus a pure `evaluate`: it reads the snapshot (through
 * the context) and returns outcomes. It makes no AWS call, reads no clock and no environment:
 * time and settings arrive in the context, so every check is tested with plain data.
 */
import type { Cluster, ClusterGroupRef, CollectionError, RegionSnapshot, ResourceKind } from '../lib/snapshot.js';
import type { Settings } from '../lib/settings.js';
import type { ReleaseVersion } from '../lib/release.js';
import type { ComplianceRef } from '../lib/compliance.js';

export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ['PASS', 'FAIL', 'NOT_APPLICABLE', 'ERROR', 'SUPPRESSED'] as const;
export type Status = (typeof STATUSES)[number];

/** Security Hub resource types we model (SECURITY-HUB.md rule 11), plus `Other` for rules etc. */
export type ResourceType =
  | 'AwsEc2SecurityGroup'
  | 'AwsIamRole'
  | 'AwsIamPolicy'
  | 'AwsIamInstanceProfile'
  | 'AwsEc2Instance'
  | 'AwsEc2Subnet'
  | 'AwsEc2RouteTable'
  | 'AwsEc2NetworkAcl'
  | 'AwsAccount'
  | 'Other';

/** A resource involved in an outcome: what to change. */
export interface ResourceRef {
  type: ResourceType;
  /** The id users know: `sg-…`, `i-…`, a role or policy name, an inline policy `role/policy`. */
  id: string;
  /** Full ARN when the resource has one (the ASFF resource Id). */
  arn?: string;
}

/**
 * One path along which the internet reaches a node today (CHECKS.md
 * `exposure/internet-reachable-port`): the node's public address, the ports, and every component
 * the traffic passes. Part of the public JSON output (`network` of a result): fields are only added.
 */
export interface NetworkPath {
  /** EC2 instance id of the node. */
  instanceId: string;
  family: 'ipv4' | 'ipv6';
  /** The node's public address of that family. */
  address: string;
  protocol: 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  /** The security-group rule's source CIDR, or its prefix list's internet entries. */
  sourceCidrs: string[];
  /** The prefix list behind `sourceCidrs`, when the rule names one. */
  prefixListId?: string;
  securityGroupId: string;
  /** The network ACL of the subnet, and the inbound and outbound rule numbers that let the traffic in and the answer out. */
  networkAclId: string;
  inboundRule: number;
  outboundRule: number;
  routeTableId: string;
  /** The internet gateway (`igw-…`). */
  gatewayId: string;
  subnetId: string;
}

/** What a check says about one resource (usually its cluster). */
export interface Outcome {
  status: Exclude<Status, 'SUPPRESSED'>;
  /** What exactly is wrong (group, rule, port, source; policy, statement, action; instances) or why it passed. */
  message: string;
  resources?: ResourceRef[];
  /** Overrides the check's default severity (e.g. SSH from the internet with a public node). */
  severity?: Severity;
  /**
   * The resource the outcome is about when it is not the cluster or region itself; part of the
   * finding's identity. Default: the cluster id (cluster checks) or the region (region checks).
   */
  resourceId?: string;
  /**
   * The paths along which the internet reaches the cluster's nodes today, most exposed first
   * (reachability checks and network/* FAILs whose ports are reachable).
   */
  network?: NetworkPath[];
}

export interface CheckSetting {
  /** Settings key (see lib/settings.ts) this check reads. */
  key: keyof Settings;
}

export interface CheckMeta {
  /** Public id, `area/name`: never changes meaning once released. */
  id: string;
  title: string;
  /** Default severity (Security Hub `FindingProviderFields.Severity.Label`). */
  severity: Severity;
  /**
   * The highest severity an outcome of this check may carry, when an outcome can raise it above
   * the default (`network/ssh-from-internet` is CRITICAL when the port is reachable). Reports that
   * score a check as a whole (SARIF rules) use it. Default: `severity`.
   */
  maxSeverity?: Severity;
  /** `cluster`: evaluated once per active cluster; `region`: once per audited region (account-level). */
  scope: 'cluster' | 'region';
  /** One line for `emr-audit checks` and the catalogue: what it looks for and why it matters. */
  description: string;
  /** ASFF `Types` (FindingProviderFields.Types). */
  types: string[];
  remediation: { text: string; url: string };
  /** IAM actions whose data this check reads (the deployed role is derived from these). */
  permissions: string[];
  /** Settings keys that shape this check. */
  settings: (keyof Settings)[];
  /**
   * The check compares a cluster with every other active cluster of the region: it is skipped when
   * a run is restricted to some clusters, so its findings are left as they are.
   */
  needsAllClusters?: boolean;
  /**
   * The compliance frameworks' requirements this check relates to, each with its source (the
   * Security Hub control it comes from, or `ours`). Data in lib/compliance.ts; every registered
   * check has one (a test keeps it so).
   */
  compliance?: readonly ComplianceRef[];
}

/** Lookup helpers over one region's snapshot (see lib/evaluate.ts). */
export interface RegionView {
  readonly snapshot: RegionSnapshot;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** Errors recorded for a resource of this kind and id (empty when it was collected fine). */
  errorsFor(kind: ResourceKind, resourceId: string): CollectionError[];
  /*
   * Region-wide indexes, built once per region on first use: a check must never rebuild a
   * region-wide structure per cluster (that makes an audit quadratic in the number of clusters).
   */
  /** `snapshot.ssmQueried` as a set: the instance ids SSM was asked about successfully. */
  readonly ssmQueried: ReadonlySet<string>;
  /** The region's clusters that use a security group, in snapshot order, with the role it plays on each. */
  clustersUsingGroup(groupId: string): readonly GroupUse[];
  /** The region's clusters that could not be described, in snapshot order. */
  readonly undescribedClusters: readonly Cluster[];
  /** `snapshot.releaseLabels` parsed (labels not of the form emr-X.Y.Z left out); undefined when not collected. */
  readonly releases: readonly ReleaseVersion[] | undefined;
}

/** A cluster's use of a security group (RegionView.clustersUsingGroup). */
export interface GroupUse {
  cluster: Cluster;
  /** Position of the cluster in `snapshot.clusters`. */
  index: number;
  /** The role the group plays on the cluster (the first, as clusterSecurityGroupRefs gives it). */
  ref: ClusterGroupRef;
  /** All of the cluster's security group refs (clusterSecurityGroupRefs), computed once per region. */
  refs: readonly ClusterGroupRef[];
}

export interface EvalContext {
  settings: Settings;
  /** The audit's "now" (the run start, or the snapshot's `collectedAt` offline). */
  now: Date;
  region: RegionView;
  /**
   * For a check that declares `reads`: the outcomes of each of those checks for the cluster being
   * evaluated, keyed by check id (before suppression: a silenced finding does not make the facts
   * it states untrue). A check id missing from the map was not available to the engine.
   */
  dependencies?: ReadonlyMap<string, readonly DependencyResult[]>;
}

/** Another check's outcome for the same cluster, as a dependent check reads it. */
export interface DependencyResult {
  checkId: string;
  status: Exclude<Status, 'SUPPRESSED'>;
  severity: Severity;
  message: string;
}

export interface ClusterCheck extends CheckMeta {
  scope: 'cluster';
  /**
   * Cluster checks whose results this check quotes (one source of truth instead of a second
   * derivation). The engine evaluates them for the same cluster — also when they are disabled or
   * not selected for the run, without reporting them then — and passes their outcomes in
   * `ctx.dependencies`. They must not declare `reads` themselves.
   */
  reads?: readonly string[];
  evaluate(cluster: Cluster, ctx: EvalContext): Outcome[];
}

export interface RegionCheck extends CheckMeta {
  scope: 'region';
  evaluate(ctx: EvalContext): Outcome[];
}

export type Check = ClusterCheck | RegionCheck;

/** One evaluated result, as the engine returns it and the CLI prints it (`--format json`). */
export interface Result {
  checkId: string;
  status: Status;
  severity: Severity;
  region: string;
  accountId: string;
  /** Null for account-level (region) checks. */
  clusterId: string | null;
  clusterName: string | null;
  title: string;
  message: string;
  /** Ids of the groups, rules, roles, policies and instances involved. */
  resources: string[];
  /** The same resources with their types and ARNs (for Security Hub). */
  resourceDetails: ResourceRef[];
  /** Stable identity of the evaluated resource within the check (cluster id, region, …). */
  resourceId: string;
  /** Why the result is SUPPRESSED (tag or setting), when it is. */
  suppressedBy?: string;
  /** The status before suppression, for SUPPRESSED results. */
  originalStatus?: Exclude<Status, 'SUPPRESSED'>;
  /** The outcome's reachable paths (Outcome.network), when it has any. */
  network?: NetworkPath[];
}

/** Common ASFF types. */
export const TYPES = {
  bestPractices: 'Software and Configuration Checks/AWS Security Best Practices',
  networkReachability: 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
  dataExposure: 'Effects/Data Exposure',
  industryStandards: 'Software and Configuration Checks/Industry and Regulatory Standards',
  initialAccess: 'TTPs/Initial Access',
} as const;
