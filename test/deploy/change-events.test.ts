/**
 * Change-triggered audits in the deployment (docs/change-triggered.md): the home rules of
 * serverless.yml (packaged by osls, offline), the IAM forwarder of the StackSet's us-east-1 stack,
 * the per-Region forwarder stacks of a single-account deployment, and the CloudTrail warning.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, CloudTrailServiceException, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANGE_CALLS, EVENTBRIDGE_SOURCES, type ChangeSource } from '../../lib/events/change-calls.js';
import { renderStackSet } from '../../scripts/stackset.js';
import { instantiate } from '../../scripts/stackset/instantiate.js';
import type { CfnResource, CfnTemplate, Json, JsonObject } from '../../scripts/stackset/transform.js';
import { deployForwarders, plannedForwarders, removeForwarders, type ForwarderContext } from '../../scripts/routing/deploy.js';
import { changeEventPattern, forwarderStackName, forwarderStacks, forwarderTemplate } from '../../scripts/routing/forwarders.js';
import { trailWarnings } from '../../scripts/routing/trail-check.js';
import { validateTemplate } from './cfn-spec.js';
import { cleanupScratchServices, offlineEnv, oslsPackage, ROOT, scratchService } from './helpers.js';

const VERSION = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SOURCES = Object.keys(CHANGE_CALLS) as ChangeSource[];
const HOME_RULES: Record<ChangeSource, string> = {
  'ec2.amazonaws.com': 'ChangeEventsEc2Rule',
  'iam.amazonaws.com': 'ChangeEventsIamRule',
  'elasticmapreduce.amazonaws.com': 'ChangeEventsEmrRule',
  'ssm.amazonaws.com': 'ChangeEventsSsmRule',
};

// ── A small evaluator of the condition functions the template uses ─────────────────────────────────
const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function evaluate(node: Json, t: CfnTemplate, region: string): Json {
  if (!isObject(node)) return Array.isArray(node) ? node.map((n) => evaluate(n, t, region)) : node;
  const [key] = Object.keys(node);
  const arg = node[key!]!;
  const args = Array.isArray(arg) ? arg.map((a) => evaluate(a, t, region)) : [];
  switch (key) {
    case 'Ref':
      if (arg === 'AWS::Region') return region;
      throw new Error(`unresolved Ref ${JSON.stringify(arg)}`);
    case 'Condition':
      return condition(t, arg as string, region);
    case 'Fn::Equals':
      return args[0] === args[1];
    case 'Fn::Not':
      return !args[0];
    case 'Fn::And':
      return args.every(Boolean);
    case 'Fn::Or':
      return args.some(Boolean);
    case 'Fn::Join':
      return (args[1] as string[]).join(args[0] as string);
    case 'Fn::Split':
      return (args[1] as string).split(args[0] as string);
    case 'Fn::Select':
      return (args[1] as Json[])[args[0] as number]!;
    default:
      throw new Error(`cannot evaluate ${key}`);
  }
}

function condition(t: CfnTemplate, name: string, region: string): boolean {
  const c = t.Conditions?.[name];
  if (c === undefined) throw new Error(`no condition ${name}`);
  return evaluate(c, t, region) === true;
}

/** The resources CloudFormation would create in `region`, with Fn::If resolved. */
function created(t: CfnTemplate, region: string): Record<string, CfnResource> {
  const resolveIf = (n: Json): Json | undefined => {
    if (Array.isArray(n)) return n.map(resolveIf).filter((x): x is Json => x !== undefined);
    if (!isObject(n)) return n;
    if (Array.isArray(n['Fn::If'])) {
      const [name, yes, no] = n['Fn::If'] as [string, Json, Json];
      return resolveIf(condition(t, name, region) ? yes : no);
    }
    if (n.Ref === 'AWS::NoValue') return undefined;
    return Object.fromEntries(Object.entries(n).flatMap(([k, v]) => (resolveIf(v) === undefined ? [] : [[k, resolveIf(v)!]])));
  };
  return Object.fromEntries(
    Object.entries(t.Resources)
      .filter(([, r]) => !r.Condition || condition(t, r.Condition, region))
      .map(([id, r]) => [id, resolveIf(r as unknown as Json) as unknown as CfnResource]),
  );
}

// ── Packaged templates ─────────────────────────────────────────────────────────────────────────────
let byDefault: CfnTemplate;
let off: CfnTemplate;
let stackSet: CfnTemplate;

beforeAll(async () => {
  const dirs = await Promise.all([scratchService(), scratchService(), scratchService()]);
  const [pkg, rendered, offPkg] = await Promise.all([
    oslsPackage(dirs[0], ['--stage', 'prod', '--region', 'eu-west-1']),
    renderStackSet({ serviceDir: dirs[1], outDir: join(dirs[1], 'out'), env: offlineEnv() }),
    oslsPackage(dirs[2], ['--stage', 'prod', '--region', 'eu-west-1', '--param', 'EMR_AUDIT_CHANGE_EVENTS=false']),
  ]);
  byDefault = pkg.template as CfnTemplate;
  stackSet = rendered.template;
  off = offPkg.template as CfnTemplate;
}, 180_000);

afterAll(cleanupScratchServices);

describe('the home rules (serverless.yml)', () => {
  it('match exactly the listed calls, one rule per service, on the default bus, and invoke the function', () => {
    const resources = created(byDefault, 'eu-west-1');
    for (const source of SOURCES) {
      const rule = resources[HOME_RULES[source]];
      expect(rule, source).toBeDefined();
      expect(rule!.Type).toBe('AWS::Events::Rule');
      expect(rule!.Properties).toMatchObject({ EventBusName: 'default', State: 'ENABLED', Name: `emr-audit-prod-change-events-${EVENTBRIDGE_SOURCES[source].slice(4)}` });
      expect(rule!.Properties!.EventPattern).toEqual(changeEventPattern(source));
      expect(rule!.Properties!.Targets).toEqual([{ Id: 'audit', Arn: { 'Fn::GetAtt': ['AuditLambdaFunction', 'Arn'] } }]);
      const permission = resources[HOME_RULES[source].replace(/Rule$/, 'Permission')];
      expect(permission?.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [HOME_RULES[source], 'Arn'] },
      });
    }
  });

  it('are tagged like the rest', () => {
    for (const id of Object.values(HOME_RULES)) {
      expect(byDefault.Resources[id]!.Properties!.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'emr-audit:version', Value: VERSION },
          { Key: 'emr-audit:stage', Value: 'prod' },
        ]),
      );
    }
  });

  it('are gone, with their permissions, with --param EMR_AUDIT_CHANGE_EVENTS=false, which the function also gets', () => {
    expect(Object.keys(created(off, 'eu-west-1')).filter((id) => id.startsWith('ChangeEvents'))).toEqual([]);
    const fn = Object.values(off.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect((fn.Properties!.Environment as { Variables: Record<string, string> }).Variables.EMR_AUDIT_CHANGE_EVENTS).toBe('false');
  });

  it('forward nothing from a single-account stack, even in us-east-1 (its forwarders are separate stacks)', () => {
    expect(Object.keys(created(byDefault, 'us-east-1')).filter((id) => id.startsWith('IamEventForwarder'))).toEqual([]);
  });

  it('form a valid template', () => {
    expect(validateTemplate(byDefault)).toEqual([]);
  });
});

describe('the StackSet: IAM events from the us-east-1 stack to the other Regions', () => {
  const REGIONS = 'eu-west-1,eu-central-1';
  const instance = (values: Record<string, string>) => instantiate(stackSet, { CodeBucketPrefix: 'acme-artefacts', ...values });

  it('has the ChangeEvents and IamEventRegions parameters, validated', () => {
    expect(stackSet.Parameters!.ChangeEvents).toBeDefined();
    expect(stackSet.Parameters!.IamEventRegions).toMatchObject({ Default: '' });
    expect(() => instance({ IamEventRegions: 'eu-west-1,not a region' })).toThrow(/IamEventRegions/);
    expect(() => instance({ IamEventRegions: 'a-b-1,a-b-2,a-b-3,a-b-4,a-b-5,a-b-6' })).toThrow(/IamEventRegions/);
    expect(() => instance({ IamEventRegions: REGIONS })).not.toThrow();
  });

  it('in us-east-1: one rule forwarding the IAM calls to each listed Region, with a role that may put events on those buses only', () => {
    const t = instance({ IamEventRegions: REGIONS });
    const resources = created(t, 'us-east-1');
    const rule = resources.IamEventForwarderRule!;
    // The bus ARNs with their Region variable evaluated as CloudFormation would.
    const busOf = (r: string) => ({ 'Fn::Sub': ['arn:${AWS::Partition}:events:${Region}:${AWS::AccountId}:event-bus/default', { Region: r }] });
    const resolved = (arn: Json) => {
      const [text, vars] = (arn as { 'Fn::Sub': [string, { Region: Json }] })['Fn::Sub'];
      return { 'Fn::Sub': [text, { Region: evaluate(vars.Region, t, 'us-east-1') }] };
    };
    expect(rule.Properties!.EventPattern).toEqual(changeEventPattern('iam.amazonaws.com'));
    const targets = rule.Properties!.Targets as JsonObject[];
    expect(targets.map((t) => t.Id)).toEqual(['region1', 'region2']);
    expect(targets.map((target) => resolved(target.Arn!))).toEqual([busOf('eu-west-1'), busOf('eu-central-1')]);
    for (const target of targets) expect(target.RoleArn).toEqual({ 'Fn::GetAtt': ['IamEventForwarderRole', 'Arn'] });
    const role = resources.IamEventForwarderRole!;
    const statements = ((role.Properties!.Policies as JsonObject[])[0]!.PolicyDocument as { Statement: JsonObject[] }).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'events:PutEvents' });
    expect((statements[0]!.Resource as Json[]).map(resolved)).toEqual([busOf('eu-west-1'), busOf('eu-central-1')]);
    expect(JSON.stringify(role.Properties!.AssumeRolePolicyDocument)).toContain('"aws:SourceAccount"');
    expect(role.Properties!.Tags).toEqual(expect.arrayContaining([{ Key: 'emr-audit:stage', Value: 'prod' }]));
  });

  it('every spelling lib/settings.ts reads as false turns the rules off; the others leave them on', () => {
    const rules = (value: string) => Object.keys(created(instance({ ChangeEvents: value }), 'eu-west-1')).filter((id) => id.startsWith('ChangeEvents'));
    for (const spelling of ['false', 'False', 'FALSE', '0', 'no', 'No', 'NO', 'off', 'Off', 'OFF']) expect(rules(spelling), spelling).toEqual([]);
    for (const spelling of ['', 'true', 'TRUE', '1', 'yes', 'on']) expect(rules(spelling), spelling).toHaveLength(8);
  });

  it('nowhere else, not without Regions, and not with change events off', () => {
    const named = (r: Record<string, CfnResource>) => Object.keys(r).filter((id) => id.startsWith('IamEventForwarder'));
    expect(named(created(instance({ IamEventRegions: REGIONS }), 'eu-west-1'))).toEqual([]);
    expect(named(created(instance({}), 'us-east-1'))).toEqual([]);
    const offInstance = created(instance({ IamEventRegions: REGIONS, ChangeEvents: 'false' }), 'us-east-1');
    expect(named(offInstance)).toEqual([]);
    expect(Object.keys(offInstance).filter((id) => id.startsWith('ChangeEvents'))).toEqual([]);
  });

  it('keeps the home rules in every Region of the StackSet', () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const resources = created(instance({}), region);
      for (const source of SOURCES) expect(resources[HOME_RULES[source]]?.Properties?.EventPattern, `${region} ${source}`).toEqual(changeEventPattern(source));
    }
  });
});

describe('forwarder stacks of a single-account deployment', () => {
  it('one per other audited Region, and us-east-1 for IAM even when it is not audited', () => {
    expect(forwarderStacks({ homeRegion: 'eu-west-1', auditedRegions: [] })).toEqual([{ region: 'us-east-1', sources: ['iam.amazonaws.com'] }]);
    expect(forwarderStacks({ homeRegion: 'eu-west-1', auditedRegions: ['eu-west-1', 'eu-central-1', 'us-east-1'] })).toEqual([
      { region: 'eu-central-1', sources: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com'] },
      { region: 'us-east-1', sources: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com', 'iam.amazonaws.com'] },
    ]);
    expect(forwarderStacks({ homeRegion: 'us-east-1', auditedRegions: [] })).toEqual([]);
    expect(forwarderStacks({ homeRegion: 'us-east-1', auditedRegions: ['us-east-1', 'ap-south-1'] })).toEqual([
      { region: 'ap-south-1', sources: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com'] },
    ]);
  });

  it('read the regions and the switch from the deployed settings', () => {
    expect(plannedForwarders({ homeRegion: 'eu-west-1', environment: { EMR_AUDIT_REGIONS: 'eu-west-1, eu-north-1', EMR_AUDIT_CHANGE_EVENTS: '' } })).toEqual({
      enabled: true,
      stacks: [
        { region: 'eu-north-1', sources: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ssm.amazonaws.com'] },
        { region: 'us-east-1', sources: ['iam.amazonaws.com'] },
      ],
      auditedRegions: ['eu-west-1', 'eu-north-1'],
    });
    expect(plannedForwarders({ homeRegion: 'eu-west-1', environment: { EMR_AUDIT_CHANGE_EVENTS: 'OFF' } })).toMatchObject({ enabled: false, auditedRegions: ['eu-west-1'] });
  });

  const template = forwarderTemplate({
    stage: 'prod',
    homeRegion: 'eu-west-1',
    sources: ['ec2.amazonaws.com', 'iam.amazonaws.com'],
    tags: { 'emr-audit:version': VERSION, 'emr-audit:stage': 'prod' },
    version: VERSION,
  });

  it('forward the home rules’ own patterns to the home default bus, with a role allowed only that', () => {
    const homeBus = { 'Fn::Sub': 'arn:${AWS::Partition}:events:eu-west-1:${AWS::AccountId}:event-bus/default' };
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties!.EventPattern)).toEqual([byDefault.Resources.ChangeEventsEc2Rule!.Properties!.EventPattern, byDefault.Resources.ChangeEventsIamRule!.Properties!.EventPattern]);
    for (const r of rules) expect(r.Properties!.Targets).toEqual([{ Id: 'home', Arn: homeBus, RoleArn: { 'Fn::GetAtt': ['ForwarderRole', 'Arn'] } }]);
    const role = template.Resources.ForwarderRole!;
    expect(role.Properties!.RoleName).toBeUndefined(); // generated: one per Region, no CAPABILITY_NAMED_IAM
    expect(role.Properties!.Policies).toEqual([
      { PolicyName: 'put-events-on-the-home-default-bus', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: homeBus }] } },
    ]);
    expect(role.Properties!.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
    });
    for (const r of Object.values(template.Resources)) expect(r.Properties!.Tags).toEqual([
      { Key: 'emr-audit:version', Value: VERSION },
      { Key: 'emr-audit:stage', Value: 'prod' },
    ]);
    expect(validateTemplate(template)).toEqual([]);
  });
});

describe('deploying and removing the forwarder stacks', () => {
  const cfn = mockClient(CloudFormationClient);
  const missing = () => new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message: 'Stack with id emr-audit-prod-change-events does not exist' });
  const lines: string[] = [];
  const ctx = (environment: Record<string, string>): ForwarderContext => ({
    stage: 'prod',
    homeRegion: 'eu-west-1',
    environment,
    tags: { 'emr-audit:version': VERSION, 'emr-audit:stage': 'prod' },
    version: VERSION,
    cloudFormation: () => new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    log: (l) => lines.push(l),
    sleep: () => Promise.resolve(),
    maxPolls: 5,
  });
  beforeEach(() => {
    cfn.reset();
    lines.length = 0;
  });

  it('creates a missing stack, tagged, and waits for it', async () => {
    cfn.on(DescribeStacksCommand).rejectsOnce(missing()).resolvesOnce({ Stacks: [{ StackName: 'x', StackStatus: 'CREATE_IN_PROGRESS', CreationTime: new Date(0) }] }).resolves({ Stacks: [{ StackName: 'x', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0) }] });
    cfn.on(CreateStackCommand).resolves({ StackId: 'id' });
    const done = await deployForwarders(ctx({ EMR_AUDIT_REGIONS: '' }));
    expect(done).toEqual([{ region: 'us-east-1', sources: ['iam.amazonaws.com'] }]);
    const create = cfn.commandCalls(CreateStackCommand)[0]!.args[0].input;
    expect(create).toMatchObject({ StackName: forwarderStackName('prod'), Capabilities: ['CAPABILITY_IAM'], Tags: [{ Key: 'emr-audit:version', Value: VERSION }, { Key: 'emr-audit:stage', Value: 'prod' }] });
    expect(JSON.parse(create.TemplateBody!)).toEqual(forwarderTemplate({ stage: 'prod', homeRegion: 'eu-west-1', sources: ['iam.amazonaws.com'], tags: { 'emr-audit:version': VERSION, 'emr-audit:stage': 'prod' }, version: VERSION }));
    expect(lines).toEqual([`change events: us-east-1 forwards iam.amazonaws.com to eu-west-1 (emr-audit-prod-change-events)`]);
  });

  it('updates an existing stack, and an unchanged one is fine', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'x', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0) }] });
    cfn.on(UpdateStackCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message: 'No updates are to be performed.' }));
    await deployForwarders(ctx({}));
    expect(cfn.commandCalls(UpdateStackCommand)).toHaveLength(1);
    expect(lines[0]).toMatch(/up to date/);
  });

  it('fails the deploy, naming the Region and the reason, when a stack rolls back', async () => {
    cfn.on(DescribeStacksCommand).rejectsOnce(missing()).resolves({ Stacks: [{ StackName: 'x', StackStatus: 'ROLLBACK_COMPLETE', StackStatusReason: 'AccessDenied for iam:CreateRole', CreationTime: new Date(0) }] });
    cfn.on(CreateStackCommand).resolves({ StackId: 'id' });
    await expect(deployForwarders(ctx({}))).rejects.toThrow(/us-east-1: ROLLBACK_COMPLETE \(AccessDenied for iam:CreateRole\)/);
  });

  it('with change events off, deletes the forwarders instead', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [{ StackName: 'x', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0) }] }).rejects(missing());
    cfn.on(DeleteStackCommand).resolves({});
    expect(await deployForwarders(ctx({ EMR_AUDIT_CHANGE_EVENTS: 'false' }))).toEqual([]);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);
    expect(cfn.commandCalls(CreateStackCommand)).toHaveLength(0);
  });

  it('osls remove removes them; a missing one is no error', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing());
    await removeForwarders(ctx({ EMR_AUDIT_REGIONS: 'eu-west-1,eu-central-1' }));
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(2);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });
});

describe('the CloudTrail warning of osls deploy (the check itself: test/events/trail-check.test.ts)', () => {
  const ct = mockClient(CloudTrailClient);
  const client = () => new CloudTrailClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const trail = { Name: 'org-trail', TrailARN: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail', HomeRegion: 'us-east-1', IsMultiRegionTrail: true };
  beforeEach(() => ct.reset());

  it('warns for each audited Region, and us-east-1 (IAM), where no trail applies', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    const lines = await trailWarnings(['eu-west-1'], client);
    expect(lines).toEqual([
      expect.stringMatching(/^WARNING change events: eu-west-1: no CloudTrail trail applies to this Region; changes there will not trigger audits .*`emr-audit change-events`/),
      expect.stringMatching(/^WARNING change events: us-east-1: no CloudTrail trail applies to this Region/),
    ]);
  });

  it('is silent where a logging trail records management events (CloudTrail default selectors)', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
    expect(await trailWarnings(['eu-west-1', 'us-east-1'], client)).toEqual([]);
  });

  it('warns where the trails are stopped or record only reads', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    expect((await trailWarnings(['eu-west-1'], client))[0]).toMatch(/^WARNING change events: eu-west-1: .*"org-trail" is stopped/);
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] });
    expect((await trailWarnings(['eu-west-1'], client))[0]).toMatch(/^WARNING/);
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }] });
    expect((await trailWarnings(['eu-west-1'], client))[0]).toMatch(/^WARNING/);
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }] });
    expect(await trailWarnings(['eu-west-1'], client)).toEqual([]);
  });

  it('says it cannot tell, without a warning, when a trail cannot be read', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
    ct.on(GetTrailStatusCommand).rejects(new CloudTrailServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'denied' }));
    const lines = await trailWarnings(['eu-west-1'], client);
    expect(lines).toEqual([expect.stringMatching(/^change events: eu-west-1: cannot tell .*AccessDeniedException/), expect.stringMatching(/^change events: us-east-1: cannot tell/)]);
  });
});
