/**
 * IAM policy documents of the simulated account. Written for the benchmark (shapes as IAM returns
 * them: `Statement`, `Action` and `Resource` each a single value or an array), sized like real
 * ones so that parsing them costs what it costs in a real account.
 */
import { actionsOf } from '../../lib/iam/catalogue.js';
import type { Rng } from './rng.js';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Record<string, string>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Document {
  Version: '2012-10-17';
  Statement: Statement[] | Statement;
}

const doc = (...statements: Statement[]): Document => ({ Version: '2012-10-17', Statement: statements });

/** The legacy EMR EC2 role policy: wide data access on `*` (what the deprecation check flags). */
export function legacyEmrEc2RolePolicy(): Document {
  return doc({
    Effect: 'Allow',
    Resource: '*',
    Action: [
      'cloudwatch:*',
      'dynamodb:*',
      'ec2:Describe*',
      'elasticmapreduce:Describe*',
      'elasticmapreduce:ListBootstrapActions',
      'elasticmapreduce:ListClusters',
      'elasticmapreduce:ListInstanceGroups',
      'elasticmapreduce:ListInstances',
      'elasticmapreduce:ListSteps',
      'kinesis:CreateStream',
      'kinesis:DeleteStream',
      'kinesis:DescribeStream',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:MergeShards',
      'kinesis:PutRecord',
      'kinesis:SplitShard',
      'rds:Describe*',
      's3:*',
      'sdb:*',
      'sns:*',
      'sqs:*',
      'glue:CreateDatabase',
      'glue:UpdateDatabase',
      'glue:DeleteDatabase',
      'glue:GetDatabase',
      'glue:GetDatabases',
      'glue:CreateTable',
      'glue:UpdateTable',
      'glue:DeleteTable',
      'glue:GetTable',
      'glue:GetTables',
      'glue:GetTableVersions',
      'glue:CreatePartition',
      'glue:BatchCreatePartition',
      'glue:UpdatePartition',
      'glue:DeletePartition',
      'glue:BatchDeletePartition',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:BatchGetPartition',
      'glue:CreateUserDefinedFunction',
      'glue:UpdateUserDefinedFunction',
      'glue:DeleteUserDefinedFunction',
      'glue:GetUserDefinedFunction',
      'glue:GetUserDefinedFunctions',
    ],
  });
}

/** What Session Manager needs on the node (core SSM agent permissions). */
export function ssmCorePolicy(): Document {
  return doc(
    {
      Effect: 'Allow',
      Action: [
        'ssm:DescribeAssociation',
        'ssm:GetDeployablePatchSnapshotForInstance',
        'ssm:GetDocument',
        'ssm:DescribeDocument',
        'ssm:GetManifest',
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:ListAssociations',
        'ssm:ListInstanceAssociations',
        'ssm:PutInventory',
        'ssm:PutComplianceItems',
        'ssm:PutConfigurePackageResult',
        'ssm:UpdateAssociationStatus',
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
    {
      Effect: 'Allow',
      Action: ['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint', 'ec2messages:GetMessages', 'ec2messages:SendReply'],
      Resource: '*',
    },
  );
}

export function s3ReadOnlyPolicy(): Document {
  return doc({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'], Resource: '*' });
}

export function cloudWatchAgentPolicy(): Document {
  return doc(
    {
      Effect: 'Allow',
      Action: [
        'cloudwatch:PutMetricData',
        'ec2:DescribeVolumes',
        'ec2:DescribeTags',
        'logs:PutLogEvents',
        'logs:PutRetentionPolicy',
        'logs:DescribeLogStreams',
        'logs:DescribeLogGroups',
        'logs:CreateLogStream',
        'logs:CreateLogGroup',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:GetSamplingStatisticSummaries',
      ],
      Resource: '*',
    },
    { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: 'arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*' },
  );
}

export function administratorPolicy(): Document {
  return doc({ Effect: 'Allow', Action: '*', Resource: '*' });
}

/** A team's data-access policy: scoped to its buckets, tables and key (the healthy pattern). */
export function teamDataPolicy(accountId: string, region: string, team: string, k: number): Document {
  const bucket = `arn:aws:s3:::${team}-datalake-${k}`;
  return doc(
    { Sid: 'ListBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [bucket, `${bucket}-scratch`] },
    {
      Sid: 'ReadWriteObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: [`${bucket}/*`, `${bucket}-scratch/*`],
    },
    {
      Sid: 'Catalog',
      Effect: 'Allow',
      Action: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition', 'glue:CreateTable', 'glue:UpdateTable'],
      Resource: [`arn:aws:glue:${region}:${accountId}:catalog`, `arn:aws:glue:${region}:${accountId}:database/${team}_*`, `arn:aws:glue:${region}:${accountId}:table/${team}_*/*`],
    },
    {
      Sid: 'DecryptDataKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: `arn:aws:kms:${region}:${accountId}:key/${k.toString(16).padStart(8, '0')}-1111-2222-3333-444455556666`,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    },
  );
}

/** A permissions boundary: everything except IAM writes and organisation changes. */
export function boundaryPolicy(): Document {
  return doc(
    { Sid: 'AllowMost', Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    { Sid: 'AllowPassOwnRoles', Effect: 'Allow', Action: ['iam:GetRole', 'iam:PassRole'], Resource: 'arn:aws:iam::*:role/emr-*' },
  );
}

/** Inline policies are smaller and messier: single-value fields, a Deny now and then. */
export function inlinePolicy(kind: number, team: string): Document {
  switch (kind % 4) {
    case 0:
      return { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:*:*:secret:${team}/*` } };
    case 1:
      return doc(
        { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: `arn:aws:sqs:*:*:${team}-*` },
        { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
      );
    case 2:
      return doc({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], Resource: `arn:aws:dynamodb:*:*:table/${team}-*` });
    default:
      // The risky one: PassRole plus RunJobFlow on `*` (privilege escalation).
      return doc({ Effect: 'Allow', Action: ['iam:PassRole', 'elasticmapreduce:RunJobFlow'], Resource: '*' });
  }
}

export function ec2AssumeRolePolicy(): Document {
  return doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
}

// ---------------------------------------------------------------- generated policies (IAM at scale)

/** Distinct managed policies of the IAM-at-scale case: about as many as AWS publishes. */
export const POLICY_POOL_SIZE = 1500;

const GENERATED_SERVICES = ['s3', 'kms', 'secretsmanager', 'dynamodb', 'ssm', 'ec2', 'glue', 'elasticmapreduce', 'lambda', 'cloudformation', 'iam', 'sts', 'ssmmessages'] as const;
const OTHER_SERVICES = ['logs', 'cloudwatch', 'sns', 'sqs', 'kinesis', 'athena', 'lakeformation', 'rds', 'ecr', 'states'];

/** Resource patterns of real EC2 roles (issue 21): most scoped by a prefix, suffix or infix, some every resource. */
function resourceFor(rng: Rng, service: string, tag: string): string | string[] {
  if (rng.chance(0.4)) return '*';
  switch (service) {
    case 's3':
      return rng.pick([`arn:aws:s3:::acme-${tag}-*/*`, `arn:aws:s3:::*-datalake-${tag}/*`, `arn:aws:s3:::*transcribe*`, `arn:aws:s3:::*/AWSLogs/*/Config/*`, `arn:aws:s3:::${tag}-bucket`, 'arn:aws:s3:::*/*', `arn:aws:s3:::*/*aws-glue-*/*`]);
    case 'secretsmanager':
      return rng.pick([`arn:aws:secretsmanager:*:*:secret:*directconnect*`, `arn:aws:secretsmanager:us-east-1:123456789012:secret:${tag}/*`, 'arn:aws:secretsmanager:*:*:secret:*']);
    case 'iam':
    case 'sts':
      return rng.pick([`arn:aws:iam::*:role/*-ROSA-Worker-Role`, `arn:aws:iam::123456789012:role/${tag}-*`, 'arn:aws:iam::*:role/*', `arn:aws:iam::*:role/*-emr-jobs`]);
    case 'dynamodb':
      return rng.pick([`arn:aws:dynamodb:*:*:table/*-stack-${tag}`, `arn:aws:dynamodb:us-east-1:123456789012:table/${tag}`, 'arn:aws:dynamodb:*:*:table/*']);
    case 'kms':
      return rng.pick(['arn:aws:kms:*:123456789012:key/*', `arn:aws:kms:us-east-1:123456789012:key/${tag}`]);
    default:
      return [`arn:aws:${service}:*:123456789012:*${tag}*`, `arn:aws:${service}:us-east-1:123456789012:*`];
  }
}

/**
 * One real-sized policy document: statement counts and action lists drawn so that sizes follow
 * the AWS managed policies (most under 2 KB, a tail of 10–40 KB documents), real action names
 * from the shipped catalogue, the resource patterns real roles use, and the conditions they carry.
 */
export function generatedPolicy(rng: Rng): Document {
  const statements = rng.weighted<number>([
    [1, 30],
    [2, 20],
    [3, 15],
    [5, 12],
    [8, 10],
    [15, 8],
    [30, 4],
    [60, 1],
  ]);
  const tag = Math.floor(rng.next() * 1e9).toString(36);
  const out: Statement[] = [];
  for (let k = 0; k < statements; k += 1) {
    const catalogueService = rng.chance(0.8);
    const service = catalogueService ? rng.pick(GENERATED_SERVICES) : rng.pick(OTHER_SERVICES);
    const names = catalogueService ? actionsOf(service) : [];
    const count = rng.weighted<number>([
      [1, 30],
      [3, 30],
      [8, 20],
      [20, 15],
      [40, 5],
    ]);
    const actions = new Set<string>();
    for (let a = 0; a < count; a += 1) {
      if (names.length === 0 || rng.chance(0.15)) actions.add(`${service}:${rng.pick(['Get*', 'List*', 'Describe*', '*', 'Put*'])}`);
      else actions.add(rng.pick(names));
    }
    const statement: Statement = { Sid: `S${k}${tag}`, Effect: rng.chance(0.05) ? 'Deny' : 'Allow' };
    if (rng.chance(0.02)) statement.NotAction = [...actions];
    else statement.Action = actions.size === 1 ? [...actions][0]! : [...actions];
    statement.Resource = resourceFor(rng, service, `${tag}${k}`);
    const condition = rng.weighted<number>([
      [0, 80],
      [1, 12],
      [2, 3],
      [3, 3],
      [4, 2],
    ]);
    if (condition === 1) statement.Condition = { StringEquals: { 'aws:ResourceTag/team': tag } };
    if (condition === 2) statement.Condition = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['athena.amazonaws.com'] } };
    if (condition === 3) statement.Condition = { Bool: { 'aws:ViaAWSService': 'true' } };
    if (condition === 4) statement.Condition = { StringEquals: { 'iam:PassedToService': rng.pick(['ec2.amazonaws.com', 'glue.amazonaws.com', 'servicecatalog.amazonaws.com']) } };
    out.push(statement);
  }
  return doc(...out);
}
