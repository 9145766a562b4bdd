import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHANGE_CALLS, CLOUDTRAIL_DETAIL_TYPE, EVENTBRIDGE_SOURCES, parseCloudTrailEvent, type ChangedResource, type ParsedCloudTrail } from '../../../lib/events/cloudtrail.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/cloudtrail');
const fixtureNames = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();
const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;

const SG = 'sg-0a1b2c3d4e5f60718';
const SG2 = 'sg-0f9e8d7c6b5a49382';
const INSTANCE = 'i-0abcdef1234567890';
const ENI = 'eni-0123456789abcdef0';
const RTB = 'rtb-0123456789abcdef0';
const ACL = 'acl-0123456789abcdef0';
const IGW = 'igw-0123456789abcdef0';
const ROLE = 'EMR_EC2_DefaultRole';
const POLICY = 'arn:aws:iam::123456789012:policy/emr-data-access';
const CLUSTER = 'j-2AXXXXXXGAPLF';

type Expected = { change: ChangedResource[] } | { failed: string } | { unmapped: RegExp } | 'not-a-change';

/** Every fixture and what it must parse to. A fixture without a row fails the suite. */
const EXPECTED: Record<string, Expected> = {
  AuthorizeSecurityGroupIngress: { change: [{ kind: 'security-group', id: SG }] },
  'AuthorizeSecurityGroupIngress.errorCode': { failed: 'Client.InvalidPermission.Duplicate' },
  'AuthorizeSecurityGroupIngress.groupName': { change: [{ kind: 'security-group', id: SG2 }] },
  // The referenced prefix list does not change: only the group does.
  'AuthorizeSecurityGroupIngress.prefixList': { change: [{ kind: 'security-group', id: SG }] },
  RevokeSecurityGroupIngress: { change: [{ kind: 'security-group', id: SG }] },
  'RevokeSecurityGroupIngress.ruleIds': { change: [{ kind: 'security-group', id: SG }] },
  // An older revoke's response (`_return` alone): the name alone, resolved by one lookup (change-plan).
  'RevokeSecurityGroupIngress.groupName': { change: [{ kind: 'security-group-name', name: 'default' }] },
  // Today's response lists the revoked rules with their group's id: no lookup.
  'RevokeSecurityGroupIngress.groupName.revokedRules': { change: [{ kind: 'security-group', id: SG }] },
  ModifySecurityGroupRules: { change: [{ kind: 'security-group', id: SG }] },
  ModifyInstanceAttribute: {
    change: [
      { kind: 'instance', id: INSTANCE },
      { kind: 'security-group', id: SG },
      { kind: 'security-group', id: SG2 },
    ],
  },
  'ModifyInstanceAttribute.otherAttribute': { change: [{ kind: 'instance', id: INSTANCE }] },
  'ModifyInstanceAttribute.errorCode': { failed: 'Client.InvalidGroup.NotFound' },
  ModifyNetworkInterfaceAttribute: {
    change: [
      { kind: 'network-interface', id: ENI },
      { kind: 'security-group', id: SG },
    ],
  },
  ModifyManagedPrefixList: { change: [{ kind: 'prefix-list', id: 'pl-0a1b2c3d4e5f60718' }] },
  AssociateAddress: {
    change: [
      { kind: 'address', allocationId: 'eipalloc-0123456789abcdef0', associationId: 'eipassoc-0123456789abcdef0' },
      { kind: 'instance', id: INSTANCE },
    ],
  },
  'AssociateAddress.networkInterface': {
    change: [
      { kind: 'address', allocationId: 'eipalloc-0123456789abcdef0', associationId: 'eipassoc-0fedcba9876543210' },
      { kind: 'network-interface', id: ENI },
    ],
  },
  DisassociateAddress: { change: [{ kind: 'address', associationId: 'eipassoc-0123456789abcdef0' }] },
  AssignIpv6Addresses: { change: [{ kind: 'network-interface', id: ENI }] },
  'AssignIpv6Addresses.classicShape': { change: [{ kind: 'network-interface', id: ENI }] },
  CreateRoute: { change: [{ kind: 'route-table', id: RTB }] },
  'CreateRoute.errorCode': { failed: 'Client.RouteAlreadyExists' },
  ReplaceRoute: { change: [{ kind: 'route-table', id: RTB }] },
  DeleteRoute: { change: [{ kind: 'route-table', id: RTB }] },
  AssociateRouteTable: {
    change: [
      { kind: 'route-table', id: RTB },
      { kind: 'subnet', id: 'subnet-0123456789abcdef0' },
    ],
  },
  'AssociateRouteTable.gateway': {
    change: [
      { kind: 'route-table', id: RTB },
      { kind: 'internet-gateway', id: IGW },
    ],
  },
  // The replaced association alone: the new table's own subnets are not touched.
  ReplaceRouteTableAssociation: { change: [{ kind: 'route-table-association', id: 'rtbassoc-0123456789abcdef0' }] },
  DisassociateRouteTable: { change: [{ kind: 'route-table-association', id: 'rtbassoc-0123456789abcdef0' }] },
  CreateNetworkAclEntry: { change: [{ kind: 'network-acl', id: ACL }] },
  ReplaceNetworkAclEntry: { change: [{ kind: 'network-acl', id: ACL }] },
  DeleteNetworkAclEntry: { change: [{ kind: 'network-acl', id: ACL }] },
  ReplaceNetworkAclAssociation: { change: [{ kind: 'network-acl', id: 'acl-0fedcba9876543210' }] },
  AttachInternetGateway: {
    change: [
      { kind: 'internet-gateway', id: IGW },
      { kind: 'vpc', id: 'vpc-0123456789abcdef0' },
    ],
  },
  DetachInternetGateway: {
    change: [
      { kind: 'internet-gateway', id: IGW },
      { kind: 'vpc', id: 'vpc-0123456789abcdef0' },
    ],
  },
  ModifyInstanceMetadataOptions: { change: [{ kind: 'instance', id: INSTANCE }] },
  'DescribeSecurityGroups.readOnly': 'not-a-change',
  'AuthorizeSecurityGroupEgress.notListed': 'not-a-change',
  AttachRolePolicy: { change: [{ kind: 'role', name: ROLE }] },
  'AttachRolePolicy.errorCode': { failed: 'AccessDenied' },
  DetachRolePolicy: { change: [{ kind: 'role', name: ROLE }] },
  PutRolePolicy: { change: [{ kind: 'role', name: ROLE }] },
  DeleteRolePolicy: { change: [{ kind: 'role', name: ROLE }] },
  CreatePolicyVersion: { change: [{ kind: 'policy', arn: POLICY }] },
  SetDefaultPolicyVersion: { change: [{ kind: 'policy', arn: POLICY }] },
  DeletePolicyVersion: { change: [{ kind: 'policy', arn: POLICY }] },
  PutRolePermissionsBoundary: { change: [{ kind: 'role', name: ROLE }] },
  DeleteRolePermissionsBoundary: { change: [{ kind: 'role', name: ROLE }] },
  AddRoleToInstanceProfile: {
    change: [
      { kind: 'instance-profile', name: 'EMR_EC2_DefaultRole' },
      { kind: 'role', name: 'EMR_EC2_AdminRole' },
    ],
  },
  RemoveRoleFromInstanceProfile: {
    change: [
      { kind: 'instance-profile', name: 'EMR_EC2_DefaultRole' },
      { kind: 'role', name: ROLE },
    ],
  },
  PutBlockPublicAccessConfiguration: { change: [{ kind: 'account-setting', setting: 'emr-block-public-access' }] },
  AddTags: { change: [{ kind: 'cluster', id: CLUSTER }] },
  'AddTags.studio': 'not-a-change',
  RemoveTags: { change: [{ kind: 'cluster', id: CLUSTER }] },
  UpdateServiceSetting: { change: [{ kind: 'account-setting', setting: 'ssm-default-host-management' }] },
  'UpdateServiceSetting.arn': { change: [{ kind: 'account-setting', setting: 'ssm-default-host-management' }] },
  'UpdateServiceSetting.otherSetting': 'not-a-change',
  ResetServiceSetting: { change: [{ kind: 'account-setting', setting: 'ssm-default-host-management' }] },
};

function parsed(event: unknown): ParsedCloudTrail {
  const result = parseCloudTrailEvent(event);
  if (!result.ok) throw new Error(`expected the event to parse: ${result.message}`);
  return result.value;
}

describe('CloudTrail fixtures', () => {
  it('has a fixture for every listed call, and an expectation for every fixture', () => {
    const calls = Object.values(CHANGE_CALLS).flat();
    expect(calls.filter((c) => !fixtureNames.includes(c))).toEqual([]);
    expect(fixtureNames.filter((f) => !(f in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((f) => !fixtureNames.includes(f))).toEqual([]);
  });

  it('has an errorCode variant for each service whose failed calls come through', () => {
    expect(fixtureNames.filter((f) => f.endsWith('.errorCode')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(fixtureNames)('%s', (name) => {
    const event = load(name);
    const detail = event.detail as Record<string, unknown>;
    const value = parsed(event);
    const expected = EXPECTED[name];
    if (expected === 'not-a-change') {
      expect(value).toEqual({ kind: 'not-a-change', eventName: detail.eventName });
    } else if (expected && 'failed' in expected) {
      expect(value).toEqual({ kind: 'failed-call', eventName: detail.eventName, errorCode: expected.failed });
    } else if (expected && 'unmapped' in expected) {
      expect(value).toMatchObject({ kind: 'unmapped', eventSource: detail.eventSource, eventName: detail.eventName, eventId: detail.eventID, region: detail.awsRegion });
      if (value.kind === 'unmapped') expect(value.reason).toMatch(expected.unmapped);
    } else if (expected) {
      expect(value).toEqual({
        kind: 'change',
        change: {
          eventSource: detail.eventSource,
          eventName: detail.eventName,
          eventId: detail.eventID,
          eventTime: detail.eventTime,
          region: detail.awsRegion,
          accountId: '123456789012',
          resources: expected.change,
        },
      });
    }
  });

  it('fixtures are real-shaped EventBridge events from the matching source', () => {
    for (const name of fixtureNames) {
      const event = load(name);
      const detail = event.detail as Record<string, unknown>;
      expect(event['detail-type'], name).toBe(CLOUDTRAIL_DETAIL_TYPE);
      expect(event.source, name).toBe(EVENTBRIDGE_SOURCES[detail.eventSource as keyof typeof EVENTBRIDGE_SOURCES]);
      expect(event.region, name).toBe(detail.awsRegion);
      if (detail.eventSource === 'iam.amazonaws.com') expect(detail.awsRegion, name).toBe('us-east-1');
    }
  });
});

describe('parseCloudTrailEvent', () => {
  const base = () => load('AuthorizeSecurityGroupIngress');
  const withDetail = (patch: Record<string, unknown>) => {
    const event = base();
    return { ...event, detail: { ...(event.detail as Record<string, unknown>), ...patch } };
  };

  it('keeps only ids and names: nothing of a policy document, tag value or rule description', () => {
    for (const name of ['PutRolePolicy', 'CreatePolicyVersion', 'AddTags', 'AuthorizeSecurityGroupIngress', 'UpdateServiceSetting']) {
      const text = JSON.stringify(parsed(load(name)));
      expect(text, name).not.toMatch(/Statement|emr-audit:suppress|debug yarn|AWSSystemsManagerDefault|0\.0\.0\.0/);
    }
  });

  it('rejects what is not the CloudTrail envelope, naming the field', () => {
    expect(parseCloudTrailEvent(null)).toMatchObject({ ok: false });
    expect(parseCloudTrailEvent([])).toMatchObject({ ok: false });
    expect(parseCloudTrailEvent({ ...base(), 'detail-type': 'Scheduled Event' })).toMatchObject({ ok: false, field: 'detail-type' });
    expect(parseCloudTrailEvent({ ...base(), detail: undefined })).toMatchObject({ ok: false, field: 'detail' });
    expect(parseCloudTrailEvent(withDetail({ eventTime: 'yesterday' }))).toMatchObject({ ok: false, field: 'detail.eventTime' });
    expect(parseCloudTrailEvent(withDetail({ awsRegion: 'nowhere' }))).toMatchObject({ ok: false, field: 'detail.awsRegion' });
    expect(parseCloudTrailEvent(withDetail({ eventName: undefined }))).toMatchObject({ ok: false, field: 'detail.eventName' });
    expect(parseCloudTrailEvent(withDetail({ eventID: '<script>' }))).toMatchObject({ ok: false, field: 'detail.eventID' });
    expect(parseCloudTrailEvent(withDetail({ errorCode: 'x'.repeat(500) }))).toMatchObject({ ok: false, field: 'detail.errorCode' });
  });

  it('never echoes a rejected value in its message', () => {
    const result = parseCloudTrailEvent(withDetail({ eventTime: 'secret-value-123' }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain('secret-value-123');
  });

  it("rejects a listed call whose source is not its service's (a custom event posing as AWS's)", () => {
    expect(parseCloudTrailEvent({ ...base(), source: 'my.app' })).toMatchObject({ ok: false, field: 'source' });
    expect(parseCloudTrailEvent({ ...load('AttachRolePolicy'), source: 'aws.ec2' })).toMatchObject({ ok: false, field: 'source' });
  });

  it('accepts another service or call as not-a-change', () => {
    expect(parsed(withDetail({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' }))).toEqual({ kind: 'not-a-change', eventName: 'PutBucketPolicy' });
    expect(parsed(withDetail({ eventName: 'CreateSecurityGroup' }))).toEqual({ kind: 'not-a-change', eventName: 'CreateSecurityGroup' });
    expect(parsed(withDetail({ readOnly: true }))).toEqual({ kind: 'not-a-change', eventName: 'AuthorizeSecurityGroupIngress' });
    // An IAM call name under EC2 is not EC2's call.
    expect(parsed(withDetail({ eventName: 'AttachRolePolicy' }))).toEqual({ kind: 'not-a-change', eventName: 'AttachRolePolicy' });
  });

  it('a failed call is counted whatever its parameters (CloudTrail logs them as sent)', () => {
    expect(parsed(withDetail({ errorCode: 'Client.UnauthorizedOperation', requestParameters: null, responseElements: null }))).toEqual({
      kind: 'failed-call',
      eventName: 'AuthorizeSecurityGroupIngress',
      errorCode: 'Client.UnauthorizedOperation',
    });
  });

  it('a listed call whose resources cannot be read is unmapped, with the reason and not the value', () => {
    const missing = parsed(withDetail({ requestParameters: null, responseElements: null }));
    // Where it happened stays, so that region can be audited whole instead.
    expect(missing).toEqual({
      kind: 'unmapped',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      eventId: (base().detail as { eventID: string }).eventID,
      region: 'eu-west-1',
      accountId: '123456789012',
      reason: expect.any(String) as unknown,
    });
    const junk = parsed({ ...load('AttachRolePolicy'), detail: { ...(load('AttachRolePolicy').detail as object), requestParameters: { roleName: 'bad role/<x>', policyArn: 'arn:aws:iam::aws:policy/X' } } });
    expect(junk).toMatchObject({ kind: 'unmapped', reason: expect.stringMatching(/roleName is not an IAM role name/) as unknown });
    expect(JSON.stringify(junk)).not.toContain('<x>');
    const wrongId = parsed(withDetail({ requestParameters: { groupId: 'vpc-0123' }, responseElements: { _return: true } }));
    expect(wrongId).toMatchObject({ kind: 'unmapped', reason: expect.stringMatching(/groupId is not a security group id/) as unknown });
  });

  it('a group named by neither id nor a valid name is unmapped; a route table association must be rtbassoc-…', () => {
    const noGroup = parsed(withDetail({ requestParameters: { ipPermissions: { items: [] } }, responseElements: { _return: true } }));
    expect(noGroup).toMatchObject({ kind: 'unmapped', reason: expect.stringMatching(/neither by id nor by name/) as unknown });
    const badName = parsed(withDetail({ requestParameters: { groupName: 'a\u0000b' }, responseElements: { _return: true } }));
    expect(badName).toMatchObject({ kind: 'unmapped', reason: expect.stringMatching(/groupName is not a security group name/) as unknown });
    const disassociate = load('DisassociateRouteTable');
    const wrong = parsed({ ...disassociate, detail: { ...(disassociate.detail as object), requestParameters: { associationId: 'eipassoc-0123' } } });
    expect(wrong).toMatchObject({ kind: 'unmapped', eventName: 'DisassociateRouteTable', reason: expect.stringMatching(/associationId is not a route table association id/) as unknown });
  });

  it('deduplicates resources named twice (request and response)', () => {
    const value = parsed(load('AuthorizeSecurityGroupIngress'));
    expect(value.kind === 'change' && value.change.resources).toEqual([{ kind: 'security-group', id: SG }]);
  });

  it('falls back to the envelope account when the record has no recipientAccountId', () => {
    const value = parsed(withDetail({ recipientAccountId: undefined }));
    expect(value.kind === 'change' && value.change.accountId).toBe('123456789012');
    expect(parseCloudTrailEvent({ ...withDetail({ recipientAccountId: undefined }), account: undefined })).toMatchObject({ ok: false, field: 'detail.recipientAccountId' });
  });

  it('reads the SSM setting by id or by ARN, and only Default Host Management', () => {
    const other = load('UpdateServiceSetting.otherSetting');
    expect(parsed(other).kind).toBe('not-a-change');
    expect(parsed(load('UpdateServiceSetting.arn')).kind).toBe('change');
  });
});
