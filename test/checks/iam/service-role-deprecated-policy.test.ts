import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/iam/service-role-deprecated-policy.js';
import { accessDenied, makeCluster, only, runCluster } from '../../helpers/fixtures.js';

const v1 = 'arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole';
const v2 = 'arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2';
const roleArn = 'arn:aws:iam::123456789012:role/EMR_DefaultRole';

describe('iam/service-role-deprecated-policy', () => {
  it('fails when AmazonElasticMapReduceRole (v1) is attached, even beside v2', () => {
    const cluster = makeCluster({ serviceRole: 'EMR_DefaultRole' });
    const o = only(runCluster(check, cluster, { serviceRoles: { EMR_DefaultRole: { name: 'EMR_DefaultRole', arn: roleArn, attachedPolicyArns: [v2, v1] } } }));
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(`Service role EMR_DefaultRole has the deprecated AWS managed policy AmazonElasticMapReduceRole (v1, ${v1}) attached instead of AmazonEMRServicePolicy_v2.`);
    expect(o.resources).toEqual([
      { type: 'AwsIamRole', id: 'EMR_DefaultRole', arn: roleArn },
      { type: 'AwsIamPolicy', id: 'AmazonElasticMapReduceRole', arn: v1 },
    ]);
  });

  it('finds the role by the ARN the cluster gave', () => {
    const cluster = makeCluster({ serviceRole: roleArn });
    const o = only(runCluster(check, cluster, { serviceRoles: { [roleArn]: { name: 'EMR_DefaultRole', attachedPolicyArns: ['arn:aws-us-gov:iam::aws:policy/service-role/AmazonElasticMapReduceRole'] } } }));
    expect(o.status).toBe('FAIL');
    expect(o.resources?.[0]).toEqual({ type: 'AwsIamRole', id: 'EMR_DefaultRole' });
  });

  it('passes with AmazonEMRServicePolicy_v2', () => {
    const o = only(runCluster(check, makeCluster(), { serviceRoles: { EMR_DefaultRole_V2: { name: 'EMR_DefaultRole_V2', attachedPolicyArns: [v2] } } }));
    expect(o.status).toBe('PASS');
    expect(o.message).toBe('Service role EMR_DefaultRole_V2 does not have AmazonElasticMapReduceRole (v1) attached.');
  });

  it('is an ERROR when the attached policies could not be listed', () => {
    const o = only(runCluster(check, makeCluster(), { errors: [accessDenied('rolePolicies', 'EMR_DefaultRole_V2', 'iam:ListAttachedRolePolicies')] }));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('service role EMR_DefaultRole_V2: iam:ListAttachedRolePolicies AccessDenied');
  });
});
