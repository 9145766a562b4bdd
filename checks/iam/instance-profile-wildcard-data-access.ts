import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { errorOutcome } from '../../lib/lookup.js';
import { describeGrant, describeRefusal } from '../../lib/iam/describe.js';
import { evaluateAccess, GRANT_FINDING } from '../../lib/iam/evaluate.js';
import { capitalize, describeInstanceRole, INSTANCE_ROLE_PERMISSIONS, lookupInstanceRolePolicies, statementResources } from '../../lib/iam/role.js';
import { complianceFor } from '../../lib/compliance.js';

/** CHECKS.md: data actions that must not be allowed on every resource. */
export const DATA_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  'kms:Decrypt',
  'secretsmanager:GetSecretValue',
  'dynamodb:GetItem',
  'dynamodb:Scan',
  'ssm:GetParametersByPath',
] as const;

export const check: ClusterCheck = {
  id: 'iam/instance-profile-wildcard-data-access',
  title: 'Instance profile role can read or write data on all resources',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    'The instance profile role allows reading or writing data (S3 objects, KMS decryption, secrets, DynamoDB items, SSM parameter trees) on every resource instead of the named buckets, keys and tables the cluster uses.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Scope the instance profile role\'s data actions to named resources: S3 object actions to arn:aws:s3:::bucket/prefix/*, kms:Decrypt to key ARNs, and Secrets Manager, DynamoDB and SSM parameter actions to the secrets, tables and parameter paths the jobs use. Give per-user or per-job data access through EMR runtime roles instead of the shared instance profile.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-for-ec2.html#emr-ec2-role-least-privilege',
  },
  permissions: [...INSTANCE_ROLE_PERMISSIONS],
  settings: [],
  compliance: complianceFor('iam/instance-profile-wildcard-data-access'),
  evaluate(cluster, ctx): Outcome[] {
    const found = lookupInstanceRolePolicies(cluster, ctx);
    if (!found.ok) return [errorOutcome('the instance profile role and its policies', found.reason)];
    const { data, policies } = found.value;
    const who = describeInstanceRole(data.profile, data.role);
    const verdicts = DATA_ACTIONS.map((action) => evaluateAccess(policies, action, 'every', GRANT_FINDING));
    const granted = verdicts.filter((v) => v.allowed);
    if (granted.length > 0) {
      return [
        {
          status: 'FAIL',
          message: `${capitalize(who)} has an effective allow on Resource * of ${granted.length === 1 ? 'a data action' : `${granted.length} data actions`}: ${granted.map(describeGrant).join('; ')}.`,
          resources: statementResources(
            data.role,
            granted.flatMap((v) => [...v.grants, ...v.boundaryGrants]),
          ),
        },
      ];
    }
    const undecided = verdicts.find((v) => v.outcome === 'undecided');
    if (undecided) return [errorOutcome(`the policies of ${who}`, `${describeRefusal(undecided)}.`)];
    const limited = verdicts.filter((v) => v.outcome === 'denied' || v.outcome === 'boundary').map(describeRefusal);
    const note = limited.length > 0 ? ` (${limited.join('; ')})` : '';
    return [{ status: 'PASS', message: `${capitalize(who)} allows none of ${DATA_ACTIONS.join(', ')} on all resources${note}.` }];
  },
};
