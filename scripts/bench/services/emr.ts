/** EMR (AWS JSON 1.1) answered from the simulated account. */
import { ACTIVE_STATES, SECRET_MARKERS, type SimAccount, type SimCluster, type SimInstance } from '../account.js';
import { epoch, jsonError, jsonResponse, type ParsedRequest, type SimResponse } from '../wire.js';

/** EMR pages ListClusters / ListInstances / ListInstanceGroups / ListInstanceFleets by 50. */
export const EMR_PAGE_SIZE = 50;
/** ListReleaseLabels: default and maximum MaxResults. */
export const RELEASE_LABELS_PAGE_SIZE = 100;

const invalid = (message: string): SimResponse => jsonError(400, 'InvalidRequestException', message);

function page<T>(items: readonly T[], marker: unknown, size: number): { items: T[]; next?: string } {
  const start = typeof marker === 'string' && marker !== '' ? Number(marker) : 0;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: String(start + size) } : { items: slice };
}

const stringList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined);

function status(c: SimCluster): Record<string, unknown> {
  return {
    State: c.state,
    StateChangeReason: c.endedAt ? { Code: c.state === 'TERMINATED' ? 'ALL_STEPS_COMPLETED' : 'BOOTSTRAP_FAILURE', Message: 'Steps completed' } : {},
    Timeline: {
      CreationDateTime: epoch(c.createdAt),
      ...(c.readyAt ? { ReadyDateTime: epoch(c.readyAt) } : {}),
      ...(c.endedAt ? { EndDateTime: epoch(c.endedAt) } : {}),
    },
  };
}

function describeCluster(account: SimAccount, c: SimCluster): Record<string, unknown> {
  const active = ACTIVE_STATES.includes(c.state);
  return {
    Id: c.id,
    Name: c.name,
    Status: status(c),
    Ec2InstanceAttributes: {
      Ec2KeyName: 'emr-ops',
      Ec2SubnetId: c.subnetId,
      RequestedEc2SubnetIds: [c.subnetId],
      Ec2AvailabilityZone: c.availabilityZone,
      RequestedEc2AvailabilityZones: [],
      IamInstanceProfile: c.instanceProfileRef,
      EmrManagedMasterSecurityGroup: c.masterSg,
      EmrManagedSlaveSecurityGroup: c.slaveSg,
      ...(c.serviceAccessSg ? { ServiceAccessSecurityGroup: c.serviceAccessSg } : {}),
      AdditionalMasterSecurityGroups: c.additionalMasterSgs,
      AdditionalSlaveSecurityGroups: c.additionalSlaveSgs,
    },
    InstanceCollectionType: c.collection,
    ...(c.logUri ? { LogUri: c.logUri } : {}),
    ReleaseLabel: c.releaseLabel,
    AutoTerminate: false,
    TerminationProtected: active && c.tags['environment'] === 'prod',
    UnhealthyNodeReplacement: true,
    VisibleToAllUsers: true,
    Applications: c.applications.map((a) => ({ Name: a.name, Version: a.version })),
    Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })),
    ServiceRole: c.serviceRoleRef,
    NormalizedInstanceHours: 64 * (1 + (c.instances.length % 50)),
    ...(c.masterPublicDns ? { MasterPublicDnsName: c.masterPublicDns } : {}),
    // Configurations often hold passwords: the collectors must never copy them.
    Configurations: [
      {
        Classification: 'hive-site',
        Properties: {
          'javax.jdo.option.ConnectionURL': `jdbc:mysql://metastore.${account.region}.rds.amazonaws.com:3306/hive`,
          'javax.jdo.option.ConnectionUserName': 'hive',
          'javax.jdo.option.ConnectionPassword': `${SECRET_MARKERS[0]}-${c.id}`,
        },
      },
      { Classification: 'spark-defaults', Properties: { 'spark.dynamicAllocation.enabled': 'true', 'spark.executor.memory': '8g' } },
    ],
    ...(c.securityConfiguration ? { SecurityConfiguration: c.securityConfiguration } : {}),
    ScaleDownBehavior: 'TERMINATE_AT_TASK_COMPLETION',
    EbsRootVolumeSize: 64,
    ...(c.kerberosRealm
      ? {
          KerberosAttributes: {
            Realm: c.kerberosRealm,
            KdcAdminPassword: `${SECRET_MARKERS[1]}-${c.id}`,
            CrossRealmTrustPrincipalPassword: `${SECRET_MARKERS[2]}-${c.id}`,
            ADDomainJoinUser: 'emr-join',
            ADDomainJoinPassword: `${SECRET_MARKERS[3]}-${c.id}`,
          },
        }
      : {}),
    ClusterArn: c.arn,
    StepConcurrencyLevel: 1,
    PlacementGroups: [],
    OSReleaseLabel: '2023.5.20240708.0',
  };
}

function instanceItem(i: SimInstance, fleet: boolean): Record<string, unknown> {
  return {
    Id: i.id,
    ...(i.ec2Id ? { Ec2InstanceId: i.ec2Id } : {}),
    ...(i.publicIp ? { PublicIpAddress: i.publicIp, PublicDnsName: `ec2-${i.publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com` } : { PublicDnsName: '' }),
    PrivateIpAddress: i.privateIp,
    PrivateDnsName: `ip-${i.privateIp.replaceAll('.', '-')}.ec2.internal`,
    Status: {
      State: i.state,
      StateChangeReason: i.endedAt ? { Code: 'INTERNAL_ERROR', Message: 'Instance was terminated by scale-in' } : {},
      Timeline: {
        CreationDateTime: epoch(i.createdAt),
        ...(i.readyAt ? { ReadyDateTime: epoch(i.readyAt) } : {}),
        ...(i.endedAt ? { EndDateTime: epoch(i.endedAt) } : {}),
      },
    },
    ...(fleet ? { InstanceFleetId: i.groupId } : { InstanceGroupId: i.groupId }),
    Market: i.market,
    InstanceType: i.instanceType,
    EbsVolumes: [
      { Device: '/dev/sdb', VolumeId: `vol-${i.id.slice(3).toLowerCase()}b` },
      { Device: '/dev/sdc', VolumeId: `vol-${i.id.slice(3).toLowerCase()}c` },
    ],
  };
}

export function handleEmr(account: SimAccount, req: ParsedRequest): SimResponse {
  const input = req.json;
  const clusterById = (): SimCluster | SimResponse => {
    const id = input['ClusterId'];
    const c = typeof id === 'string' ? account.clusters.find((x) => x.id === id) : undefined;
    return c ?? invalid(`Cluster id '${String(id)}' is not valid.`);
  };
  const isResponse = (v: SimCluster | SimResponse): v is SimResponse => 'statusCode' in v;

  switch (req.operation) {
    case 'ListClusters': {
      const states = stringList(input['ClusterStates']);
      const listed = states && states.length > 0 ? account.clusters.filter((c) => states.includes(c.state)) : account.clusters;
      const p = page(listed, input['Marker'], EMR_PAGE_SIZE);
      const clusters = p.items.map((c) => ({ Id: c.id, Name: c.name, Status: status(c), NormalizedInstanceHours: 64, ClusterArn: c.arn }));
      return jsonResponse({ Clusters: clusters, ...(p.next ? { Marker: p.next } : {}) }, clusters.length);
    }
    case 'DescribeCluster': {
      const c = clusterById();
      if (isResponse(c)) return c;
      return jsonResponse({ Cluster: describeCluster(account, c) }, 1);
    }
    case 'ListInstances': {
      const c = clusterById();
      if (isResponse(c)) return c;
      const fleet = c.collection === 'INSTANCE_FLEET';
      const states = stringList(input['InstanceStates']);
      const types = stringList(input['InstanceGroupTypes']);
      const groupId = input['InstanceGroupId'] ?? input['InstanceFleetId'];
      const fleetType = input['InstanceFleetType'];
      const roleOf = new Map(c.nodeGroups.map((g) => [g.id, g.role]));
      const listed = c.instances.filter(
        (i) =>
          (!states || states.length === 0 || states.includes(i.state)) &&
          (!types || types.length === 0 || types.includes(roleOf.get(i.groupId) ?? '')) &&
          (typeof groupId !== 'string' || i.groupId === groupId) &&
          (typeof fleetType !== 'string' || roleOf.get(i.groupId) === fleetType),
      );
      const p = page(listed, input['Marker'], EMR_PAGE_SIZE);
      return jsonResponse({ Instances: p.items.map((i) => instanceItem(i, fleet)), ...(p.next ? { Marker: p.next } : {}) }, p.items.length);
    }
    case 'ListInstanceGroups': {
      const c = clusterById();
      if (isResponse(c)) return c;
      if (c.collection !== 'INSTANCE_GROUP') return invalid('Instance groups are not supported for clusters that use instance fleets.');
      const groups = c.nodeGroups.map((g) => {
        const running = c.instances.filter((i) => i.groupId === g.id && i.state === 'RUNNING').length;
        return {
          Id: g.id,
          Name: g.name,
          Market: g.market,
          InstanceGroupType: g.role,
          InstanceType: g.instanceType,
          RequestedInstanceCount: g.requested,
          RunningInstanceCount: running,
          Status: { State: running > 0 ? 'RUNNING' : 'PROVISIONING', StateChangeReason: {}, Timeline: { CreationDateTime: epoch(c.createdAt) } },
          Configurations: [],
          ConfigurationsVersion: 0,
          EbsBlockDevices: [{ VolumeSpecification: { VolumeType: 'gp3', SizeInGB: 128, Iops: 3000, Throughput: 125 }, Device: '/dev/sdb' }],
          EbsOptimized: true,
          ShrinkPolicy: {},
        };
      });
      const p = page(groups, input['Marker'], EMR_PAGE_SIZE);
      return jsonResponse({ InstanceGroups: p.items, ...(p.next ? { Marker: p.next } : {}) }, p.items.length);
    }
    case 'ListInstanceFleets': {
      const c = clusterById();
      if (isResponse(c)) return c;
      if (c.collection !== 'INSTANCE_FLEET') return invalid('Instance fleets are not supported for clusters that use instance groups.');
      const fleets = c.nodeGroups.map((g) => ({
        Id: g.id,
        Name: g.name,
        Status: { State: 'RUNNING', StateChangeReason: {}, Timeline: { CreationDateTime: epoch(c.createdAt) } },
        InstanceFleetType: g.role,
        TargetOnDemandCapacity: g.market === 'ON_DEMAND' ? g.requested : 0,
        TargetSpotCapacity: g.market === 'SPOT' ? g.requested : 0,
        ProvisionedOnDemandCapacity: g.market === 'ON_DEMAND' ? g.requested : 0,
        ProvisionedSpotCapacity: g.market === 'SPOT' ? g.requested : 0,
        InstanceTypeSpecifications: [
          { InstanceType: g.instanceType, WeightedCapacity: 1, BidPriceAsPercentageOfOnDemandPrice: 100, EbsBlockDevices: [], EbsOptimized: true },
          { InstanceType: 'm5a.2xlarge', WeightedCapacity: 1, BidPriceAsPercentageOfOnDemandPrice: 100, EbsBlockDevices: [], EbsOptimized: true },
        ],
      }));
      const p = page(fleets, input['Marker'], EMR_PAGE_SIZE);
      return jsonResponse({ InstanceFleets: p.items, ...(p.next ? { Marker: p.next } : {}) }, p.items.length);
    }
    case 'DescribeSecurityConfiguration': {
      const name = input['Name'];
      const conf = typeof name === 'string' ? account.securityConfigurations.get(name) : undefined;
      if (!conf) return invalid(`Security configuration with name '${String(name)}' does not exist.`);
      return jsonResponse({ Name: conf.name, SecurityConfiguration: conf.json, CreationDateTime: epoch(conf.createdAt) }, 1);
    }
    case 'GetBlockPublicAccessConfiguration': {
      const bpa = account.blockPublicAccess;
      return jsonResponse({
        BlockPublicAccessConfiguration: {
          BlockPublicSecurityGroupRules: bpa.blockPublicSecurityGroupRules,
          PermittedPublicSecurityGroupRuleRanges: bpa.ranges.map((r) => ({ MinRange: r.min, MaxRange: r.max })),
        },
        BlockPublicAccessConfigurationMetadata: { CreationDateTime: epoch(account.now) - 86_400 * 400, CreatedByArn: `arn:aws:iam::${account.accountId}:root` },
      });
    }
    case 'ListReleaseLabels': {
      const max = input['MaxResults'];
      const size = typeof max === 'number' ? Math.min(max, RELEASE_LABELS_PAGE_SIZE) : RELEASE_LABELS_PAGE_SIZE;
      const p = page(account.releaseLabels, input['NextToken'], size);
      return jsonResponse({ ReleaseLabels: p.items, ...(p.next ? { NextToken: p.next } : {}) }, p.items.length);
    }
    default:
      return jsonError(400, 'UnknownOperationException', `The simulator does not implement elasticmapreduce:${req.operation}`);
  }
}
