import { TYPES, type RegionCheck, type ResourceRef } from '../contract.js';
import { describeErrors, errorOutcome } from '../../lib/lookup.js';
import type { BlockPublicAccess } from '../../lib/snapshot.js';
import { complianceFor } from '../../lib/compliance.js';

const SSH_PORT = 22;

type RawRange = BlockPublicAccess['permittedPortRanges'][number];
type PortRange = RawRange & { minRange: number };

/** A range that can be read: it has a MinRange, and no MaxRange below it. */
function readable(r: RawRange): r is PortRange {
  return r.minRange !== undefined && (r.maxRange === undefined || r.maxRange >= r.minRange);
}

/** A range without maxRange is the single port minRange. */
function describeRange(r: PortRange): string {
  return r.maxRange === undefined || r.maxRange === r.minRange ? `${r.minRange}` : `${r.minRange}-${r.maxRange}`;
}

/** `MinRange absent, MaxRange 8080`, `MinRange 9000, MaxRange 80`. */
function describeRaw(r: RawRange): string {
  return `MinRange ${r.minRange ?? 'absent'}, MaxRange ${r.maxRange ?? 'absent'}`;
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
    const unreadable = config.permittedPortRanges.filter((r) => !readable(r));
    const unreadableText = unreadable.map((r) => `(${describeRaw(r)})`).join(', ');
    const extra = config.permittedPortRanges.filter(readable).filter((r) => !onlySsh(r));
    if (extra.length > 0) {
      // A readable range beyond port 22 is certain; an unreadable one beside it is named, not ignored.
      const note = unreadable.length > 0 ? ` It also permits ranges that cannot be read: ${unreadableText}.` : '';
      return [
        {
          status: 'FAIL',
          message: `EMR block public access ${where} permits public security group rules on ports other than 22: ${extra.map(describeRange).join(', ')}.${note}`,
          resources: [account],
        },
      ];
    }
    if (unreadable.length > 0) {
      return [
        {
          ...errorOutcome(
            'the permitted port ranges of EMR block public access',
            `GetBlockPublicAccessConfiguration ${where} returned PermittedPublicSecurityGroupRuleRanges without a MinRange or with a MaxRange below it: ${unreadableText}; which ports they permit is unknown.`,
          ),
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
