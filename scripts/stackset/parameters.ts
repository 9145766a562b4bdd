/**
 * The CloudFormation Parameters of the StackSet template, generated — never written by hand:
 *  - one per setting of lib/settings.ts (SETTING_SPECS), String, empty = the built-in default, with
 *    the AllowedPattern of the parser's shape (lib/settings-shape.ts);
 *  - one per deployment-only param of serverless.yml (schedule, alarm topic and threshold, log level);
 *  - the stage and the code location.
 * Each parameter that stands for a serverless.yml param has a sentinel: osls packages the service
 * with the sentinel as the param's value, and the transform (./transform.ts) replaces the sentinel
 * by a reference to the parameter wherever osls put it.
 */
import { SETTING_SPECS } from '../../lib/settings.js';
import { describeShape, shapeHasPattern, shapePattern } from '../../lib/settings-shape.js';

export interface CfnParameter {
  Type: 'String' | 'Number';
  Description: string;
  Default?: string;
  AllowedPattern?: string;
  AllowedValues?: string[];
  MinValue?: number;
  MaxValue?: number;
  MinLength?: number;
  MaxLength?: number;
  ConstraintDescription?: string;
}

/** A parameter, and the serverless.yml param (or the stage) it replaces. */
export interface StackSetParameter {
  name: string;
  definition: CfnParameter;
  /** The serverless.yml param (`--param NAME=…`); undefined for the stage and the code location. */
  param?: string;
  /** The value osls packages with, found and replaced in its output. */
  sentinel?: string;
  group: 'Deployment' | 'Schedule and alarms' | 'Audit settings';
}

/** The stage's stand-in: lowercase alphanumeric, so it survives osls's logical-id normalisation. */
export const STAGE_SENTINEL = 'zzemrauditstagezz';
export const STAGE_PARAMETER = 'Stage';
export const CODE_BUCKET_PREFIX_PARAMETER = 'CodeBucketPrefix';
export const CODE_KEY_PARAMETER = 'CodeKey';

/** `EMR_AUDIT_TRUSTED_CIDRS` → `TrustedCidrs`: parameter names are alphanumeric. */
export function parameterName(param: string): string {
  return param
    .replace(/^EMR_AUDIT_/, '')
    .toLowerCase()
    .split('_')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : ''))
    .join('');
}

export function sentinelFor(param: string): string {
  return `zz${param}zz`;
}

/** The code zip of a version, as `npm run package` names it and `npm run publish` uploads it. */
export function codeKeyFor(version: string): string {
  return `emr-audit-${version}.zip`;
}

const REGION = '[a-z]{2}(?:-[a-z]+)+-[0-9]+';

/** osls's own schedule syntax (compile/events/schedule.js), which EventBridge also requires. */
const SCHEDULE_PATTERN = '^rate\\((?:1 (?:minute|hour|day)|(?:1[0-9]+|[2-9][0-9]*) (?:minute|hour|day)s)\\)$|^cron\\(\\S+ \\S+ \\S+ \\S+ \\S+ \\S+\\)$';

/**
 * serverless.yml's deployment-only params. Their defaults must be serverless.yml's
 * `params.default`: test/deploy/stackset.test.ts instantiates the template with its defaults and
 * compares it with what osls packages without any --param.
 */
const DEPLOYMENT_PARAMS: { param: string; definition: CfnParameter; sentinel?: string }[] = [
  {
    param: 'EMR_AUDIT_SCHEDULE',
    // osls validates the schedule's syntax: the stand-in must be a (never deployed) cron expression.
    sentinel: 'cron(zzEMR_AUDIT_SCHEDULEzz * * * * *)',
    definition: {
      Type: 'String',
      Default: 'rate(6 hours)',
      AllowedPattern: SCHEDULE_PATTERN,
      ConstraintDescription: 'an EventBridge schedule expression: rate(N unit) or cron(six fields)',
      Description: 'EMR_AUDIT_SCHEDULE: how often the scheduled audit runs (EventBridge rate or cron expression).',
    },
  },
  {
    param: 'EMR_AUDIT_ALARM_TOPIC_ARN',
    definition: {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$',
      ConstraintDescription: 'an SNS topic ARN, or empty for no notifications',
      Description: 'EMR_AUDIT_ALARM_TOPIC_ARN: SNS topic the alarms notify (empty: the alarms notify nobody).',
    },
  },
  {
    param: 'EMR_AUDIT_INCOMPLETE_ALARM_THRESHOLD',
    definition: {
      Type: 'Number',
      Default: '0',
      MinValue: 0,
      ConstraintDescription: 'a number of findings, 0 or more',
      Description: 'EMR_AUDIT_INCOMPLETE_ALARM_THRESHOLD: alarm when a run leaves more than this many audit/evaluation-incomplete findings.',
    },
  },
  {
    param: 'EMR_AUDIT_IAM_EVENT_REGIONS',
    definition: {
      Type: 'String',
      Default: '',
      // At most 5: one EventBridge rule has at most 5 targets.
      AllowedPattern: `^$|^${REGION}(?:,${REGION}){0,4}$`,
      ConstraintDescription: 'up to 5 comma-separated Region names (e.g. eu-west-1,eu-central-1), or empty',
      Description:
        'EMR_AUDIT_IAM_EVENT_REGIONS: change-triggered audits; used by the us-east-1 stack only: the other Regions of this StackSet, whose stacks get IAM role and policy changes (IAM records them in us-east-1 only). Empty: no forwarding.',
    },
  },
  {
    param: 'POWERTOOLS_LOG_LEVEL',
    definition: {
      Type: 'String',
      Default: 'INFO',
      AllowedValues: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'],
      Description: 'POWERTOOLS_LOG_LEVEL: log level of the function.',
    },
  },
];

/** Markdown code spans read badly in the console. */
const plain = (doc: string): string => doc.replace(/`/g, '');

export function stackSetParameters(options: { version: string; checkIds: readonly string[] }): StackSetParameter[] {
  const settings: StackSetParameter[] = SETTING_SPECS.map((spec) => {
    const shape = spec.parse.shape;
    // The Lambda refuses unknown check ids at start; the template knows the registry, so it can too.
    const items = spec.key === 'disabledChecks' ? options.checkIds : undefined;
    const definition: CfnParameter = {
      Type: 'String',
      Default: '',
      Description: `${spec.env}: ${plain(spec.doc)} Empty: ${plain(spec.defaultText)}.`,
    };
    if (shapeHasPattern(shape, { items })) {
      definition.AllowedPattern = shapePattern(shape, { items });
      definition.ConstraintDescription = describeShape(shape, { items });
    }
    return { name: parameterName(spec.env), param: spec.env, sentinel: sentinelFor(spec.env), definition, group: 'Audit settings' as const };
  });
  const deployment: StackSetParameter[] = DEPLOYMENT_PARAMS.map((p) => ({
    name: parameterName(p.param),
    param: p.param,
    sentinel: p.sentinel ?? sentinelFor(p.param),
    definition: p.definition,
    group: 'Schedule and alarms' as const,
  }));
  const all: StackSetParameter[] = [
    {
      name: STAGE_PARAMETER,
      sentinel: STAGE_SENTINEL,
      group: 'Deployment',
      definition: {
        Type: 'String',
        Default: 'prod',
        // In function, role, rule and alarm names and the metric dimension; the role name
        // (emr-audit-<stage>-<region>-lambdaRole) must stay within IAM's 64 characters.
        AllowedPattern: '^[a-z0-9][a-z0-9-]{0,15}$',
        ConstraintDescription: '1 to 16 lowercase letters, digits or hyphens',
        Description: 'Stage name, as osls --stage: part of every resource name, so two stages can run in one account.',
      },
    },
    {
      name: CODE_BUCKET_PREFIX_PARAMETER,
      group: 'Deployment',
      definition: {
        Type: 'String',
        // A bucket name is at most 63 characters: the prefix, a hyphen and the longest Region name.
        AllowedPattern: '^[a-z0-9][a-z0-9.-]{1,46}$',
        ConstraintDescription: 'the start of an S3 bucket name (lowercase letters, digits, dots, hyphens)',
        Description: 'Code buckets: the function code is read from <prefix>-<Region> (npm run publish -- --bucket-prefix <prefix>).',
      },
    },
    {
      name: CODE_KEY_PARAMETER,
      group: 'Deployment',
      definition: {
        Type: 'String',
        Default: codeKeyFor(options.version),
        AllowedPattern: "^[A-Za-z0-9!_.*'()/-]+\\.zip$",
        ConstraintDescription: 'an S3 key ending in .zip',
        Description: `Key of the function code zip in every code bucket (version ${options.version}: ${codeKeyFor(options.version)}).`,
      },
    },
    ...deployment,
    ...settings,
  ];
  const names = all.map((p) => p.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`two parameters named ${duplicate}`);
  return all;
}
