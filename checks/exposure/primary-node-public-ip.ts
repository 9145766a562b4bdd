import { TYPES, type ClusterCheck } from '../contract.js';
import { publicIpOutcome } from '../../lib/network/public-ips.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'exposure/primary-node-public-ip',
  title: 'Primary node has a public IP address',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    'A primary node with a public IP address is directly reachable from the internet wherever a security group rule allows it, and it runs the cluster managers and web interfaces (Security Hub EMR.1, measured on the instance).',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Launch the cluster in a private subnet (with a service access security group, and a NAT gateway or VPC endpoints for outbound traffic), or in a subnet that does not assign public IPv4 addresses. Reach the cluster through Session Manager, a VPN or a bastion. A running instance keeps its public IP: relaunch the cluster.',
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
  compliance: complianceFor('exposure/primary-node-public-ip'),
  evaluate(cluster, ctx) {
    return [publicIpOutcome(cluster, ctx, ['MASTER'], { node: 'primary node', nodes: 'primary nodes' })];
  },
};
