import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/iam/instance-profile-deprecated-policy.js';
import { accessDenied, makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { awsPolicyArn, EMR_FOR_EC2_ROLE, iamRegion, ROLE, SCOPED_EMR_POLICY } from '../../iam/policies.js';

const deprecatedArn = awsPolicyArn('AmazonElasticMapReduceforEC2Role', 'service-role/');

describe('iam/instance-profile-deprecated-policy', () => {
  it('fails when the AWS managed AmazonElasticMapReduceforEC2Role is attached, naming role and policy', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'AmazonElasticMapReduceforEC2Role', arn: deprecatedArn, document: EMR_FOR_EC2_ROLE }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      `Role ${ROLE} has the AWS managed policy AmazonElasticMapReduceforEC2Role (${deprecatedArn}) attached: it is on the path to deprecation and grants s3:*, dynamodb:*, sqs:*, sns:*, cloudwatch:* and more on all resources.`,
    );
    expect(o.resources).toEqual([
      { type: 'AwsIamRole', id: ROLE, arn: `arn:aws:iam::123456789012:role/${ROLE}` },
      { type: 'AwsIamPolicy', id: 'AmazonElasticMapReduceforEC2Role', arn: deprecatedArn },
    ]);
  });

  it('needs only the attached list: fails even when the policy documents could not be read, in any partition', () => {
    const cnArn = 'arn:aws-cn:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role';
    const o = only(runCluster(check, makeCluster(), iamRegion({ extraAttachedArns: [cnArn], errors: [accessDenied('managedPolicy', cnArn, 'iam:GetPolicyVersion'), accessDenied('rolePolicies', ROLE, 'iam:GetRolePolicy')] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(cnArn);
  });

  it('passes without it, and with a customer policy of the same name', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'AmazonElasticMapReduceforEC2Role', document: SCOPED_EMR_POLICY }] })));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe(`Role ${ROLE} does not have AmazonElasticMapReduceforEC2Role attached.`);
  });

  it('is an ERROR when the attached list could not be read', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ errors: [accessDenied('rolePolicies', ROLE, 'iam:ListAttachedRolePolicies')] })));
    expect(o.status).toBe('ERROR');
    expect(o.message).toBe(`Could not evaluate: the instance profile role's attached policies unavailable — the attached policy list of role ${ROLE}: iam:ListAttachedRolePolicies AccessDenied (User is not authorized to perform: iam:ListAttachedRolePolicies)`);
  });
});
