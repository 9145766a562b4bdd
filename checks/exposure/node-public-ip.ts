import { TYPES, type ClusterCheck } from '../contract.js';
import { publicIpOutcome } from '../../lib/network/public-ips.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'exposure/node-public-ip',
  title: 'Core or task node has a public IP address',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'Core and task nodes with public IP addresses are reachable from the internet wherever a security group rule allows it, although they only need to talk to the primary node and AWS services.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Launch the cluster in a private subnet (with a service access security group, and a NAT gateway or VPC endpoints for outbound traffic), or in a subnet that does not assign public IPv4 addresses. Running instances keep their public IPs: relaunch the cluster or replace the instance groups.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-clusters-in-a-vpc.html',
  },
  permissions: [
    'elasticmapreduce:DescribeCluster',
    'elasticmapreduce:ListInstances',
    'elasticmapreduce:ListInstanceGroups',
    'elasticmapreduce:ListInstanceFleets',
    'ec2:DescribeInstances',
  ],
  settings: [],
  compliance: complianceFor('exposure/node-public-ip'),
  evaluate(cluster, ctx) {
    return [publicIpOutcome(cluster, ctx, ['CORE', 'TASK'], { node: 'core or task node', nodes: 'core and task nodes' })];
  },
};
