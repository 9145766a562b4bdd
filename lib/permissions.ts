/**
 * The least-privilege IAM policy of emr-audit: the read actions the checks declare and the
 * collectors call for them, plus the two Security Hub actions of the synchroniser. The deployed role
 * (serverless.yml reads dist/iam-statements.json, written by scripts/build.ts from
 * `buildRoleStatements`) and the policy the CLI prints (`buildAuditPolicy`) come from here, so the
 * role can never drift from what the code calls.
 */
import type { Check } from '../checks/contract.js';
import { CHECKS } from '../checks/index.js';
import { collectionPermissions } from './collect/index.js';

export interface PolicyStatementJson {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface PolicyDocumentJson {
  Version: '2012-10-17';
  Statement: PolicyStatementJson[];
}

/** A CloudFormation string: literal, or joined with pseudo parameters (resolved at deploy time). */
export type CfnString = string | { 'Fn::Join': ['', Array<string | { Ref: string }>] } | { 'Fn::GetAtt': [string, string] };

export interface CfnPolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnString | CfnString[];
  Condition?: Record<string, Record<string, string>>;
}

/** serverless.yml's state bucket (resources.Resources), whose objects the role may read and write. */
export const STATE_BUCKET_LOGICAL_ID = 'AuditStateBucket';
/** The state store's only two actions, on the bucket's objects only. */
export const STATE_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;
/** The continuation event: one action, for the `emr-audit` source only, on the account's default bus. */
export const CONTINUATION_ACTION = 'events:PutEvents';
export const CONTINUATION_SOURCE = 'emr-audit';
/** serverless.yml's queue of change-audit follow-ups (lib/events/follow-up.ts): the role only sends to it. */
export const FOLLOW_UP_QUEUE_LOGICAL_ID = 'AuditFollowUpQueue';
export const FOLLOW_UP_ACTION = 'sqs:SendMessage';

/**
 * Every action a check or collector may declare, with the resource type the Service Authorization
 * Reference lets a policy name for it (undefined: the action only accepts `"*"`). A declared action
 * missing here stops the build: adding one is a reviewed change to what the deployed role may do,
 * and the read-only rule (Describe/Get/List, no secret-bearing reads) is enforced in one place.
 *
 * The actions that accept a resource are still granted on `"*"` except ssm:GetServiceSetting: the
 * audit reads every cluster, role, instance profile and policy (AWS-managed ones included, which
 * live in the `aws` account), so naming them would only restate `"*"`.
 */
export const READ_ACTION_CATALOGUE: Readonly<Record<string, { resourceType?: string }>> = {
  'elasticmapreduce:DescribeCluster': { resourceType: 'cluster' },
  'elasticmapreduce:ListInstances': { resourceType: 'cluster' },
  'elasticmapreduce:ListInstanceGroups': { resourceType: 'cluster' },
  'elasticmapreduce:ListInstanceFleets': { resourceType: 'cluster' },
  'elasticmapreduce:ListClusters': {},
  'elasticmapreduce:DescribeSecurityConfiguration': {},
  'elasticmapreduce:GetBlockPublicAccessConfiguration': {},
  'elasticmapreduce:ListReleaseLabels': {},
  'ec2:DescribeSecurityGroups': {},
  'ec2:DescribeInstances': {},
  'ec2:DescribeManagedPrefixLists': {},
  'ec2:GetManagedPrefixListEntries': { resourceType: 'prefix-list' },
  // The path from the internet to the nodes (exposure/internet-reachable-port); all three accept only "*".
  'ec2:DescribeSubnets': {},
  'ec2:DescribeRouteTables': {},
  'ec2:DescribeNetworkAcls': {},
  'iam:GetInstanceProfile': { resourceType: 'instance-profile' },
  'iam:GetRole': { resourceType: 'role' },
  'iam:ListAttachedRolePolicies': { resourceType: 'role' },
  'iam:ListRolePolicies': { resourceType: 'role' },
  'iam:GetRolePolicy': { resourceType: 'role' },
  'iam:GetPolicy': { resourceType: 'policy' },
  'iam:GetPolicyVersion': { resourceType: 'policy' },
  'ssm:DescribeInstanceInformation': {},
  'ssm:GetServiceSetting': { resourceType: 'servicesetting' },
  // Cluster tags account-wide; GetResources accepts only "*".
  'tag:GetResources': {},
};

/** The only SSM service setting the audit reads (CHECKS.md `iam/instance-profile-missing-ssm-permissions`). */
export const DHMC_SETTING_ID = '/ssm/managed-instance/default-ec2-instance-management-role';

export const SECURITY_HUB_IMPORT_ACTION = 'securityhub:BatchImportFindings';
export const SECURITY_HUB_READ_ACTION = 'securityhub:GetFindings';

/** Placeholders of ARN templates, rendered as literals (CLI) or pseudo parameters (CloudFormation). */
const PARTITION = '{partition}';
const ACCOUNT = '{account}';

/** Scoped resources, as templates: region `*` because one deployment audits several regions. */
const SCOPED_RESOURCES: Readonly<Record<string, string>> = {
  'ssm:GetServiceSetting': `arn:${PARTITION}:ssm:*:${ACCOUNT}:servicesetting${DHMC_SETTING_ID}`,
  // The account's own custom-findings product (SECURITY-HUB.md rule 1); Security Hub accepts
  // imports into it only for the calling account, whatever the policy says.
  [SECURITY_HUB_IMPORT_ACTION]: `arn:${PARTITION}:securityhub:*:${ACCOUNT}:product/${ACCOUNT}/default`,
};

export interface AuditActionsOptions {
  /** Include the Security Hub actions (the Lambda, `emr-audit scan --publish`). */
  publish: boolean;
  /** The checks to be run (default: all). */
  checks?: readonly Check[];
}

/**
 * What lists the account's enabled regions: the CLI's `scan --region all`, and the check that the
 * regions a run is asked to audit are enabled (lib/regions.ts; the Lambda and the CLI, at most once a run).
 */
export const LIST_REGIONS_ACTION = 'ec2:DescribeRegions';

/**
 * `emr-audit change-events`: whether CloudTrail logs what change-triggered audits need
 * (lib/events/trail-check.ts). Read-only; printed for the CLI, never in the deployed role.
 */
export const TRAIL_CHECK_ACTIONS = ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'] as const;

export interface AuditPolicyOptions extends AuditActionsOptions {
  /** Include ec2:DescribeRegions (the CLI's `--region all`, and the enabled-region check). */
  listRegions?: boolean;
  /** Include the CloudTrail reads of `emr-audit change-events`. */
  trailCheck?: boolean;
  /** ARN partition; default `aws`. */
  partition?: string;
  /**
   * Account id in the scoped ARNs; default the IAM policy variable `${aws:PrincipalAccount}`: the
   * account of whoever holds the policy, so the printed policy works as it is and names the same
   * resources as the deployed role (which says AWS::AccountId), not every account's.
   */
  accountId?: string;
}

/**
 * The read actions of a collection for these checks: the collectors' base, the checks' own, and the
 * follow-up calls their data costs (lib/collect `collectionPermissions`). Validated against
 * READ_ACTION_CATALOGUE; deduplicated and sorted.
 */
export function readActions(checks: readonly Check[] = CHECKS): string[] {
  const origin = new Map<string, string>();
  for (const check of checks) {
    for (const action of check.permissions) if (!origin.has(action)) origin.set(action, `check ${check.id}`);
  }
  const actions = [...new Set([...collectionPermissions(checks), ...origin.keys()])].sort();
  for (const action of actions) {
    if (!Object.hasOwn(READ_ACTION_CATALOGUE, action)) {
      throw new Error(
        `IAM action "${action}" (declared by ${origin.get(action) ?? 'the collectors'}) is not in READ_ACTION_CATALOGUE of lib/permissions.ts: ` +
          'add it there if it is a read-only action the audit needs (exact name, no wildcard).',
      );
    }
  }
  return actions;
}

/** Every action of the role: read actions plus, when publishing, the Security Hub pair. Sorted. */
export function auditActions(options: AuditActionsOptions): string[] {
  const actions = readActions(options.checks);
  if (options.publish) actions.push(SECURITY_HUB_IMPORT_ACTION, SECURITY_HUB_READ_ACTION);
  return [...new Set(actions)].sort();
}

interface AbstractStatement {
  Sid: string;
  Action: string[];
  /** `*` or an ARN template. */
  Resource: string;
}

function abstractStatements(options: AuditActionsOptions): AbstractStatement[] {
  const reads = readActions(options.checks);
  const statements: AbstractStatement[] = [
    { Sid: 'ReadEmrAuditData', Action: reads.filter((a) => SCOPED_RESOURCES[a] === undefined), Resource: '*' },
  ];
  if (reads.includes('ssm:GetServiceSetting')) {
    statements.push({ Sid: 'ReadDefaultHostManagementSetting', Action: ['ssm:GetServiceSetting'], Resource: SCOPED_RESOURCES['ssm:GetServiceSetting']! });
  }
  if (options.publish) {
    statements.push(
      { Sid: 'ImportFindingsToDefaultProduct', Action: [SECURITY_HUB_IMPORT_ACTION], Resource: SCOPED_RESOURCES[SECURITY_HUB_IMPORT_ACTION]! },
      // GetFindings only takes an optional `hub` resource; the synchroniser filters by ProductArn,
      // GeneratorId, account and region itself.
      { Sid: 'ReadOwnFindings', Action: [SECURITY_HUB_READ_ACTION], Resource: '*' },
    );
  }
  return statements.filter((s) => s.Action.length > 0);
}

/** IAM resolves it, in a Resource, to the account of the principal the policy is attached to. */
export const PRINCIPAL_ACCOUNT = '${aws:PrincipalAccount}';

/**
 * The identity policy the audit needs, as printable JSON (CLI). Scoped ARNs use `options.partition`
 * (default `aws`) and `options.accountId` (default `*`).
 */
export function buildAuditPolicy(options: AuditPolicyOptions): PolicyDocumentJson {
  const partition = options.partition ?? 'aws';
  const account = options.accountId ?? PRINCIPAL_ACCOUNT;
  const statements = abstractStatements(options);
  if (options.listRegions) statements.push({ Sid: 'ListRegionsForRegionAll', Action: [LIST_REGIONS_ACTION], Resource: '*' });
  // An organization trail belongs to the management account, a shadow trail to its home Region: "*".
  if (options.trailCheck) statements.push({ Sid: 'CheckChangeEventTrails', Action: [...TRAIL_CHECK_ACTIONS], Resource: '*' });
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Sid: s.Sid,
      Effect: 'Allow',
      Action: s.Action,
      Resource: s.Resource.replaceAll(PARTITION, partition).replaceAll(ACCOUNT, account),
    })),
  };
}

const PSEUDO: Readonly<Record<string, string>> = { [PARTITION]: 'AWS::Partition', [ACCOUNT]: 'AWS::AccountId' };

/** An ARN template as a CloudFormation value: `Fn::Join` of literals and pseudo-parameter Refs. */
function cfnArn(template: string): CfnString {
  if (!template.includes('{')) return template;
  const parts = template
    .split(/(\{partition\}|\{account\})/)
    .filter((p) => p !== '')
    .map((p) => (PSEUDO[p] ? { Ref: PSEUDO[p] } : p));
  return { 'Fn::Join': ['', parts] };
}

/**
 * The role statements for serverless.yml (`provider.iam.role.statements`), with the deployment's
 * partition and account as CloudFormation pseudo parameters. Fn::Join rather than Fn::Sub keeps
 * `${…}` out of the file, which the Serverless variable resolver would try to interpret.
 */
export function buildRoleStatements(options: AuditActionsOptions & { deployment?: boolean }): CfnPolicyStatement[] {
  const statements: CfnPolicyStatement[] = abstractStatements(options).map((s) => ({ Sid: s.Sid, Effect: 'Allow', Action: s.Action, Resource: cfnArn(s.Resource) }));
  if (!options.deployment) return statements;
  // The deployed function also keeps its state store and may continue itself (DESIGN.md "Fleet scale"),
  // and asks once a run whether the regions other than its own are enabled (lib/regions.ts).
  statements.push(
    { Sid: 'CheckRegionsEnabled', Effect: 'Allow', Action: [LIST_REGIONS_ACTION], Resource: '*' },
    {
      Sid: 'ReadWriteStateObjects',
      Effect: 'Allow',
      Action: [...STATE_ACTIONS],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: STATE_BUCKET_LOGICAL_ID }, '/*']] },
    },
    {
      Sid: 'PutContinuationEvent',
      Effect: 'Allow',
      Action: [CONTINUATION_ACTION],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
      Condition: { StringEquals: { 'events:source': CONTINUATION_SOURCE } },
    },
    // Change audits: the one delayed follow-up of coalesced events, on its own queue only.
    { Sid: 'SendChangeFollowUp', Effect: 'Allow', Action: [FOLLOW_UP_ACTION], Resource: { 'Fn::GetAtt': [FOLLOW_UP_QUEUE_LOGICAL_ID, 'Arn'] } },
  );
  return statements;
}
