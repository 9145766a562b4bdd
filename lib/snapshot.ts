/**
 * The snapshot: the typed, JSON-serialisable picture of what was collected, and the contract
 * between collectors (which fill it) and checks (which read it). Shared data (security groups,
 * roles, policies, configurations, instances) is stored once per region, keyed by id, because it
 * was fetched once; clusters refer to it by id.
 *
 * What could not be collected is never left out silently: it is recorded in `errors` with the
 * kind and id of the resource it concerns, so a check that needs it returns ERROR, never PASS.
 *
 * No secret may enter this structure: no Kerberos password, no value of the cluster's
 * `Configurations` (only the names of the properties that hold literal credentials).
 */
import * as z from 'zod';
import { RegionVpcData } from './snapshot-vpc.js';

export const SNAPSHOT_SCHEMA_VERSION = 1;

/** Kinds of data a collection error can concern; checks look errors up by kind and id. */
export const ResourceKind = z.enum([
  'region', // the whole region (ListClusters failed, region disabled)
  'cluster', // DescribeCluster of one cluster
  'clusterInstances', // ListInstances / ListInstanceGroups / ListInstanceFleets of one cluster
  'securityGroup',
  'prefixList', // DescribeManagedPrefixLists / GetManagedPrefixListEntries of one managed prefix list
  'securityConfiguration',
  'instanceProfile',
  'role', // GetRole (permissions boundary) and the role's policy lists
  'rolePolicies', // ListAttachedRolePolicies / ListRolePolicies / GetRolePolicy of a role
  'managedPolicy', // GetPolicy + GetPolicyVersion
  'ec2Instance', // DescribeInstances
  'ssmInstance', // DescribeInstanceInformation
  'blockPublicAccess',
  'defaultHostManagement',
  'releaseLabels',
  'subnet', // DescribeSubnets of one subnet a node with a public address is in
  'vpc', // DescribeRouteTables / DescribeNetworkAcls of one VPC (the api field says which)
]);
export type ResourceKind = z.infer<typeof ResourceKind>;

export const CollectionError = z.object({
  kind: ResourceKind,
  /** Id of the resource (group id, role name, policy ARN, cluster id, instance id, region). */
  resourceId: z.string(),
  /** The AWS API call that failed, e.g. `iam:GetRolePolicy`. */
  api: z.string(),
  /** AWS error code (`AccessDenied`, `ThrottlingException`, `NotFound`…). */
  code: z.string(),
  message: z.string(),
});
export type CollectionError = z.infer<typeof CollectionError>;

// ---------------------------------------------------------------- EC2 security groups

/** One ingress permission, flattened to a single source so every rule is one (ports, source) pair. */
export const IngressRule = z.object({
  /** `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number as a string, as EC2 returns it. */
  protocol: z.string(),
  /** Absent or -1 with protocol -1 means all ports. For ICMP these are type/code. */
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('cidr4'), cidr: z.string() }),
    z.object({ type: z.literal('cidr6'), cidr: z.string() }),
    z.object({ type: z.literal('prefixList'), prefixListId: z.string() }),
    z.object({
      type: z.literal('securityGroup'),
      groupId: z.string(),
      userId: z.string().optional(),
    }),
  ]),
  description: z.string().optional(),
});
export type IngressRule = z.infer<typeof IngressRule>;
export type RuleSource = IngressRule['source'];

export const SecurityGroup = z.object({
  groupId: z.string(),
  groupName: z.string(),
  vpcId: z.string().optional(),
  ownerId: z.string().optional(),
  ingress: z.array(IngressRule),
});
export type SecurityGroup = z.infer<typeof SecurityGroup>;

/** One entry of a managed prefix list (GetManagedPrefixListEntries). */
export const PrefixListEntry = z.object({ cidr: z.string(), description: z.string().optional() });
export type PrefixListEntry = z.infer<typeof PrefixListEntry>;

/**
 * A managed prefix list named as a rule source (DescribeManagedPrefixLists). AWS-managed lists
 * (owner `AWS`, names `com.amazonaws.*`) are AWS service ranges: their entries are not read.
 */
export const PrefixList = z.object({
  prefixListId: z.string(),
  name: z.string().optional(),
  ownerId: z.string().optional(),
  /** `IPv4` or `IPv6`. */
  addressFamily: z.string().optional(),
  /**
   * Every entry (all pages) of a customer-managed list; absent for AWS-managed lists and when the
   * entries could not be read (then a `prefixList` error says why).
   */
  entries: z.array(PrefixListEntry).optional(),
});
export type PrefixList = z.infer<typeof PrefixList>;

// ---------------------------------------------------------------- EMR security configuration

/**
 * The parts of a security configuration (DescribeSecurityConfiguration's JSON) that checks use,
 * copied field by field: a configuration holds no passwords, but we keep only what is needed.
 */
export const SecurityConfiguration = z.object({
  name: z.string(),
  encryption: z
    .object({
      enableAtRestEncryption: z.boolean().optional(),
      enableInTransitEncryption: z.boolean().optional(),
      s3: z
        .object({ encryptionMode: z.string().optional(), awsKmsKey: z.string().optional() })
        .optional(),
      localDisk: z
        .object({
          encryptionKeyProviderType: z.string().optional(),
          enableEbsEncryption: z.boolean().optional(),
        })
        .optional(),
      inTransitTlsCertificateProvider: z.string().optional(),
    })
    .optional(),
  authentication: z
    .object({
      kerberos: z.object({ provider: z.string().optional(), realm: z.string().optional() }).optional(),
      /** IAM Identity Center / LDAP / other identity integration present (names only). */
      identityCenter: z.boolean().optional(),
      ldap: z.boolean().optional(),
    })
    .optional(),
  authorization: z
    .object({
      /** `AuthorizationConfiguration.IAMConfiguration.EnableApplicationScopedIAMRole` (runtime roles). */
      runtimeRoles: z.boolean().optional(),
      lakeFormation: z.boolean().optional(),
    })
    .optional(),
  /** `InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion`. */
  minimumImdsVersion: z.number().int().optional(),
});
export type SecurityConfiguration = z.infer<typeof SecurityConfiguration>;

// ---------------------------------------------------------------- IAM

/** A policy document as IAM returns it once URL-decoded and JSON-parsed; statements are kept raw. */
export const PolicyDocument = z.object({
  Version: z.string().optional(),
  Id: z.string().optional(),
  Statement: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
});
export type PolicyDocument = z.infer<typeof PolicyDocument>;

export const InstanceProfile = z.object({
  /** The reference as the cluster gave it (name or ARN): the key of `instanceProfiles`. */
  ref: z.string(),
  name: z.string(),
  arn: z.string(),
  /** Role names inside the profile (EMR needs exactly one). */
  roleNames: z.array(z.string()),
});
export type InstanceProfile = z.infer<typeof InstanceProfile>;

export const InlinePolicy = z.object({ name: z.string(), document: PolicyDocument });
export type InlinePolicy = z.infer<typeof InlinePolicy>;

/**
 * An instance-profile role with what could be read of it. Each part comes from its own call and
 * is stored when that call succeeded, whatever happened to the others; a part that could not be
 * read is absent (never an empty list), and the `role` / `rolePolicies` errors say why. Snapshots
 * written before partial roles were stored hold only complete roles, which read the same.
 */
export const Role = z.object({
  name: z.string(),
  /** From GetRole; absent when it failed — then the permissions boundary is unknown too. */
  arn: z.string().optional(),
  permissionsBoundaryArn: z.string().optional(),
  /** ARNs of attached managed policies (their documents are in `managedPolicies`); absent when ListAttachedRolePolicies failed. */
  attachedPolicyArns: z.array(z.string()).optional(),
  /** The inline policies whose documents were read; absent when ListRolePolicies failed. */
  inlinePolicies: z.array(InlinePolicy).optional(),
  /** Inline policies ListRolePolicies named whose document could not be read (GetRolePolicy failed). */
  unreadInlinePolicies: z.array(z.string()).optional(),
});
export type Role = z.infer<typeof Role>;

export const ManagedPolicy = z.object({
  arn: z.string(),
  name: z.string(),
  defaultVersionId: z.string(),
  document: PolicyDocument,
});
export type ManagedPolicy = z.infer<typeof ManagedPolicy>;

/**
 * The service role: only its attached policy ARNs are needed (`iam/service-role-deprecated-policy`).
 * Kept apart from `roles` because no policy documents are fetched for it.
 */
export const ServiceRole = z.object({
  name: z.string(),
  arn: z.string().optional(),
  attachedPolicyArns: z.array(z.string()),
});
export type ServiceRole = z.infer<typeof ServiceRole>;

// ---------------------------------------------------------------- instances

export const InstanceRole = z.enum(['MASTER', 'CORE', 'TASK']);
export type InstanceRole = z.infer<typeof InstanceRole>;

/** One EMR instance (ListInstances), with its node role from the instance group or fleet. */
export const ClusterInstance = z.object({
  /** EMR instance id (`ci-…`). */
  id: z.string(),
  ec2InstanceId: z.string().optional(),
  /** EMR instance state: AWAITING_FULFILLMENT | PROVISIONING | BOOTSTRAPPING | RUNNING | TERMINATED. */
  state: z.string(),
  /** MASTER/CORE/TASK; absent when the group/fleet could not be resolved. */
  role: InstanceRole.optional(),
  instanceGroupId: z.string().optional(),
  instanceFleetId: z.string().optional(),
  instanceType: z.string().optional(),
  market: z.string().optional(),
  publicIpAddress: z.string().optional(),
  privateIpAddress: z.string().optional(),
  /** ISO time the instance was created (EMR timeline). */
  createdAt: z.string().optional(),
  /** ISO time the instance became ready (EMR timeline). */
  readyAt: z.string().optional(),
});
export type ClusterInstance = z.infer<typeof ClusterInstance>;

/** EC2's view of an instance (DescribeInstances): metadata options, launch time and public addresses. */
export const Ec2Instance = z.object({
  instanceId: z.string(),
  state: z.string().optional(),
  launchTime: z.string().optional(),
  /** `MetadataOptions.HttpTokens`: `required` (IMDSv2 only) or `optional`. */
  httpTokens: z.string().optional(),
  httpEndpoint: z.string().optional(),
  /** `PublicIpAddress`: includes an Elastic IP associated after launch. */
  publicIpAddress: z.string().optional(),
  /** `NetworkInterfaces[].Ipv6Addresses[]` (and `Ipv6Address`), each once; global unicast ones are public. */
  ipv6Addresses: z.array(z.string()).optional(),
  /** The instance's subnet and VPC: where its route table and network ACL come from. */
  subnetId: z.string().optional(),
  vpcId: z.string().optional(),
  /**
   * Every security group on the instance's network interfaces (`SecurityGroups` and
   * `NetworkInterfaces[].Groups`), each once: what actually filters traffic to the node.
   */
  securityGroupIds: z.array(z.string()).optional(),
});
export type Ec2Instance = z.infer<typeof Ec2Instance>;

/** SSM's view of a registered instance (DescribeInstanceInformation). */
export const SsmInstance = z.object({
  instanceId: z.string(),
  pingStatus: z.string(),
  lastPingDateTime: z.string().optional(),
  agentVersion: z.string().optional(),
  isLatestVersion: z.boolean().optional(),
});
export type SsmInstance = z.infer<typeof SsmInstance>;

// ---------------------------------------------------------------- cluster

export const Cluster = z.object({
  id: z.string(),
  name: z.string(),
  arn: z.string().optional(),
  state: z.string(),
  /** False when DescribeCluster failed: only the ListClusters fields are known. */
  described: z.boolean(),
  releaseLabel: z.string().optional(),
  logUri: z.string().optional(),
  securityConfiguration: z.string().optional(),
  serviceRole: z.string().optional(),
  instanceCollectionType: z.enum(['INSTANCE_GROUP', 'INSTANCE_FLEET']).optional(),
  createdAt: z.string().optional(),
  readyAt: z.string().optional(),
  masterPublicDnsName: z.string().optional(),
  ec2: z
    .object({
      instanceProfile: z.string().optional(),
      subnetId: z.string().optional(),
      emrManagedMasterSecurityGroup: z.string().optional(),
      emrManagedSlaveSecurityGroup: z.string().optional(),
      serviceAccessSecurityGroup: z.string().optional(),
      additionalMasterSecurityGroups: z.array(z.string()).default([]),
      additionalSlaveSecurityGroups: z.array(z.string()).default([]),
    })
    .optional(),
  /**
   * Kerberos is configured on the cluster: `KerberosAttributes` with a `Realm` (an empty object is
   * not Kerberos; snapshots written before that rule may hold `{}`, which checks ignore). Only the
   * realm is kept: the KDC admin, cross-realm and AD join passwords never leave DescribeCluster.
   */
  kerberos: z.object({ realm: z.string().optional() }).optional(),
  /**
   * DescribeCluster `Applications[].Name`, as EMR spells them (`Hadoop`, `Livy`, `Hive`…); absent
   * when not collected (a snapshot or state entry written before it was): then the checks that
   * need it answer ERROR.
   */
  applications: z.array(z.string()).optional(),
  /**
   * The properties of the cluster's `Configurations` (nested classifications included) whose name
   * marks a credential and whose value is a literal (lib/configuration-credentials.ts), reduced to
   * names when DescribeCluster is read: the value never leaves the collector. `classification` is
   * the path of classifications (`hadoop-env/export`). Absent when not collected (see above).
   */
  configurationCredentials: z.array(z.object({ classification: z.string(), property: z.string() })).optional(),
  tags: z.record(z.string(), z.string()).default({}),
  /**
   * Non-terminated instances (ListInstances); absent when they could not be listed (then the
   * `clusterInstances` error says why).
   */
  instances: z.array(ClusterInstance).optional(),
});
export type Cluster = z.infer<typeof Cluster>;

/** The part a security group plays on a cluster (which `ec2` attribute names it). */
export type GroupRole = 'master' | 'slave' | 'serviceAccess' | 'additionalMaster' | 'additionalSlave';

/** One of a cluster's security groups and the first role it plays there. */
export interface ClusterGroupRef {
  groupId: string;
  role: GroupRole;
}

// ---------------------------------------------------------------- account settings (per region)

export const BlockPublicAccess = z.object({
  /** False only when the API says so; an empty response is the AWS default (true). */
  blockPublicSecurityGroupRules: z.boolean(),
  /**
   * `PermittedPublicSecurityGroupRuleRanges` as returned. A range without `minRange` (or with
   * `maxRange` below it) cannot be read: it is kept so the check answers ERROR, not PASS.
   */
  permittedPortRanges: z.array(z.object({ minRange: z.number().int().optional(), maxRange: z.number().int().optional() })),
  /** True when the response held no configuration and the AWS default applies. */
  isDefault: z.boolean().optional(),
});
export type BlockPublicAccess = z.infer<typeof BlockPublicAccess>;

export const DefaultHostManagement = z.object({
  /** SSM service setting `/ssm/managed-instance/default-ec2-instance-management-role` is set. */
  enabled: z.boolean(),
  roleName: z.string().optional(),
});
export type DefaultHostManagement = z.infer<typeof DefaultHostManagement>;

/**
 * How the region's data was collected (the run summary reports it): which clusters needed EMR's
 * per-cluster listings or a DescribeCluster the design otherwise avoids. Optional: snapshots saved
 * before it existed still load.
 */
export const CollectionStats = z.object({
  /** Every active cluster ListClusters returned (absent when the listing failed). */
  listed: z.array(z.string()).optional(),
  /** Clusters DescribeCluster was called for this run. */
  described: z.array(z.string()).default([]),
  /** Clusters whose immutable facts came from the state store (no DescribeCluster). */
  fromState: z.array(z.string()).default([]),
  /**
   * Active clusters none of whose nodes carries EMR's system tag (or whose tagged-node query
   * failed): their nodes came from ListInstances and ListInstanceGroups/ListInstanceFleets.
   */
  nodeFallbacks: z.array(z.string()).default([]),
  /** Known clusters described anyway because the tagging API failed: tags are never taken from the state. */
  tagFallbacks: z.array(z.string()).default([]),
  /** Why the region's node query (DescribeInstances by EMR's system tag) failed, if it did. */
  nodeQueryFailure: z.string().optional(),
  /** Why tag:GetResources failed, if it did. */
  tagQueryFailure: z.string().optional(),
  /**
   * The EMR headroom of the region's run (lib/collect/headroom.ts): on at `share` of the account's
   * EMR rate, or off with the reason (a dropped headroom keeps the share it ran at).
   */
  emrHeadroom: z.object({ on: z.boolean(), share: z.number().optional(), reason: z.string().optional() }).optional(),
});
export type CollectionStats = z.infer<typeof CollectionStats>;

export const RegionSnapshot = z.object({
  region: z.string(),
  /** Active clusters in scope (STARTING, BOOTSTRAPPING, RUNNING, WAITING). */
  clusters: z.array(Cluster),
  securityGroups: z.record(z.string(), SecurityGroup).default({}),
  /** Managed prefix lists that rules of the cluster security groups name, keyed by id. */
  prefixLists: z.record(z.string(), PrefixList).default({}),
  securityConfigurations: z.record(z.string(), SecurityConfiguration).default({}),
  /** Keyed by the reference the cluster used (name or ARN). */
  instanceProfiles: z.record(z.string(), InstanceProfile).default({}),
  /** Instance-profile roles, keyed by role name. */
  roles: z.record(z.string(), Role).default({}),
  /** Service roles, keyed by the name or ARN the cluster gave. */
  serviceRoles: z.record(z.string(), ServiceRole).default({}),
  /** Managed policies (attached and permissions boundaries), keyed by ARN. */
  managedPolicies: z.record(z.string(), ManagedPolicy).default({}),
  /** Keyed by EC2 instance id. */
  ec2Instances: z.record(z.string(), Ec2Instance).default({}),
  /**
   * Keyed by EC2 instance id; only registered instances appear. `ssmQueried` lists every id that
   * was asked about successfully, so "absent from SSM" can be told apart from "not asked".
   */
  ssmInstances: z.record(z.string(), SsmInstance).default({}),
  ssmQueried: z.array(z.string()).default([]),
  blockPublicAccess: BlockPublicAccess.optional(),
  defaultHostManagement: DefaultHostManagement.optional(),
  /** Every release label ListReleaseLabels returned (all pages). */
  releaseLabels: z.array(z.string()).optional(),
  /**
   * Subnets, route tables and network ACLs on the path from the internet to the nodes with a
   * public address (read fresh every run); absent when not collected (older snapshots, or no
   * check that needs it). Failures are `subnet` / `vpc` errors.
   */
  vpc: RegionVpcData.optional(),
  errors: z.array(CollectionError).default([]),
  collection: CollectionStats.optional(),
});
export type RegionSnapshot = z.infer<typeof RegionSnapshot>;

export const Snapshot = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  /** ISO time the collection started: the "now" of an offline evaluation. */
  collectedAt: z.string(),
  accountId: z.string(),
  partition: z.string().default('aws'),
  /**
   * The scope the snapshot was collected for. A cluster-restricted collection must not be read as
   * "these are all the clusters" (e.g. by `network/shared-managed-security-group`).
   */
  scope: z
    .object({ clusterIds: z.array(z.string()).optional() })
    .default({}),
  regions: z.array(RegionSnapshot),
});
export type Snapshot = z.infer<typeof Snapshot>;
export type SnapshotInput = z.input<typeof Snapshot>;

/** Parse untrusted JSON (a file, an event) into a snapshot, with a one-line reason on failure. */
export function parseSnapshot(json: unknown): { ok: true; snapshot: Snapshot } | { ok: false; reason: string } {
  const parsed = Snapshot.safeParse(json);
  if (parsed.success) return { ok: true, snapshot: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { ok: false, reason: `${where}: ${issue?.message ?? 'invalid snapshot'}` };
}

export function emptyRegion(region: string): RegionSnapshot {
  return RegionSnapshot.parse({ region, clusters: [] });
}
