import { judgeSecurityConfiguration } from '../../lib/security-configuration.js';
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'encryption/at-rest-disabled',
  title: 'At-rest encryption is disabled',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    "The cluster's security configuration does not enable at-rest encryption, so EMRFS data in S3 and the nodes' local disks are not encrypted by EMR.",
  types: [TYPES.bestPractices, TYPES.dataExposure],
  remediation: {
    text: 'Create a security configuration with EnableAtRestEncryption true, an S3 encryption mode (SSE-KMS or CSE-KMS preferred) and local disk encryption with EnableEbsEncryption, then relaunch the cluster with it (a running cluster keeps the configuration it was launched with).',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:DescribeSecurityConfiguration'],
  settings: [],
  compliance: complianceFor('encryption/at-rest-disabled'),
  evaluate(cluster, ctx) {
    return judgeSecurityConfiguration(cluster, ctx, (config) => {
      if (config.encryption?.enableAtRestEncryption === true) {
        return [{ status: 'PASS', message: `Security configuration "${config.name}" enables at-rest encryption.` }];
      }
      return [
        {
          status: 'FAIL',
          message: `Security configuration "${config.name}" does not enable at-rest encryption (EnableAtRestEncryption is not true): EMRFS data in S3 and the nodes' local disks are not encrypted by EMR. Set EnableAtRestEncryption with S3 and local disk encryption and relaunch the cluster.`,
        },
      ];
    });
  },
};
