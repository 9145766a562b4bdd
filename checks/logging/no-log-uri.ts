import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'logging/no-log-uri',
  title: 'Cluster has no log URI',
  severity: 'LOW',
  scope: 'cluster',
  description:
    'Without a LogUri, step and node logs are lost when the cluster terminates, and there is nothing to audit afterwards.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Launch clusters with a LogUri (an S3 location, e.g. s3://my-emr-logs/) so EMR archives step, node and application logs. The log URI cannot be added to a running cluster: set it in the cluster template for its next launch.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-debugging.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster'],
  settings: [],
  compliance: complianceFor('logging/no-log-uri'),
  evaluate(cluster) {
    if (cluster.logUri) return [{ status: 'PASS', message: `Logs are archived to ${cluster.logUri}.` }];
    return [{ status: 'FAIL', message: `Cluster ${cluster.name} (${cluster.id}) has no LogUri: its step and node logs are lost when it terminates.` }];
  },
};
