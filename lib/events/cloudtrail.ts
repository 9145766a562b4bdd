/**
 * CloudTrail "AWS API Call via CloudTrail" events, read into the resources a write call changed
 * (DESIGN.md "Change-triggered audits"). Only ids and names leave this module: request bodies
 * (policy documents, tag values, rule descriptions) are never kept, so nothing here can carry a
 * secret into state, findings or logs.
 *
 * The shapes are CloudTrail's, not the SDK's: EC2's classic calls log their query parameters in
 * camelCase with `...Set`/`items` wrappers (`{groupId, ipPermissions: {items: [...]}}`), EC2's newer
 * calls log the whole request under `<Call>Request` in PascalCase
 * (`{ModifySecurityGroupRulesRequest: {GroupId, ...}}`), IAM, EMR and SSM log their API's names in
 * camelCase (`{roleName, policyArn}`, `{resourceId, tags}`, `{settingId, settingValue}`).
 */
import * as z from 'zod';
import { DHMC_SETTING_ID } from '../collect/ssm.js';
import { CHANGE_CALLS, CLOUDTRAIL_DETAIL_TYPE, EVENTBRIDGE_SOURCES, isChangeSource, type ChangeSource } from './change-calls.js';

export { CHANGE_CALLS, CLOUDTRAIL_DETAIL_TYPE, EVENTBRIDGE_SOURCES };

export type ChangedResource =
  | { kind: 'security-group'; id: string }
  /** A default-VPC group named by name only (its id is not in the event): one lookup resolves it. */
  | { kind: 'security-group-name'; name: string }
  | { kind: 'prefix-list'; id: string }
  | { kind: 'subnet'; id: string }
  | { kind: 'route-table'; id: string }
  /** A route table's association with a subnet (or the VPC's main one), `rtbassoc-…`. */
  | { kind: 'route-table-association'; id: string }
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
  /** ISO 8601, as CloudTrail recorded the call. */
  eventTime: string;
  /** The region the call was made in (awsRegion); IAM's calls: us-east-1. */
  region: string;
  /** recipientAccountId (the account whose resources changed). */
  accountId: string;
  /** Every resource the call changed, deduplicated; never empty (else the event is `unmapped`). */
  resources: ChangedResource[];
}

/**
 * A listed call whose resources cannot be told from the event. Where it happened is kept, so the
 * function can audit that region whole instead (never silence): the event's region, or every
 * audited region for IAM, which is global.
 */
export interface UnmappedChange {
  kind: 'unmapped';
  eventSource: ChangeSource;
  eventName: string;
  eventId: string;
  region: string;
  accountId: string;
  /** What could not be read, naming the field and never its value. */
  reason: string;
}

export type ParsedCloudTrail =
  | { kind: 'change'; change: ChangeEvent }
  | { kind: 'failed-call'; eventName: string; errorCode: string }
  | UnmappedChange
  | { kind: 'not-a-change'; eventName: string };

export type CloudTrailParseResult = { ok: true; value: ParsedCloudTrail } | { ok: false; message: string; field?: string };

const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'is not an AWS region name' });
const accountId = z.string().regex(/^\d{12}$/, { error: 'is not a 12-digit AWS account id' });

const Detail = z.object({
  eventSource: z.string().regex(/^[a-z0-9.-]{1,128}$/, { error: 'is not a service endpoint name' }),
  eventName: z.string().regex(/^[A-Za-z0-9]{1,128}$/, { error: 'is not an API call name' }),
  eventID: z.string().regex(/^[A-Za-z0-9-]{1,128}$/, { error: 'is not a CloudTrail event id' }),
  eventTime: z.iso.datetime({ offset: true, error: 'is not an ISO 8601 time' }),
  awsRegion: regionName,
  recipientAccountId: accountId.optional(),
  readOnly: z.boolean().optional(),
  // CloudTrail's error codes are short identifiers (`Client.InvalidPermission.Duplicate`,
  // `AccessDenied`); anything longer or stranger is not a CloudTrail record.
  errorCode: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'is not an error code' }).optional(),
  requestParameters: z.unknown().optional(),
  responseElements: z.unknown().optional(),
});

const Envelope = z.object({
  source: z.string({ error: 'the event has no "source"' }),
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE, { error: `is not "${CLOUDTRAIL_DETAIL_TYPE}"` }),
  account: accountId.optional(),
  region: regionName.optional(),
  detail: Detail,
});

/** `detail.eventTime: is not an ISO 8601 time` — the first problem, with where it is; never the value. */
function firstIssue(error: z.ZodError, prefix: string): { field: string; text: string } {
  const issue = error.issues[0];
  if (!issue) return { field: prefix, text: 'invalid' };
  const field = issue.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc ? `${acc}.` : ''}${String(p)}`), prefix);
  return { field: field || 'event', text: issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message };
}

// ── ids ─────────────────────────────────────────────────────────────────────────────────────────
// AWS ids are `<prefix>-<8 or 17 hex>`; the bound is looser (the local emulators and fakes use
// `sg-web`), but tight enough that nothing but an identifier passes.
const ec2Id = (prefix: string, what: string) => z.string().regex(new RegExp(`^${prefix}-[0-9A-Za-z]{1,64}$`), { error: `is not ${what}` });
const sg = ec2Id('sg', 'a security group id (sg-…)');
const pl = ec2Id('pl', 'a prefix list id (pl-…)');
const subnet = ec2Id('subnet', 'a subnet id (subnet-…)');
const rtb = ec2Id('rtb', 'a route table id (rtb-…)');
const rtbAssociation = ec2Id('rtbassoc', 'a route table association id (rtbassoc-…)');
const acl = ec2Id('acl', 'a network ACL id (acl-…)');
const vpc = ec2Id('vpc', 'a VPC id (vpc-…)');
const igw = ec2Id('igw', 'an internet gateway id (igw-…)');
const instance = ec2Id('i', 'an instance id (i-…)');
const eni = ec2Id('eni', 'a network interface id (eni-…)');
const allocation = ec2Id('eipalloc', 'an Elastic IP allocation id (eipalloc-…)');
const association = ec2Id('eipassoc', 'an Elastic IP association id (eipassoc-…)');
// EC2's characters for a group name (a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*), at most 255.
const groupName = z.string().regex(/^[A-Za-z0-9 ._:/()#,@[\]+=&;{}!$*-]{1,255}$/, { error: 'is not a security group name' });
const publicIp = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, { error: 'is not an IPv4 address' });
const iamName = (max: number, what: string) => z.string().regex(new RegExp(`^[\\w+=,.@-]{1,${max}}$`), { error: `is not ${what}` });
const roleName = iamName(64, 'an IAM role name');
const instanceProfileName = iamName(128, 'an instance profile name');
const policyArn = z.string().regex(/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]{1,512}$/, { error: 'is not an IAM policy ARN' });
const clusterId = z.string().regex(/^j-[0-9A-Za-z]{1,64}$/);

/** `{items: [...]}`, EC2's CloudTrail wrapper of a list; absent or empty when the call named none. */
const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).max(1000).optional() });
const groupSet = itemsOf(z.object({ groupId: sg })).optional();

// ── per call ────────────────────────────────────────────────────────────────────────────────────
type Mapping = { resources: ChangedResource[] } | { unmapped: string } | { notAChange: true };
interface CallInput {
  request: unknown;
  response: unknown;
}
type Mapper = (call: CallInput) => Mapping;

/**
 * EC2's newer calls log `{<Call>Request: {PascalCase…}}`; read them as the classic camelCase shape
 * so one schema serves both (and a future switch of a classic call's logging does not break us).
 */
function ec2Request(request: unknown, eventName: string): unknown {
  if (typeof request !== 'object' || request === null) return request;
  const wrapped = (request as Record<string, unknown>)[`${eventName}Request`];
  const body = typeof wrapped === 'object' && wrapped !== null ? (wrapped as Record<string, unknown>) : (request as Record<string, unknown>);
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key.charAt(0).toLowerCase() + key.slice(1), value]));
}

/** Parse the call's parts with `schema` and name its resources; a shape we cannot read is unmapped. */
function mapWith<T>(schema: z.ZodType<T>, pick: (call: CallInput) => unknown, resources: (value: T) => Mapping | ChangedResource[]): Mapper {
  return (call) => {
    const parsed = schema.safeParse(pick(call));
    if (!parsed.success) {
      const issue = firstIssue(parsed.error, '');
      return { unmapped: `${issue.field === 'event' ? 'requestParameters' : issue.field} ${issue.text}` };
    }
    const out = resources(parsed.data);
    return Array.isArray(out) ? { resources: out } : out;
  };
}

const request = (call: CallInput) => call.request;
const ec2 = (eventName: string) => (call: CallInput) => ec2Request(call.request, eventName);
const both = (eventName: string) => (call: CallInput) => ({ requestParameters: ec2Request(call.request, eventName), responseElements: call.response ?? {} });

const one = <K extends ChangedResource['kind']>(kind: K) => (id: string) => ({ kind, id }) as Extract<ChangedResource, { kind: K }>;
const securityGroup = one('security-group');
const routeTable = one('route-table');
const routeTableAssociation = one('route-table-association');
const networkAcl = one('network-acl');
const groupsOf = (set: z.infer<typeof groupSet>): ChangedResource[] => (set?.items ?? []).map((g) => securityGroup(g.groupId));

/**
 * A rule change on a group named by id, or (default VPC) by name: the id is then in the response
 * when the call returned its rules (an authorize's `securityGroupRuleSet`, a revoke's
 * `revokedSecurityGroupRuleSet`), else only the name is known — an older revoke's response is
 * `_return` alone, as is one that matched no rule — and one lookup resolves it
 * (lib/events/owner-lookup.ts).
 */
const securityGroupRuleChange = (eventName: string): Mapper =>
  mapWith(
    z.object({
      requestParameters: z.object({ groupId: sg.optional(), groupName: groupName.optional() }),
      responseElements: z.object({
        securityGroupRuleSet: itemsOf(z.object({ groupId: sg })).optional(),
        revokedSecurityGroupRuleSet: itemsOf(z.object({ groupId: sg.optional() })).optional(),
      }),
    }),
    both(eventName),
    ({ requestParameters: req, responseElements: res }) => {
      const ids = [
        ...(req.groupId ? [req.groupId] : []),
        ...(res.securityGroupRuleSet?.items ?? []).map((r) => r.groupId),
        ...(res.revokedSecurityGroupRuleSet?.items ?? []).flatMap((r) => (r.groupId ? [r.groupId] : [])),
      ];
      if (ids.length > 0) return ids.map(securityGroup);
      return req.groupName ? [{ kind: 'security-group-name', name: req.groupName }] : { unmapped: 'names the security group neither by id nor by name' };
    },
  );

const routeChange: Mapper = mapWith(z.object({ routeTableId: rtb }), request, (r) => [routeTable(r.routeTableId)]);
const aclEntryChange: Mapper = mapWith(z.object({ networkAclId: acl }), request, (r) => [networkAcl(r.networkAclId)]);
const gatewayChange: Mapper = mapWith(z.object({ internetGatewayId: igw, vpcId: vpc }), request, (r) => [
  { kind: 'internet-gateway', id: r.internetGatewayId },
  { kind: 'vpc', id: r.vpcId },
]);

const role = (name: string): ChangedResource => ({ kind: 'role', name });
const policy = (arn: string): ChangedResource => ({ kind: 'policy', arn });
// A policy attached to or put on a role changes the role's permissions, not the policy: the role
// is what names the clusters (the index maps a customer-managed policy to the clusters whose
// roles hold it, and those did not change).
const roleChange: Mapper = mapWith(z.object({ roleName }), request, (r) => [role(r.roleName)]);
const policyChange: Mapper = mapWith(z.object({ policyArn }), request, (r) => [policy(r.policyArn)]);
const instanceProfileChange: Mapper = mapWith(z.object({ instanceProfileName, roleName }), request, (r) => [
  { kind: 'instance-profile', name: r.instanceProfileName },
  role(r.roleName),
]);

/** EMR tags change a cluster's findings (the audit-scope and suppression tags); a studio's do not. */
const emrTagChange: Mapper = mapWith(z.object({ resourceId: z.string().min(1).max(256) }), request, (r) =>
  clusterId.safeParse(r.resourceId).success ? [{ kind: 'cluster', id: r.resourceId }] : { notAChange: true },
);

const isDefaultHostManagement = (settingId: string): boolean => settingId === DHMC_SETTING_ID || settingId.endsWith(`:servicesetting${DHMC_SETTING_ID}`);
const ssmSettingChange: Mapper = mapWith(z.object({ settingId: z.string().min(1).max(1000) }), request, (r) =>
  isDefaultHostManagement(r.settingId) ? [{ kind: 'account-setting', setting: 'ssm-default-host-management' }] : { notAChange: true },
);

const MAPPERS: Readonly<Record<string, Mapper>> = {
  // EC2: security groups and the groups of a node
  AuthorizeSecurityGroupIngress: securityGroupRuleChange('AuthorizeSecurityGroupIngress'),
  RevokeSecurityGroupIngress: securityGroupRuleChange('RevokeSecurityGroupIngress'),
  ModifySecurityGroupRules: mapWith(z.object({ groupId: sg }), ec2('ModifySecurityGroupRules'), (r) => [securityGroup(r.groupId)]),
  ModifyInstanceAttribute: mapWith(z.object({ instanceId: instance, groupSet }), request, (r) => [{ kind: 'instance', id: r.instanceId }, ...groupsOf(r.groupSet)]),
  ModifyNetworkInterfaceAttribute: mapWith(z.object({ networkInterfaceId: eni, groupSet }), request, (r) => [
    { kind: 'network-interface', id: r.networkInterfaceId },
    ...groupsOf(r.groupSet),
  ]),
  ModifyManagedPrefixList: mapWith(z.object({ prefixListId: pl }), ec2('ModifyManagedPrefixList'), (r) => [{ kind: 'prefix-list', id: r.prefixListId }]),
  // EC2: addresses
  AssociateAddress: mapWith(
    z.object({
      requestParameters: z.object({ allocationId: allocation.optional(), publicIp: publicIp.optional(), instanceId: instance.optional(), networkInterfaceId: eni.optional() }),
      responseElements: z.object({ associationId: association.optional() }),
    }),
    both('AssociateAddress'),
    ({ requestParameters: req, responseElements: res }) => {
      const out: ChangedResource[] = [];
      const address = { ...(req.allocationId ? { allocationId: req.allocationId } : {}), ...(req.publicIp ? { publicIp: req.publicIp } : {}), ...(res.associationId ? { associationId: res.associationId } : {}) };
      if (Object.keys(address).length > 0) out.push({ kind: 'address', ...address });
      if (req.instanceId) out.push({ kind: 'instance', id: req.instanceId });
      if (req.networkInterfaceId) out.push({ kind: 'network-interface', id: req.networkInterfaceId });
      return out.length > 0 ? out : { unmapped: 'names neither the address nor the instance or network interface' };
    },
  ),
  DisassociateAddress: mapWith(z.object({ associationId: association.optional(), publicIp: publicIp.optional() }), request, (r) =>
    r.associationId || r.publicIp
      ? [{ kind: 'address', ...(r.associationId ? { associationId: r.associationId } : {}), ...(r.publicIp ? { publicIp: r.publicIp } : {}) }]
      : { unmapped: 'names neither the association nor the public IP' },
  ),
  AssignIpv6Addresses: mapWith(z.object({ networkInterfaceId: eni }), ec2('AssignIpv6Addresses'), (r) => [{ kind: 'network-interface', id: r.networkInterfaceId }]),
  // EC2: routes and route tables
  CreateRoute: routeChange,
  ReplaceRoute: routeChange,
  DeleteRoute: routeChange,
  AssociateRouteTable: mapWith(z.object({ routeTableId: rtb, subnetId: subnet.optional(), gatewayId: z.string().optional() }), request, (r) => [
    routeTable(r.routeTableId),
    ...(r.subnetId ? [{ kind: 'subnet', id: r.subnetId } as const] : []),
    // An edge association routes the gateway's inbound traffic through the table.
    ...(r.gatewayId && igw.safeParse(r.gatewayId).success ? [{ kind: 'internet-gateway', id: r.gatewayId } as const] : []),
  ]),
  // The association replaced (a subnet's, or the VPC's main one): the index knows the association
  // of every cluster's subnet (and its VPC's main one), so it names exactly the clusters whose path
  // changed. Not the new table: its routes are unchanged, so the subnets already on it are not
  // touched; and an association the index does not know audits the region anyway.
  ReplaceRouteTableAssociation: mapWith(z.object({ routeTableId: rtb, associationId: rtbAssociation }), request, (r) => [routeTableAssociation(r.associationId)]),
  // Only the association is named: the subnet it leaves falls back to the VPC's main table.
  DisassociateRouteTable: mapWith(z.object({ associationId: rtbAssociation }), request, (r) => [routeTableAssociation(r.associationId)]),
  // EC2: network ACLs and internet gateways
  CreateNetworkAclEntry: aclEntryChange,
  ReplaceNetworkAclEntry: aclEntryChange,
  DeleteNetworkAclEntry: aclEntryChange,
  ReplaceNetworkAclAssociation: mapWith(z.object({ networkAclId: acl }), request, (r) => [networkAcl(r.networkAclId)]),
  AttachInternetGateway: gatewayChange,
  DetachInternetGateway: gatewayChange,
  // EC2: instance metadata
  ModifyInstanceMetadataOptions: mapWith(z.object({ instanceId: instance }), ec2('ModifyInstanceMetadataOptions'), (r) => [{ kind: 'instance', id: r.instanceId }]),
  // IAM
  AttachRolePolicy: roleChange,
  DetachRolePolicy: roleChange,
  PutRolePolicy: roleChange,
  DeleteRolePolicy: roleChange,
  PutRolePermissionsBoundary: roleChange,
  DeleteRolePermissionsBoundary: roleChange,
  CreatePolicyVersion: policyChange,
  SetDefaultPolicyVersion: policyChange,
  DeletePolicyVersion: policyChange,
  AddRoleToInstanceProfile: instanceProfileChange,
  RemoveRoleFromInstanceProfile: instanceProfileChange,
  // EMR
  PutBlockPublicAccessConfiguration: () => ({ resources: [{ kind: 'account-setting', setting: 'emr-block-public-access' }] }),
  AddTags: emrTagChange,
  RemoveTags: emrTagChange,
  // SSM
  UpdateServiceSetting: ssmSettingChange,
  ResetServiceSetting: ssmSettingChange,
};

function resourceKey(r: ChangedResource): string {
  switch (r.kind) {
    case 'address':
      return `address|${r.allocationId ?? ''}|${r.publicIp ?? ''}|${r.associationId ?? ''}`;
    case 'role':
    case 'instance-profile':
    case 'security-group-name':
      return `${r.kind}|${r.name}`;
    case 'policy':
      return `policy|${r.arn}`;
    case 'account-setting':
      return `account-setting|${r.setting}`;
    default:
      return `${r.kind}|${r.id}`;
  }
}

function dedupe(resources: readonly ChangedResource[]): ChangedResource[] {
  const seen = new Map<string, ChangedResource>();
  for (const r of resources) if (!seen.has(resourceKey(r))) seen.set(resourceKey(r), r);
  return [...seen.values()];
}

/**
 * Read one EventBridge event carrying a CloudTrail record. Not the CloudTrail envelope (or a
 * record whose `source` does not match its service) → `{ok: false}`, to be rejected like any
 * malformed event; everything else is accepted and classified.
 */
export function parseCloudTrailEvent(event: unknown): CloudTrailParseResult {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { ok: false, message: 'Invalid CloudTrail event: expected a JSON object (an EventBridge event)' };
  }
  const parsed = Envelope.safeParse(event);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, '');
    return { ok: false, message: `Invalid CloudTrail event: ${issue.field} ${issue.text}`, field: issue.field };
  }
  const { detail } = parsed.data;
  const { eventSource, eventName } = detail;

  if (!isChangeSource(eventSource)) return { ok: true, value: { kind: 'not-a-change', eventName } };
  const expectedSource = EVENTBRIDGE_SOURCES[eventSource];
  if (parsed.data.source !== expectedSource) {
    return { ok: false, message: `Invalid CloudTrail event: source is not "${expectedSource}" for a call to ${eventSource}`, field: 'source' };
  }
  const mapper = MAPPERS[eventName];
  if (detail.readOnly === true || !mapper || !CHANGE_CALLS[eventSource].includes(eventName)) return { ok: true, value: { kind: 'not-a-change', eventName } };
  if (detail.errorCode !== undefined) return { ok: true, value: { kind: 'failed-call', eventName, errorCode: detail.errorCode } };

  const account = detail.recipientAccountId ?? parsed.data.account;
  if (account === undefined) return { ok: false, message: 'Invalid CloudTrail event: detail.recipientAccountId is missing', field: 'detail.recipientAccountId' };

  const mapping = mapper({ request: detail.requestParameters, response: detail.responseElements });
  if ('notAChange' in mapping) return { ok: true, value: { kind: 'not-a-change', eventName } };
  const unmapped = (reason: string): CloudTrailParseResult => ({
    ok: true,
    value: { kind: 'unmapped', eventSource, eventName, eventId: detail.eventID, region: detail.awsRegion, accountId: account, reason },
  });
  if ('unmapped' in mapping) return unmapped(mapping.unmapped);
  const resources = dedupe(mapping.resources);
  if (resources.length === 0) return unmapped('names no resource');
  return {
    ok: true,
    value: {
      kind: 'change',
      change: { eventSource, eventName, eventId: detail.eventID, eventTime: detail.eventTime, region: detail.awsRegion, accountId: account, resources },
    },
  };
}
