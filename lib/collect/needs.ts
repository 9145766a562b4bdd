/**
 * Which data a run collects, derived from the permissions the selected checks declare: a kind of
 * data is fetched only when some check reads it, so a run restricted to a few checks makes only the
 * calls they need (and needs only their permissions). ListClusters and DescribeCluster always run.
 */
import type { CheckMeta } from '../../checks/contract.js';

export interface DataNeeds {
  /**
   * The clusters' nodes: one DescribeInstances by EMR's system tag per region (ListInstances +
   * ListInstanceGroups/ListInstanceFleets only for a cluster whose nodes carry no tag).
   */
  instances: boolean;
  securityGroups: boolean;
  /** The managed prefix lists the groups' rules name, and the entries of customer-managed ones. */
  prefixLists: boolean;
  securityConfigurations: boolean;
  /** DescribeInstances for the RUNNING instances. */
  ec2Instances: boolean;
  /** Instance profile → role → inline and managed policies (and the boundary). */
  instanceProfiles: boolean;
  /** The service role's attached policy ARNs. */
  serviceRoles: boolean;
  /** DescribeInstanceInformation for the RUNNING instances. */
  ssmInstances: boolean;
  defaultHostManagement: boolean;
  blockPublicAccess: boolean;
  releaseLabels: boolean;
  /**
   * The path from the internet to the nodes with a public address: their subnets, and the route
   * tables and network ACLs of their VPCs (one set of calls per region and run), plus the nodes'
   * own security groups where the cluster's groups do not name them.
   */
  vpc: boolean;
}

export const ALL_DATA: Readonly<DataNeeds> = {
  instances: true,
  securityGroups: true,
  prefixLists: true,
  securityConfigurations: true,
  ec2Instances: true,
  instanceProfiles: true,
  serviceRoles: true,
  ssmInstances: true,
  defaultHostManagement: true,
  blockPublicAccess: true,
  releaseLabels: true,
  vpc: true,
};

/** IAM actions the collectors call whatever checks run (the Lambda role adds what the data needs). */
export const COLLECTOR_BASE_PERMISSIONS: readonly string[] = [
  'elasticmapreduce:ListClusters',
  'elasticmapreduce:DescribeCluster',
  'elasticmapreduce:ListInstanceGroups',
  'elasticmapreduce:ListInstanceFleets',
  // Cluster tags account-wide, for the clusters known from the state store (never taken from it).
  'tag:GetResources',
  // sts:GetCallerIdentity needs no permission (AWS allows it to every principal).
];

/** What reading an instance profile's role and every policy in force for it costs. */
export const INSTANCE_PROFILE_PERMISSIONS = [
  'iam:GetInstanceProfile',
  'iam:GetRole',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
] as const;

/** What reading the path from the internet to the nodes costs (besides the nodes and groups themselves). */
export const VPC_PERMISSIONS = ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'] as const;

/** Every action each kind of data costs, including the follow-up calls checks do not name. */
const PERMISSIONS_OF: Record<keyof DataNeeds, readonly string[]> = {
  instances: ['ec2:DescribeInstances', 'elasticmapreduce:ListInstances', 'elasticmapreduce:ListInstanceGroups', 'elasticmapreduce:ListInstanceFleets'],
  securityGroups: ['ec2:DescribeSecurityGroups'],
  prefixLists: ['ec2:DescribeSecurityGroups', 'ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries'],
  securityConfigurations: ['elasticmapreduce:DescribeSecurityConfiguration'],
  ec2Instances: ['ec2:DescribeInstances'],
  instanceProfiles: INSTANCE_PROFILE_PERMISSIONS,
  serviceRoles: ['iam:ListAttachedRolePolicies'],
  ssmInstances: ['ssm:DescribeInstanceInformation'],
  defaultHostManagement: ['ssm:GetServiceSetting'],
  blockPublicAccess: ['elasticmapreduce:GetBlockPublicAccessConfiguration'],
  releaseLabels: ['elasticmapreduce:ListReleaseLabels'],
  // The path starts at EC2's view of each node (subnet, VPC, addresses, groups).
  vpc: [...VPC_PERMISSIONS, 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups'],
};

type PermissionHolder = Pick<CheckMeta, 'permissions'>;

/** The data the given checks read; without checks, everything. */
export function dataNeeds(checks?: readonly PermissionHolder[]): DataNeeds {
  if (!checks) return { ...ALL_DATA };
  const declared = checks.map((c) => new Set(c.permissions.map((p) => p.toLowerCase())));
  const any = (action: string): boolean => declared.some((set) => set.has(action.toLowerCase()));
  // Any one of the three: a check reading only the route (or only the ACL) still needs the subnet to find it.
  const vpc = VPC_PERMISSIONS.some(any);
  // Which subnet and VPC a node is in, and whether it has a public address, is EC2's view of it.
  const ec2Instances = any('ec2:DescribeInstances') || vpc;
  const ssmInstances = any('ssm:DescribeInstanceInformation');
  const prefixLists = any('ec2:DescribeManagedPrefixLists') || any('ec2:GetManagedPrefixListEntries');
  return {
    // EC2 and SSM are asked about the nodes' EC2 ids, which the node query gives.
    instances: any('elasticmapreduce:ListInstances') || ec2Instances || ssmInstances,
    // Prefix lists are named by the groups' rules, so reading them needs the groups; a path ends at
    // the node's security groups.
    securityGroups: any('ec2:DescribeSecurityGroups') || prefixLists || vpc,
    prefixLists,
    securityConfigurations: any('elasticmapreduce:DescribeSecurityConfiguration'),
    ec2Instances,
    instanceProfiles: any('iam:GetInstanceProfile'),
    // Instance-profile checks declare ListAttachedRolePolicies too (for the profile's role); only a
    // check that reads attached policies without an instance profile is about the service role.
    serviceRoles: declared.some((set) => set.has('iam:listattachedrolepolicies') && !set.has('iam:getinstanceprofile')),
    ssmInstances,
    defaultHostManagement: any('ssm:GetServiceSetting'),
    blockPublicAccess: any('elasticmapreduce:GetBlockPublicAccessConfiguration'),
    releaseLabels: any('elasticmapreduce:ListReleaseLabels'),
    vpc,
  };
}

/**
 * Every IAM action a collection for these checks calls: the base, the checks' own, and the
 * follow-up calls of the data they need (e.g. GetPolicyVersion behind GetInstanceProfile).
 */
export function collectionPermissions(checks?: readonly PermissionHolder[]): string[] {
  const needs = dataNeeds(checks);
  const actions = new Set<string>(COLLECTOR_BASE_PERMISSIONS);
  for (const c of checks ?? []) for (const p of c.permissions) actions.add(p);
  for (const [kind, needed] of Object.entries(needs) as Array<[keyof DataNeeds, boolean]>) {
    if (needed) for (const p of PERMISSIONS_OF[kind]) actions.add(p);
  }
  return [...actions].sort();
}
