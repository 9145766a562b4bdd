/**
 * The StackSet template (scripts/stackset.ts), rendered from a scratch copy of the service exactly
 * as `npm run package` renders it, and checked against: the CloudFormation resource specification,
 * the settings cases, the generated role, and — the one-source-of-truth proof — what osls packages
 * for the same stage and params, resource by resource.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS, CHECKS } from '../../checks/index.js';
import { VPC_PERMISSIONS } from '../../lib/collect/needs.js';
import { auditActions, buildRoleStatements } from '../../lib/permissions.js';
import { SETTING_SPECS } from '../../lib/settings.js';
import { renderStackSet } from '../../scripts/stackset.js';
import { instantiate, parameterFileValues, resolveConditions, validateParameterValues, type ParameterValues } from '../../scripts/stackset/instantiate.js';
import { codeKeyFor, parameterName, STAGE_SENTINEL, stackSetParameters } from '../../scripts/stackset/parameters.js';
import { stageFreeLogicalId, toStackSetTemplate, type CfnTemplate, type Json } from '../../scripts/stackset/transform.js';
import { SETTING_CASES } from '../lib/settings-cases.js';
import { lintTemplate } from './cfn-schema-lint.js';
import { loadCfnSpec, validateTemplate } from './cfn-spec.js';
import { cleanupScratchServices, offlineEnv, oslsPackage, registryReadsPath, ROOT, scratchService } from './helpers.js';
import { zipEntryNames } from './zip.js';

const VERSION = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:security-alerts';

/** serverless.yml params and their values, for osls (`--param`) and for the template (by parameter name). */
const CUSTOM: Record<string, string> = {
  EMR_AUDIT_REGIONS: 'eu-west-1,eu-central-1',
  EMR_AUDIT_TRUSTED_CIDRS: '203.0.113.0/24',
  EMR_AUDIT_SSM_GRACE_MINUTES: '30',
  EMR_AUDIT_REQUIRE_KMS_FOR_S3: 'true',
  EMR_AUDIT_SCHEDULE: 'rate(1 hour)',
  EMR_AUDIT_ALARM_TOPIC_ARN: TOPIC,
  EMR_AUDIT_INCOMPLETE_ALARM_THRESHOLD: '5',
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
};
const byParameter = (params: Record<string, string>): ParameterValues => Object.fromEntries(Object.entries(params).map(([k, v]) => [parameterName(k), v]));

let template: CfnTemplate;
let codeZip: string[];
let outFiles: string[];
let plainTemplateKept: boolean;
const PLAIN_TEMPLATE = 'cloudformation-template-update-stack.json';
let outDir: string;
let oslsDefault: CfnTemplate;
let oslsCustom: CfnTemplate;

beforeAll(async () => {
  const [service, plainDefault, plainCustom] = await Promise.all([scratchService(), scratchService(), scratchService()]);
  // What `osls package` left just before, in `npm run package`: the StackSet step must keep it.
  await mkdir(join(service, '.serverless'), { recursive: true });
  await writeFile(join(service, '.serverless', PLAIN_TEMPLATE), '{}\n');
  const [rendered, byDefault, custom] = await Promise.all([
    renderStackSet({ serviceDir: service, outDir: join(service, 'out'), env: offlineEnv() }),
    oslsPackage(plainDefault, []),
    oslsPackage(plainCustom, ['--stage', 'prod', '--region', 'eu-west-1', ...Object.entries(CUSTOM).flatMap(([k, v]) => ['--param', `${k}=${v}`])]),
  ]);
  template = JSON.parse(await readFile(rendered.templateFile, 'utf8')) as CfnTemplate;
  expect(template).toEqual(rendered.template);
  codeZip = zipEntryNames(await readFile(rendered.codeFile));
  outFiles = await readdir(join(service, 'out'));
  plainTemplateKept = (await readdir(join(service, '.serverless'))).includes(PLAIN_TEMPLATE);
  outDir = join(service, 'out');
  outFiles = await readdir(outDir);
  oslsDefault = byDefault.template as CfnTemplate;
  oslsCustom = custom.template as CfnTemplate;
}, 120_000);

afterAll(cleanupScratchServices);

const DEPLOYMENT_BUCKET = ['ServerlessDeploymentBucket', 'ServerlessDeploymentBucketPolicy'];

/** CloudFormation hands every scalar to resource providers as a string: 0 and "0" are one value. */
function scalarsAsStrings(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(scalarsAsStrings);
  if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, scalarsAsStrings(v)]));
  return typeof node === 'number' || typeof node === 'boolean' ? String(node) : node;
}

/** The osls template, as the StackSet template must be once instantiated: same resources, ids without the stage. */
function comparable(osls: CfnTemplate, stage: string): Record<string, unknown> {
  const resources = Object.entries(osls.Resources).filter(([id]) => !DEPLOYMENT_BUCKET.includes(id));
  return Object.fromEntries(resources.map(([id, r]) => [stageFreeLogicalId(id, stage), r]));
}

function withoutCode(resources: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(resources).map(([id, r]) => {
      const res = r as { Type: string; Properties: Record<string, unknown> };
      if (res.Type !== 'AWS::Lambda::Function') return [id, r];
      const { Code: _code, ...properties } = res.Properties;
      return [id, { ...res, Properties: properties }];
    }),
  );
}

describe('the StackSet template is what osls deploys (one source of truth)', () => {
  const agree = (packaged: CfnTemplate, stage: string, values: ParameterValues) => {
    // As CloudFormation deploys both: parameters in, conditions decided.
    const resolved = resolveConditions(instantiate(template, { Stage: stage, CodeBucketPrefix: 'bucket', ...values }));
    const osls = resolveConditions(packaged);
    const expected = comparable(osls, stage);
    expect(Object.keys(resolved.Resources).sort()).toEqual(Object.keys(expected).sort());
    expect(scalarsAsStrings(withoutCode(resolved.Resources))).toEqual(scalarsAsStrings(withoutCode(expected)));
    expect(scalarsAsStrings(resolved.Conditions)).toEqual(scalarsAsStrings(osls.Conditions));
    const { ServerlessDeploymentBucketName: _bucket, ...outputs } = osls.Outputs ?? {};
    expect(resolved.Outputs).toEqual(outputs);
  };

  it('equals osls package with no param (stage dev), every parameter at its default', () => {
    agree(oslsDefault, 'dev', {});
  });

  it('equals osls package --stage prod --region eu-west-1 with params, given the same values', () => {
    agree(oslsCustom, 'prod', byParameter(CUSTOM));
  });

  it('has every resource of serverless.yml but the deployment bucket, and reads the code from the Region’s bucket', () => {
    expect(Object.keys(template.Resources).sort()).toEqual(Object.keys(comparable(oslsDefault, 'dev')).sort());
    const fn = template.Resources.AuditLambdaFunction!;
    expect(fn.Properties?.Code).toEqual({ S3Bucket: { 'Fn::Sub': '${CodeBucketPrefix}-${AWS::Region}' }, S3Key: { Ref: 'CodeKey' } });
    expect(JSON.stringify(template)).not.toMatch(/ServerlessDeploymentBucket|zzemraudit|serverless\/emr-audit/i);
  });

  it('writes the template and the versioned code zip, which holds only the bundle', () => {
    expect(outFiles.sort()).toEqual([codeKeyFor(VERSION), 'emr-audit.template.json'].sort());
    expect(codeZip.sort()).toEqual(['dist/audit.mjs', 'dist/iam-statements.json']);
    expect(template.Parameters?.CodeKey?.Default).toBe(`emr-audit-${VERSION}.zip`);
  });

  it('leaves the service’s .serverless/ (the plain osls template) in place', () => {
    expect(plainTemplateKept).toBe(true);
  });

  it('fits the 51,200 bytes of --template-body, as written (compact)', async () => {
    const written = await readFile(join(outDir, 'emr-audit.template.json'));
    expect(written.toString('utf8')).toBe(`${JSON.stringify(template)}\n`);
    expect(written.length).toBeLessThan(51_200);
  });
});

describe('the template against the CloudFormation resource specification', () => {
  it('uses only known resource types, properties, value types, attributes and references', () => {
    expect(validateTemplate(template)).toEqual([]);
    // The osls output too: the transform is not hiding anything.
    expect(validateTemplate(oslsCustom)).toEqual([]);
  });

  it('passes the registry schemas (patterns, lengths, ranges, enums) in every branch of every Fn::If', () => {
    expect(lintTemplate(template)).toEqual([]);
    expect(lintTemplate(oslsDefault)).toEqual([]);
    expect(lintTemplate(oslsCustom)).toEqual([]);
  });

  it('the schema check catches cfn-lint’s errors, also in the branch a deployment does not take', () => {
    const broken = structuredClone(template);
    const alarm = broken.Resources.AuditErrorsAlarm!;
    // cfn-lint E3033 as the issue found it: an empty topic in the true branch of a false condition.
    alarm.Properties!.AlarmActions = { 'Fn::If': ['HasAlarmTopic', [''], { Ref: 'AWS::NoValue' }] };
    alarm.Properties!.AlarmName = 'a'.repeat(256);
    alarm.Properties!.ComparisonOperator = 'Bigger';
    alarm.Properties!.EvaluationPeriods = 'often';
    broken.Resources.AuditStateBucket!.DeletionPolicy = 'Keep';
    broken.Resources.Extra = { Type: 'AWS::SNS::Topic' };
    Object.assign(broken, { Mappings: {} });
    const errors = lintTemplate(broken);
    for (const expected of [
      /AuditErrorsAlarm\.Properties\/AlarmActions\/0 must NOT have fewer than 1 characters \[HasAlarmTopic=true\]/,
      /AlarmName must NOT have more than 255 characters/,
      /ComparisonOperator must be equal to one of the allowed values/,
      /EvaluationPeriods must be integer/,
      /AuditStateBucket\.DeletionPolicy: "Keep" is not one of/,
      /Extra: no registry schema vendored for AWS::SNS::Topic/,
      /Mappings: an empty section/,
    ]) {
      expect(errors.some((e) => expected.test(e)), `${String(expected)} in ${errors.join('\n')}`).toBe(true);
    }
    // The taken branch with a real topic, and intrinsic values, are not errors.
    alarm.Properties!.AlarmActions = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
    expect(lintTemplate(broken).filter((e) => e.includes('AlarmActions'))).toEqual([]);
  });

  it('catches what it claims to check', () => {
    const broken = structuredClone(template);
    const fn = broken.Resources.AuditLambdaFunction!.Properties!;
    fn.MemorySize = 'large';
    fn.Timout = 900;
    delete fn.Role;
    (broken.Resources.AuditErrorsAlarm!.Properties!.Dimensions as { Value: Json }[])[0]!.Value = { 'Fn::GetAtt': ['AuditLambdaFunction', 'Nope'] };
    broken.Resources.AuditEventsRuleSchedule1!.Properties!.State = 'ON';
    broken.Resources.Extra = { Type: 'AWS::Lambda::Nothing' };
    const errors = validateTemplate(broken);
    for (const expected of [/MemorySize: expected integer/, /Timout: no such property/, /Role: required/, /has no attribute Nope/, /"ON" is not one of/, /unknown resource type AWS::Lambda::Nothing/]) {
      expect(errors.some((e) => expected.test(e)), String(expected)).toBe(true);
    }
  });
});

describe('tags and stage', () => {
  const spec = loadCfnSpec();
  const tagsOf = (t: CfnTemplate) =>
    Object.entries(t.Resources).flatMap(([id, r]) => {
      const info = spec.resource(r.Type)?.tagInformation;
      return info ? [{ id, variant: info.variant, tags: r.Properties?.[info.tagPropertyName] }] : [];
    });

  it('tags every resource that takes tags with emr-audit:version and emr-audit:stage, in the template and in osls’s', () => {
    for (const [t, stage] of [
      [template, { Ref: 'Stage' }],
      [oslsCustom, 'prod'],
    ] as const) {
      const taggable = tagsOf(t);
      expect(taggable.length).toBeGreaterThan(8);
      for (const { id, variant, tags } of taggable) {
        expect(variant, id).toBe('standard');
        expect(tags, `${id}: add its type to scripts/osls/tag-resources.cjs`).toEqual(
          expect.arrayContaining([
            { Key: 'emr-audit:version', Value: VERSION },
            { Key: 'emr-audit:stage', Value: stage },
          ]),
        );
      }
    }
  });

  it('gives two stages in one account no common resource name, alarm, rule or metric dimension', () => {
    const names = (stage: string) => {
      const t = instantiate(template, { Stage: stage, CodeBucketPrefix: 'bucket' });
      const found: string[] = [];
      for (const r of Object.values(t.Resources)) {
        const p = r.Properties ?? {};
        for (const key of ['FunctionName', 'RoleName', 'Name', 'AlarmName', 'LogGroupName', 'QueueName']) if (key in p) found.push(`${key}=${JSON.stringify(p[key])}`);
        for (const d of (p.Dimensions as { Name: string; Value: Json }[] | undefined) ?? []) found.push(`dimension ${d.Name}=${JSON.stringify(d.Value)}`);
        const vars = (p.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables;
        if (vars) found.push(`service=${JSON.stringify(vars.POWERTOOLS_SERVICE_NAME)}`);
      }
      return found;
    };
    const [a, b] = [names('prod'), names('test')];
    expect(a.length).toBeGreaterThanOrEqual(3 + 3 + 2);
    // Names that are not literal (a Ref to a resource) are unique per stack anyway.
    const literal = (xs: string[]) => xs.filter((x) => !x.includes('"Ref"') && !x.includes('Fn::GetAtt'));
    expect(literal(a).filter((x) => literal(b).includes(x))).toEqual([]);
    expect(a.some((x) => x === 'dimension service="emr-audit-prod"')).toBe(true);
    expect(a.some((x) => x === 'service="emr-audit-prod"')).toBe(true);
  });
});

describe('the role', () => {
  const statements = () => {
    const role = template.Resources.IamRoleLambdaExecution!.Properties!;
    return (role.Policies as { PolicyDocument: { Statement: { Action: string | string[]; Sid?: string }[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  };

  it('has no `*` action and carries the generated least-privilege statements', () => {
    const actions = statements().flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const a of actions) expect(a).not.toContain('*');
    expect(actions).toEqual(expect.arrayContaining(auditActions({ publish: true })));
    for (const expected of buildRoleStatements({ publish: true })) expect(statements().find((s) => s.Sid === expected.Sid)).toEqual(expected);
    // The path from the internet: in the member accounts' role exactly when a registered check reads it.
    for (const a of VPC_PERMISSIONS) expect(actions.includes(a), a).toBe(registryReadsPath(CHECKS));
  });
});

describe('the state store', () => {
  it('is a bucket of each stack, named by CloudFormation (no account id in the template), that the function reads and writes', () => {
    const bucket = template.Resources.AuditStateBucket!;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties).not.toHaveProperty('BucketName');
    expect(JSON.stringify(template)).not.toMatch(/(?<![0-9])[0-9]{12}(?![0-9])/);
    const env = (template.Resources.AuditLambdaFunction!.Properties!.Environment as { Variables: Record<string, Json> }).Variables;
    expect(env.EMR_AUDIT_STATE_BUCKET).toEqual({ Ref: 'AuditStateBucket' });
    const role = template.Resources.IamRoleLambdaExecution!.Properties!;
    const actions = (role.Policies as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[])
      .flatMap((p) => p.PolicyDocument.Statement)
      .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 'tag:GetResources', 'events:PutEvents']));
  });
});

describe('parameters', () => {
  const parameters = () => template.Parameters!;

  it('has one per setting of lib/settings.ts, which the function receives under its variable', () => {
    const env = (template.Resources.AuditLambdaFunction!.Properties!.Environment as { Variables: Record<string, Json> }).Variables;
    for (const s of SETTING_SPECS) {
      const name = parameterName(s.env);
      expect(parameters()[name], s.env).toMatchObject({ Type: 'String', Default: '' });
      expect(parameters()[name]!.Description).toContain(s.env);
      expect(env[s.env]).toEqual({ Ref: name });
    }
  });

  it('leaves no EMR_AUDIT_* variable at a value fixed when the template was built', () => {
    // A variable serverless.yml sets from a ${param:…} outside SETTING_SPECS would be frozen here.
    const env = (template.Resources.AuditLambdaFunction!.Properties!.Environment as { Variables: Record<string, Json> }).Variables;
    const literal = Object.entries(env).filter(([k, v]) => k.startsWith('EMR_AUDIT_') && typeof v === 'string');
    expect(literal).toEqual([]);
  });

  it('accepts the settings’ valid values and refuses their invalid ones, as the parsers do', () => {
    for (const [env, cases] of Object.entries(SETTING_CASES)) {
      const name = parameterName(env);
      const check = (raw: string) => validateParameterValues(parameters(), { CodeBucketPrefix: 'bucket', [name]: raw });
      for (const raw of [...cases.valid, ...(cases.parserOnly ?? [])]) expect(check(raw), `${env}=${JSON.stringify(raw)}`).toEqual([]);
      for (const raw of [...cases.invalid, ...(cases.templateStricter ?? [])]) expect(check(raw).join(), `${env}=${JSON.stringify(raw)}`).toMatch(new RegExp(`^${name}: `));
    }
  });

  it('validates the deployment params, the stage and the code location', () => {
    const check = (values: ParameterValues) => validateParameterValues(parameters(), { CodeBucketPrefix: 'bucket', ...values });
    const good: ParameterValues[] = [{ Schedule: 'rate(1 hour)' }, { Schedule: 'rate(30 minutes)' }, { Schedule: 'cron(0 6 * * ? *)' }, { AlarmTopicArn: TOPIC }, { IncompleteAlarmThreshold: '3' }, { PowertoolsLogLevel: 'WARN' }, { Stage: 'dev-2' }];
    for (const ok of good) {
      expect(check(ok), JSON.stringify(ok)).toEqual([]);
    }
    const bad: ParameterValues[] = [
      { Schedule: 'rate(1 hours)' },
      { Schedule: 'every 6 hours' },
      { AlarmTopicArn: 'security-alerts' },
      { IncompleteAlarmThreshold: '-1' },
      { IncompleteAlarmThreshold: 'many' },
      { PowertoolsLogLevel: 'info' },
      { Stage: 'Prod' },
      { Stage: 'a-very-long-stage-name' },
      { CodeBucketPrefix: 'My_Bucket' },
      { CodeKey: 'emr-audit.tar.gz' },
      { Unknown: 'x' },
    ];
    for (const values of bad) {
      expect(check(values), JSON.stringify(values)).not.toEqual([]);
    }
    expect(validateParameterValues(parameters(), {})).toEqual(['CodeBucketPrefix: a value is required']);
  });

  it('refuses unknown check ids at deploy time: the registry is in the pattern', () => {
    const check = (raw: string) => validateParameterValues(parameters(), { CodeBucketPrefix: 'bucket', DisabledChecks: raw });
    expect(check(CHECK_IDS.join(','))).toEqual([]);
    expect(check('network/telnet')).not.toEqual([]);
  });

  it('accepts the example parameter file of examples/stackset/', async () => {
    const entries = JSON.parse(await readFile(join(ROOT, 'examples', 'stackset', 'parameters.json'), 'utf8')) as { ParameterKey: string; ParameterValue: string }[];
    expect(entries.every((e) => typeof e.ParameterKey === 'string' && typeof e.ParameterValue === 'string')).toBe(true);
    expect(validateParameterValues(parameters(), parameterFileValues(entries))).toEqual([]);
  });
});

describe('the transform', () => {
  const parameters = stackSetParameters({ version: '9.9.9', checkIds: CHECK_IDS });
  const transform = (t: CfnTemplate) => toStackSetTemplate(t, { parameters, stageSentinel: STAGE_SENTINEL, description: 'test' });
  const base = (extra: Record<string, CfnTemplate['Resources'][string]>): CfnTemplate => ({
    Resources: {
      ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket' },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Bucket: { Ref: 'ServerlessDeploymentBucket' }, S3Key: 'serverless/x.zip' } } },
      ...extra,
    },
  });

  it('picks up a resource serverless.yml gains later, with its sentinels replaced', () => {
    const out = transform(
      base({
        [`Thing${STAGE_SENTINEL}Bucket`]: { Type: 'AWS::S3::Bucket', Properties: { BucketName: `emr-audit-${STAGE_SENTINEL}-state`, Tags: [{ Key: 'k', Value: 'v' }] } },
        Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: `Thing${STAGE_SENTINEL}Bucket` }, PolicyDocument: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::emr-audit-${STAGE_SENTINEL}/*` } } },
      }),
    );
    expect(out.Resources.ThingBucket?.Properties?.BucketName).toEqual({ 'Fn::Sub': 'emr-audit-${Stage}-state' });
    expect(out.Resources.Policy?.Properties).toEqual({ Bucket: { Ref: 'ThingBucket' }, PolicyDocument: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::emr-audit-${Stage}/*' } });
  });

  it('escapes a literal ${ it turns into an Fn::Sub', () => {
    const out = transform(base({ Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `\${not-a-var}-${STAGE_SENTINEL}` } } }));
    expect(out.Resources.Q?.Properties?.QueueName).toEqual({ 'Fn::Sub': '${!not-a-var}-${Stage}' });
  });

  it('refuses a template whose sentinel it cannot place, or whose code is elsewhere', () => {
    expect(() => transform(base({ Q: { Type: 'AWS::SQS::Queue', Properties: { [`Tag${STAGE_SENTINEL}`]: 'x' } } }))).toThrow(/sentinel/);
    expect(() => transform({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: 'x' } } } } })).toThrow(/deployment bucket/);
  });
});
