import { describe, expect, it } from 'vitest';
import { check } from '../../../checks/iam/instance-profile-missing-ssm-permissions.js';
import { accessDenied, makeCluster, only, REGION, runCluster } from '../../helpers/fixtures.js';
import { awsPolicyArn, EMR_FOR_EC2_ROLE, iamRegion, ROLE, SSM_MANAGED_INSTANCE_CORE, type RoleSetup } from '../../iam/policies.js';

const ssmCore = { name: 'AmazonSSMManagedInstanceCore', arn: awsPolicyArn('AmazonSSMManagedInstanceCore'), document: SSM_MANAGED_INSTANCE_CORE };
const emr = { name: 'EmrData', document: EMR_FOR_EC2_ROLE };
const off = { defaultHostManagement: { enabled: false } };
const on = { defaultHostManagement: { enabled: true, roleName: 'AWSSystemsManagerDefaultEC2InstanceManagementRole' } };
const run = (setup: RoleSetup) => only(runCluster(check, makeCluster(), iamRegion(setup)));

describe('iam/instance-profile-missing-ssm-permissions', () => {
  it('passes with AmazonSSMManagedInstanceCore, whatever Default Host Management says', () => {
    for (const dhmc of [off, on, {}]) {
      const o = run({ attached: [emr, ssmCore], ...dhmc });
      expect(o.status).toBe('PASS');
      expect(o.message).toBe(`Role ${ROLE} allows all of ssm:UpdateInstanceInformation, ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel.`);
    }
  });

  it('fails when the role lacks them and Default Host Management is off, naming each missing action', () => {
    const o = run({ attached: [emr], ...off });
    expect(o.status).toBe('FAIL');
    expect(o.message).toBe(
      `Role ${ROLE} lacks an effective allow of ssm:UpdateInstanceInformation (no statement allows it), ssmmessages:CreateControlChannel (no statement allows it), ssmmessages:CreateDataChannel (no statement allows it), ssmmessages:OpenControlChannel (no statement allows it), ssmmessages:OpenDataChannel (no statement allows it), and Default Host Management Configuration is not enabled in ${REGION}: the nodes cannot register with Systems Manager or be reached through Session Manager.`,
    );
    expect(o.resources).toEqual([{ type: 'AwsIamRole', id: ROLE, arn: `arn:aws:iam::123456789012:role/${ROLE}` }]);
  });

  it('passes when the role lacks them but Default Host Management is on, naming its role', () => {
    const o = run({ attached: [emr], ...on });
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(`but Default Host Management Configuration is enabled in ${REGION} (role AWSSystemsManagerDefaultEC2InstanceManagementRole)`);
  });

  it('is an ERROR when the role lacks them and the Default Host Management setting could not be read', () => {
    const o = run({ attached: [emr], errors: [accessDenied('defaultHostManagement', REGION, 'ssm:GetServiceSetting')] });
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('ssm:GetServiceSetting AccessDenied');
    expect(o.message).toContain('lacks an effective allow of ssm:UpdateInstanceInformation');
    expect(run({ attached: [emr] }).status).toBe('ERROR');
  });

  it('counts a conditional Deny as possibly removing a needed action, and names it', () => {
    const o = run({
      attached: [ssmCore],
      inline: [{ name: 'vpce-only', document: { Statement: { Sid: 'OnlyViaEndpoint', Effect: 'Deny', Action: 'ssmmessages:*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } } } }],
      ...off,
    });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain(`ssmmessages:OpenDataChannel (ssmmessages:OpenDataChannel is granted by managed policy AmazonSSMManagedInstanceCore statement #2 but denied by inline policy ${ROLE}/vpce-only statement "OnlyViaEndpoint" (conditional))`);
    expect(o.message).not.toContain('ssm:UpdateInstanceInformation (');
    expect(o.resources).toContainEqual({ type: 'Other', id: `${ROLE}/vpce-only` });
  });

  it('passes on conditional grants, saying so', () => {
    const o = run({
      inline: [{ name: 'ssm', document: { Statement: { Sid: 'Agent', Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:*'], Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } } } }],
      ...off,
    });
    expect(o.status).toBe('PASS');
    expect(o.message).toContain(`Only under a condition: ssm:UpdateInstanceInformation via inline policy ${ROLE}/ssm statement "Agent" (conditional)`);
  });

  it('fails when a permissions boundary leaves out Session Manager', () => {
    const o = run({ attached: [ssmCore], boundary: { name: 'NoSessions', document: { Statement: { Effect: 'Allow', NotAction: 'ssmmessages:*', Resource: '*' } } }, ...off });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('ssmmessages:CreateControlChannel (ssmmessages:CreateControlChannel is granted by managed policy AmazonSSMManagedInstanceCore statement #2 but the permissions boundary NoSessions does not allow it)');
  });

  it('without role data: PASS if Default Host Management is on, ERROR otherwise', () => {
    const errors = [accessDenied('instanceProfile', 'EMR_EC2_DefaultRole', 'iam:GetInstanceProfile')];
    const pass = only(runCluster(check, makeCluster(), { errors, ...on }));
    expect(pass.status).toBe('PASS');
    expect(pass.message).toContain('the role itself could not be evaluated: instance profile EMR_EC2_DefaultRole: iam:GetInstanceProfile AccessDenied');
    const error = only(runCluster(check, makeCluster(), { errors, ...off }));
    expect(error.status).toBe('ERROR');
    expect(error.message).toContain('iam:GetInstanceProfile AccessDenied');
  });

  it('an Allow of the SSM actions the instance can never use does not count', () => {
    const via = { name: 'via', document: { Statement: { Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:*'], Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'true' } } } } };
    const o = run({ attached: [via], ...off });
    expect(o.status).toBe('FAIL');
  });
});
