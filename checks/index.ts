/** The check registry: every check, in catalogue order (CHECKS.md). */
import type { Check } from './contract.js';
import { check as networkAllTrafficFromInternet } from './network/all-traffic-from-internet.js';
import { check as networkSshFromInternet } from './network/ssh-from-internet.js';
import { check as networkApplicationPortFromInternet } from './network/application-port-from-internet.js';
import { check as networkOtherPortFromInternet } from './network/other-port-from-internet.js';
import { check as networkSharedManagedSecurityGroup } from './network/shared-managed-security-group.js';
import { check as networkClusterManagerPortExposed } from './network/cluster-manager-port-exposed.js';
import { check as exposurePrimaryNodePublicIp } from './exposure/primary-node-public-ip.js';
import { check as exposureNodePublicIp } from './exposure/node-public-ip.js';
import { check as exposureInternetReachablePort } from './exposure/internet-reachable-port.js';
import { check as exposureAttackPath } from './exposure/attack-path.js';
import { check as exposureBlockPublicAccessDisabled } from './exposure/block-public-access-disabled.js';
import { check as encryptionNoSecurityConfiguration } from './encryption/no-security-configuration.js';
import { check as encryptionAtRestDisabled } from './encryption/at-rest-disabled.js';
import { check as encryptionLocalDiskUnencrypted } from './encryption/local-disk-unencrypted.js';
import { check as encryptionS3Unencrypted } from './encryption/s3-unencrypted.js';
import { check as encryptionInTransitDisabled } from './encryption/in-transit-disabled.js';
import { check as authenticationNoAuthentication } from './authentication/no-authentication.js';
import { check as instanceImdsv2NotRequired } from './instance/imdsv2-not-required.js';
import { check as iamInstanceProfileAdmin } from './iam/instance-profile-admin.js';
import { check as iamInstanceProfileDeprecatedPolicy } from './iam/instance-profile-deprecated-policy.js';
import { check as iamInstanceProfileWildcardDataAccess } from './iam/instance-profile-wildcard-data-access.js';
import { check as iamInstanceProfilePrivilegeEscalation } from './iam/instance-profile-privilege-escalation.js';
import { check as iamInstanceProfileMissingSsmPermissions } from './iam/instance-profile-missing-ssm-permissions.js';
import { check as iamServiceRoleDeprecatedPolicy } from './iam/service-role-deprecated-policy.js';
import { check as ssmInstanceNotManaged } from './ssm/instance-not-managed.js';
import { check as ssmAgentNotOnline } from './ssm/agent-not-online.js';
import { check as secretsPlaintextInConfigurations } from './secrets/plaintext-in-configurations.js';
import { check as loggingNoLogUri } from './logging/no-log-uri.js';
import { check as lifecycleOutdatedRelease } from './lifecycle/outdated-release.js';

export const CHECKS: readonly Check[] = [
  networkAllTrafficFromInternet,
  networkSshFromInternet,
  networkApplicationPortFromInternet,
  networkOtherPortFromInternet,
  networkSharedManagedSecurityGroup,
  networkClusterManagerPortExposed,
  exposurePrimaryNodePublicIp,
  exposureNodePublicIp,
  exposureInternetReachablePort,
  exposureAttackPath,
  exposureBlockPublicAccessDisabled,
  encryptionNoSecurityConfiguration,
  encryptionAtRestDisabled,
  encryptionLocalDiskUnencrypted,
  encryptionS3Unencrypted,
  encryptionInTransitDisabled,
  authenticationNoAuthentication,
  instanceImdsv2NotRequired,
  iamInstanceProfileAdmin,
  iamInstanceProfileDeprecatedPolicy,
  iamInstanceProfileWildcardDataAccess,
  iamInstanceProfilePrivilegeEscalation,
  iamInstanceProfileMissingSsmPermissions,
  iamServiceRoleDeprecatedPolicy,
  ssmInstanceNotManaged,
  ssmAgentNotOnline,
  secretsPlaintextInConfigurations,
  loggingNoLogUri,
  lifecycleOutdatedRelease,
];

export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id);

export function findCheck(id: string): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}
