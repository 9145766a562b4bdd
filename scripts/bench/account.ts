/**
 * The simulated AWS account of the benchmark: N active EMR clusters (plus terminated ones) with
 * the sharing real accounts show — ~N/10 master/core security-group pairs, service access groups,
 * a handful of security configurations, ~N/20 instance profiles, shared AWS-managed and customer
 * policies, inline policies, 3–20 instances per cluster (groups and fleets) and the terminated
 * instances of autoscaled clusters. Built from a seeded PRNG: the same N always gives the same
 * account. The simulator (./simulator.ts) answers the AWS APIs from it; ./expected.ts derives the
 * minimum number of calls from it.
 */
import * as policies from './policies.js';
import type { Document } from './policies.js';
import { buildNetwork, moreVpcIds, networkRng, subnetsFor, vpcCount, type SimNetwork } from './network.js';
import { createRng, type Rng } from './rng.js';

export type EmrClusterState = 'STARTING' | 'BOOTSTRAPPING' | 'RUNNING' | 'WAITING' | 'TERMINATED' | 'TERMINATED_WITH_ERRORS';
export type EmrInstanceState = 'AWAITING_FULFILLMENT' | 'PROVISIONING' | 'BOOTSTRAPPING' | 'RUNNING' | 'TERMINATED';
export type NodeRole = 'MASTER' | 'CORE' | 'TASK';

export const ACTIVE_STATES: readonly EmrClusterState[] = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'];

export interface SimRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr4?: string[];
  cidr6?: string[];
  groups?: string[];
  prefixLists?: string[];
  description?: string;
}

export interface SimSecurityGroup {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ingress: SimRule[];
}

/** A managed prefix list (DescribeManagedPrefixLists / GetManagedPrefixListEntries). */
export interface SimPrefixList {
  id: string;
  name: string;
  /** The account, or `AWS` for AWS-managed lists. */
  ownerId: string;
  addressFamily: 'IPv4' | 'IPv6';
  entries: Array<{ cidr: string; description?: string }>;
}

export interface SimSecurityConfiguration {
  name: string;
  /** The JSON document DescribeSecurityConfiguration returns (a string, as the API returns it). */
  json: string;
  createdAt: Date;
}

export interface SimManagedPolicy {
  arn: string;
  name: string;
  id: string;
  path: string;
  defaultVersionId: string;
  document: Document;
  createdAt: Date;
}

export interface SimRole {
  name: string;
  arn: string;
  id: string;
  boundaryArn?: string;
  attachedArns: string[];
  inline: { name: string; document: Document }[];
  createdAt: Date;
}

export interface SimInstanceProfile {
  name: string;
  arn: string;
  id: string;
  roleNames: string[];
  createdAt: Date;
}

export interface SimNodeGroup {
  /** `ig-…` (instance group) or `if-…` (instance fleet). */
  id: string;
  role: NodeRole;
  name: string;
  instanceType: string;
  market: 'ON_DEMAND' | 'SPOT';
  requested: number;
}

export interface SimInstance {
  /** EMR instance id `ci-…`. */
  id: string;
  /** Absent while the instance awaits fulfilment. */
  ec2Id?: string;
  state: EmrInstanceState;
  groupId: string;
  role: NodeRole;
  instanceType: string;
  market: 'ON_DEMAND' | 'SPOT';
  privateIp: string;
  publicIp?: string;
  createdAt: Date;
  readyAt?: Date;
  endedAt?: Date;
}

export interface SimEc2Instance {
  id: string;
  state: 'pending' | 'running';
  launchTime: Date;
  instanceType: string;
  privateIp: string;
  publicIp?: string;
  subnetId: string;
  vpcId: string;
  /** Global-unicast IPv6 addresses of its interface (dual-stack public subnets). */
  ipv6?: string[];
  httpTokens: 'required' | 'optional';
  clusterId: string;
  role: NodeRole;
  groupId: string;
  securityGroupIds: string[];
  profileArn: string;
}

export interface SimSsmInstance {
  id: string;
  pingStatus: 'Online' | 'ConnectionLost' | 'Inactive';
  lastPing: Date;
  agentVersion: string;
  isLatestVersion: boolean;
  privateIp: string;
}

export interface SimCluster {
  id: string;
  name: string;
  arn: string;
  state: EmrClusterState;
  createdAt: Date;
  readyAt?: Date;
  endedAt?: Date;
  releaseLabel: string;
  logUri?: string;
  securityConfiguration?: string;
  /** As DescribeCluster returns it: the name or ARN the cluster was created with. */
  serviceRoleRef: string;
  instanceProfileRef: string;
  collection: 'INSTANCE_GROUP' | 'INSTANCE_FLEET';
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  masterSg: string;
  slaveSg: string;
  serviceAccessSg?: string;
  additionalMasterSgs: string[];
  additionalSlaveSgs: string[];
  masterPublicDns?: string;
  tags: Record<string, string>;
  kerberosRealm?: string;
  applications: { name: string; version: string }[];
  nodeGroups: SimNodeGroup[];
  /** Every instance the cluster ever had, terminated ones included (ListInstances without a filter). */
  instances: SimInstance[];
}

export interface SimAccount {
  accountId: string;
  region: string;
  partition: 'aws';
  now: Date;
  /** Newest first, as ListClusters returns them; terminated clusters included. */
  clusters: SimCluster[];
  securityGroups: Map<string, SimSecurityGroup>;
  /** Managed prefix lists the groups' rules name, by id. */
  prefixLists: Map<string, SimPrefixList>;
  securityConfigurations: Map<string, SimSecurityConfiguration>;
  instanceProfiles: Map<string, SimInstanceProfile>;
  /** Instance-profile roles and service roles, by name. */
  roles: Map<string, SimRole>;
  managedPolicies: Map<string, SimManagedPolicy>;
  ec2Instances: Map<string, SimEc2Instance>;
  ssmInstances: Map<string, SimSsmInstance>;
  /** VPCs, subnets, route tables and network ACLs (./network.ts). */
  network: SimNetwork;
  releaseLabels: string[];
  blockPublicAccess: { blockPublicSecurityGroupRules: boolean; ranges: { min: number; max: number }[] };
  /** Default Host Management Configuration role; undefined = the setting was never set. */
  defaultHostManagementRole?: string;
}

/**
 * Marker strings planted in the secrets the account holds (cluster Configurations passwords,
 * Kerberos passwords). The benchmark scans the snapshot for them: none may be there.
 */
export const SECRET_MARKERS = ['BENCH-SECRET-jdbc', 'BENCH-SECRET-kdc', 'BENCH-SECRET-crossrealm', 'BENCH-SECRET-adjoin'] as const;

export interface AccountOptions {
  /** Active clusters. */
  n: number;
  seed?: number;
  now?: Date;
  region?: string;
  accountId?: string;
}

const TEAMS = ['analytics', 'ml', 'risk', 'marketing', 'finance', 'search', 'ads', 'etl', 'growth', 'platform'];
const INSTANCE_TYPES = ['m5.xlarge', 'm5.2xlarge', 'r5.2xlarge', 'r5.4xlarge', 'c5.4xlarge', 'm6g.xlarge', 'r6g.2xlarge', 'i3.2xlarge'];
const AWS_MANAGED = {
  emrEc2: 'arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role',
  ssmCore: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  s3ReadOnly: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
  cloudWatch: 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
  admin: 'arn:aws:iam::aws:policy/AdministratorAccess',
  emrServiceV1: 'arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole',
  emrServiceV2: 'arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2',
} as const;

/** EMR release labels, newest first (ListReleaseLabels returns them so). */
export function releaseLabelCatalogue(): string[] {
  const labels: string[] = [];
  for (let m = 10; m >= 0; m--) labels.push(`emr-7.${m}.0`);
  for (let m = 15; m >= 0; m--) {
    labels.push(`emr-6.${m}.0`);
    if (m <= 6) labels.push(`emr-6.${m}.1`);
  }
  for (let m = 36; m >= 0; m--) {
    labels.push(`emr-5.${m}.0`);
    if (m >= 30 || m % 5 === 0) labels.push(`emr-5.${m}.1`);
  }
  for (let m = 9; m >= 0; m--) labels.push(`emr-4.${m}.1`, `emr-4.${m}.0`);
  return labels;
}

function hex(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
}

function upperAlnum(rng: Rng, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

const minutes = (n: number): number => n * 60_000;

export function buildAccount(options: AccountOptions): SimAccount {
  const n = Math.max(1, Math.floor(options.n));
  const rng = createRng(options.seed ?? 0x5eed + n);
  const now = options.now ?? new Date();
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '111122223333';
  const t = (msAgo: number): Date => new Date(now.getTime() - msAgo);

  // ------------------------------------------------------------ managed policies
  const managedPolicies = new Map<string, SimManagedPolicy>();
  const addPolicy = (arn: string, document: Document, versions = 1): void => {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const path = arn.includes(':policy/service-role/') ? '/service-role/' : '/';
    managedPolicies.set(arn, { arn, name, id: `ANPA${upperAlnum(rng, 17)}`, path, defaultVersionId: `v${versions}`, document, createdAt: t(minutes(rng.int(60 * 24 * 30, 60 * 24 * 900))) });
  };
  addPolicy(AWS_MANAGED.emrEc2, policies.legacyEmrEc2RolePolicy(), 7);
  addPolicy(AWS_MANAGED.ssmCore, policies.ssmCorePolicy(), 2);
  addPolicy(AWS_MANAGED.s3ReadOnly, policies.s3ReadOnlyPolicy(), 3);
  addPolicy(AWS_MANAGED.cloudWatch, policies.cloudWatchAgentPolicy(), 5);
  addPolicy(AWS_MANAGED.admin, policies.administratorPolicy(), 1);
  const customerPolicyCount = Math.max(2, Math.round(n / 25));
  const customerPolicies: string[] = [];
  for (let k = 0; k < customerPolicyCount; k++) {
    const team = TEAMS[k % TEAMS.length] ?? 'team';
    const arn = `arn:aws:iam::${accountId}:policy/emr-data-${team}-${k}`;
    addPolicy(arn, policies.teamDataPolicy(accountId, region, team, k), rng.int(1, 4));
    customerPolicies.push(arn);
  }
  const boundaryArn = `arn:aws:iam::${accountId}:policy/emr-permissions-boundary`;
  addPolicy(boundaryArn, policies.boundaryPolicy(), 2);

  // ------------------------------------------------------------ roles and instance profiles
  const roles = new Map<string, SimRole>();
  const instanceProfiles = new Map<string, SimInstanceProfile>();
  const profileCount = Math.max(2, Math.round(n / 20));
  const profileNames: string[] = [];
  for (let k = 0; k < profileCount; k++) {
    const team = TEAMS[k % TEAMS.length] ?? 'team';
    const roleName = k === 0 ? 'EMR_EC2_DefaultRole' : `emr-ec2-${team}-${k}`;
    const attached: string[] = [];
    if (k === 0 || rng.chance(0.25)) attached.push(AWS_MANAGED.emrEc2);
    if (rng.chance(0.7)) attached.push(AWS_MANAGED.ssmCore);
    if (rng.chance(0.35)) attached.push(AWS_MANAGED.cloudWatch);
    if (rng.chance(0.15)) attached.push(AWS_MANAGED.s3ReadOnly);
    if (k > 0 && rng.chance(0.03)) attached.push(AWS_MANAGED.admin);
    const teamPolicies = rng.int(k === 0 ? 0 : 1, 2);
    for (let j = 0; j < teamPolicies; j++) {
      const arn = customerPolicies[rng.skewed(customerPolicies.length, 0.8)];
      if (arn && !attached.includes(arn)) attached.push(arn);
    }
    const inline: SimRole['inline'] = [];
    const inlineCount = rng.weighted([[0, 0.45], [1, 0.4], [2, 0.15]] as const);
    for (let j = 0; j < inlineCount; j++) inline.push({ name: `${team}-inline-${j}`, document: policies.inlinePolicy(rng.int(0, 7), team) });
    const role: SimRole = {
      name: roleName,
      arn: `arn:aws:iam::${accountId}:role/${roleName}`,
      id: `AROA${upperAlnum(rng, 17)}`,
      attachedArns: attached,
      inline,
      createdAt: t(minutes(rng.int(60 * 24 * 10, 60 * 24 * 700))),
      ...(rng.chance(0.3) ? { boundaryArn } : {}),
    };
    roles.set(roleName, role);
    const profileName = k === 0 || rng.chance(0.8) ? roleName : `${roleName}-profile`;
    instanceProfiles.set(profileName, {
      name: profileName,
      arn: `arn:aws:iam::${accountId}:instance-profile/${profileName}`,
      id: `AIPA${upperAlnum(rng, 17)}`,
      roleNames: [roleName],
      createdAt: role.createdAt,
    });
    profileNames.push(profileName);
  }
  const serviceRoleNames = ['EMR_DefaultRole_V2', 'EMR_DefaultRole'];
  for (let k = 0; k < Math.round(n / 100); k++) serviceRoleNames.push(`emr-service-${TEAMS[k % TEAMS.length] ?? 'team'}-${k}`);
  for (const [k, name] of serviceRoleNames.entries()) {
    roles.set(name, {
      name,
      arn: `arn:aws:iam::${accountId}:role/${name}`,
      id: `AROA${upperAlnum(rng, 17)}`,
      attachedArns: [name === 'EMR_DefaultRole' || k % 3 === 2 ? AWS_MANAGED.emrServiceV1 : AWS_MANAGED.emrServiceV2],
      inline: [],
      createdAt: t(minutes(rng.int(60 * 24 * 10, 60 * 24 * 900))),
    });
  }

  // ------------------------------------------------------------ security groups
  const securityGroups = new Map<string, SimSecurityGroup>();
  const vpcs = Array.from({ length: Math.max(1, Math.round(n / 200)) }, () => `vpc-${hex(rng, 17)}`);
  // A few dozen VPCs at 1,000 clusters; the ids beyond the first ones come from the network's own
  // generator, so that every other draw of the account stays as it was.
  const netRng = networkRng(options.seed ?? 0x5eed + n);
  vpcs.push(...moreVpcIds(netRng, vpcs.length, vpcCount(n)));
  const network = buildNetwork(vpcs, netRng, region);
  const pairCount = Math.max(1, Math.round(n / 10));
  const serviceAccessCount = Math.max(1, Math.round(n / 20));
  const additionalCount = Math.max(1, Math.round(n / 25));
  const pairs: { master: string; slave: string; vpcId: string }[] = [];
  const serviceAccess: { id: string; vpcId: string }[] = [];
  for (let k = 0; k < serviceAccessCount; k++) {
    const vpcId = vpcs[k % vpcs.length] ?? 'vpc-0';
    const id = `sg-${hex(rng, 17)}`;
    serviceAccess.push({ id, vpcId });
  }
  for (let k = 0; k < pairCount; k++) {
    // In the VPC of the service access group it is paired with (groups of one cluster share a VPC).
    const vpcId = vpcs[(k % serviceAccessCount) % vpcs.length] ?? 'vpc-0';
    pairs.push({ master: `sg-${hex(rng, 17)}`, slave: `sg-${hex(rng, 17)}`, vpcId });
  }
  const reflexive = (master: string, slave: string): SimRule[] => [
    { protocol: 'tcp', fromPort: 0, toPort: 65535, groups: [master, slave] },
    { protocol: 'udp', fromPort: 0, toPort: 65535, groups: [master, slave] },
    { protocol: 'icmp', fromPort: -1, toPort: -1, groups: [master, slave] },
  ];
  for (const [k, pair] of pairs.entries()) {
    const sa = serviceAccess[k % serviceAccess.length];
    const masterRules = reflexive(pair.master, pair.slave);
    const slaveRules = reflexive(pair.master, pair.slave);
    if (sa) {
      masterRules.push({ protocol: 'tcp', fromPort: 8443, toPort: 8443, groups: [sa.id] });
      slaveRules.push({ protocol: 'tcp', fromPort: 8443, toPort: 8443, groups: [sa.id] });
    }
    // Old accounts still carry EMR's pre-2020 default SSH rule on the master group.
    if (rng.chance(0.2)) masterRules.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr4: ['0.0.0.0/0'], cidr6: rng.chance(0.3) ? ['::/0'] : [] });
    if (rng.chance(0.15)) masterRules.push({ protocol: 'tcp', fromPort: 8088, toPort: 8088, cidr4: ['0.0.0.0/0'], description: 'YARN UI (temporary)' });
    if (rng.chance(0.3)) masterRules.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr4: ['10.0.0.0/8', '172.16.0.0/12'], description: 'corporate network' });
    if (rng.chance(0.1)) slaveRules.push({ protocol: '-1', cidr4: ['0.0.0.0/0'] });
    securityGroups.set(pair.master, { id: pair.master, name: k === 0 ? 'ElasticMapReduce-master' : `emr-master-${k}`, description: 'Master group for Elastic MapReduce', vpcId: pair.vpcId, ingress: masterRules });
    securityGroups.set(pair.slave, { id: pair.slave, name: k === 0 ? 'ElasticMapReduce-slave' : `emr-slave-${k}`, description: 'Slave group for Elastic MapReduce', vpcId: pair.vpcId, ingress: slaveRules });
  }
  for (const [k, sa] of serviceAccess.entries()) {
    const masters = pairs.filter((_, i) => i % serviceAccess.length === k).map((p) => p.master);
    securityGroups.set(sa.id, {
      id: sa.id,
      name: k === 0 ? 'ElasticMapReduce-ServiceAccess' : `emr-service-access-${k}`,
      description: 'Service access group for Elastic MapReduce',
      vpcId: sa.vpcId,
      ingress: [{ protocol: 'tcp', fromPort: 9443, toPort: 9443, groups: masters.length > 0 ? masters : [] }],
    });
  }
  const additional: string[] = [];
  for (let k = 0; k < additionalCount; k++) {
    const id = `sg-${hex(rng, 17)}`;
    const rules: SimRule[] = [{ protocol: 'tcp', fromPort: 443, toPort: 443, prefixLists: [`pl-${hex(rng, 8)}`] }];
    if (rng.chance(0.4)) rules.push({ protocol: 'tcp', fromPort: 22, toPort: 22, cidr4: ['203.0.113.0/24'], description: 'bastion' });
    if (rng.chance(0.1)) rules.push({ protocol: 'tcp', fromPort: 8000, toPort: 9000, cidr4: ['0.0.0.0/0'] });
    if (rng.chance(0.1)) rules.push({ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidr4: ['0.0.0.0/0'] });
    securityGroups.set(id, { id, name: `emr-extra-${k}`, description: 'Additional access', vpcId: vpcs[k % vpcs.length] ?? 'vpc-0', ingress: rules });
    additional.push(id);
  }

  // Every list a rule names exists: customer-managed office ranges (never the internet), built
  // without drawing from the generator so the rest of the account stays as it was.
  const prefixLists = new Map<string, SimPrefixList>();
  for (const g of securityGroups.values()) {
    for (const r of g.ingress) {
      for (const id of r.prefixLists ?? []) {
        if (prefixLists.has(id)) continue;
        const k = prefixLists.size;
        prefixLists.set(id, {
          id,
          name: `corp-offices-${k}`,
          ownerId: accountId,
          addressFamily: 'IPv4',
          entries: Array.from({ length: 3 + (k % 4) }, (_, e) => ({ cidr: `10.${k % 256}.${e}.0/24`, description: `office ${e}` })),
        });
      }
    }
  }

  // ------------------------------------------------------------ security configurations
  const securityConfigurations = new Map<string, SimSecurityConfiguration>();
  const configCount = Math.min(6, Math.max(1, Math.ceil(n / 50)));
  const configNames: string[] = [];
  for (let k = 0; k < configCount; k++) {
    const name = `emr-secconf-${['strict', 'standard', 'legacy', 'kerberos', 'lakeformation', 'dev'][k] ?? k}`;
    configNames.push(name);
    securityConfigurations.set(name, { name, json: JSON.stringify(securityConfigurationDocument(k, accountId, region)), createdAt: t(minutes(rng.int(60 * 24, 60 * 24 * 400))) });
  }

  // ------------------------------------------------------------ clusters
  const labels = releaseLabelCatalogue();
  const labels7 = labels.filter((l) => l.startsWith('emr-7.'));
  const labels6 = labels.filter((l) => l.startsWith('emr-6.'));
  const labels5 = labels.filter((l) => l.startsWith('emr-5.'));
  const ec2Instances = new Map<string, SimEc2Instance>();
  const ssmInstances = new Map<string, SimSsmInstance>();
  const terminatedCount = 2 * n;
  const clusters: SimCluster[] = [];
  const total = n + terminatedCount;
  // Interleave active and terminated clusters in time; ListClusters returns newest first.
  const activeSlots = new Set<number>();
  while (activeSlots.size < n) activeSlots.add(rng.int(0, total - 1));
  let ipCounter = 1;
  const nextIp = (): string => {
    const i = ipCounter++;
    return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  };
  for (let slot = 0; slot < total; slot++) {
    const active = activeSlots.has(slot);
    const id = `j-${upperAlnum(rng, 13)}`;
    const team = TEAMS[rng.int(0, TEAMS.length - 1)] ?? 'team';
    const createdAt = t(minutes(20 + slot * 37 + rng.int(0, 30)));
    const state: EmrClusterState = active
      ? rng.weighted<EmrClusterState>([['WAITING', 0.5], ['RUNNING', 0.4], ['STARTING', 0.05], ['BOOTSTRAPPING', 0.05]])
      : rng.weighted<EmrClusterState>([['TERMINATED', 0.8], ['TERMINATED_WITH_ERRORS', 0.2]]);
    const pair = pairs[rng.skewed(pairs.length)] ?? pairs[0];
    if (!pair) throw new Error('no security group pair');
    const privateSubnet = rng.chance(0.5);
    const sa = privateSubnet ? serviceAccess[pairs.indexOf(pair) % serviceAccess.length] : undefined;
    const extraMaster = rng.chance(0.3) ? [additional[rng.skewed(additional.length)] ?? ''].filter(Boolean) : [];
    const extraSlave = rng.chance(0.15) ? [additional[rng.skewed(additional.length)] ?? ''].filter(Boolean) : [];
    const profileName = profileNames[rng.skewed(profileNames.length)] ?? 'EMR_EC2_DefaultRole';
    const profile = instanceProfiles.get(profileName);
    const byArn = rng.chance(0.2);
    const serviceRoleName = serviceRoleNames[rng.skewed(serviceRoleNames.length, 1.5)] ?? 'EMR_DefaultRole';
    const releaseLabel = rng.weighted([[labels7, 0.4], [labels6, 0.45], [labels5, 0.15]] as const)[rng.skewed(8, 0.7)] ?? 'emr-7.0.0';
    const security = rng.chance(0.85) ? configNames[rng.skewed(configNames.length)] : undefined;
    const kerberos = security === 'emr-secconf-kerberos' || rng.chance(0.03);
    const collection = rng.chance(0.7) ? 'INSTANCE_GROUP' : 'INSTANCE_FLEET';
    hex(rng, 17); // the subnet id drawn before the network was modelled (keeps the later draws)
    // Many clusters per subnet: a private subnet of the pair's VPC, or a public one.
    const candidates = subnetsFor(network, pair.vpcId, !privateSubnet);
    const subnet = candidates[netRng.int(0, candidates.length - 1)]!;
    const subnetId = subnet.id;
    const cluster: SimCluster = {
      id,
      name: `${team}-${['etl', 'adhoc', 'streaming', 'training', 'reporting'][rng.int(0, 4)] ?? 'jobs'}-${slot}`,
      arn: `arn:aws:elasticmapreduce:${region}:${accountId}:cluster/${id}`,
      state,
      createdAt,
      releaseLabel,
      serviceRoleRef: rng.chance(0.15) ? `arn:aws:iam::${accountId}:role/${serviceRoleName}` : serviceRoleName,
      instanceProfileRef: byArn && profile ? profile.arn : profileName,
      collection,
      subnetId,
      vpcId: pair.vpcId,
      availabilityZone: ((): string => {
        rng.int(0, 5); // as drawn before the network was modelled
        return subnet.availabilityZone;
      })(),
      masterSg: pair.master,
      slaveSg: pair.slave,
      additionalMasterSgs: extraMaster,
      additionalSlaveSgs: extraSlave,
      tags: { team, 'cost-center': `cc-${rng.int(100, 999)}`, environment: rng.pick(['prod', 'staging', 'dev']) },
      applications: [
        { name: 'Hadoop', version: '3.3.6' },
        { name: 'Spark', version: '3.5.1' },
        ...(rng.chance(0.5) ? [{ name: 'Hive', version: '3.1.3' }] : []),
        ...(rng.chance(0.3) ? [{ name: 'Livy', version: '0.8.0' }] : []),
      ],
      nodeGroups: [],
      instances: [],
      ...(rng.chance(0.85) ? { logUri: `s3n://${team}-emr-logs-${accountId}/elasticmapreduce/` } : {}),
      ...(security ? { securityConfiguration: security } : {}),
      ...(sa ? { serviceAccessSg: sa.id } : {}),
      ...(kerberos ? { kerberosRealm: 'EC2.INTERNAL' } : {}),
      ...(rng.chance(0.02) ? { tags: { team, 'emr-audit:suppress': 'logging/no-log-uri' } } : {}),
    };
    if (state !== 'STARTING' && state !== 'BOOTSTRAPPING') cluster.readyAt = new Date(createdAt.getTime() + minutes(rng.int(6, 12)));
    if (!active) cluster.endedAt = new Date(createdAt.getTime() + minutes(rng.int(30, 600)));
    if (active && !privateSubnet) cluster.masterPublicDns = `ec2-${rng.int(3, 54)}-${rng.int(1, 254)}-${rng.int(1, 254)}-${rng.int(1, 254)}.compute-1.amazonaws.com`;
    if (active) {
      buildNodes(cluster, rng, { now, nextIp, privateSubnet, profileArn: profile?.arn ?? '', ec2Instances, ssmInstances, httpTokens: security === 'emr-secconf-strict' || rng.chance(0.4) ? 'required' : 'optional' });
      addressNodes(cluster, netRng, { privateSubnet, ipv6Prefix: subnet.ipv6Cidr, ec2Instances });
    }
    clusters.push(cluster);
  }

  return {
    accountId,
    region,
    partition: 'aws',
    now,
    clusters,
    securityGroups,
    prefixLists,
    securityConfigurations,
    instanceProfiles,
    roles,
    managedPolicies,
    ec2Instances,
    ssmInstances,
    network,
    releaseLabels: labels,
    blockPublicAccess: { blockPublicSecurityGroupRules: true, ranges: [{ min: 22, max: 22 }] },
  };
}

interface NodeContext {
  now: Date;
  nextIp: () => string;
  privateSubnet: boolean;
  profileArn: string;
  httpTokens: 'required' | 'optional';
  ec2Instances: Map<string, SimEc2Instance>;
  ssmInstances: Map<string, SimSsmInstance>;
}

/** Node groups (or fleets) and instances of an active cluster, with its EC2 and SSM records. */
function buildNodes(cluster: SimCluster, rng: Rng, ctx: NodeContext): void {
  const fleet = cluster.collection === 'INSTANCE_FLEET';
  const prefix = fleet ? 'if' : 'ig';
  // 3–20 nodes usually; a few large clusters need several ListInstances pages.
  const large = rng.chance(0.02);
  const counts: Record<NodeRole, number> = {
    MASTER: rng.chance(0.05) ? 3 : 1,
    CORE: rng.int(2, 10),
    TASK: large ? rng.int(51, 120) : rng.int(0, 9),
  };
  const publicNodes = !ctx.privateSubnet && rng.chance(0.7);
  const booting = cluster.state === 'STARTING' || cluster.state === 'BOOTSTRAPPING';
  for (const role of ['MASTER', 'CORE', 'TASK'] as const) {
    if (counts[role] === 0) continue;
    const group: SimNodeGroup = {
      id: `${prefix}-${upperAlnum(rng, 13)}`,
      role,
      name: fleet ? `${role.toLowerCase()} fleet` : `${role[0]}${role.slice(1).toLowerCase()} - ${role === 'MASTER' ? 1 : 2}`,
      instanceType: rng.pick(INSTANCE_TYPES),
      market: role === 'TASK' && rng.chance(0.6) ? 'SPOT' : 'ON_DEMAND',
      requested: counts[role],
    };
    cluster.nodeGroups.push(group);
    for (let i = 0; i < counts[role]; i++) {
      const createdAt = new Date(cluster.createdAt.getTime() + minutes(rng.int(0, 3)));
      let state: EmrInstanceState = 'RUNNING';
      if (cluster.state === 'STARTING') state = rng.chance(0.3) ? 'AWAITING_FULFILLMENT' : 'PROVISIONING';
      else if (cluster.state === 'BOOTSTRAPPING') state = 'BOOTSTRAPPING';
      else if (role === 'TASK' && rng.chance(0.03)) state = 'PROVISIONING';
      const instance: SimInstance = {
        id: `ci-${upperAlnum(rng, 13)}`,
        state,
        groupId: group.id,
        role,
        instanceType: group.instanceType,
        market: group.market,
        privateIp: ctx.nextIp(),
        createdAt,
        ...(state === 'RUNNING' ? { readyAt: new Date(createdAt.getTime() + minutes(rng.int(4, 9))) } : {}),
      };
      if (state !== 'AWAITING_FULFILLMENT') instance.ec2Id = `i-${hex(rng, 17)}`;
      if (publicNodes && instance.ec2Id) instance.publicIp = `${rng.int(3, 54)}.${rng.int(1, 254)}.${rng.int(1, 254)}.${rng.int(1, 254)}`;
      cluster.instances.push(instance);
      if (instance.ec2Id) {
        ctx.ec2Instances.set(instance.ec2Id, {
          id: instance.ec2Id,
          state: state === 'RUNNING' ? 'running' : 'pending',
          launchTime: createdAt,
          instanceType: instance.instanceType,
          privateIp: instance.privateIp,
          subnetId: cluster.subnetId,
          vpcId: cluster.vpcId,
          httpTokens: ctx.httpTokens,
          clusterId: cluster.id,
          role,
          groupId: group.id,
          securityGroupIds: role === 'MASTER' ? [cluster.masterSg, ...cluster.additionalMasterSgs] : [cluster.slaveSg, ...cluster.additionalSlaveSgs],
          profileArn: ctx.profileArn,
          ...(instance.publicIp ? { publicIp: instance.publicIp } : {}),
        });
        // Most nodes register with SSM; some never do (no permission), some lost contact.
        if (state === 'RUNNING' && !booting && rng.chance(0.93)) {
          ctx.ssmInstances.set(instance.ec2Id, {
            id: instance.ec2Id,
            pingStatus: rng.weighted([['Online', 0.96], ['ConnectionLost', 0.04]] as const),
            lastPing: new Date(ctx.now.getTime() - rng.int(5_000, 300_000)),
            agentVersion: rng.pick(['3.3.1142.0', '3.3.987.0', '3.2.2303.0']),
            isLatestVersion: rng.chance(0.6),
            privateIp: instance.privateIp,
          });
        }
      }
    }
  }
  // Autoscaled long-running clusters accumulate terminated instances (skipped by a state filter).
  if (!booting && rng.chance(0.25)) {
    const task = cluster.nodeGroups.find((g) => g.role === 'TASK') ?? cluster.nodeGroups.find((g) => g.role === 'CORE');
    if (task) {
      const count = rng.int(10, 150);
      for (let i = 0; i < count; i++) {
        const createdAt = new Date(cluster.createdAt.getTime() + minutes(rng.int(10, 5000)));
        cluster.instances.push({
          id: `ci-${upperAlnum(rng, 13)}`,
          ec2Id: `i-${hex(rng, 17)}`,
          state: 'TERMINATED',
          groupId: task.id,
          role: task.role,
          instanceType: task.instanceType,
          market: task.market,
          privateIp: ctx.nextIp(),
          createdAt,
          readyAt: new Date(createdAt.getTime() + minutes(5)),
          endedAt: new Date(createdAt.getTime() + minutes(rng.int(30, 600))),
        });
      }
    }
  }
}

/**
 * Addresses beyond the private one, drawn from the network's generator: an Elastic IP on the master
 * of a few clusters in private subnets (public address, no route from the internet), and global
 * IPv6 addresses on the nodes of half the clusters in dual-stack public subnets.
 */
function addressNodes(cluster: SimCluster, rng: Rng, ctx: { privateSubnet: boolean; ipv6Prefix: string | undefined; ec2Instances: Map<string, SimEc2Instance> }): void {
  if (ctx.privateSubnet && rng.chance(0.03)) {
    const master = cluster.instances.find((i) => i.role === 'MASTER' && i.ec2Id && !i.publicIp);
    const ec2 = master?.ec2Id ? ctx.ec2Instances.get(master.ec2Id) : undefined;
    if (master && ec2) {
      master.publicIp = `44.${rng.int(192, 223)}.${rng.int(1, 254)}.${rng.int(1, 254)}`;
      ec2.publicIp = master.publicIp;
    }
  }
  if (ctx.ipv6Prefix && rng.chance(0.5)) {
    const prefix = ctx.ipv6Prefix.slice(0, ctx.ipv6Prefix.indexOf('::/'));
    for (const i of cluster.instances) {
      const ec2 = i.ec2Id ? ctx.ec2Instances.get(i.ec2Id) : undefined;
      if (ec2) ec2.ipv6 = [`${prefix}::${hex(rng, 4)}:${hex(rng, 4)}`];
    }
  }
}

/** Security configuration documents: from strict to legacy (what the encryption checks read). */
function securityConfigurationDocument(k: number, accountId: string, region: string): Record<string, unknown> {
  const kms = `arn:aws:kms:${region}:${accountId}:key/0000000${k}-aaaa-bbbb-cccc-dddddddddddd`;
  const imds = { InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 } };
  switch (k) {
    case 0:
      return {
        EncryptionConfiguration: {
          EnableInTransitEncryption: true,
          EnableAtRestEncryption: true,
          InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: 's3://certs-bucket/emr/certs.zip' } },
          AtRestEncryptionConfiguration: {
            S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: kms },
            LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: kms, EnableEbsEncryption: true },
          },
        },
        AuthorizationConfiguration: { IAMConfiguration: { EnableApplicationScopedIAMRole: true } },
        ...imds,
      };
    case 1:
      return {
        EncryptionConfiguration: {
          EnableInTransitEncryption: false,
          EnableAtRestEncryption: true,
          AtRestEncryptionConfiguration: { S3EncryptionConfiguration: { EncryptionMode: 'SSE-S3' }, LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: kms } },
        },
      };
    case 2:
      return { EncryptionConfiguration: { EnableInTransitEncryption: false, EnableAtRestEncryption: false } };
    case 3:
      return {
        EncryptionConfiguration: { EnableInTransitEncryption: false, EnableAtRestEncryption: true, AtRestEncryptionConfiguration: { S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: kms } } },
        AuthenticationConfiguration: { KerberosConfiguration: { Provider: 'ClusterDedicatedKdc', ClusterDedicatedKdcConfiguration: { TicketLifetimeInHours: 24 } } },
        ...imds,
      };
    case 4:
      return {
        EncryptionConfiguration: { EnableInTransitEncryption: false, EnableAtRestEncryption: false },
        AuthorizationConfiguration: { LakeFormationConfiguration: { AuthorizedSessionTagValue: 'Amazon EMR' } },
        AuthenticationConfiguration: { IdentityCenterConfiguration: { EnableIdentityCenter: true, IdentityCenterApplicationAssigmentRequired: false } },
      };
    default:
      return { EncryptionConfiguration: { EnableInTransitEncryption: false, EnableAtRestEncryption: false }, ...imds };
  }
}

export const AWS_MANAGED_POLICIES = AWS_MANAGED;
