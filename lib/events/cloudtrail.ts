/**
 * TEMPORARY STUB of the CloudTrail parser owned by wt-routing (briefs/cloudtrail-contract.md): the
 * same interface, reading only the fields the change-triggered audit needs. Deleted in favour of
 * the real module when branch wt-routing is merged.
 */
import * as z from 'zod';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

export const CHANGE_CALLS: Readonly<Record<'ec2.amazonaws.com' | 'iam.amazonaws.com' | 'elasticmapreduce.amazonaws.com' | 'ssm.amazonaws.com', readonly string[]>> = {
  'ec2.amazonaws.com': [
    'AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress', 'ModifySecurityGroupRules', 'ModifyInstanceAttribute', 'ModifyNetworkInterfaceAttribute',
    'ModifyManagedPrefixList', 'AssociateAddress', 'DisassociateAddress', 'AssignIpv6Addresses', 'CreateRoute', 'ReplaceRoute', 'DeleteRoute', 'AssociateRouteTable',
    'ReplaceRouteTableAssociation', 'DisassociateRouteTable', 'CreateNetworkAclEntry', 'ReplaceNetworkAclEntry', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclAssociation',
    'AttachInternetGateway', 'DetachInternetGateway', 'ModifyInstanceMetadataOptions',
  ],
  'iam.amazonaws.com': [
    'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicyVersion',
    'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary', 'AddRoleToInstanceProfile', 'RemoveRoleFromInstanceProfile',
  ],
  'elasticmapreduce.amazonaws.com': ['PutBlockPublicAccessConfiguration', 'AddTags', 'RemoveTags'],
  'ssm.amazonaws.com': ['UpdateServiceSetting', 'ResetServiceSetting'],
};

export type ChangedResource =
  | { kind: 'security-group'; id: string }
  | { kind: 'prefix-list'; id: string }
  | { kind: 'subnet'; id: string }
  | { kind: 'route-table'; id: string }
  | { kind: 'network-acl'; id: string }
  | { kind: 'vpc'; id: string }
  | { kind: 'internet-gateway'; id: string }
  | { kind: 'instance'; id: string }
  | { kind: 'network-interface'; id: string }
  | { kind: 'address'; allocationId?: string; publicIp?: string; associationId?: string }
  | { kind: 'role'; name: string }
  | { kind: 'instance-profile'; name: string }
  | { kind: 'policy'; arn: string }
  | { kind: 'cluster'; id: string }
  | { kind: 'account-setting'; setting: 'emr-block-public-access' | 'ssm-default-host-management' };

export interface ChangeEvent {
  eventSource: string;
  eventName: string;
  eventId: string;
  eventTime: string;
  region: string;
  accountId: string;
  resources: ChangedResource[];
}

export type ParsedCloudTrail =
  | { kind: 'change'; change: ChangeEvent }
  | { kind: 'failed-call'; eventName: string; errorCode: string }
  | { kind: 'unmapped'; eventName: string; reason: string }
  | { kind: 'not-a-change'; eventName: string };

const Envelope = z.object({
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE),
  detail: z.object({
    eventSource: z.string(),
    eventName: z.string(),
    eventID: z.string().default(''),
    eventTime: z.string(),
    awsRegion: z.string(),
    recipientAccountId: z.string().regex(/^\d{12}$/),
    errorCode: z.string().optional(),
    readOnly: z.boolean().optional(),
    requestParameters: z.record(z.string(), z.unknown()).nullish(),
    responseElements: z.record(z.string(), z.unknown()).nullish(),
  }),
});

/** Every string value under `key` anywhere in the object (CloudTrail nests ids in item lists). */
function valuesOf(value: unknown, key: string, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) valuesOf(v, key, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === 'string') out.push(v);
      else valuesOf(v, key, out);
    }
  }
  return out;
}

const ID_KEYS: ReadonlyArray<[string, (id: string) => ChangedResource]> = [
  ['groupId', (id) => ({ kind: 'security-group', id })],
  ['prefixListId', (id) => ({ kind: 'prefix-list', id })],
  ['subnetId', (id) => ({ kind: 'subnet', id })],
  ['routeTableId', (id) => ({ kind: 'route-table', id })],
  ['networkAclId', (id) => ({ kind: 'network-acl', id })],
  ['vpcId', (id) => ({ kind: 'vpc', id })],
  ['internetGatewayId', (id) => ({ kind: 'internet-gateway', id })],
  ['instanceId', (id) => ({ kind: 'instance', id })],
  ['networkInterfaceId', (id) => ({ kind: 'network-interface', id })],
  ['roleName', (name) => ({ kind: 'role', name })],
  ['instanceProfileName', (name) => ({ kind: 'instance-profile', name })],
  ['policyArn', (arn) => ({ kind: 'policy', arn })],
  ['resourceId', (id) => ({ kind: 'cluster', id })],
];

export function parseCloudTrailEvent(event: unknown): { ok: true; value: ParsedCloudTrail } | { ok: false; message: string; field?: string } {
  const parsed = Envelope.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `Invalid CloudTrail event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), field: issue?.path.join('.') };
  }
  const d = parsed.data.detail;
  const calls = (CHANGE_CALLS as Record<string, readonly string[] | undefined>)[d.eventSource];
  if (d.readOnly === true || !calls?.includes(d.eventName)) return { ok: true, value: { kind: 'not-a-change', eventName: d.eventName } };
  if (d.errorCode) return { ok: true, value: { kind: 'failed-call', eventName: d.eventName, errorCode: d.errorCode } };
  const resources: ChangedResource[] = [];
  if (d.eventName === 'PutBlockPublicAccessConfiguration') resources.push({ kind: 'account-setting', setting: 'emr-block-public-access' });
  else if (d.eventSource === 'ssm.amazonaws.com') resources.push({ kind: 'account-setting', setting: 'ssm-default-host-management' });
  else {
    const seen = new Set<string>();
    for (const [key, make] of ID_KEYS) {
      for (const id of [...valuesOf(d.requestParameters, key), ...valuesOf(d.responseElements, key)]) {
        const r = make(id);
        const k = JSON.stringify(r);
        if (seen.has(k)) continue;
        seen.add(k);
        resources.push(r);
      }
    }
  }
  if (resources.length === 0) return { ok: true, value: { kind: 'unmapped', eventName: d.eventName, reason: 'no resource named' } };
  return {
    ok: true,
    value: {
      kind: 'change',
      change: { eventSource: d.eventSource, eventName: d.eventName, eventId: d.eventID, eventTime: d.eventTime, region: d.awsRegion, accountId: d.recipientAccountId, resources },
    },
  };
}
