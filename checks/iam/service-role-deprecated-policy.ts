import { TYPES, type ClusterCheck, type Outcome, type ResourceRef } from '../contract.js';
import { errorOutcome } from '../../lib/lookup.js';
import { isAwsManagedPolicy, lookupServiceRole } from '../../lib/iam/role.js';
import { complianceFor } from '../../lib/compliance.js';

const DEPRECATED = 'AmazonElasticMapReduceRole';

export const check: ClusterCheck = {
  id: 'iam/service-role-deprecated-policy',
  title: 'EMR service role uses the deprecated AmazonElasticMapReduceRole policy',
  severity: 'LOW',
  scope: 'cluster',
  description:
    'The cluster\'s EMR service role has the deprecated v1 managed policy AmazonElasticMapReduceRole attached instead of AmazonEMRServicePolicy_v2, which scopes EMR\'s EC2 permissions to tagged resources.',
  types: [TYPES.bestPractices],
  remediation: {
    text: 'Launch the cluster with a service role that has AmazonEMRServicePolicy_v2 (e.g. EMR_DefaultRole_V2) instead of AmazonElasticMapReduceRole, and tag the subnets and security groups it uses with for-use-with-amazon-emr-managed-policies=true. The service role is fixed at launch: change it in the cluster template.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster', 'iam:ListAttachedRolePolicies'],
  settings: [],
  compliance: complianceFor('iam/service-role-deprecated-policy'),
  evaluate(cluster, ctx): Outcome[] {
    const found = lookupServiceRole(cluster, ctx);
    if (!found.ok) return [errorOutcome('the service role\'s attached policies', found.reason)];
    const role = found.value;
    const arn = role.attachedPolicyArns.find((a) => isAwsManagedPolicy(a, DEPRECATED));
    if (!arn) return [{ status: 'PASS', message: `Service role ${role.name} does not have ${DEPRECATED} (v1) attached.` }];
    const roleResource: ResourceRef = role.arn ? { type: 'AwsIamRole', id: role.name, arn: role.arn } : { type: 'AwsIamRole', id: role.name };
    return [
      {
        status: 'FAIL',
        message: `Service role ${role.name} has the deprecated AWS managed policy ${DEPRECATED} (v1, ${arn}) attached instead of AmazonEMRServicePolicy_v2.`,
        resources: [roleResource, { type: 'AwsIamPolicy', id: DEPRECATED, arn }],
      },
    ];
  },
};
