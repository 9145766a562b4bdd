import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { errorOutcome } from '../../lib/lookup.js';
import { describeGrant, describeRefusal, listStatements } from '../../lib/iam/describe.js';
import { denialsOf, evaluateAccess, GRANT_FINDING, withoutDenies, type Verdict } from '../../lib/iam/evaluate.js';
import { SELF_ESCALATION_ACTIONS, selfEscalations } from '../../lib/iam/self-escalation.js';
import { describeActions, describeStatement } from '../../lib/iam/statements.js';
import { capitalize, describeInstanceRole, INSTANCE_ROLE_PERMISSIONS, lookupInstanceRolePolicies, statementResources } from '../../lib/iam/role.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'iam/instance-profile-admin',
  title: 'Instance profile role has administrator access',
  severity: 'CRITICAL',
  scope: 'cluster',
  description:
    'The role of the cluster\'s EC2 instance profile is administrator-equivalent: an effective allow of * or iam:* on all resources (AdministratorAccess or an equivalent), or such a grant from which Deny statements remove some actions but leave one that lets the role grant itself every permission (attach or put a policy on itself, rewrite its attached customer managed policies, change its permissions boundary or trust policy). Every process on every node, including any user job, can take over the account.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Replace the administrator grant on the EMR instance profile role with a customer managed policy that allows only what the cluster\'s jobs need, on the named S3 buckets, KMS keys and other resources they use. Remove iam:* and * from its policies; give users separate permissions through EMR runtime roles. Every process on every node holds the instance profile\'s credentials.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-for-ec2.html#emr-ec2-role-least-privilege',
  },
  permissions: [...INSTANCE_ROLE_PERMISSIONS],
  settings: [],
  compliance: complianceFor('iam/instance-profile-admin'),
  evaluate(cluster, ctx): Outcome[] {
    const found = lookupInstanceRolePolicies(cluster, ctx);
    if (!found.ok) return [errorOutcome('the instance profile role and its policies', found.reason)];
    const { data, policies } = found.value;
    const who = describeInstanceRole(data.profile, data.role);
    const escalations = selfEscalations(data.role, data.attached, policies);
    const verdicts: Verdict[] = [];
    for (const action of ['*', 'iam:*']) {
      const full = evaluateAccess(policies, action, 'every', GRANT_FINDING);
      verdicts.push(full);
      if (full.allowed) {
        return [
          {
            status: 'FAIL',
            message: `${capitalize(who)} has an effective allow of ${full.action} on all resources: ${describeGrant(full)}. Every process on every node of the cluster can use it to take over the account.`,
            resources: statementResources(data.role, [...full.grants, ...full.boundaryGrants]),
          },
        ];
      }
      // Administrator-equivalent: only Deny statements stand between the role and the whole grant,
      // and they leave it a way to grant itself the rest.
      const bare = evaluateAccess(withoutDenies(policies), action, 'every', GRANT_FINDING);
      if (!bare.allowed || escalations.length === 0) continue;
      const denials = denialsOf(policies, action, GRANT_FINDING);
      const removed = denials.length > 0 ? denials.map((s) => `${describeActions(s)} (${describeStatement(s)})`).join('; ') : 'some actions';
      const conditional = full.conditionalDenies.length > 0 ? ` Conditional Denies that may also apply: ${listStatements(full.conditionalDenies)}.` : '';
      return [
        {
          status: 'FAIL',
          message:
            `${capitalize(who)} is administrator-equivalent: it has an allow of ${action} on all resources (${describeGrant(bare)}) from which Deny statements remove only ${removed}, ` +
            `and it can still grant itself every permission: ${escalations.map(describeGrant).join('; ')}.${conditional} Every process on every node of the cluster can use it to take over the account.`,
          resources: statementResources(data.role, [...bare.grants, ...bare.boundaryGrants, ...denials, ...escalations.flatMap((v) => v.grants)]),
        },
      ];
    }
    const undecided = verdicts.find((v) => v.outcome === 'undecided');
    if (undecided) return [errorOutcome(`the policies of ${who}`, `${describeRefusal(undecided)}.`)];
    // A grant that a Deny or the boundary removes is worth saying: removing them would make the role an administrator.
    const limited = verdicts.filter((v) => v.outcome === 'denied' || v.outcome === 'boundary').map(describeRefusal);
    const note = limited.length > 0 ? ` (${limited.join('; ')}; none of ${SELF_ESCALATION_ACTIONS.join(', ')} stays allowed on the role itself)` : '';
    return [{ status: 'PASS', message: `${capitalize(who)} has no effective allow of * or iam:* on all resources${note}.` }];
  },
};
