/**
 * An in-memory AWS account for tests and benchmarks: a small model (clusters with instances,
 * security groups, security configurations, IAM profiles/roles/policies, SSM registrations,
 * account settings) answered with the real APIs' semantics that the collectors depend on —
 * paging, state filters, NotFound for missing ids, URL-encoded policy documents, secrets in
 * DescribeCluster — plus injected failures, throttling, latency and per-API rate limits.
 *
 * Two wirings:
 * - `mock()` stubs the SDK clients with aws-sdk-client-mock (call counts with
 *   `mocks.ec2.commandCalls(DescribeSecurityGroupsCommand).length`); use `clients()` for the
 *   `AwsClients` to collect with. The stub replaces `send`, so the SDK's retry does not run.
 * - `sdkClients()` builds real SDK clients whose middleware stack answers from the model just
 *   before the HTTP layer: the SDK's own retry (and abort) logic runs, with a fast retry strategy.
 *   Do not combine with an active `mock()` (call `mocks.restore()` first).
 * Every call, in both wirings, is recorded in `calls` (`count('iam:GetRole')`).
 *
 *   const fake = new FakeAccount().withDefaults();
 *   fake.addCluster(FakeAccount.standardCluster('j-1', { instances: FakeAccount.nodes('j-1', 2, 1) }));
 *   fake.fail('iam:GetRole', { code: 'AccessDenied', when: (input) => input.RoleName === 'x' });
 *   const mocks = fake.mock();            // afterEach: mocks.restore()
 *   await collectSnapshot({ ..., clients: fake.clients() });
 */
import {
  EC2Client,
  EC2ServiceException,
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkAclsCommand,
  DescribeRegionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  GetManagedPrefixListEntriesCommand,
} from '@aws-sdk/client-ec2';
import type {
  EC2ClientResolvedConfig,
  ServiceInputTypes as Ec2In,
  ServiceOutputTypes as Ec2Out,
  DescribeInstancesCommandInput,
  DescribeManagedPrefixListsCommandInput,
  DescribeNetworkAclsCommandInput,
  DescribeRouteTablesCommandInput,
  DescribeSecurityGroupsCommandInput,
  DescribeSubnetsCommandInput,
  GetManagedPrefixListEntriesCommandInput,
  Filter as Ec2Filter,
  Instance as Ec2Instance,
  IpPermission,
  NetworkAcl as Ec2NetworkAcl,
  NetworkAclEntry as Ec2NetworkAclEntry,
  RouteTable as Ec2RouteTable,
  SecurityGroup as Ec2SecurityGroup,
  Subnet as Ec2Subnet,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeSecurityConfigurationCommand,
  EMRClient,
  EMRServiceException,
  GetBlockPublicAccessConfigurationCommand,
  ListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstanceGroupsCommand,
  ListInstancesCommand,
  ListReleaseLabelsCommand,
} from '@aws-sdk/client-emr';
import type {
  EMRClientResolvedConfig,
  ServiceInputTypes as EmrIn,
  ServiceOutputTypes as EmrOut,
  BlockPublicAccessConfiguration,
  ClusterState,
  Configuration,
  DescribeClusterCommandInput,
  DescribeSecurityConfigurationCommandInput,
  InstanceState,
  KerberosAttributes,
  ListClustersCommandInput,
  ListInstanceFleetsCommandInput,
  ListInstanceGroupsCommandInput,
  ListInstancesCommandInput,
  ListReleaseLabelsCommandInput,
} from '@aws-sdk/client-emr';
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import type {
  IAMClientResolvedConfig,
  ServiceInputTypes as IamIn,
  ServiceOutputTypes as IamOut,
  GetInstanceProfileCommandInput,
  GetPolicyCommandInput,
  GetPolicyVersionCommandInput,
  GetRoleCommandInput,
  GetRolePolicyCommandInput,
  ListAttachedRolePoliciesCommandInput,
  ListRolePoliciesCommandInput,
} from '@aws-sdk/client-iam';
import { DescribeInstanceInformationCommand, GetServiceSettingCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import type {
  DescribeInstanceInformationCommandInput,
  GetServiceSettingCommandInput,
  SSMClientResolvedConfig,
  ServiceInputTypes as SsmIn,
  ServiceOutputTypes as SsmOut,
} from '@aws-sdk/client-ssm';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, ResourceGroupsTaggingAPIServiceException } from '@aws-sdk/client-resource-groups-tagging-api';
import type { GetResourcesCommandInput, ResourceGroupsTaggingAPIClientResolvedConfig, ServiceInputTypes as TagIn, ServiceOutputTypes as TagOut } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { GetObjectCommandInput, PutObjectCommandInput, S3ClientResolvedConfig, ServiceInputTypes as S3In, ServiceOutputTypes as S3Out } from '@aws-sdk/client-s3';
import { EventBridgeClient, EventBridgeServiceException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeClientResolvedConfig, PutEventsCommandInput, ServiceInputTypes as EventsIn, ServiceOutputTypes as EventsOut } from '@aws-sdk/client-eventbridge';
import { createHash } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import type { STSClientResolvedConfig, ServiceInputTypes as StsIn, ServiceOutputTypes as StsOut } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { AwsClients, RegionClients } from '../../lib/aws/clients.js';
import { ACCOUNT, REGION } from './fixtures.js';

export { ACCOUNT, REGION };

// ---------------------------------------------------------------- model

export type NodeRole = 'MASTER' | 'CORE' | 'TASK';

export interface FakeInstance {
  /** EMR instance id; default `ci-<cluster>-<n>`. */
  id?: string;
  /** EC2 instance id; default `i-<cluster>-<n>`. */
  ec2Id?: string;
  role: NodeRole;
  /** EMR state; default RUNNING. */
  state?: InstanceState;
  /** Public IPv4 that ListInstances and EC2 both report. */
  publicIp?: string;
  /** An Elastic IP associated after launch: EC2's PublicIpAddress only (ListInstances does not see it). */
  elasticIp?: string;
  /** IPv6 addresses of the instance's network interface (EC2 only). */
  ipv6?: string[];
  privateIp?: string;
  instanceType?: string;
  /** EC2 MetadataOptions.HttpTokens; default `required`. */
  httpTokens?: 'required' | 'optional';
  launchTime?: Date;
  /** SSM registration; absent: not registered. */
  ssm?: { pingStatus: string; lastPing?: Date; agentVersion?: string; isLatestVersion?: boolean };
  /** False: the EC2 instance lacks EMR's system tags (an emulator); default true, as EMR tags every node. */
  systemTags?: boolean;
  /** EC2 SubnetId; default the cluster's subnet, else `subnet-1` (the region's default public subnet). */
  subnetId?: string;
  /** EC2 VpcId; default the subnet's VPC in the model, else `vpc-1`. */
  vpcId?: string;
  /** The groups on the instance's interface; default what EMR attaches: the master (resp. slave) group and the additional ones. */
  securityGroups?: string[];
}

export interface FakeCluster {
  id: string;
  name?: string;
  /** Default `us-east-1`. */
  region?: string;
  /** Default WAITING. */
  state?: ClusterState;
  releaseLabel?: string;
  logUri?: string;
  securityConfiguration?: string;
  serviceRole?: string;
  /** Name or ARN. */
  instanceProfile?: string;
  collectionType?: 'INSTANCE_GROUP' | 'INSTANCE_FLEET';
  subnetId?: string;
  masterSg?: string;
  slaveSg?: string;
  serviceAccessSg?: string;
  additionalMasterSgs?: string[];
  additionalSlaveSgs?: string[];
  masterPublicDnsName?: string;
  /** Returned by DescribeCluster as AWS does, passwords included: the collectors must drop them. */
  kerberos?: KerberosAttributes;
  /** Returned by DescribeCluster as AWS does (often with database passwords). */
  configurations?: Configuration[];
  /** DescribeCluster `Applications[].Name`; default `Spark`. */
  applications?: string[];
  tags?: Record<string, string>;
  createdAt?: Date;
  instances?: FakeInstance[];
}

/** A security group as EC2 returns it (IpPermissions in the SDK's shape). */
export interface FakeSecurityGroup {
  groupId: string;
  groupName?: string;
  vpcId?: string;
  ownerId?: string;
  ipPermissions?: IpPermission[];
  /** Default the fake's default region. */
  region?: string;
}

/** A managed prefix list as EC2 describes it, with its entries. */
export interface FakePrefixList {
  prefixListId: string;
  name: string;
  /** Default the account; `AWS` for AWS-managed lists. */
  ownerId?: string;
  addressFamily?: 'IPv4' | 'IPv6';
  entries: Array<{ Cidr: string; Description?: string }>;
  /** Default the fake's default region. */
  region?: string;
}

/** A subnet as EC2 describes it (SDK shape). */
export type FakeSubnet = Ec2Subnet & { SubnetId: string; VpcId: string; region?: string };
/** A route table as EC2 describes it (SDK shape: Associations with Main / SubnetId, Routes). */
export type FakeRouteTable = Ec2RouteTable & { RouteTableId: string; VpcId: string; region?: string };
/**
 * A network ACL as EC2 describes it. List only explicit associations: like EC2, the default ACL of
 * a VPC is answered associated with every subnet of it that no other ACL names.
 */
export type FakeNetworkAcl = Ec2NetworkAcl & { NetworkAclId: string; VpcId: string; region?: string };

/** Every region's default network: vpc-1, public subnet-1, main route table to igw-1, default ACL allowing all. */
export const DEFAULT_VPC = 'vpc-1';
export const DEFAULT_SUBNET = 'subnet-1';

/** A network ACL's entries allowing everything in and out (IPv4 and IPv6), and the final denies EC2 always lists. */
export function allowAllEntries(): Ec2NetworkAclEntry[] {
  const entries: Ec2NetworkAclEntry[] = [];
  for (const Egress of [false, true]) {
    entries.push(
      { RuleNumber: 100, Egress, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 101, Egress, Protocol: '-1', RuleAction: 'allow', Ipv6CidrBlock: '::/0' },
      { RuleNumber: 32767, Egress, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32768, Egress, Protocol: '-1', RuleAction: 'deny', Ipv6CidrBlock: '::/0' },
    );
  }
  return entries;
}

export interface FakeRole {
  attached?: string[];
  /** Inline policies: documents as objects (or raw JSON strings); served URL-encoded like IAM. */
  inline?: Record<string, object | string>;
  boundary?: string;
  path?: string;
}

export interface FakePolicy {
  document: object | string;
  name?: string;
  defaultVersionId?: string;
}

interface RegionModel {
  clusters: FakeCluster[];
  groups: Map<string, FakeSecurityGroup>;
  prefixLists: Map<string, FakePrefixList>;
  securityConfigurations: Map<string, string>;
  /** undefined: the API answers without a configuration. */
  blockPublicAccess: BlockPublicAccessConfiguration | undefined;
  /** The DHMC setting value; null: unset ($None); 'NotFound': ServiceSettingNotFound. */
  defaultHostManagement: string | null;
  releaseLabels: string[];
  subnets: Map<string, FakeSubnet>;
  routeTables: Map<string, FakeRouteTable>;
  networkAcls: Map<string, FakeNetworkAcl>;
}

export interface FailureRule {
  code: string;
  message?: string;
  /** Only the first N matching calls fail; default every call. */
  times?: number;
  /** Restrict to some inputs/regions. */
  when?: (input: Readonly<Record<string, unknown>>, region: string) => boolean;
}

export interface RateLimit {
  burst: number;
  perSecond: number;
}

export interface FakeAccountOptions {
  accountId?: string;
  /** Region of clusters/groups/settings given without one. */
  defaultRegion?: string;
  /** Simulated latency of every call (ms). */
  latencyMs?: number;
  /** Per-API token buckets (`service:Operation`): over the limit, calls are throttled. */
  rateLimits?: Record<string, RateLimit>;
  /** Page sizes per API (`service:Operation`), overriding AWS's. */
  pageSizes?: Record<string, number>;
}

export interface RecordedCall {
  api: string;
  region: string;
  input: Readonly<Record<string, unknown>>;
}

const THROTTLE_CODE: Record<string, string> = {
  elasticmapreduce: 'ThrottlingException',
  ec2: 'RequestLimitExceeded',
  iam: 'Throttling',
  ssm: 'ThrottlingException',
  sts: 'Throttling',
  tag: 'ThrottlingException',
  events: 'ThrottlingException',
  s3: 'SlowDown',
};

/** AWS's own page sizes, where fixed. */
const DEFAULT_PAGE: Record<string, number> = {
  'elasticmapreduce:ListClusters': 50,
  'elasticmapreduce:ListInstances': 50,
  'elasticmapreduce:ListInstanceGroups': 50,
  'elasticmapreduce:ListInstanceFleets': 50,
  'elasticmapreduce:ListReleaseLabels': 20,
  'iam:ListAttachedRolePolicies': 100,
  'iam:ListRolePolicies': 100,
};

type Input = object;
type Handler = (input: Input, region: string) => unknown;

/** Regions DescribeRegions lists as enabled without opting in (a commercial account's usual set). */
const STANDARD_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'];
/** Opt-in regions: `not-opted-in` unless the test models them. */
const OPT_IN_REGIONS = ['af-south-1', 'ap-east-1', 'eu-south-1', 'me-south-1'];

export class FakeAccount {
  readonly accountId: string;
  readonly defaultRegion: string;
  readonly calls: RecordedCall[] = [];
  private readonly regions = new Map<string, RegionModel>();
  private readonly profiles = new Map<string, { roles: string[]; path: string }>();
  private readonly roles = new Map<string, FakeRole>();
  private readonly policies = new Map<string, FakePolicy>();
  private readonly failures = new Map<string, FailureRule[]>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly handlers: Record<string, Handler>;
  /** S3 objects by `bucket/key`, with their ETag (the state store's backend). */
  readonly objects = new Map<string, { body: Uint8Array; etag: string }>();
  /** Regions DescribeRegions leaves out (not offered to the account). */
  readonly disabledRegions = new Set<string>();
  /** Every PutEvents entry sent to EventBridge. */
  readonly events: Array<{ Source?: string; DetailType?: string; Detail?: string; EventBusName?: string }> = [];

  constructor(private readonly options: FakeAccountOptions = {}) {
    this.accountId = options.accountId ?? ACCOUNT;
    this.defaultRegion = options.defaultRegion ?? REGION;
    this.handlers = this.buildHandlers();
  }

  // ---------------------------------------------------------------- building the model

  region(name: string = this.defaultRegion): RegionModel {
    let r = this.regions.get(name);
    if (!r) {
      r = {
        clusters: [],
        groups: new Map(),
        prefixLists: new Map(),
        securityConfigurations: new Map(),
        blockPublicAccess: { BlockPublicSecurityGroupRules: true, PermittedPublicSecurityGroupRuleRanges: [{ MinRange: 22, MaxRange: 22 }] },
        defaultHostManagement: null,
        releaseLabels: ['emr-7.5.0', 'emr-7.4.0', 'emr-6.15.0'],
        subnets: new Map(),
        routeTables: new Map(),
        networkAcls: new Map(),
      };
      this.regions.set(name, r);
      // Every region starts with a public default network, so a node with a public address is on a
      // complete path unless a test says otherwise.
      r.subnets.set(DEFAULT_SUBNET, { SubnetId: DEFAULT_SUBNET, VpcId: DEFAULT_VPC, AvailabilityZone: `${name}a`, CidrBlock: '10.0.0.0/24', MapPublicIpOnLaunch: true, AssignIpv6AddressOnCreation: false, State: 'available', OwnerId: this.accountId });
      r.routeTables.set('rtb-1', {
        RouteTableId: 'rtb-1',
        VpcId: DEFAULT_VPC,
        OwnerId: this.accountId,
        Associations: [{ Main: true, RouteTableAssociationId: 'rtbassoc-main', RouteTableId: 'rtb-1', AssociationState: { State: 'associated' } }],
        Routes: [
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
          { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active', Origin: 'CreateRoute' },
        ],
      });
      r.networkAcls.set('acl-1', { NetworkAclId: 'acl-1', VpcId: DEFAULT_VPC, IsDefault: true, OwnerId: this.accountId, Associations: [], Entries: allowAllEntries() });
    }
    return r;
  }

  /**
   * Adds a cluster (default state WAITING, region the default one). Fields left out are absent
   * from DescribeCluster's answer too — no instance profile, no security groups — so use
   * `standardCluster()` for a cluster wired to the resources of `withDefaults()`.
   */
  addCluster(cluster: FakeCluster): this {
    this.region(cluster.region).clusters.push(cluster);
    return this;
  }

  /** A cluster using what `withDefaults()` creates: its groups, instance profile and service role; 1 MASTER + 1 CORE. */
  static standardCluster(id: string, overrides: Partial<FakeCluster> = {}): FakeCluster {
    return {
      id,
      name: `cluster-${id}`,
      releaseLabel: 'emr-7.5.0',
      logUri: 's3://logs/',
      serviceRole: 'EMR_DefaultRole_V2',
      instanceProfile: 'EMR_EC2_DefaultRole',
      masterSg: 'sg-master',
      slaveSg: 'sg-slave',
      instances: FakeAccount.nodes(id, 1),
      ...overrides,
    };
  }

  /** Standard instances for a cluster: one MASTER, `core` CORE, `task` TASK, all RUNNING. */
  static nodes(clusterId: string, core = 1, task = 0, extra: Partial<FakeInstance> = {}): FakeInstance[] {
    const roles: NodeRole[] = ['MASTER', ...Array<NodeRole>(core).fill('CORE'), ...Array<NodeRole>(task).fill('TASK')];
    return roles.map((role, n) => ({ id: `ci-${clusterId}-${n}`, ec2Id: `i-${clusterId.toLowerCase()}-${n}`, role, ...extra }));
  }

  addSecurityGroup(group: FakeSecurityGroup): this {
    this.region(group.region).groups.set(group.groupId, group);
    return this;
  }

  /** Adds (or replaces) a subnet. */
  addSubnet(subnet: FakeSubnet): this {
    this.region(subnet.region).subnets.set(subnet.SubnetId, { State: 'available', OwnerId: this.accountId, ...subnet });
    return this;
  }

  /** Adds (or replaces) a route table; a `Main` association replaces the VPC's main table. */
  addRouteTable(table: FakeRouteTable): this {
    const r = this.region(table.region);
    if (table.Associations?.some((a) => a.Main)) {
      for (const [id, t] of r.routeTables) if (t.VpcId === table.VpcId && t.Associations?.some((a) => a.Main)) r.routeTables.delete(id);
    }
    r.routeTables.set(table.RouteTableId, { OwnerId: this.accountId, ...table });
    return this;
  }

  /** Adds (or replaces) a network ACL; an `IsDefault` one replaces the VPC's default ACL. */
  addNetworkAcl(acl: FakeNetworkAcl): this {
    const r = this.region(acl.region);
    if (acl.IsDefault) for (const [id, a] of r.networkAcls) if (a.VpcId === acl.VpcId && a.IsDefault) r.networkAcls.delete(id);
    r.networkAcls.set(acl.NetworkAclId, { OwnerId: this.accountId, ...acl });
    return this;
  }

  addPrefixList(list: FakePrefixList): this {
    this.region(list.region).prefixLists.set(list.prefixListId, list);
    return this;
  }

  addSecurityConfiguration(name: string, configuration: object | string, region?: string): this {
    this.region(region).securityConfigurations.set(name, typeof configuration === 'string' ? configuration : JSON.stringify(configuration));
    return this;
  }

  setBlockPublicAccess(configuration: BlockPublicAccessConfiguration | undefined, region?: string): this {
    this.region(region).blockPublicAccess = configuration;
    return this;
  }

  /** Role name (or path/name) of Default Host Management; null = unset; 'NotFound' = ServiceSettingNotFound. */
  setDefaultHostManagement(value: string | null, region?: string): this {
    this.region(region).defaultHostManagement = value;
    return this;
  }

  setReleaseLabels(labels: string[], region?: string): this {
    this.region(region).releaseLabels = labels;
    return this;
  }

  addInstanceProfile(name: string, roleNames: string[], path = '/'): this {
    this.profiles.set(name, { roles: roleNames, path });
    return this;
  }

  addRole(name: string, role: FakeRole = {}): this {
    this.roles.set(name, role);
    return this;
  }

  addPolicy(arn: string, policy: FakePolicy): this {
    this.policies.set(arn, policy);
    return this;
  }

  /** The resources the default cluster settings refer to (groups, profile, roles, policies). */
  withDefaults(region?: string): this {
    const awsPolicy = (name: string): string => `arn:aws:iam::aws:policy/service-role/${name}`;
    return this.addSecurityGroup({ groupId: 'sg-master', groupName: 'ElasticMapReduce-master', vpcId: 'vpc-1', ...(region ? { region } : {}) })
      .addSecurityGroup({ groupId: 'sg-slave', groupName: 'ElasticMapReduce-slave', vpcId: 'vpc-1', ...(region ? { region } : {}) })
      .addInstanceProfile('EMR_EC2_DefaultRole', ['EMR_EC2_DefaultRole'])
      .addRole('EMR_EC2_DefaultRole', { attached: [awsPolicy('AmazonElasticMapReduceforEC2Role')] })
      .addRole('EMR_DefaultRole_V2', { attached: [awsPolicy('AmazonEMRServicePolicy_v2')] })
      .addPolicy(awsPolicy('AmazonElasticMapReduceforEC2Role'), {
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'sqs:*'], Resource: '*' }] },
        defaultVersionId: 'v3',
      })
      .addPolicy(awsPolicy('AmazonEMRServicePolicy_v2'), {
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] },
      });
  }

  // ---------------------------------------------------------------- failures

  /** Makes calls of `api` (`service:Operation`) fail with `code`. */
  fail(api: string, rule: FailureRule): this {
    const list = this.failures.get(api) ?? [];
    list.push({ ...rule });
    this.failures.set(api, list);
    return this;
  }

  /** The first `times` calls of `api` are throttled with the service's throttling code. */
  throttle(api: string, times: number): this {
    return this.fail(api, { code: THROTTLE_CODE[api.split(':')[0]!] ?? 'ThrottlingException', message: 'Rate exceeded', times });
  }

  count(api: string, region?: string): number {
    return this.calls.filter((c) => c.api === api && (region === undefined || c.region === region)).length;
  }

  // ---------------------------------------------------------------- answering

  /** Answers one call as AWS would (throws an SDK service exception on failure). */
  async handle(api: string, input: Input, region: string): Promise<unknown> {
    const record = input as Readonly<Record<string, unknown>>;
    this.calls.push({ api, region, input: record });
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    this.rateLimit(api, region);
    for (const rule of this.failures.get(api) ?? []) {
      if (rule.when && !rule.when(record, region)) continue;
      if (rule.times !== undefined) {
        if (rule.times <= 0) continue;
        rule.times -= 1;
      }
      throw awsError(api, rule.code, rule.message ?? `${rule.code} for ${api}`);
    }
    const handler = this.handlers[api];
    if (!handler) throw awsError(api, 'UnknownOperationException', `The fake account does not implement ${api}.`);
    return handler(input, region);
  }

  private rateLimit(api: string, region: string): void {
    const limit = this.options.rateLimits?.[api];
    if (!limit) return;
    const key = api.startsWith('iam:') ? api : `${region}:${api}`;
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) throw awsError(api, THROTTLE_CODE[api.split(':')[0]!] ?? 'ThrottlingException', 'Rate exceeded');
    bucket.tokens -= 1;
  }

  private pageSize(api: string, requested?: unknown): number {
    const configured = this.options.pageSizes?.[api] ?? DEFAULT_PAGE[api] ?? 1000;
    return typeof requested === 'number' ? Math.min(configured, requested) : configured;
  }

  private page<T>(api: string, items: readonly T[], token: unknown, maxResults?: unknown): { items: T[]; next?: string } {
    const start = typeof token === 'string' ? Number(token.replace(/^page-/, '')) : 0;
    const size = this.pageSize(api, maxResults);
    const slice = items.slice(start, start + size);
    return start + size < items.length ? { items: slice, next: `page-${start + size}` } : { items: slice };
  }

  private clusterIn(region: string, id: unknown, api: string): FakeCluster {
    const c = this.region(region).clusters.find((x) => x.id === id);
    if (!c) throw awsError(api, 'InvalidRequestException', `Cluster id '${String(id)}' is not valid.`);
    return c;
  }

  private instancesOf(c: FakeCluster): Array<Required<Pick<FakeInstance, 'id' | 'ec2Id' | 'role'>> & FakeInstance> {
    return (c.instances ?? []).map((i, n) => ({ ...i, id: i.id ?? `ci-${c.id}-${n}`, ec2Id: i.ec2Id ?? `i-${c.id.toLowerCase()}-${n}`, role: i.role }));
  }

  private groupIdOf(c: FakeCluster, role: NodeRole): string {
    return `${c.collectionType === 'INSTANCE_FLEET' ? 'if' : 'ig'}-${c.id}-${role.toLowerCase()}`;
  }

  private arnOf(kind: 'role' | 'instance-profile', name: string, path = '/'): string {
    return `arn:aws:iam::${this.accountId}:${kind}${path}${name}`;
  }

  private buildHandlers(): Record<string, Handler> {
    const emr: Record<string, Handler> = {
      ListClusters: (input, region) => {
        const i = input as ListClustersCommandInput;
        const states = i.ClusterStates;
        const clusters = this.region(region)
          .clusters.filter((c) => !states || states.includes(c.state ?? 'WAITING'))
          .map((c) => ({
            Id: c.id,
            Name: c.name ?? c.id,
            Status: { State: c.state ?? 'WAITING', Timeline: { CreationDateTime: c.createdAt ?? new Date('2026-11-23T10:00:00Z') } },
            ClusterArn: `arn:aws:elasticmapreduce:${region}:${this.accountId}:cluster/${c.id}`,
          }));
        const p = this.page('elasticmapreduce:ListClusters', clusters, i.Marker);
        return { Clusters: p.items, Marker: p.next };
      },
      DescribeCluster: (input, region) => {
        const c = this.clusterIn(region, (input as DescribeClusterCommandInput).ClusterId, 'elasticmapreduce:DescribeCluster');
        return {
          Cluster: {
            Id: c.id,
            Name: c.name ?? c.id,
            Status: { State: c.state ?? 'WAITING', Timeline: { CreationDateTime: c.createdAt ?? new Date('2026-11-23T10:00:00Z') } },
            ClusterArn: `arn:aws:elasticmapreduce:${region}:${this.accountId}:cluster/${c.id}`,
            ReleaseLabel: c.releaseLabel,
            LogUri: c.logUri,
            SecurityConfiguration: c.securityConfiguration,
            ServiceRole: c.serviceRole,
            InstanceCollectionType: c.collectionType ?? 'INSTANCE_GROUP',
            MasterPublicDnsName: c.masterPublicDnsName,
            Ec2InstanceAttributes: {
              IamInstanceProfile: c.instanceProfile,
              Ec2SubnetId: c.subnetId,
              EmrManagedMasterSecurityGroup: c.masterSg,
              EmrManagedSlaveSecurityGroup: c.slaveSg,
              ServiceAccessSecurityGroup: c.serviceAccessSg,
              AdditionalMasterSecurityGroups: c.additionalMasterSgs ?? [],
              AdditionalSlaveSecurityGroups: c.additionalSlaveSgs ?? [],
            },
            KerberosAttributes: c.kerberos,
            Configurations: c.configurations,
            Tags: Object.entries(c.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
            Applications: (c.applications ?? ['Spark']).map((Name) => ({ Name, Version: '1.0.0' })),
          },
        };
      },
      ListInstances: (input, region) => {
        const i = input as ListInstancesCommandInput;
        const c = this.clusterIn(region, i.ClusterId, 'elasticmapreduce:ListInstances');
        const fleet = c.collectionType === 'INSTANCE_FLEET';
        const instances = this.instancesOf(c)
          .filter((x) => !i.InstanceStates || i.InstanceStates.includes(x.state ?? 'RUNNING'))
          .map((x) => ({
            Id: x.id,
            Ec2InstanceId: x.ec2Id,
            PublicIpAddress: x.publicIp,
            PrivateIpAddress: x.privateIp ?? '10.0.0.10',
            Status: { State: x.state ?? 'RUNNING', Timeline: { CreationDateTime: x.launchTime ?? new Date('2026-11-23T10:00:00Z') } },
            ...(fleet ? { InstanceFleetId: this.groupIdOf(c, x.role) } : { InstanceGroupId: this.groupIdOf(c, x.role) }),
            InstanceType: (x.instanceType ?? 'm5.xlarge') as Ec2Instance['InstanceType'],
            Market: 'ON_DEMAND',
          }));
        const p = this.page('elasticmapreduce:ListInstances', instances, i.Marker);
        return { Instances: p.items, Marker: p.next };
      },
      ListInstanceGroups: (input, region) => {
        const i = input as ListInstanceGroupsCommandInput;
        const c = this.clusterIn(region, i.ClusterId, 'elasticmapreduce:ListInstanceGroups');
        if (c.collectionType === 'INSTANCE_FLEET') throw awsError('elasticmapreduce:ListInstanceGroups', 'InvalidRequestException', 'Instance groups are not supported for this cluster.');
        const roles = [...new Set(this.instancesOf(c).map((x) => x.role))];
        const p = this.page('elasticmapreduce:ListInstanceGroups', roles, i.Marker);
        return { InstanceGroups: p.items.map((r) => ({ Id: this.groupIdOf(c, r), InstanceGroupType: r, Name: r })), Marker: p.next };
      },
      ListInstanceFleets: (input, region) => {
        const i = input as ListInstanceFleetsCommandInput;
        const c = this.clusterIn(region, i.ClusterId, 'elasticmapreduce:ListInstanceFleets');
        if (c.collectionType !== 'INSTANCE_FLEET') throw awsError('elasticmapreduce:ListInstanceFleets', 'InvalidRequestException', 'Instance fleets are not supported for this cluster.');
        const roles = [...new Set(this.instancesOf(c).map((x) => x.role))];
        const p = this.page('elasticmapreduce:ListInstanceFleets', roles, i.Marker);
        return { InstanceFleets: p.items.map((r) => ({ Id: this.groupIdOf(c, r), InstanceFleetType: r, Name: r })), Marker: p.next };
      },
      DescribeSecurityConfiguration: (input, region) => {
        const name = (input as DescribeSecurityConfigurationCommandInput).Name ?? '';
        const json = this.region(region).securityConfigurations.get(name);
        if (json === undefined) throw awsError('elasticmapreduce:DescribeSecurityConfiguration', 'InvalidRequestException', `Security configuration with name '${name}' does not exist.`);
        return { Name: name, SecurityConfiguration: json, CreationDateTime: new Date('2026-01-01T00:00:00Z') };
      },
      GetBlockPublicAccessConfiguration: (_input, region) => {
        const cfg = this.region(region).blockPublicAccess;
        return cfg ? { BlockPublicAccessConfiguration: cfg, BlockPublicAccessConfigurationMetadata: { CreatedByArn: `arn:aws:iam::${this.accountId}:root` } } : {};
      },
      ListReleaseLabels: (input, region) => {
        const i = input as ListReleaseLabelsCommandInput;
        const p = this.page('elasticmapreduce:ListReleaseLabels', this.region(region).releaseLabels, i.NextToken, i.MaxResults);
        return { ReleaseLabels: p.items, NextToken: p.next };
      },
    };

    const ec2: Record<string, Handler> = {
      // AllRegions: the standard regions enabled, the opt-in ones opted in once modelled.
      DescribeRegions: () => ({
        Regions: [...new Set([...STANDARD_REGIONS, ...OPT_IN_REGIONS, ...this.regions.keys()])]
          .filter((name) => !this.disabledRegions.has(name))
          .map((name) => ({
            RegionName: name,
            Endpoint: `ec2.${name}.amazonaws.com`,
            OptInStatus: !OPT_IN_REGIONS.includes(name) ? 'opt-in-not-required' : this.regions.has(name) ? 'opted-in' : 'not-opted-in',
          })),
      }),
      DescribeSecurityGroups: (input, region) => {
        const i = input as DescribeSecurityGroupsCommandInput;
        const groups = this.region(region).groups;
        if (i.GroupIds && i.GroupIds.length > 0) {
          const missing = i.GroupIds.filter((id) => !groups.has(id));
          if (missing.length > 0) {
            throw awsError('ec2:DescribeSecurityGroups', 'InvalidGroup.NotFound', `The security group '${missing.join("', '")}' does not exist`);
          }
        }
        const wanted = idFilter(i.GroupIds, i.Filters, 'group-id');
        const all = [...groups.values()].filter((g) => !wanted || wanted.has(g.groupId)).map((g) => this.toEc2Group(g));
        const p = this.page('ec2:DescribeSecurityGroups', all, i.NextToken, i.MaxResults);
        return { SecurityGroups: p.items, NextToken: p.next };
      },
      DescribeManagedPrefixLists: (input, region) => {
        const i = input as DescribeManagedPrefixListsCommandInput;
        if (i.MaxResults !== undefined && (i.MaxResults < 1 || i.MaxResults > 100)) {
          throw awsError('ec2:DescribeManagedPrefixLists', 'InvalidParameterValue', 'MaxResults must be between 1 and 100.');
        }
        const lists = this.region(region).prefixLists;
        const missing = (i.PrefixListIds ?? []).filter((id) => !lists.has(id));
        if (missing.length > 0) {
          throw awsError('ec2:DescribeManagedPrefixLists', 'InvalidPrefixListID.NotFound', `The prefix list ID '${missing.join("', '")}' does not exist`);
        }
        const wanted = idFilter(i.PrefixListIds, i.Filters, 'prefix-list-id');
        const all = [...lists.values()]
          .filter((l) => !wanted || wanted.has(l.prefixListId))
          .map((l) => ({
            PrefixListId: l.prefixListId,
            PrefixListName: l.name,
            OwnerId: l.ownerId ?? this.accountId,
            AddressFamily: l.addressFamily ?? 'IPv4',
            State: 'create-complete' as const,
            MaxEntries: Math.max(1, l.entries.length),
            Version: 1,
          }));
        const p = this.page('ec2:DescribeManagedPrefixLists', all, i.NextToken, i.MaxResults);
        return { PrefixLists: p.items, NextToken: p.next };
      },
      GetManagedPrefixListEntries: (input, region) => {
        const i = input as GetManagedPrefixListEntriesCommandInput;
        if (i.MaxResults !== undefined && (i.MaxResults < 1 || i.MaxResults > 100)) {
          throw awsError('ec2:GetManagedPrefixListEntries', 'InvalidParameterValue', 'MaxResults must be between 1 and 100.');
        }
        const list = this.region(region).prefixLists.get(i.PrefixListId ?? '');
        if (!list) throw awsError('ec2:GetManagedPrefixListEntries', 'InvalidPrefixListID.NotFound', `The prefix list ID '${i.PrefixListId}' does not exist`);
        const p = this.page('ec2:GetManagedPrefixListEntries', list.entries, i.NextToken, i.MaxResults);
        return { Entries: p.items, NextToken: p.next };
      },
      DescribeSubnets: (input, region) => {
        const i = input as DescribeSubnetsCommandInput;
        const api = 'ec2:DescribeSubnets';
        checkMaxResults(api, i.MaxResults, 5, 1000);
        const subnets = this.region(region).subnets;
        const missing = (i.SubnetIds ?? []).filter((id) => !subnets.has(id));
        if (missing.length > 0) throw awsError(api, 'InvalidSubnetID.NotFound', `The subnet ID '${missing.join("', '")}' does not exist`);
        const wanted = i.SubnetIds && i.SubnetIds.length > 0 ? new Set(i.SubnetIds) : undefined;
        const all = [...subnets.values()]
          .filter((x) => !wanted || wanted.has(x.SubnetId))
          .filter(filtered(api, i.Filters, { 'subnet-id': (x) => [x.SubnetId], 'vpc-id': (x) => [x.VpcId], 'availability-zone': (x) => [x.AvailabilityZone ?? ''] }))
          .map(({ region: _region, ...x }) => x);
        const p = this.page(api, all, i.NextToken, i.MaxResults);
        return { Subnets: p.items, NextToken: p.next };
      },
      DescribeRouteTables: (input, region) => {
        const i = input as DescribeRouteTablesCommandInput;
        const api = 'ec2:DescribeRouteTables';
        checkMaxResults(api, i.MaxResults, 5, 100);
        const all = [...this.region(region).routeTables.values()]
          .filter((x) => !i.RouteTableIds || i.RouteTableIds.length === 0 || i.RouteTableIds.includes(x.RouteTableId))
          .filter(
            filtered(api, i.Filters, {
              'vpc-id': (x) => [x.VpcId],
              'route-table-id': (x) => [x.RouteTableId],
              'association.subnet-id': (x) => (x.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
              'association.main': (x) => [String((x.Associations ?? []).some((a) => a.Main === true))],
            }),
          )
          .map(({ region: _region, ...x }) => x);
        const p = this.page(api, all, i.NextToken, i.MaxResults);
        return { RouteTables: p.items, NextToken: p.next };
      },
      DescribeNetworkAcls: (input, region) => {
        const i = input as DescribeNetworkAclsCommandInput;
        const api = 'ec2:DescribeNetworkAcls';
        checkMaxResults(api, i.MaxResults, 5, 100);
        const model = this.region(region);
        const all = [...model.networkAcls.values()]
          .map(({ region: _region, ...x }): FakeNetworkAcl => {
            if (!x.IsDefault) return x;
            // The default ACL serves, and EC2 lists as associated with it, every subnet no other ACL names.
            const named = new Set([...model.networkAcls.values()].flatMap((a) => (a.Associations ?? []).map((s) => s.SubnetId)));
            const implicit = [...model.subnets.values()].filter((s) => s.VpcId === x.VpcId && !named.has(s.SubnetId));
            return { ...x, Associations: [...(x.Associations ?? []), ...implicit.map((s) => ({ NetworkAclAssociationId: `aclassoc-${s.SubnetId}`, NetworkAclId: x.NetworkAclId, SubnetId: s.SubnetId }))] };
          })
          .filter((x) => !i.NetworkAclIds || i.NetworkAclIds.length === 0 || i.NetworkAclIds.includes(x.NetworkAclId))
          .filter(
            filtered(api, i.Filters, {
              'vpc-id': (x) => [x.VpcId],
              'network-acl-id': (x) => [x.NetworkAclId],
              'association.subnet-id': (x) => (x.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
              default: (x) => [String(x.IsDefault === true)],
            }),
          );
        const p = this.page(api, all, i.NextToken, i.MaxResults);
        return { NetworkAcls: p.items, NextToken: p.next };
      },
      DescribeInstances: (input, region) => {
        const i = input as DescribeInstancesCommandInput;
        const all = this.region(region).clusters.flatMap((c) => this.instancesOf(c).map((x) => this.toEc2Instance(c, x, region)));
        if (i.InstanceIds && i.InstanceIds.length > 0) {
          const missing = i.InstanceIds.filter((id) => !all.some((x) => x.InstanceId === id));
          if (missing.length > 0) {
            throw awsError('ec2:DescribeInstances', 'InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
          }
        }
        const wanted = idFilter(i.InstanceIds, i.Filters, 'instance-id');
        const tagKeys = i.Filters?.find((f) => f.Name === 'tag-key')?.Values;
        const states = i.Filters?.find((f) => f.Name === 'instance-state-name')?.Values;
        const tagValues = (i.Filters ?? []).filter((f) => f.Name?.startsWith('tag:')).map((f) => ({ key: (f.Name ?? '').slice(4), values: f.Values ?? [] }));
        const matching = all.filter(
          (x) =>
            (!wanted || wanted.has(x.InstanceId ?? '')) &&
            (!tagKeys || (x.Tags ?? []).some((t) => tagKeys.includes(t.Key ?? ''))) &&
            (!states || states.includes(x.State?.Name ?? '')) &&
            tagValues.every((f) => (x.Tags ?? []).some((t) => t.Key === f.key && f.values.includes(t.Value ?? ''))),
        );
        const p = this.page('ec2:DescribeInstances', matching, i.NextToken, i.MaxResults);
        return { Reservations: p.items.map((x, n) => ({ ReservationId: `r-${n}`, OwnerId: this.accountId, Instances: [x] })), NextToken: p.next };
      },
    };

    const iam: Record<string, Handler> = {
      GetInstanceProfile: (input) => {
        const name = (input as GetInstanceProfileCommandInput).InstanceProfileName ?? '';
        const p = this.profiles.get(name);
        if (!p) throw noSuchEntity('iam:GetInstanceProfile', `Instance Profile ${name} cannot be found.`);
        return {
          InstanceProfile: {
            InstanceProfileName: name,
            InstanceProfileId: `AIPA${name.toUpperCase()}`,
            Path: p.path,
            Arn: this.arnOf('instance-profile', name, p.path),
            CreateDate: new Date('2026-01-01T00:00:00Z'),
            Roles: p.roles.map((r) => ({ RoleName: r, Arn: this.arnOf('role', r, this.roles.get(r)?.path), Path: '/', RoleId: `AROA${r}`, CreateDate: new Date('2026-01-01T00:00:00Z') })),
          },
        };
      },
      GetRole: (input) => {
        const name = (input as GetRoleCommandInput).RoleName ?? '';
        const r = this.roles.get(name);
        if (!r) throw noSuchEntity('iam:GetRole', `The role with name ${name} cannot be found.`);
        return {
          Role: {
            RoleName: name,
            Arn: this.arnOf('role', name, r.path),
            Path: r.path ?? '/',
            RoleId: `AROA${name}`,
            CreateDate: new Date('2026-01-01T00:00:00Z'),
            ...(r.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.boundary } } : {}),
          },
        };
      },
      ListAttachedRolePolicies: (input) => {
        const i = input as ListAttachedRolePoliciesCommandInput;
        const r = this.roles.get(i.RoleName ?? '');
        if (!r) throw noSuchEntity('iam:ListAttachedRolePolicies', `The role with name ${i.RoleName} cannot be found.`);
        const list = (r.attached ?? []).map((arn) => ({ PolicyArn: arn, PolicyName: arn.slice(arn.lastIndexOf('/') + 1) }));
        const p = this.page('iam:ListAttachedRolePolicies', list, i.Marker, i.MaxItems);
        return { AttachedPolicies: p.items, IsTruncated: p.next !== undefined, Marker: p.next };
      },
      ListRolePolicies: (input) => {
        const i = input as ListRolePoliciesCommandInput;
        const r = this.roles.get(i.RoleName ?? '');
        if (!r) throw noSuchEntity('iam:ListRolePolicies', `The role with name ${i.RoleName} cannot be found.`);
        const p = this.page('iam:ListRolePolicies', Object.keys(r.inline ?? {}), i.Marker, i.MaxItems);
        return { PolicyNames: p.items, IsTruncated: p.next !== undefined, Marker: p.next };
      },
      GetRolePolicy: (input) => {
        const i = input as GetRolePolicyCommandInput;
        const doc = this.roles.get(i.RoleName ?? '')?.inline?.[i.PolicyName ?? ''];
        if (doc === undefined) throw noSuchEntity('iam:GetRolePolicy', `The role policy with name ${i.PolicyName} cannot be found.`);
        return { RoleName: i.RoleName, PolicyName: i.PolicyName, PolicyDocument: encodeDocument(doc) };
      },
      GetPolicy: (input) => {
        const arn = (input as GetPolicyCommandInput).PolicyArn ?? '';
        const p = this.policies.get(arn);
        if (!p) throw noSuchEntity('iam:GetPolicy', `Policy ${arn} does not exist or is not attachable.`);
        return { Policy: { Arn: arn, PolicyName: p.name ?? arn.slice(arn.lastIndexOf('/') + 1), DefaultVersionId: p.defaultVersionId ?? 'v1', AttachmentCount: 1 } };
      },
      GetPolicyVersion: (input) => {
        const i = input as GetPolicyVersionCommandInput;
        const p = this.policies.get(i.PolicyArn ?? '');
        if (!p || (p.defaultVersionId ?? 'v1') !== i.VersionId) throw noSuchEntity('iam:GetPolicyVersion', `Policy ${i.PolicyArn} version ${i.VersionId} does not exist.`);
        return { PolicyVersion: { Document: encodeDocument(p.document), VersionId: i.VersionId, IsDefaultVersion: true } };
      },
    };

    const ssm: Record<string, Handler> = {
      DescribeInstanceInformation: (input, region) => {
        const i = input as DescribeInstanceInformationCommandInput;
        const ids = i.Filters?.find((f) => f.Key === 'InstanceIds')?.Values;
        if (ids && ids.length > 50) throw awsError('ssm:DescribeInstanceInformation', 'ValidationException', 'The InstanceIds filter accepts at most 50 values.');
        if (i.MaxResults !== undefined && (i.MaxResults < 5 || i.MaxResults > 50)) {
          throw awsError('ssm:DescribeInstanceInformation', 'ValidationException', 'MaxResults must be between 5 and 50.');
        }
        const registered = this.region(region).clusters.flatMap((c) =>
          this.instancesOf(c)
            .filter((x) => x.ssm && (!ids || ids.includes(x.ec2Id)))
            .map((x) => ({
              InstanceId: x.ec2Id,
              PingStatus: x.ssm!.pingStatus,
              LastPingDateTime: x.ssm!.lastPing ?? new Date('2026-11-23T11:59:00Z'),
              AgentVersion: x.ssm!.agentVersion ?? '3.3.0.0',
              IsLatestVersion: x.ssm!.isLatestVersion ?? true,
              ResourceType: 'EC2Instance',
            })),
        );
        const p = this.page('ssm:DescribeInstanceInformation', registered, i.NextToken, i.MaxResults ?? 50);
        return { InstanceInformationList: p.items, NextToken: p.next };
      },
      GetServiceSetting: (input, region) => {
        const id = (input as GetServiceSettingCommandInput).SettingId;
        const value = this.region(region).defaultHostManagement;
        if (id !== '/ssm/managed-instance/default-ec2-instance-management-role' || value === 'NotFound') {
          throw awsError('ssm:GetServiceSetting', 'ServiceSettingNotFound', `ServiceSetting ${String(id)} not found.`);
        }
        return { ServiceSetting: { SettingId: id, SettingValue: value ?? '$None', Status: value ? 'Customized' : 'Default' } };
      },
    };

    const tag: Record<string, Handler> = {
      // Every tagged or once-tagged cluster of the region, terminated ones too, as the tagging index holds them.
      GetResources: (input, region) => {
        const i = input as GetResourcesCommandInput;
        const types = i.ResourceTypeFilters;
        if (types && !types.includes('elasticmapreduce:cluster')) return { ResourceTagMappingList: [], PaginationToken: '' };
        const items = this.region(region)
          .clusters.filter((c) => c.tags !== undefined)
          .map((c) => ({ ResourceARN: `arn:aws:elasticmapreduce:${region}:${this.accountId}:cluster/${c.id}`, Tags: Object.entries(c.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) }));
        const p = this.page('tag:GetResources', items, i.PaginationToken || undefined, i.ResourcesPerPage);
        return { ResourceTagMappingList: p.items, PaginationToken: p.next ?? '' };
      },
    };

    const s3: Record<string, Handler> = {
      GetObject: (input) => {
        const i = input as GetObjectCommandInput;
        const o = this.objects.get(`${i.Bucket ?? ''}/${i.Key ?? ''}`);
        if (!o) throw awsError('s3:GetObject', 'NoSuchKey', 'The specified key does not exist.');
        const body = o.body;
        return { ETag: o.etag, ContentLength: body.length, Body: { transformToByteArray: () => Promise.resolve(body) } };
      },
      // Conditional writes as S3 has them: If-None-Match '*' fails when the key exists, If-Match when the ETag differs.
      PutObject: (input) => {
        const i = input as PutObjectCommandInput;
        const key = `${i.Bucket ?? ''}/${i.Key ?? ''}`;
        const current = this.objects.get(key);
        if (i.IfNoneMatch === '*' && current) throw awsError('s3:PutObject', 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        if (i.IfMatch !== undefined && (!current || current.etag !== i.IfMatch)) {
          throw current ? awsError('s3:PutObject', 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold') : awsError('s3:PutObject', 'NoSuchKey', 'The specified key does not exist.');
        }
        const body = i.Body instanceof Uint8Array ? new Uint8Array(i.Body) : new TextEncoder().encode(typeof i.Body === 'string' ? i.Body : '');
        const etag = `"${createHash('md5').update(body).digest('hex')}"`;
        this.objects.set(key, { body, etag });
        return { ETag: etag };
      },
    };

    const events: Record<string, Handler> = {
      PutEvents: (input) => {
        const i = input as PutEventsCommandInput;
        for (const e of i.Entries ?? []) this.events.push({ ...(e.Source ? { Source: e.Source } : {}), ...(e.DetailType ? { DetailType: e.DetailType } : {}), ...(e.Detail ? { Detail: e.Detail } : {}), ...(e.EventBusName ? { EventBusName: e.EventBusName } : {}) });
        return { FailedEntryCount: 0, Entries: (i.Entries ?? []).map((_, n) => ({ EventId: `event-${this.events.length - (i.Entries?.length ?? 0) + n}` })) };
      },
    };

    const sts: Record<string, Handler> = {
      GetCallerIdentity: () => ({ Account: this.accountId, Arn: `arn:aws:iam::${this.accountId}:role/auditor`, UserId: 'AROAAUDITOR:session' }),
    };

    const out: Record<string, Handler> = {};
    const add = (service: string, handlers: Record<string, Handler>): void => {
      for (const [op, h] of Object.entries(handlers)) out[`${service}:${op}`] = h;
    };
    add('elasticmapreduce', emr);
    add('ec2', ec2);
    add('iam', iam);
    add('ssm', ssm);
    add('sts', sts);
    add('tag', tag);
    add('s3', s3);
    add('events', events);
    return out;
  }

  private toEc2Group(g: FakeSecurityGroup): Ec2SecurityGroup {
    return {
      GroupId: g.groupId,
      GroupName: g.groupName ?? g.groupId,
      VpcId: g.vpcId ?? 'vpc-1',
      OwnerId: g.ownerId ?? this.accountId,
      Description: g.groupName ?? g.groupId,
      IpPermissions: g.ipPermissions ?? [],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    };
  }

  private toEc2Instance(c: FakeCluster, x: FakeInstance & { ec2Id: string; role: NodeRole }, region: string): Ec2Instance {
    const running = (x.state ?? 'RUNNING') === 'RUNNING';
    const gone = x.state === 'TERMINATED';
    const subnetId = x.subnetId ?? c.subnetId ?? DEFAULT_SUBNET;
    const vpcId = x.vpcId ?? this.region(region).subnets.get(subnetId)?.VpcId ?? DEFAULT_VPC;
    const master = x.role === 'MASTER';
    const groupIds = x.securityGroups ?? [master ? c.masterSg : c.slaveSg, ...((master ? c.additionalMasterSgs : c.additionalSlaveSgs) ?? [])].filter((g): g is string => !!g);
    const groups = groupIds.map((GroupId) => ({ GroupId, GroupName: this.region(region).groups.get(GroupId)?.groupName ?? GroupId }));
    return {
      InstanceId: x.ec2Id,
      State: gone ? { Name: 'terminated', Code: 48 } : { Name: running ? 'running' : 'pending', Code: running ? 16 : 0 },
      LaunchTime: x.launchTime ?? new Date('2026-11-23T10:00:00Z'),
      PublicIpAddress: x.elasticIp ?? x.publicIp,
      PrivateIpAddress: x.privateIp ?? '10.0.0.10',
      SubnetId: subnetId,
      VpcId: vpcId,
      SecurityGroups: groups,
      ...(x.ipv6 ? { NetworkInterfaces: [{ NetworkInterfaceId: `eni-${x.ec2Id}`, SubnetId: subnetId, VpcId: vpcId, Groups: groups, Ipv6Addresses: x.ipv6.map((a) => ({ Ipv6Address: a })) }] } : {}),
      MetadataOptions: { HttpTokens: x.httpTokens ?? 'required', HttpEndpoint: 'enabled', State: 'applied' },
      Tags:
        x.systemTags === false
          ? [{ Key: 'Name', Value: `${c.id}-node` }]
          : [
              { Key: 'aws:elasticmapreduce:instance-group-role', Value: x.role },
              { Key: 'aws:elasticmapreduce:job-flow-id', Value: c.id },
            ],
      InstanceType: (x.instanceType ?? 'm5.xlarge') as Ec2Instance['InstanceType'],
    };
  }

  // ---------------------------------------------------------------- wiring

  /** Stubs every SDK client class with aws-sdk-client-mock, answering from this account. */
  mock(): FakeMocks {
    const route = (api: string) => async (input: object, getClient: () => { config: { region?: unknown } }) =>
      this.handle(api, input, await regionOf(getClient()));
    const emr = mockClient(EMRClient);
    emr.on(ListClustersCommand).callsFake(route('elasticmapreduce:ListClusters'));
    emr.on(DescribeClusterCommand).callsFake(route('elasticmapreduce:DescribeCluster'));
    emr.on(ListInstancesCommand).callsFake(route('elasticmapreduce:ListInstances'));
    emr.on(ListInstanceGroupsCommand).callsFake(route('elasticmapreduce:ListInstanceGroups'));
    emr.on(ListInstanceFleetsCommand).callsFake(route('elasticmapreduce:ListInstanceFleets'));
    emr.on(DescribeSecurityConfigurationCommand).callsFake(route('elasticmapreduce:DescribeSecurityConfiguration'));
    emr.on(GetBlockPublicAccessConfigurationCommand).callsFake(route('elasticmapreduce:GetBlockPublicAccessConfiguration'));
    emr.on(ListReleaseLabelsCommand).callsFake(route('elasticmapreduce:ListReleaseLabels'));
    const ec2 = mockClient(EC2Client);
    ec2.on(DescribeSecurityGroupsCommand).callsFake(route('ec2:DescribeSecurityGroups'));
    ec2.on(DescribeInstancesCommand).callsFake(route('ec2:DescribeInstances'));
    ec2.on(DescribeManagedPrefixListsCommand).callsFake(route('ec2:DescribeManagedPrefixLists'));
    ec2.on(GetManagedPrefixListEntriesCommand).callsFake(route('ec2:GetManagedPrefixListEntries'));
    ec2.on(DescribeSubnetsCommand).callsFake(route('ec2:DescribeSubnets'));
    ec2.on(DescribeRouteTablesCommand).callsFake(route('ec2:DescribeRouteTables'));
    ec2.on(DescribeNetworkAclsCommand).callsFake(route('ec2:DescribeNetworkAcls'));
    ec2.on(DescribeRegionsCommand).callsFake(route('ec2:DescribeRegions'));
    const iam = mockClient(IAMClient);
    iam.on(GetInstanceProfileCommand).callsFake(route('iam:GetInstanceProfile'));
    iam.on(GetRoleCommand).callsFake(route('iam:GetRole'));
    iam.on(ListAttachedRolePoliciesCommand).callsFake(route('iam:ListAttachedRolePolicies'));
    iam.on(ListRolePoliciesCommand).callsFake(route('iam:ListRolePolicies'));
    iam.on(GetRolePolicyCommand).callsFake(route('iam:GetRolePolicy'));
    iam.on(GetPolicyCommand).callsFake(route('iam:GetPolicy'));
    iam.on(GetPolicyVersionCommand).callsFake(route('iam:GetPolicyVersion'));
    const ssm = mockClient(SSMClient);
    ssm.on(DescribeInstanceInformationCommand).callsFake(route('ssm:DescribeInstanceInformation'));
    ssm.on(GetServiceSettingCommand).callsFake(route('ssm:GetServiceSetting'));
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).callsFake(route('sts:GetCallerIdentity'));
    const tagging = mockClient(ResourceGroupsTaggingAPIClient);
    tagging.on(GetResourcesCommand).callsFake(route('tag:GetResources'));
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).callsFake(route('s3:GetObject'));
    s3.on(PutObjectCommand).callsFake(route('s3:PutObject'));
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).callsFake(route('events:PutEvents'));
    return {
      emr,
      ec2,
      iam,
      ssm,
      sts,
      tagging,
      s3,
      events,
      restore: () => {
        for (const m of [emr, ec2, iam, ssm, sts, tagging, s3, events]) m.restore();
      },
    };
  }

  /** Plain SDK clients (answered by `mock()` once it is installed). */
  clients(): AwsClients {
    return buildClients((region) => ({ region, credentials: TEST_CREDENTIALS }));
  }

  /**
   * Real SDK clients answered from this account inside the SDK's middleware stack, so the SDK's
   * retry runs (with `maxAttempts` and a fixed `retryDelayMs` instead of exponential back-off).
   */
  sdkClients(options: { maxAttempts?: number; retryDelayMs?: number } = {}): AwsClients {
    const send: unknown = Object.getOwnPropertyDescriptor(EMRClient.prototype, 'send')?.value;
    if (typeof send === 'function' && 'restore' in send) throw new Error('sdkClients(): aws-sdk-client-mock is active on EMRClient; call mocks.restore() first.');
    const maxAttempts = options.maxAttempts ?? 10;
    const retryStrategy = fixedDelayRetry(maxAttempts, options.retryDelayMs ?? 1);
    const clients = buildClients((region) => ({ region, credentials: TEST_CREDENTIALS, maxAttempts, retryStrategy }));
    const install = (client: { middlewareStack: MiddlewareStackLike }, service: string, region: string): void => {
      client.middlewareStack.add(
        (_next, context) => async (args) => {
          const op = String(context.commandName ?? '').replace(/Command$/, '');
          const output = await this.handle(`${service}:${op}`, args.input as Input, region);
          return { output: { $metadata: {}, ...(output as object) }, response: {} };
        },
        { step: 'deserialize', priority: 'high', name: 'fakeAccountMiddleware' },
      );
    };
    const forRegion = clients.forRegion.bind(clients);
    const seen = new Set<string>();
    install(clients.iam as unknown as { middlewareStack: MiddlewareStackLike }, 'iam', 'us-east-1');
    install(clients.sts as unknown as { middlewareStack: MiddlewareStackLike }, 'sts', 'us-east-1');
    install(clients.s3 as unknown as { middlewareStack: MiddlewareStackLike }, 's3', 'us-east-1');
    install(clients.events as unknown as { middlewareStack: MiddlewareStackLike }, 'events', 'us-east-1');
    return {
      ...clients,
      forRegion: (region) => {
        const c = forRegion(region);
        if (!seen.has(region)) {
          seen.add(region);
          install(c.emr as unknown as { middlewareStack: MiddlewareStackLike }, 'elasticmapreduce', region);
          install(c.ec2 as unknown as { middlewareStack: MiddlewareStackLike }, 'ec2', region);
          install(c.ssm as unknown as { middlewareStack: MiddlewareStackLike }, 'ssm', region);
          install(c.tagging as unknown as { middlewareStack: MiddlewareStackLike }, 'tag', region);
        }
        return c;
      },
    };
  }
}

export interface FakeMocks {
  emr: AwsStub<EmrIn, EmrOut, EMRClientResolvedConfig>;
  ec2: AwsStub<Ec2In, Ec2Out, EC2ClientResolvedConfig>;
  iam: AwsStub<IamIn, IamOut, IAMClientResolvedConfig>;
  ssm: AwsStub<SsmIn, SsmOut, SSMClientResolvedConfig>;
  sts: AwsStub<StsIn, StsOut, STSClientResolvedConfig>;
  tagging: AwsStub<TagIn, TagOut, ResourceGroupsTaggingAPIClientResolvedConfig>;
  s3: AwsStub<S3In, S3Out, S3ClientResolvedConfig>;
  events: AwsStub<EventsIn, EventsOut, EventBridgeClientResolvedConfig>;
  restore(): void;
}

// ---------------------------------------------------------------- helpers

const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' };

interface MiddlewareStackLike {
  add(
    middleware: (
      next: unknown,
      context: { commandName?: string },
    ) => (args: { input: unknown }) => Promise<{ output: object; response: unknown }>,
    options: { step: 'deserialize'; priority: 'high'; name: string },
  ): void;
}

interface ClientConfigLike {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
  retryStrategy?: ReturnType<typeof fixedDelayRetry>;
}

function buildClients(config: (region: string) => ClientConfigLike): AwsClients {
  const cache = new Map<string, RegionClients>();
  return {
    forRegion(region) {
      let c = cache.get(region);
      if (!c) {
        const cfg = config(region);
        c = { region, emr: new EMRClient(cfg), ec2: new EC2Client(cfg), ssm: new SSMClient(cfg), securityHub: new SecurityHubClient(cfg), tagging: new ResourceGroupsTaggingAPIClient(cfg) };
        cache.set(region, c);
      }
      return c;
    },
    iam: new IAMClient(config('us-east-1')),
    sts: new STSClient(config('us-east-1')),
    s3: new S3Client(config('us-east-1')),
    events: new EventBridgeClient(config('us-east-1')),
  };
}

/** A retry strategy with the SDK's V2 interface: retries throttling/transient errors after a fixed delay. */
export function fixedDelayRetry(maxAttempts: number, delayMs: number) {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => delayMs, getRetryCost: () => undefined });
  return {
    mode: 'standard',
    acquireInitialRetryToken: () => Promise.resolve({ getRetryCount: () => 0, getRetryDelay: () => 0, getRetryCost: () => undefined }),
    refreshRetryTokenForRetry: (previous: { getRetryCount(): number }, info: { errorType: string }) => {
      const next = previous.getRetryCount() + 1;
      if (info.errorType === 'CLIENT_ERROR' || next >= maxAttempts) return Promise.reject(new Error('no more retries'));
      return Promise.resolve(token(next));
    },
    recordSuccess: () => undefined,
  };
}

async function regionOf(client: { config: { region?: unknown } }): Promise<string> {
  const r = client.config.region;
  const value: unknown = typeof r === 'function' ? await (r as () => Promise<unknown>)() : r;
  return typeof value === 'string' ? value : REGION;
}

function idFilter(ids: string[] | undefined, filters: Ec2Filter[] | undefined, name: string): Set<string> | undefined {
  if (ids && ids.length > 0) return new Set(ids);
  const f = filters?.find((x) => x.Name === name);
  return f ? new Set(f.Values ?? []) : undefined;
}

/** EC2's MaxResults bounds, as the API enforces them. */
function checkMaxResults(api: string, maxResults: number | undefined, min: number, max: number): void {
  if (maxResults !== undefined && (maxResults < min || maxResults > max)) throw awsError(api, 'InvalidParameterValue', `MaxResults must be between ${min} and ${max}.`);
}

/** EC2's most values in one filter. */
const FILTER_VALUES_MAX = 200;

/**
 * EC2 filter semantics: every filter must match (AND), any of its values may (OR). An unknown filter
 * name or too many values is an error, as EC2 answers it.
 */
function filtered<T>(api: string, filters: Ec2Filter[] | undefined, fields: Record<string, (item: T) => string[]>): (item: T) => boolean {
  for (const f of filters ?? []) {
    if (!f.Name || !Object.hasOwn(fields, f.Name)) throw awsError(api, 'InvalidParameterValue', `The filter '${f.Name ?? ''}' is invalid`);
    if ((f.Values ?? []).length > FILTER_VALUES_MAX) throw awsError(api, 'FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${FILTER_VALUES_MAX}`);
  }
  return (item) => (filters ?? []).every((f) => fields[f.Name!]!(item).some((v) => (f.Values ?? []).includes(v)));
}

function encodeDocument(doc: object | string): string {
  return encodeURIComponent(typeof doc === 'string' ? doc : JSON.stringify(doc));
}

const EXCEPTIONS: Record<string, new (options: { name: string; $fault: 'client' | 'server'; $metadata: object; message: string }) => Error> = {
  elasticmapreduce: EMRServiceException,
  ec2: EC2ServiceException,
  iam: IAMServiceException,
  ssm: SSMServiceException,
  sts: STSServiceException,
  tag: ResourceGroupsTaggingAPIServiceException,
  s3: S3ServiceException,
  events: EventBridgeServiceException,
};

/** An error shaped like the SDK's: the service's exception class, `name` = the AWS error code. */
export function awsError(api: string, code: string, message: string): Error {
  const Ctor = EXCEPTIONS[api.split(':')[0]!] ?? EMRServiceException;
  return new Ctor({ name: code, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

function noSuchEntity(api: string, message: string): Error {
  return awsError(api, 'NoSuchEntityException', message);
}
