import { TYPES, type ClusterCheck, type EvalContext, type Outcome } from '../contract.js';
import { describeErrors, errorOutcome } from '../../lib/lookup.js';
import { describeGrant, describeRefusal, listStatements } from '../../lib/iam/describe.js';
import { evaluateAccess, MISSING_GRANT_FINDING } from '../../lib/iam/evaluate.js';
import { capitalize, describeInstanceRole, INSTANCE_ROLE_PERMISSIONS, lookupInstanceRolePolicies, statementResources } from '../../lib/iam/role.js';
import { roleRef } from '../../lib/lookup.js';
import { complianceFor } from '../../lib/compliance.js';

/** What AmazonSSMManagedInstanceCore grants for the agent to register and for Session Manager channels. */
export const SSM_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;

type HostManagement = { state: 'enabled'; roleName?: string } | { state: 'disabled' } | { state: 'unknown'; reason: string };

function hostManagement(ctx: EvalContext): HostManagement {
  const setting = ctx.region.snapshot.defaultHostManagement;
  const errors = ctx.region.errorsFor('defaultHostManagement', ctx.region.region);
  if (!setting || errors.length > 0) return { state: 'unknown', reason: describeErrors(errors) };
  if (!setting.enabled) return { state: 'disabled' };
  return setting.roleName ? { state: 'enabled', roleName: setting.roleName } : { state: 'enabled' };
}

export const check: ClusterCheck = {
  id: 'iam/instance-profile-missing-ssm-permissions',
  title: 'Instance profile role lacks the permissions for SSM Session Manager',
  severity: 'MEDIUM',
  scope: 'cluster',
  description:
    'The instance profile role lacks the Systems Manager permissions of AmazonSSMManagedInstanceCore and Default Host Management Configuration is off in the region: the nodes cannot be reached through Session Manager, so SSH stays the way in.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Attach the AWS managed policy AmazonSSMManagedInstanceCore (or a policy allowing ssm:UpdateInstanceInformation and ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel) to the instance profile role, or turn on Default Host Management Configuration in the region, so the nodes register with Systems Manager and can be reached through Session Manager instead of SSH.',
    url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/fleet-manager-default-host-management-configuration.html',
  },
  permissions: [...INSTANCE_ROLE_PERMISSIONS, 'ssm:GetServiceSetting'],
  settings: [],
  compliance: complianceFor('iam/instance-profile-missing-ssm-permissions'),
  evaluate(cluster, ctx): Outcome[] {
    const dhmc = hostManagement(ctx);
    const region = ctx.region.region;
    const dhmcOn = dhmc.state === 'enabled' ? `Default Host Management Configuration is enabled in ${region}${dhmc.roleName ? ` (role ${dhmc.roleName})` : ''}` : '';
    const found = lookupInstanceRolePolicies(cluster, ctx);
    if (!found.ok) {
      // The finding needs both a missing grant and DHMC off: with DHMC on it cannot fail, whatever the role holds.
      if (dhmc.state === 'enabled') return [{ status: 'PASS', message: `${dhmcOn}, so the nodes can be managed without instance profile permissions (the role itself could not be evaluated: ${found.reason}).` }];
      return [errorOutcome('the instance profile role and its policies', found.reason)];
    }
    const { data, policies } = found.value;
    const who = describeInstanceRole(data.profile, data.role);
    const verdicts = SSM_ACTIONS.map((action) => evaluateAccess(policies, action, 'some', MISSING_GRANT_FINDING));
    const lacking = verdicts.filter((v) => !v.allowed);
    if (lacking.length === 0) {
      const conditional = verdicts.filter((v) => v.conditional);
      const note = conditional.length > 0 ? ` Only under a condition: ${conditional.map(describeGrant).join('; ')}.` : '';
      return [{ status: 'PASS', message: `${capitalize(who)} allows all of ${SSM_ACTIONS.join(', ')}.${note}` }];
    }
    const missingText = lacking.map((v) => (v.outcome === 'not-granted' ? `${v.action} (no statement allows it)` : `${v.action} (${describeRefusal(v)})`)).join(', ');
    const lacks = `${capitalize(who)} lacks an effective allow of ${missingText}`;
    if (dhmc.state === 'enabled') return [{ status: 'PASS', message: `${lacks}, but ${dhmcOn}: the nodes are managed through it.` }];
    if (dhmc.state === 'unknown') return [errorOutcome(`Default Host Management Configuration of ${region}`, `${dhmc.reason} (${lacks}).`)];
    const undecided = lacking.find((v) => v.outcome === 'undecided');
    if (undecided) return [errorOutcome(`the policies of ${who}`, `${describeRefusal(undecided)}.`)];
    const blockers = [...new Set(lacking.flatMap((v) => v.deniedBy))];
    return [
      {
        status: 'FAIL',
        message: `${lacks}, and Default Host Management Configuration is not enabled in ${region}: the nodes cannot register with Systems Manager or be reached through Session Manager.${blockers.length > 0 ? ` Blocking statements: ${listStatements(blockers)}.` : ''}`,
        resources: blockers.length > 0 ? statementResources(data.role, blockers) : [roleRef(data.role)],
      },
    ];
  },
};
