import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/iam/instance-profile-wildcard-data-access.js';
import { accessDenied, makeCluster, only, runCluster } from '../../helpers/fixtures.js';
import { awsPolicyArn, EMR_FOR_EC2_ROLE, iamRegion, ROLE, SCOPED_EMR_POLICY, SSM_MANAGED_INSTANCE_CORE } from '../../iam/policies.js';

const emrPolicy = { name: 'AmazonElasticMapReduceforEC2Role', arn: awsPolicyArn('AmazonElasticMapReduceforEC2Role', 'service-role/'), document: EMR_FOR_EC2_ROLE };
const ssmCore = { name: 'AmazonSSMManagedInstanceCore', arn: awsPolicyArn('AmazonSSMManagedInstanceCore'), document: SSM_MANAGED_INSTANCE_CORE };

describe('iam/instance-profile-wildcard-data-access', () => {
  it('fails with AmazonElasticMapReduceforEC2Role, naming each action and the granting statement', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [emrPolicy, ssmCore] })));
    expect(o.status).toBe('FAIL');
    const via = 'via managed policy AmazonElasticMapReduceforEC2Role statement #1';
    expect(o.message).toBe(
      `Role ${ROLE} has an effective allow on Resource * of 5 data actions: s3:GetObject ${via}; s3:PutObject ${via}; s3:DeleteObject ${via}; dynamodb:GetItem ${via}; dynamodb:Scan ${via}.`,
    );
    expect(o.resources).toEqual([
      { type: 'AwsIamRole', id: ROLE, arn: `arn:aws:iam::123456789012:role/${ROLE}` },
      { type: 'AwsIamPolicy', id: 'AmazonElasticMapReduceforEC2Role', arn: emrPolicy.arn },
    ]);
  });

  it('fails on a conditional kms:Decrypt grant on every key, saying it is conditional', () => {
    const o = only(
      runCluster(
        check,
        makeCluster(),
        iamRegion({
          attached: [{ name: 'Scoped', document: SCOPED_EMR_POLICY }],
          inline: [{ name: 'keys', document: { Statement: { Sid: 'AnyKeyViaS3', Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:123456789012:key/*', Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } } } } }],
        }),
      ),
    );
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(`Role ${ROLE} has an effective allow on Resource * of a data action: kms:Decrypt via inline policy ${ROLE}/keys statement "AnyKeyViaS3" (conditional) — only under a condition.`);
  });

  it('counts an ARN that names no bucket (arn:aws:s3:::*/*) as Resource *', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'lake', document: { Statement: { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::*/*' } } }] })));
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`s3:PutObject via inline policy ${ROLE}/lake statement #1`);
  });

  it('passes with data access scoped to named buckets and keys (ssm:GetParameter on * is not listed)', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ attached: [{ name: 'Scoped', document: SCOPED_EMR_POLICY }, ssmCore] })));
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(`Role ${ROLE} allows none of s3:GetObject, s3:PutObject`);
  });

  it('passes when a Deny takes the wildcard grant away, naming it', () => {
    const o = only(
      runCluster(
        check,
        makeCluster(),
        iamRegion({ attached: [emrPolicy], inline: [{ name: 'fence', document: { Statement: { Sid: 'OnlyOurData', Effect: 'Deny', Action: ['s3:*', 'dynamodb:*'], NotResource: ['arn:aws:s3:::etl-data/*', 'arn:aws:dynamodb:us-east-1:123456789012:table/etl'] } } }] }),
      ),
    );
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(`s3:GetObject is granted by managed policy AmazonElasticMapReduceforEC2Role statement #1 but denied by inline policy ${ROLE}/fence statement "OnlyOurData"`);
  });

  it('is an ERROR when the role could not be read', () => {
    const o = only(runCluster(check, makeCluster(), iamRegion({ errors: [accessDenied('role', ROLE, 'iam:GetRole')] })));
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain(`role ${ROLE} (its ARN and permissions boundary): iam:GetRole AccessDenied`);
  });

  describe('scoped patterns of real EC2 roles are not every resource (issue 21)', () => {
    it.each([
      ['s3:GetObject', 'arn:aws:s3:::*transcribe*'],
      ['s3:GetObject', 'arn:aws:s3:::*/AWSLogs/*/Config/*'],
      ['s3:PutObject', 'arn:aws:s3:::*/*aws-glue-*/*'],
      ['s3:GetObject', 'arn:aws:s3:::*-datalake/*'],
      ['s3:DeleteObject', 'arn:aws:s3:::acme-*/*'],
      ['secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:*:*:secret:*directconnect*'],
      ['dynamodb:Scan', 'arn:aws:dynamodb:*:*:table/*-stack-*'],
      ['kms:Decrypt', 'arn:aws:kms:*:*:key/mrk-*'],
    ])('%s on %s PASSes', (action, resource) => {
      const o = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'lake', document: { Statement: { Effect: 'Allow', Action: action, Resource: resource } } }] })));
      expect(o.status).toBe('PASS');
    });

    it.each([
      ['s3:GetObject', 'arn:aws:s3:::*'],
      ['s3:GetObject', 'arn:aws:s3:::*/*'],
      ['secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:*'],
      ['dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:*:table/*'],
      ['kms:Decrypt', 'arn:aws:kms:*:*:*'],
      ['ssm:GetParametersByPath', 'arn:aws:ssm:*:123456789012:parameter/*'],
    ])('%s on %s FAILs: a fixed region or the own account does not narrow it', (action, resource) => {
      const o = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'lake', document: { Statement: { Effect: 'Allow', Action: action, Resource: resource } } }] })));
      expect(o.status).toBe('FAIL');
      expect(o.message).toContain(action);
    });
  });

  it('an Allow the instance can never use (aws:CalledVia, aws:ViaAWSService) does not count', () => {
    for (const Condition of [{ 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } }, { Bool: { 'aws:ViaAWSService': 'true' } }, { StringEquals: { 'aws:PrincipalServiceName': 'glue.amazonaws.com' } }]) {
      const o = only(runCluster(check, makeCluster(), iamRegion({ inline: [{ name: 'via', document: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition } } }] })));
      expect(o.status, JSON.stringify(Condition)).toBe('PASS');
    }
  });
});
