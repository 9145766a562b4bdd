import { judgeSecurityConfiguration } from '../../lib/security-configuration.js';
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'encryption/local-disk-unencrypted',
  title: 'Local disks and EBS volumes are not encrypted',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    "At-rest encryption is on but the security configuration does not encrypt the nodes' local disks with EBS encryption, so EBS volumes (root included) stay unencrypted.",
  types: [TYPES.bestPractices, TYPES.dataExposure],
  remediation: {
    text: 'In the security configuration, add LocalDiskEncryptionConfiguration with EncryptionKeyProviderType AwsKms (a KMS key the EMR roles may use) and EnableEbsEncryption true, so instance store and EBS volumes, root device included, are encrypted. Relaunch the cluster with the new configuration.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html#emr-encryption-localdisk',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:DescribeSecurityConfiguration'],
  settings: [],
  compliance: complianceFor('encryption/local-disk-unencrypted'),
  evaluate(cluster, ctx) {
    return judgeSecurityConfiguration(cluster, ctx, (config) => {
      const encryption = config.encryption;
      if (encryption?.enableAtRestEncryption !== true) {
        return [{ status: 'NOT_APPLICABLE', message: `At-rest encryption is off in security configuration "${config.name}"; encryption/at-rest-disabled reports that.` }];
      }
      const localDisk = encryption.localDisk;
      if (!localDisk) {
        return [
          {
            status: 'FAIL',
            message: `Security configuration "${config.name}" has no LocalDiskEncryptionConfiguration: the nodes' instance store and EBS volumes, root included, are not encrypted. Add local disk encryption with EnableEbsEncryption true and relaunch the cluster.`,
          },
        ];
      }
      const provider = localDisk.encryptionKeyProviderType ? ` (key provider ${localDisk.encryptionKeyProviderType})` : '';
      if (localDisk.enableEbsEncryption !== true) {
        return [
          {
            status: 'FAIL',
            message: `Security configuration "${config.name}" encrypts local disks${provider} but does not set EnableEbsEncryption: the EBS volumes, root included, stay unencrypted. Set EnableEbsEncryption true (AwsKms key provider) and relaunch the cluster.`,
          },
        ];
      }
      return [{ status: 'PASS', message: `Security configuration "${config.name}" encrypts local disks and EBS volumes${provider}.` }];
    });
  },
};
