import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { errorOutcome, roleRef } from '../../lib/lookup.js';
import { capitalize, describeInstanceRole, isAwsManagedPolicy, lookupInstanceProfileRole } from '../../lib/iam/role.js';
import { complianceFor } from '../../lib/compliance.js';

const DEPRECATED = 'AmazonElasticMapReduceforEC2Role';

export const check: ClusterCheck = {
  id: 'iam/instance-profile-deprecated-policy',
  title: 'Instance profile role has the deprecated AmazonElasticMapReduceforEC2Role policy',
  severity: 'HIGH',
  scope: 'cluster',
  description:
    'The AWS managed policy AmazonElasticMapReduceforEC2Role is attached to the instance profile role: it is on the path to deprecation and grants s3:*, dynamodb:*, sqs:*, sns:*, cloudwatch:* and more on all resources.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Detach AmazonElasticMapReduceforEC2Role from the instance profile role and attach a customer managed policy limited to what the cluster needs: its S3 buckets and prefixes, its log location, its KMS keys. The AWS managed policy is on the path to deprecation with no replacement, and grants broad data access on all resources.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-for-ec2.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'iam:GetInstanceProfile', 'iam:GetRole', 'iam:ListAttachedRolePolicies'],
  settings: [],
  compliance: complianceFor('iam/instance-profile-deprecated-policy'),
  evaluate(cluster, ctx): Outcome[] {
    const found = lookupInstanceProfileRole(cluster, ctx);
    if (!found.ok) return [errorOutcome('the instance profile role\'s attached policies', found.reason)];
    const { profile, role } = found.value;
    const who = describeInstanceRole(profile, role);
    const arn = role.attachedPolicyArns.find((a) => isAwsManagedPolicy(a, DEPRECATED));
    if (!arn) return [{ status: 'PASS', message: `${capitalize(who)} does not have ${DEPRECATED} attached.` }];
    return [
      {
        status: 'FAIL',
        message: `${capitalize(who)} has the AWS managed policy ${DEPRECATED} (${arn}) attached: it is on the path to deprecation and grants s3:*, dynamodb:*, sqs:*, sns:*, cloudwatch:* and more on all resources.`,
        resources: [roleRef(role), { type: 'AwsIamPolicy', id: DEPRECATED, arn }],
      },
    ];
  },
};
