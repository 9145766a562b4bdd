/** IAM and STS (awsQuery: form-encoded request, XML response) answered from the simulated account. */
import type { SimAccount, SimRole } from '../account.js';
import { ec2AssumeRolePolicy } from '../policies.js';
import { queryError, queryResponse, x, xl, xn, type ParsedRequest, type SimResponse } from '../wire.js';

/** IAM list operations: default (and simulated) MaxItems. */
export const IAM_PAGE_SIZE = 100;

/** IAM returns policy documents URL-encoded (RFC 3986). */
const encodeDocument = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));

const noSuchEntity = (message: string): SimResponse => queryError('iam', 404, 'NoSuchEntity', message);

function roleXml(role: SimRole, withDetails: boolean): string {
  return (
    x('Path', '/') +
    x('RoleName', role.name) +
    x('RoleId', role.id) +
    x('Arn', role.arn) +
    x('CreateDate', role.createdAt) +
    x('AssumeRolePolicyDocument', encodeDocument(ec2AssumeRolePolicy())) +
    (withDetails
      ? x('MaxSessionDuration', 3600) +
        (role.boundaryArn ? xn('PermissionsBoundary', x('PermissionsBoundaryType', 'Policy'), x('PermissionsBoundaryArn', role.boundaryArn)) : '') +
        xl('Tags', [['owner', 'data-platform']], ([k, v]) => x('Key', k) + x('Value', v), 'member') +
        xn('RoleLastUsed', x('LastUsedDate', new Date(role.createdAt.getTime() + 86_400_000)), x('Region', 'us-east-1'))
      : '')
  );
}

function paged<T>(items: readonly T[], req: ParsedRequest): { items: T[]; tail: string } {
  const max = Number(req.form.get('MaxItems') ?? IAM_PAGE_SIZE);
  const start = Number(req.form.get('Marker') ?? '0');
  const slice = items.slice(start, start + max);
  const truncated = start + max < items.length;
  return { items: slice, tail: x('IsTruncated', truncated) + (truncated ? x('Marker', String(start + max)) : '') };
}

export function handleIam(account: SimAccount, req: ParsedRequest): SimResponse {
  const f = req.form;
  const role = (): SimRole | undefined => account.roles.get(f.get('RoleName') ?? '');
  switch (req.operation) {
    case 'GetInstanceProfile': {
      const name = f.get('InstanceProfileName') ?? '';
      const p = account.instanceProfiles.get(name);
      if (!p) return noSuchEntity(`Instance Profile ${name} cannot be found.`);
      const roles = p.roleNames.flatMap((n) => account.roles.get(n) ?? []);
      const body = xn('InstanceProfile', x('InstanceProfileId', p.id), xl('Roles', roles, (r) => roleXml(r, false), 'member'), x('InstanceProfileName', p.name), x('Path', '/'), x('Arn', p.arn), x('CreateDate', p.createdAt));
      return queryResponse('iam', 'GetInstanceProfile', body, 1);
    }
    case 'GetRole': {
      const r = role();
      if (!r) return noSuchEntity(`The role with name ${f.get('RoleName') ?? ''} cannot be found.`);
      return queryResponse('iam', 'GetRole', xn('Role', roleXml(r, true)), 1);
    }
    case 'ListAttachedRolePolicies': {
      const r = role();
      if (!r) return noSuchEntity(`The role with name ${f.get('RoleName') ?? ''} cannot be found.`);
      const p = paged(r.attachedArns, req);
      const body = xl('AttachedPolicies', p.items, (arn) => x('PolicyName', arn.slice(arn.lastIndexOf('/') + 1)) + x('PolicyArn', arn), 'member') + p.tail;
      return queryResponse('iam', 'ListAttachedRolePolicies', body, p.items.length);
    }
    case 'ListRolePolicies': {
      const r = role();
      if (!r) return noSuchEntity(`The role with name ${f.get('RoleName') ?? ''} cannot be found.`);
      const p = paged(r.inline.map((i) => i.name), req);
      return queryResponse('iam', 'ListRolePolicies', xl('PolicyNames', p.items, (n) => n, 'member') + p.tail, p.items.length);
    }
    case 'GetRolePolicy': {
      const r = role();
      const name = f.get('PolicyName') ?? '';
      const inline = r?.inline.find((i) => i.name === name);
      if (!r || !inline) return noSuchEntity(`The role policy with name ${name} cannot be found.`);
      return queryResponse('iam', 'GetRolePolicy', x('RoleName', r.name) + x('PolicyName', inline.name) + x('PolicyDocument', encodeDocument(inline.document)), 1);
    }
    case 'GetPolicy': {
      const arn = f.get('PolicyArn') ?? '';
      const p = account.managedPolicies.get(arn);
      if (!p) return noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
      const body = xn(
        'Policy',
        x('PolicyName', p.name),
        x('DefaultVersionId', p.defaultVersionId),
        x('PolicyId', p.id),
        x('Path', p.path),
        x('Arn', p.arn),
        x('AttachmentCount', 3),
        x('PermissionsBoundaryUsageCount', 0),
        x('IsAttachable', true),
        x('CreateDate', p.createdAt),
        x('UpdateDate', p.createdAt),
      );
      return queryResponse('iam', 'GetPolicy', body, 1);
    }
    case 'GetPolicyVersion': {
      const arn = f.get('PolicyArn') ?? '';
      const p = account.managedPolicies.get(arn);
      const version = f.get('VersionId') ?? '';
      if (!p || !/^v\d+$/.test(version) || Number(version.slice(1)) > Number(p.defaultVersionId.slice(1))) {
        return noSuchEntity(`Policy ${arn} version ${version} does not exist or is not attachable.`);
      }
      const body = xn('PolicyVersion', x('Document', encodeDocument(p.document)), x('VersionId', version), x('IsDefaultVersion', version === p.defaultVersionId), x('CreateDate', p.createdAt));
      return queryResponse('iam', 'GetPolicyVersion', body, 1);
    }
    default:
      return queryError('iam', 400, 'InvalidAction', `The simulator does not implement iam:${req.operation}`);
  }
}

export function handleSts(account: SimAccount, req: ParsedRequest): SimResponse {
  if (req.operation !== 'GetCallerIdentity') return queryError('sts', 400, 'InvalidAction', `The simulator does not implement sts:${req.operation}`);
  const body = x('Arn', `arn:aws:sts::${account.accountId}:assumed-role/emr-audit/bench`) + x('UserId', 'AROABENCHEXAMPLE:bench') + x('Account', account.accountId);
  return queryResponse('sts', 'GetCallerIdentity', body, 1);
}
