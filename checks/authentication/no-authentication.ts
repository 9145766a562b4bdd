import { lookupSecurityConfiguration, errorOutcome } from '../../lib/lookup.js';
import { noSecurityConfigurationOutcome } from '../../lib/security-configuration.js';
import type { Cluster, SecurityConfiguration } from '../../lib/snapshot.js';
import { TYPES, type ClusterCheck } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

/** The authentication and authorization mechanisms in place, in words; empty when there are none. */
function mechanisms(cluster: Cluster, config: SecurityConfiguration | undefined): string[] {
  const found: string[] = [];
  const kerberos = config?.authentication?.kerberos;
  // On the cluster only a Realm counts: `KerberosAttributes: {}` (kept as `kerberos: {}` by older
  // snapshots) is not Kerberos.
  const clusterRealm = cluster.kerberos?.realm;
  const realm = kerberos?.realm ?? clusterRealm;
  if (kerberos || clusterRealm) found.push(`Kerberos${realm ? ` (realm ${realm})` : ''}`);
  if (config?.authentication?.identityCenter === true) found.push('IAM Identity Center');
  if (config?.authentication?.ldap === true) found.push('LDAP');
  if (config?.authorization?.runtimeRoles === true) found.push('runtime roles');
  return found;
}

export const check: ClusterCheck = {
  id: 'authentication/no-authentication',
  title: 'Cluster has no authentication (Kerberos, Identity Center, LDAP) and no runtime roles',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'Without Kerberos, IAM Identity Center, LDAP or runtime roles, anyone who reaches the cluster runs jobs as its EC2 instance profile, with all of its AWS permissions.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Launch the cluster with a security configuration that authenticates users: Kerberos (cluster-dedicated KDC or Active Directory trust), IAM Identity Center or LDAP, or enable runtime roles (AuthorizationConfiguration.IAMConfiguration.EnableApplicationScopedIAMRole) so each step runs with its own IAM role instead of the instance profile.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:DescribeSecurityConfiguration'],
  settings: [],
  compliance: complianceFor('authentication/no-authentication'),
  evaluate(cluster, ctx) {
    const found = lookupSecurityConfiguration(cluster, ctx);
    if (found.kind === 'none') return [noSecurityConfigurationOutcome()];
    const config = found.kind === 'ok' ? found.config : undefined;
    const inPlace = mechanisms(cluster, config);
    // KerberosAttributes on DescribeCluster settle the question even when the configuration is unreadable.
    if (inPlace.length > 0) return [{ status: 'PASS', message: `The cluster authenticates with ${inPlace.join(', ')}.` }];
    if (found.kind === 'error') return [errorOutcome('the security configuration', found.reason)];
    const profile = cluster.ec2?.instanceProfile;
    return [
      {
        status: 'FAIL',
        message: `Security configuration "${found.config.name}" sets up no authentication (no Kerberos, IAM Identity Center or LDAP) and no runtime roles: anyone who reaches the cluster acts as its instance profile${profile ? ` ${profile}` : ''}. Relaunch with Kerberos, Identity Center, LDAP or runtime roles in the security configuration.`,
      },
    ];
  },
};
