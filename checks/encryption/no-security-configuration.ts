import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'encryption/no-security-configuration',
  title: 'Cluster has no security configuration',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    'A cluster launched without a security configuration has no at-rest or in-transit encryption and no authentication: one finding covers all of them.',
  types: [TYPES.bestPractices, TYPES.dataExposure],
  remediation: {
    text: 'Create an EMR security configuration that enables at-rest encryption (EMRFS S3 and local disks with EBS encryption), in-transit encryption, an authentication method (Kerberos, IAM Identity Center or runtime roles) and IMDSv2, then launch the cluster with it. A security configuration cannot be added to a running cluster: relaunch it.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster'],
  settings: [],
  compliance: complianceFor('encryption/no-security-configuration'),
  evaluate(cluster) {
    const name = cluster.securityConfiguration;
    if (name) {
      // The name on DescribeCluster proves the configuration exists; whether its contents could be
      // read is the concern of the checks that judge those contents.
      return [{ status: 'PASS', message: `The cluster uses security configuration "${name}".` }];
    }
    return [
      {
        status: 'FAIL',
        message: `Cluster ${cluster.name} (${cluster.id}) has no security configuration: encryption at rest, encryption in transit and authentication are all absent. Relaunch it with a security configuration that enables them.`,
      },
    ];
  },
};
