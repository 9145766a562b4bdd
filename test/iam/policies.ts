/**
 * Policy documents shaped like the AWS managed policies the checks meet most (written for these
 * tests, trimmed to what matters), and a builder of a region snapshot around one instance-profile
 * role, for the lib/iam and iam/* check tests.
 */
import type { RegionInput } from '../helpers/fixtures.js';
import type { CollectionError, DefaultHostManagement, PolicyDocument, ServiceRole } from '../../lib/snapshot.js';
import type { RolePolicies } from '../../lib/iam/evaluate.js';
import { parsePolicy, type PolicySource } from '../../lib/iam/statements.js';

export const ADMINISTRATOR_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** Everything except IAM, Organizations and Account management, plus a few IAM reads/service-linked roles. */
export const POWER_USER_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization', 'account:ListRegions'],
      Resource: '*',
    },
  ],
};

/** The Systems Manager core: agent registration, Session Manager channels, ec2messages. */
export const SSM_MANAGED_INSTANCE_CORE: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'ssm:DescribeAssociation',
        'ssm:GetDocument',
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:ListAssociations',
        'ssm:ListInstanceAssociations',
        'ssm:PutInventory',
        'ssm:UpdateInstanceAssociationStatus',
        'ssm:UpdateInstanceInformation',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: 'ec2messages:*', Resource: '*' },
  ],
};

/** The deprecated EMR EC2 role policy: broad service wildcards on every resource. */
export const EMR_FOR_EC2_ROLE: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Resource: ['*'],
      Action: [
        'cloudwatch:*',
        'dynamodb:*',
        'ec2:Describe*',
        'elasticmapreduce:Describe*',
        'elasticmapreduce:ListClusters',
        'elasticmapreduce:ListInstances',
        'glue:CreateDatabase',
        'glue:GetTable',
        'kinesis:GetRecords',
        'rds:Describe*',
        's3:*',
        'sdb:*',
        'sns:*',
        'sqs:*',
      ],
    },
  ],
};

/** A least-privilege EMR EC2 role: data access scoped to named buckets and a key. */
export const SCOPED_EMR_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadWriteData', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::etl-data/*', 'arn:aws:s3:::etl-logs/*'] },
    { Sid: 'ListBuckets', Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::etl-data', 'arn:aws:s3:::etl-logs'] },
    { Sid: 'DataKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: 'arn:aws:kms:us-east-1:123456789012:key/1111-2222' },
    { Sid: 'Describe', Effect: 'Allow', Action: ['elasticmapreduce:Describe*', 'elasticmapreduce:ListInstances', 'ec2:DescribeTags'], Resource: '*' },
  ],
};

/**
 * Allow * with a Deny of 40 long unanchored patterns (`*a*f*k*…*`): deciding whether anything
 * escapes the Deny takes more than the search bound, so the evaluator must answer "undecided".
 */
export const UNDECIDABLE_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: '*', Resource: '*' },
    {
      Effect: 'Deny',
      Action: Array.from({ length: 40 }, (_, k) => `*${Array.from({ length: 9 }, (_, j) => 'abcdefghijklmnopqrstuvwxyz'[(k * 7 + j * 5) % 26]).join('*')}*`),
      Resource: '*',
    },
  ],
};

/**
 * Allow of the same 40 patterns and of everything but them: together every action, but proving it
 * takes more than the search bound, even with no Deny at all.
 */
export const UNDECIDABLE_GRANT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: (UNDECIDABLE_POLICY.Statement as Array<{ Action: string[] }>)[1]!.Action, Resource: '*' },
    { Effect: 'Allow', NotAction: (UNDECIDABLE_POLICY.Statement as Array<{ Action: string[] }>)[1]!.Action, Resource: '*' },
  ],
};

export const awsPolicyArn = (name: string, path = ''): string => `arn:aws:iam::aws:policy/${path}${name}`;
export const customerPolicyArn = (name: string): string => `arn:aws:iam::123456789012:policy/${name}`;

export interface ManagedInput {
  name: string;
  arn?: string;
  document: PolicyDocument;
}

export interface RoleSetup {
  profile?: string;
  role?: string;
  attached?: ManagedInput[];
  inline?: Array<{ name: string; document: PolicyDocument }>;
  boundary?: ManagedInput;
  errors?: CollectionError[];
  defaultHostManagement?: DefaultHostManagement;
  serviceRoles?: Record<string, ServiceRole>;
  /** Attached ARNs whose documents are not in the snapshot (as when GetPolicy failed). */
  extraAttachedArns?: string[];
}

export const PROFILE = 'EMR_EC2_DefaultRole';
export const ROLE = 'EMR_EC2_DefaultRole';

/** A region snapshot holding the instance profile `EMR_EC2_DefaultRole` (what makeCluster uses) and its role. */
export function iamRegion(setup: RoleSetup = {}): RegionInput {
  const profile = setup.profile ?? PROFILE;
  const role = setup.role ?? ROLE;
  const managed = [...(setup.attached ?? []), ...(setup.boundary ? [setup.boundary] : [])].map((m) => ({
    arn: m.arn ?? customerPolicyArn(m.name),
    name: m.name,
    defaultVersionId: 'v1',
    document: m.document,
  }));
  const attachedArns = [...(setup.attached ?? []).map((m) => m.arn ?? customerPolicyArn(m.name)), ...(setup.extraAttachedArns ?? [])];
  return {
    instanceProfiles: { [profile]: { ref: profile, name: profile, arn: `arn:aws:iam::123456789012:instance-profile/${profile}`, roleNames: [role] } },
    roles: {
      [role]: {
        name: role,
        arn: `arn:aws:iam::123456789012:role/${role}`,
        ...(setup.boundary ? { permissionsBoundaryArn: setup.boundary.arn ?? customerPolicyArn(setup.boundary.name) } : {}),
        attachedPolicyArns: attachedArns,
        inlinePolicies: setup.inline ?? [],
      },
    },
    managedPolicies: Object.fromEntries(managed.map((m) => [m.arn, m])),
    serviceRoles: setup.serviceRoles ?? {},
    ...(setup.defaultHostManagement ? { defaultHostManagement: setup.defaultHostManagement } : {}),
    errors: setup.errors ?? [],
  };
}

/** Parsed policies for evaluator tests: documents become managed policies named `P1`, `P2`… unless named. */
export function rolePolicies(identity: Array<PolicyDocument | { name: string; document: PolicyDocument; inline?: boolean }>, boundary?: PolicyDocument): RolePolicies {
  const statements = identity.flatMap((entry, i) => {
    const named = 'document' in entry ? entry : { name: `P${i + 1}`, document: entry };
    const source: PolicySource =
      'inline' in named && named.inline ? { kind: 'inline', roleName: 'R', policyName: named.name } : { kind: 'managed', name: named.name, arn: customerPolicyArn(named.name) };
    return parsePolicy(source, named.document).statements;
  });
  const b = boundary ? parsePolicy({ kind: 'boundary', name: 'Boundary', arn: customerPolicyArn('Boundary') }, boundary).statements : undefined;
  return { roleName: 'R', identity: statements, ...(b ? { boundary: { name: 'Boundary', arn: customerPolicyArn('Boundary'), statements: b } } : {}) };
}
