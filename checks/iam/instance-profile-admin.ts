import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { errorOutcome } from '../../lib/lookup.js';
import { describeGrant, describeRefusal } from '../../lib/iam/describe.js';
import { evaluateAccess, GRANT_FINDING } from '../../lib/iam/evaluate.js';
import { capitalize, describeInstanceRole, INSTANCE_ROLE_PERMISSIONS, lookupInstanceRolePolicies, statementResources } from '../../lib/iam/role.js';
import { complianceFor } from '../../lib/compliance.js';

export const check: ClusterCheck = {
  id: 'iam/instance-profile-admin',
  title: 'Instance profile role has administrator access',
  severity: 'CRITICAL',
  scope: 'cluster',
  description:
    'The role of the cluster\'s EC2 instance profile has an effective allow of * or iam:* on all resources (AdministratorAccess or an equivalent): every process on every node, including any user job, can take over the account.',
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
    const verdicts = ['*', 'iam:*'].map((action) => evaluateAccess(policies, action, 'every', GRANT_FINDING));
    const granted = verdicts.find((v) => v.allowed);
    if (granted) {
      return [
        {
          status: 'FAIL',
          message: `${capitalize(who)} has an effective allow of ${granted.action} on all resources: ${describeGrant(granted)}. Every process on every node of the cluster can use it to take over the account.`,
          resources: statementResources(data.role, [...granted.grants, ...granted.boundaryGrants]),
        },
      ];
    }
    const undecided = verdicts.find((v) => v.outcome === 'undecided');
    if (undecided) return [errorOutcome(`the policies of ${who}`, `${describeRefusal(undecided)}.`)];
    // A grant that a Deny or the boundary removes is worth saying: removing them would make the role an administrator.
    const limited = verdicts.filter((v) => v.outcome === 'denied' || v.outcome === 'boundary').map(describeRefusal);
    const note = limited.length > 0 ? ` (${limited.join('; ')})` : '';
    return [{ status: 'PASS', message: `${capitalize(who)} has no effective allow of * or iam:* on all resources${note}.` }];
  },
};
