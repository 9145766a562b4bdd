import { judgeSecurityConfiguration } from '../../lib/security-configuration.js';
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'encryption/in-transit-disabled',
  title: 'In-transit encryption is disabled',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    "The cluster's security configuration does not enable in-transit encryption, so data moving between nodes and to clients (shuffle, HDFS, web UIs) travels in clear text.",
  types: [TYPES.bestPractices, TYPES.dataExposure],
  remediation: {
    text: 'Create a security configuration with EnableInTransitEncryption true and a TLS certificate provider (PEM certificates in S3 or a custom provider), then relaunch the cluster with it (a running cluster keeps the configuration it was launched with).',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html#emr-encryption-intransit',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:DescribeSecurityConfiguration'],
  settings: [],
  compliance: complianceFor('encryption/in-transit-disabled'),
  evaluate(cluster, ctx) {
    return judgeSecurityConfiguration(cluster, ctx, (config) => {
      const encryption = config.encryption;
      if (encryption?.enableInTransitEncryption === true) {
        const provider = encryption.inTransitTlsCertificateProvider;
        return [
          {
            status: 'PASS',
            message: `Security configuration "${config.name}" enables in-transit encryption${provider ? ` (certificate provider ${provider})` : ''}.`,
          },
        ];
      }
      return [
        {
          status: 'FAIL',
          message: `Security configuration "${config.name}" does not enable in-transit encryption (EnableInTransitEncryption is not true): traffic between the nodes and to clients is not encrypted. Set EnableInTransitEncryption with a TLS certificate provider and relaunch the cluster.`,
        },
      ];
    });
  },
};
