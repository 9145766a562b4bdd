/**
 * `osls package` of the real serverless.yml, offline and without credentials, in a scratch copy
 * of the service (so the checkout's dist/ and .serverless/ are left alone), then assertions on the
 * CloudFormation template it produced.
 */
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditActions, buildRoleStatements } from '../../lib/permissions.js';
import { VPC_PERMISSIONS } from '../../lib/collect/needs.js';
import { CHECKS } from '../../checks/index.js';
import { SETTING_SPECS } from '../../lib/settings.js';
import { lintTemplate } from './cfn-schema-lint.js';
import { cleanupScratchServices, oslsPackage, registryReadsPath, scratchService } from './helpers.js';

const Resource = z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).default({}), Condition: z.string().optional() }).loose();
const Template = z.object({
  Resources: z.record(z.string(), Resource),
  Conditions: z.record(z.string(), z.unknown()).optional(),
  Outputs: z.record(z.string(), z.unknown()).optional(),
});
type Template = z.infer<typeof Template>;
const Statement = z.object({
  Effect: z.literal('Allow'),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
  Sid: z.string().optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});
type Statement = z.infer<typeof Statement>;

interface Packaged {
  template: Template;
  zipEntries: string[];
  output: string;
}

async function packageService(args: string[]): Promise<Packaged> {
  const packaged = await oslsPackage(await scratchService(), args);
  return { ...packaged, template: Template.parse(packaged.template) };
}

let byDefault: Packaged;
let customised: Packaged;
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:security-alerts';

beforeAll(async () => {
  [byDefault, customised] = await Promise.all([
    packageService([]),
    packageService([
      '--stage',
      'prod',
      '--region',
      'eu-west-1',
      '--param',
      'EMR_AUDIT_REGIONS=eu-west-1,eu-central-1',
      '--param',
      'EMR_AUDIT_TRUSTED_CIDRS=203.0.113.0/24',
      '--param',
      'EMR_AUDIT_SCHEDULE=rate(1 hour)',
      '--param',
      `EMR_AUDIT_ALARM_TOPIC_ARN=${TOPIC}`,
      '--param',
      'EMR_AUDIT_INCOMPLETE_ALARM_THRESHOLD=5',
    ]),
  ]);
}, 60_000);

afterAll(cleanupScratchServices);

/** The change-triggered audits' rules, permissions and forwarder role: test/deploy/change-events.test.ts. */
const CHANGE_EVENT_CONDITIONS = new Set(['ChangeEventsOn', 'ForwardIamEvents']);

function ofType(t: Template, type: string) {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type && !(r.Condition && CHANGE_EVENT_CONDITIONS.has(r.Condition)));
}

function only(t: Template, type: string) {
  const found = ofType(t, type);
  expect(found.map(([id]) => id), type).toHaveLength(1);
  return found[0]!;
}

function roleStatements(t: Template): Statement[] {
  const [, role] = only(t, 'AWS::IAM::Role');
  const policies = z.array(z.object({ PolicyDocument: z.object({ Statement: z.array(Statement) }) })).parse(role.Properties.Policies);
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const FUNCTION_ARN = { 'Fn::GetAtt': ['AuditLambdaFunction', 'Arn'] };
const DLQ_ARN = { 'Fn::GetAtt': ['AuditDeadLetterQueue', 'Arn'] };
const FOLLOW_UP_ARN = { 'Fn::GetAtt': ['AuditFollowUpQueue', 'Arn'] };
/** What osls grants for the follow-up queue's event source mapping. */
const FOLLOW_UP_RECEIVE = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
const LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:TagResource'];

describe('the function', () => {
  it('runs the bundle on nodejs22.x, arm64, 1024 MB, 900 s, never two at a time', () => {
    const [id, fn] = only(byDefault.template, 'AWS::Lambda::Function');
    expect(id).toBe('AuditLambdaFunction');
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'dist/audit.handler',
      MemorySize: 1024,
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      FunctionName: 'emr-audit-dev-audit',
    });
  });

  it('passes every setting of lib/settings.ts, empty (= its default) unless a param sets it', () => {
    const env = (t: Template) =>
      z.object({ Variables: z.record(z.string(), z.unknown()) }).parse(only(t, 'AWS::Lambda::Function')[1].Properties.Environment).Variables;
    const settingNames = SETTING_SPECS.map((s) => s.env);
    const vars = env(byDefault.template);
    // Every setting, plus the state bucket and the follow-up queue the stack creates.
    expect(Object.keys(vars).filter((k) => k.startsWith('EMR_AUDIT_')).sort()).toEqual([...settingNames, 'EMR_AUDIT_STATE_BUCKET', 'EMR_AUDIT_FOLLOW_UP_QUEUE_URL'].sort());
    expect(vars['EMR_AUDIT_STATE_BUCKET']).toEqual({ Ref: 'AuditStateBucket' });
    for (const name of settingNames) expect(vars[name], name).toBe('');
    expect(vars).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'emr-audit-dev', POWERTOOLS_METRICS_NAMESPACE: 'EmrAudit', POWERTOOLS_LOG_LEVEL: 'INFO' });
    // The young-generation size the benchmark measures the function's peak memory with.
    expect(vars['NODE_OPTIONS']).toBe('--max-semi-space-size=4');
    expect(vars['MALLOC_ARENA_MAX']).toBe('2');

    const custom = env(customised.template);
    expect(custom.EMR_AUDIT_REGIONS).toBe('eu-west-1,eu-central-1');
    expect(custom.EMR_AUDIT_TRUSTED_CIDRS).toBe('203.0.113.0/24');
    expect(custom.EMR_AUDIT_DISABLED_CHECKS).toBe('');
  });

  it('packages only dist/', () => {
    expect(byDefault.zipEntries.sort()).toEqual(['dist/audit.mjs', 'dist/iam-statements.json']);
  });

  it('keeps its logs 30 days in its own log group', () => {
    const [, group] = only(byDefault.template, 'AWS::Logs::LogGroup');
    expect(group.Properties).toMatchObject({ LogGroupName: '/aws/lambda/emr-audit-dev-audit', RetentionInDays: 30 });
  });
});

describe('the triggers', () => {
  const Rule = z.object({
    Name: z.string().optional(),
    ScheduleExpression: z.string().optional(),
    EventPattern: z.unknown().optional(),
    State: z.string(),
    Targets: z.array(z.object({ Arn: z.unknown(), Id: z.string() })),
  });
  const rules = (t: Template) => ofType(t, 'AWS::Events::Rule').map(([, r]) => Rule.parse(r.Properties));

  it('has exactly the schedule, the on-demand rule and the EMR state-change rule, each targeting the function', () => {
    const all = rules(byDefault.template);
    expect(all).toHaveLength(3);
    for (const rule of all) {
      expect(rule.State).toBe('ENABLED');
      expect(rule.Targets).toEqual([expect.objectContaining({ Arn: FUNCTION_ARN })]);
    }
    expect(all.find((r) => r.ScheduleExpression)).toMatchObject({ Name: 'emr-audit-dev-schedule', ScheduleExpression: 'rate(6 hours)' });
    expect(all.find((r) => r.Name === 'emr-audit-dev-on-demand')?.EventPattern).toEqual({ source: ['emr-audit'], 'detail-type': ['Run EMR audit'] });
    expect(all.find((r) => r.Name === 'emr-audit-dev-cluster-state')?.EventPattern).toEqual({
      source: ['aws.emr'],
      'detail-type': ['EMR Cluster State Change'],
      detail: { state: ['RUNNING', 'WAITING', 'TERMINATED', 'TERMINATED_WITH_ERRORS'] },
    });
  });

  it('lets EventBridge (and nothing else) invoke the function, once per rule', () => {
    const permissions = ofType(byDefault.template, 'AWS::Lambda::Permission').map(([, p]) => p.Properties);
    expect(permissions).toHaveLength(3);
    for (const p of permissions) {
      expect(p).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: FUNCTION_ARN });
      expect(p.SourceArn).toBeDefined();
    }
  });

  it('takes the schedule from the EMR_AUDIT_SCHEDULE param', () => {
    expect(rules(customised.template).find((r) => r.ScheduleExpression)).toMatchObject({
      Name: 'emr-audit-prod-schedule',
      ScheduleExpression: 'rate(1 hour)',
    });
  });
});

describe('failure handling', () => {
  it('retries a failed run once, then sends the event to the SQS dead-letter queue', () => {
    const [, config] = only(byDefault.template, 'AWS::Lambda::EventInvokeConfig');
    expect(config.Properties).toMatchObject({
      FunctionName: { Ref: 'AuditLambdaFunction' },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: DLQ_ARN } },
    });
    const queue = byDefault.template.Resources['AuditDeadLetterQueue']!;
    expect(ofType(byDefault.template, 'AWS::SQS::Queue').map(([id]) => id).sort()).toEqual(['AuditDeadLetterQueue', 'AuditFollowUpQueue']);
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
  });

  const alarms = (t: Template) => Object.fromEntries(ofType(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties]));

  it('alarms on function errors, on incomplete evaluations and on dead letters', () => {
    const a = alarms(byDefault.template);
    expect(Object.keys(a).sort()).toEqual(['AuditDeadLetterAlarm', 'AuditErrorsAlarm', 'AuditEvaluationIncompleteAlarm']);
    expect(a.AuditErrorsAlarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'AuditLambdaFunction' } }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(a.AuditEvaluationIncompleteAlarm).toMatchObject({
      Namespace: 'EmrAudit',
      MetricName: 'EvaluationIncompleteFindings',
      Dimensions: [{ Name: 'service', Value: 'emr-audit-dev' }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(a.AuditDeadLetterAlarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['AuditDeadLetterQueue', 'QueueName'] } }],
    });
  });

  it('notifies the SNS topic param only when one is given', () => {
    const conditionOf = (t: Template) => t.Conditions?.HasAlarmTopic;
    // No topic: no condition and no action, not even in a branch never taken (cfn-lint E3033 on `[""]`).
    expect(conditionOf(byDefault.template)).toBeUndefined();
    // The change-event conditions are always there (ChangeEventsOn…); the alarm's only with a topic.
    expect(Object.keys(byDefault.template.Conditions ?? {})).not.toContain('HasAlarmTopic');
    for (const alarm of Object.values(alarms(byDefault.template))) {
      expect(alarm.AlarmActions).toEqual({ Ref: 'AWS::NoValue' });
      expect(JSON.stringify(alarm)).not.toContain('""');
    }
    expect(conditionOf(customised.template)).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [TOPIC, ''] }] });
    for (const alarm of Object.values(alarms(customised.template))) {
      expect(alarm.AlarmActions).toEqual({ 'Fn::If': ['HasAlarmTopic', [TOPIC], { Ref: 'AWS::NoValue' }] });
    }
    expect(alarms(customised.template).AuditEvaluationIncompleteAlarm?.Threshold).toBe('5');
  });
});

describe('the role', () => {
  it('is the only role, with no managed policy and only Lambda as principal', () => {
    const [, role] = only(byDefault.template, 'AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.PermissionsBoundary).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
    });
  });

  it('allows exactly the audit’s actions, its logs, the dead-letter queue and the follow-up queue', () => {
    const granted = roleStatements(byDefault.template).flatMap(actionsOf);
    // sqs:SendMessage twice: the dead-letter queue's statement and the follow-up queue's, each on its own queue.
    expect(granted.filter((a) => a === 'sqs:SendMessage')).toHaveLength(2);
    expect(new Set(granted).size).toBe(granted.length - 1);
    expect([...granted].sort()).toEqual(
      [...auditActions({ publish: true }), ...LOG_ACTIONS, 'sqs:SendMessage', 'sqs:SendMessage', 's3:GetObject', 's3:PutObject', 'events:PutEvents', 'ec2:DescribeRegions', ...FOLLOW_UP_RECEIVE].sort(),
    );
    // Whether the regions asked for are enabled: one DescribeRegions a run (lib/regions.ts).
    // Prefix-list sources are judged by their entries: the deployed role reads them.
    expect(granted).toEqual(expect.arrayContaining(['ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries', 'ec2:DescribeInstances']));
    // The path from the internet (subnets, route tables, ACLs): granted once a check reads it, never before.
    for (const a of VPC_PERMISSIONS) expect(granted.includes(a), a).toBe(registryReadsPath(CHECKS));
  });

  it('carries the generated statements unchanged', () => {
    const statements = roleStatements(byDefault.template);
    for (const expected of buildRoleStatements({ publish: true, deployment: true })) {
      expect(statements.find((s) => s.Sid === expected.Sid)).toEqual(expected);
    }
  });

  it('has no `*` action and writes only findings, its own logs, the dead-letter queue, its state objects and its own continuation event', () => {
    for (const s of roleStatements(byDefault.template)) {
      for (const action of actionsOf(s)) {
        expect(action).not.toContain('*');
        if (/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/.test(action)) continue;
        if (action === 'securityhub:BatchImportFindings') {
          expect(JSON.stringify(s.Resource)).toContain(':product/');
        } else if (action.startsWith('logs:')) {
          expect(JSON.stringify(s.Resource)).toContain(':log-group:/aws/lambda/emr-audit-dev');
        } else if (action === 's3:PutObject') {
          // The state bucket's objects only, never another bucket.
          expect(s.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'AuditStateBucket' }, '/*']] });
        } else if (action === 'events:PutEvents') {
          // The default bus, and only events of its own source (the on-demand rule's).
          expect(JSON.stringify(s.Resource)).toContain(':event-bus/default');
          expect(s.Condition).toEqual({ StringEquals: { 'events:source': 'emr-audit' } });
        } else if (FOLLOW_UP_RECEIVE.includes(action) || s.Sid === 'SendChangeFollowUp') {
          // The follow-up queue only: osls's statement for its event source (a list of one ARN), ours to send.
          expect([s.Resource].flat()).toEqual([FOLLOW_UP_ARN]);
        } else {
          expect(action).toBe('sqs:SendMessage');
          expect(s.Resource).toEqual(DLQ_ARN);
        }
      }
    }
  });
});

describe('the follow-up queue of change audits', () => {
  it('is encrypted, keeps a follow-up an hour, and feeds the function in batches', () => {
    const queue = byDefault.template.Resources['AuditFollowUpQueue'];
    expect(queue).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 3600, VisibilityTimeout: 5400 } });
    const [, mapping] = only(byDefault.template, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({ EventSourceArn: FOLLOW_UP_ARN, BatchSize: 10, Enabled: true });
  });

  it('tells the function its URL', () => {
    const [, fn] = only(byDefault.template, 'AWS::Lambda::Function');
    expect((fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.EMR_AUDIT_FOLLOW_UP_QUEUE_URL).toEqual({ Ref: 'AuditFollowUpQueue' });
  });
});

describe('the state bucket', () => {
  it('is encrypted, private, TLS-only, versioned, and expires old versions', () => {
    const bucket = byDefault.template.Resources['AuditStateBucket'];
    expect(bucket?.Type).toBe('AWS::S3::Bucket');
    if (!bucket) return;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireOldStateVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 7, NewerNoncurrentVersions: 10 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }] },
    });
    const policy = ofType(byDefault.template, 'AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties['Bucket']) === JSON.stringify({ Ref: 'AuditStateBucket' }))?.[1];
    expect(policy?.Properties).toMatchObject({
      Bucket: { Ref: 'AuditStateBucket' },
      PolicyDocument: { Statement: [expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  it('outlives the stack: retained on removal and on replacement (a versioned bucket with objects cannot be deleted by CloudFormation)', () => {
    const bucket = byDefault.template.Resources['AuditStateBucket'];
    expect(bucket?.['DeletionPolicy']).toBe('Retain');
    expect(bucket?.['UpdateReplacePolicy']).toBe('Retain');
  });

  it('lets the role read and write its objects only', () => {
    const state = roleStatements(byDefault.template).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(state).toHaveLength(1);
    expect(actionsOf(state[0]!).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
  });
});

describe('the stack', () => {
  it('passes the CloudFormation registry schemas in every branch of every condition (cfn-lint E3012/E3030-E3034 class)', () => {
    expect(lintTemplate(byDefault.template)).toEqual([]);
    expect(lintTemplate(customised.template)).toEqual([]);
  });

  it('packages without configuration warnings or deprecations', () => {
    for (const p of [byDefault, customised]) {
      expect(p.output).toContain('Service packaged');
      expect(p.output).not.toMatch(/warning|deprecat/i);
    }
  });

  it('holds the function and its wiring, and nothing else that runs code or holds permissions', () => {
    const types = Object.values(byDefault.template.Resources)
      .map((r) => r.Type)
      .sort();
    expect([...new Set(types)]).toEqual([
      'AWS::CloudWatch::Alarm',
      'AWS::Events::Rule',
      'AWS::IAM::Role',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::Lambda::EventSourceMapping',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::Logs::LogGroup',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::SQS::Queue',
    ]);
  });
});
