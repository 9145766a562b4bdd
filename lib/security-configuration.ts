/**
 * The shared frame of the checks that judge the contents of a cluster's security configuration:
 * no configuration is one finding (`encryption/no-security-configuration`), not one per detail, and
 * a configuration that could not be read is an ERROR, never a pass.
 */
import type { EvalContext, Outcome } from '../checks/contract.js';
import { errorOutcome, lookupSecurityConfiguration } from './lookup.js';
import type { Cluster, SecurityConfiguration } from './snapshot.js';

export const NO_SECURITY_CONFIGURATION_CHECK = 'encryption/no-security-configuration';

export function noSecurityConfigurationOutcome(): Outcome {
  return {
    status: 'NOT_APPLICABLE',
    message: `The cluster has no security configuration; ${NO_SECURITY_CONFIGURATION_CHECK} reports that once.`,
  };
}

/** Runs `judge` on the cluster's security configuration, or answers NOT_APPLICABLE / ERROR. */
export function judgeSecurityConfiguration(
  cluster: Cluster,
  ctx: EvalContext,
  judge: (config: SecurityConfiguration) => Outcome[],
): Outcome[] {
  const found = lookupSecurityConfiguration(cluster, ctx);
  switch (found.kind) {
    case 'none':
      return [noSecurityConfigurationOutcome()];
    case 'error':
      return [errorOutcome('the security configuration', found.reason)];
    case 'ok':
      return judge(found.config);
  }
}
