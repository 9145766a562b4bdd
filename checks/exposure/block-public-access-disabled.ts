import { TYPES, type RegionCheck, type ResourceRef } from '../contract.js';
import { describeErrors, errorOutcome } from '../../lib/lookup.js';
import type { BlockPublicAccess } from '../../lib/snapshot.js';
import { complianceFor } from '../../lib/compliance.js';

const SSH_PORT = 22;

type PortRange = BlockPublicAccess['permittedPortRanges'][number];

/** A range without maxRange is the single port minRange. */
function describeRange(r: PortRange): string {
  return r.maxRange === undefined || r.maxRange === r.minRange ? `${r.minRange}` : `${r.minRange}-${r.maxRange}`;
}

function onlySsh(r: PortRange): boolean {
  return r.minRange === SSH_PORT && (r.maxRange === undefined || r.maxRange === SSH_PORT);
}

export const check: RegionCheck = {
  id: 'exposure/block-public-access-disabled',
  title: 'EMR block public access is off or permits ports other than 22',
  severity: 'CRITICAL',
  scope: 'region',
  description:
    'EMR block public access is the account-wide guard that stops clusters with security group rules open to 0.0.0.0/0 or ::/0 from launching; off, or with exceptions beyond port 22, nothing stops a public cluster.',
  types: [TYPES.networkReachability],
  remediation: {
    text: 'Turn on EMR block public access in this region (EMR console > Block public access, or aws emr put-block-public-access-configuration) and keep only port 22 as an exception, or none. Open other ports to specific CIDRs instead of the internet.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-block-public-access.html',
  },
  permissions: ['elasticmapreduce:GetBlockPublicAccessConfiguration'],
  settings: [],
  compliance: complianceFor('exposure/block-public-access-disabled'),
  evaluate(ctx) {
    const account: ResourceRef = { type: 'AwsAccount', id: ctx.region.accountId };
    const config = ctx.region.snapshot.blockPublicAccess;
    if (!config) {
      const byRegion = ctx.region.errorsFor('blockPublicAccess', ctx.region.region);
      const errors = byRegion.length > 0 ? byRegion : ctx.region.snapshot.errors.filter((e) => e.kind === 'blockPublicAccess');
      return [{ ...errorOutcome('the EMR block public access configuration', describeErrors(errors)), resources: [account] }];
    }
    const where = `in ${ctx.region.region}`;
    if (!config.blockPublicSecurityGroupRules) {
      return [
        {
          status: 'FAIL',
          message: `EMR block public access is off ${where} (BlockPublicSecurityGroupRules is false): clusters whose security groups allow inbound traffic from 0.0.0.0/0 or ::/0 on any port can launch.`,
          resources: [account],
        },
      ];
    }
    const extra = config.permittedPortRanges.filter((r) => !onlySsh(r));
    if (extra.length > 0) {
      return [
        {
          status: 'FAIL',
          message: `EMR block public access ${where} permits public security group rules on ports other than 22: ${extra.map(describeRange).join(', ')}.`,
          resources: [account],
        },
      ];
    }
    const message = config.isDefault
      ? `EMR block public access ${where} has the AWS default configuration (on, only port 22 permitted).`
      : config.permittedPortRanges.length === 0
        ? `EMR block public access is on ${where} and permits no public port.`
        : `EMR block public access is on ${where} and permits only port 22.`;
    return [{ status: 'PASS', message, resources: [account] }];
  },
};
