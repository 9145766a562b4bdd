import { judgeSecurityConfiguration } from '../../lib/security-configuration.js';
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

/** The one mode with Amazon S3 managed keys: `requireKmsForS3` rejects it. */
const SSE_S3 = 'sse-s3';

export const check: ClusterCheck = {
  id: 'encryption/s3-unencrypted',
  title: 'EMRFS data in S3 is not encrypted by the security configuration',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'At-rest encryption is on but the security configuration sets no S3 encryption mode for EMRFS (or, with requireKmsForS3, only SSE-S3), so data the cluster writes to S3 is not encrypted as required.',
  types: [TYPES.bestPractices, TYPES.dataExposure],
  remediation: {
    text: 'In the security configuration, add S3EncryptionConfiguration with EncryptionMode SSE-KMS or CSE-KMS and a KMS key the cluster role may use (SSE-S3 only if Amazon S3 managed keys are acceptable), then relaunch the cluster with it.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html#emr-encryption-s3',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:DescribeSecurityConfiguration'],
  settings: ['requireKmsForS3'],
  compliance: complianceFor('encryption/s3-unencrypted'),
  evaluate(cluster, ctx) {
    return judgeSecurityConfiguration(cluster, ctx, (config) => {
      const encryption = config.encryption;
      if (encryption?.enableAtRestEncryption !== true) {
        return [{ status: 'NOT_APPLICABLE', message: `At-rest encryption is off in security configuration "${config.name}"; encryption/at-rest-disabled reports that.` }];
      }
      const mode = encryption.s3?.encryptionMode?.trim();
      if (!encryption.s3) {
        return [
          {
            status: 'FAIL',
            message: `Security configuration "${config.name}" has no S3EncryptionConfiguration: EMRFS data the cluster writes to S3 is not encrypted by EMR. Add EncryptionMode SSE-KMS or CSE-KMS and relaunch the cluster.`,
          },
        ];
      }
      if (!mode) {
        // EMR requires a mode; a configuration without one encrypts nothing we can vouch for.
        return [
          {
            status: 'FAIL',
            message: `Security configuration "${config.name}" has an S3EncryptionConfiguration without an EncryptionMode: EMRFS data in S3 is not known to be encrypted. Set EncryptionMode SSE-KMS or CSE-KMS and relaunch the cluster.`,
          },
        ];
      }
      if (mode.toLowerCase() === SSE_S3 && ctx.settings.requireKmsForS3) {
        return [
          {
            status: 'FAIL',
            message: `Security configuration "${config.name}" encrypts EMRFS data in S3 with SSE-S3 (Amazon S3 managed keys), but KMS encryption is required (requireKmsForS3). Use EncryptionMode SSE-KMS or CSE-KMS and relaunch the cluster.`,
          },
        ];
      }
      const key = encryption.s3.awsKmsKey ? ` with key ${encryption.s3.awsKmsKey}` : '';
      return [{ status: 'PASS', message: `Security configuration "${config.name}" encrypts EMRFS data in S3 with ${mode}${key}.` }];
    });
  },
};
