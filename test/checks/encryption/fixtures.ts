import type { RegionInput } from '../../helpers/fixtures.js';
import { accessDenied, makeCluster } from '../../helpers/fixtures.js';
import type { Cluster, SecurityConfiguration } from '../../../lib/snapshot.js';

export const CONFIG_NAME = 'emr-secure';

/** A security configuration with everything on; tests switch off what they are about. */
export function fullConfig(overrides: Partial<SecurityConfiguration> = {}): SecurityConfiguration {
  return {
    name: CONFIG_NAME,
    encryption: {
      enableAtRestEncryption: true,
      enableInTransitEncryption: true,
      s3: { encryptionMode: 'SSE-KMS', awsKmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k1' },
      localDisk: { encryptionKeyProviderType: 'AwsKms', enableEbsEncryption: true },
      inTransitTlsCertificateProvider: 'PEM',
    },
    authentication: { kerberos: { provider: 'ClusterDedicatedKdc' } },
    authorization: { runtimeRoles: true },
    minimumImdsVersion: 2,
    ...overrides,
  };
}

export function withConfig(config: SecurityConfiguration): { cluster: Cluster; region: RegionInput } {
  return {
    cluster: makeCluster({ securityConfiguration: config.name }),
    region: { securityConfigurations: { [config.name]: config } },
  };
}

/** A cluster whose named configuration could not be fetched (DescribeSecurityConfiguration denied). */
export function unreadableConfig(): { cluster: Cluster; region: RegionInput } {
  return {
    cluster: makeCluster({ securityConfiguration: CONFIG_NAME }),
    region: { errors: [accessDenied('securityConfiguration', CONFIG_NAME, 'elasticmapreduce:DescribeSecurityConfiguration')] },
  };
}
