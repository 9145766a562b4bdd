/**
 * What "on `*`" means for a statement's Resource / NotResource.
 *
 * CHECKS.md asks whether an action is allowed on `Resource: *`. Taken literally, `arn:aws:s3:::*`
 * or `arn:aws:kms:*:*:key/*` would escape the check although they grant exactly the same thing, so
 * a Resource pattern counts as "every resource" of an action when it is **unscoped**:
 * - it matches the literal `*` (`*`), or
 * - it is an ARN of the action's resource service whose resource part names no particular
 *   resource: it begins with `*` (`arn:aws:s3:::*`, `arn:aws:s3:::*\/*`), or with the action's
 *   resource type directly followed by `*` (`key/*` for kms:Decrypt, `role/*` for iam:PassRole,
 *   `secret:*` for secretsmanager:GetSecretValue). Partition, region and account fields never
 *   scope (they are the role's own), and a last field beginning with `*` (`arn:aws:s3:*`,
 *   `arn:*`) swallows everything after it.
 * Anything narrower (`arn:aws:s3:::my-bucket/*`, `arn:aws:s3:::data-*`, `role/emr/*`) is scoped.
 *
 * A statement covers every resource of a target (one resource type of the action) when one of
 * its Resource patterns is unscoped for it, or — with NotResource — when none of its NotResource
 * patterns is (excluding some named buckets still leaves every other one). An action with several
 * resource types (ec2:RunInstances: instance, image, subnet…) is allowed on every resource when it
 * is for each type: the patterns of a policy set together cover every resource, one type each.
 */
import { globMatch } from './glob.js';
import type { PatternSpec } from './statements.js';

/** One kind of resource an action applies to: its ARN service and, when known, its resource type. */
export interface ResourceTarget {
  /** ARN service (`s3`, `iam`); undefined = every service (the question about `*`). */
  service?: string;
  /** ARN resource type (`key`, `role`); undefined = only a wildcard resource part counts. */
  type?: string;
}

/**
 * Resource types of the actions the checks ask about, from the IAM Service Authorization
 * Reference: the types an action requires (those it always acts on). "Every resource" of an
 * action is every resource of each of these types, so a policy may write it as one wildcard per
 * type (`arn:aws:ec2:*:*:instance/*`, `arn:aws:ec2:*:*:subnet/*`, …) instead of `*`. An action with
 * an empty list supports no resource-level permissions (only `*`-like resource parts count for it);
 * actions not listed fall back to their service with no type.
 */
const ACTION_TYPES: Readonly<Record<string, { service: string; types: readonly string[] }>> = {
  // data actions (iam/instance-profile-wildcard-data-access)
  'kms:decrypt': { service: 'kms', types: ['key'] },
  'secretsmanager:getsecretvalue': { service: 'secretsmanager', types: ['secret'] },
  'dynamodb:getitem': { service: 'dynamodb', types: ['table'] },
  'dynamodb:scan': { service: 'dynamodb', types: ['table'] },
  'ssm:getparametersbypath': { service: 'ssm', types: ['parameter'] },
  // iam/instance-profile-privilege-escalation: PassRole and the launch actions
  'iam:passrole': { service: 'iam', types: ['role'] },
  'elasticmapreduce:runjobflow': { service: 'elasticmapreduce', types: [] },
  'ec2:runinstances': { service: 'ec2', types: ['image', 'instance', 'network-interface', 'security-group', 'subnet', 'volume'] },
  'lambda:createfunction': { service: 'lambda', types: ['function'] },
  'glue:createjob': { service: 'glue', types: ['job'] },
  'cloudformation:createstack': { service: 'cloudformation', types: ['stack'] },
  // IAM writes that grant permissions, and the self-escalation actions
  'iam:attachrolepolicy': { service: 'iam', types: ['role'] },
  'iam:putrolepolicy': { service: 'iam', types: ['role'] },
  'iam:updateassumerolepolicy': { service: 'iam', types: ['role'] },
  'iam:putrolepermissionsboundary': { service: 'iam', types: ['role'] },
  'iam:deleterolepermissionsboundary': { service: 'iam', types: ['role'] },
  'iam:attachuserpolicy': { service: 'iam', types: ['user'] },
  'iam:putuserpolicy': { service: 'iam', types: ['user'] },
  'iam:createaccesskey': { service: 'iam', types: ['user'] },
  'iam:createloginprofile': { service: 'iam', types: ['user'] },
  'iam:updateloginprofile': { service: 'iam', types: ['user'] },
  'iam:createpolicyversion': { service: 'iam', types: ['policy'] },
  'iam:setdefaultpolicyversion': { service: 'iam', types: ['policy'] },
  'iam:addusertogroup': { service: 'iam', types: ['group'] },
  // sts:AssumeRole acts on IAM roles: its resources are `arn:aws:iam::…:role/…`.
  'sts:assumerole': { service: 'iam', types: ['role'] },
};

/**
 * The resource targets of an action or action pattern, one per resource type: "every resource"
 * of the action means every resource of each of them (`*` → every service, `iam:*` → IAM).
 */
export function resourceTargetsOf(action: string): ResourceTarget[] {
  const a = action.toLowerCase();
  const known = ACTION_TYPES[a];
  if (known) return known.types.length === 0 ? [{ service: known.service }] : known.types.map((type) => ({ service: known.service, type }));
  const colon = a.indexOf(':');
  if (colon < 0) return [{}];
  const service = a.slice(0, colon);
  return [service.includes('*') || service.includes('?') ? {} : { service }];
}

/** The first resource target of an action (the only one, for every action but ec2:RunInstances). */
export function resourceTargetOf(action: string): ResourceTarget {
  return resourceTargetsOf(action)[0]!;
}

const ARN_FIELDS_BEFORE_RESOURCE = 5; // arn, partition, service, region, account

/** The pattern stands for every resource of the target (see the module comment). */
export function isUnscoped(pattern: string, target: ResourceTarget): boolean {
  if (globMatch(pattern, '*')) return true;
  const fields = pattern.split(':');
  if (fields[0]?.toLowerCase() !== 'arn') return false;
  for (let i = 1; i < ARN_FIELDS_BEFORE_RESOURCE; i += 1) {
    const field = fields[i];
    if (field === undefined) return false;
    const last = i === fields.length - 1;
    if (i === 2) {
      const service = field.toLowerCase();
      if (target.service === undefined) {
        if (!service.startsWith('*')) return false;
        if (last) return true;
        continue;
      }
      if (!globMatch(service, target.service)) return false;
      if (last) return service.endsWith('*');
      continue;
    }
    if (last) return field.startsWith('*');
  }
  const resource = fields.slice(ARN_FIELDS_BEFORE_RESOURCE).join(':');
  if (resource.startsWith('*')) return true;
  const type = target.type;
  if (type === undefined || !resource.startsWith(type)) return false;
  const rest = resource.slice(type.length);
  return rest.startsWith('*') || rest.startsWith('/*') || rest.startsWith(':*');
}

/** A NotResource pattern that removes every resource of some service the target includes. */
function excludesEverything(pattern: string, target: ResourceTarget): boolean {
  if (target.service !== undefined) return isUnscoped(pattern, target);
  // Question about all services: excluding every resource of any one service is an exclusion.
  const service = pattern.split(':')[2]?.toLowerCase();
  return isUnscoped(pattern, {}) || (service !== undefined && isUnscoped(pattern, { service }));
}

/** The statement's Resource / NotResource covers every resource of the target. */
export function coversEveryResource(spec: PatternSpec, target: ResourceTarget): boolean {
  if (!spec.not) return spec.patterns.some((p) => isUnscoped(p, target));
  return !spec.patterns.some((p) => excludesEverything(p, target));
}

/** Lowercased action patterns a statement is limited to: within one of `only` and none of `except`. */
export interface ActionRestriction {
  only: readonly string[];
  except: readonly string[];
}

const literalService = (pattern: string): string | undefined => {
  const service = pattern.split(':')[2]?.toLowerCase();
  return pattern.toLowerCase().startsWith('arn:') && service && !/[*?]/.test(service) ? service : undefined;
};

/**
 * For a question about a wildcard (`*`, `iam:*`) that a statement's Resource does not cover as a
 * whole: the actions within it whose every resource the statement still covers, one service or
 * action at a time (`Resource: arn:aws:iam::*:*` covers every resource of every IAM action;
 * `arn:aws:iam::*:role/*` every resource of iam:PassRole, but not of iam:CreateUser). An Allow
 * must cover every resource type of an action, a Deny removes it by covering one of its required
 * types. Undefined when nothing is covered (or for NotResource, judged as a whole).
 */
export function partialCoverage(spec: PatternSpec, target: ResourceTarget, effect: 'Allow' | 'Deny'): ActionRestriction | undefined {
  if (spec.not) return undefined;
  const services = target.service !== undefined ? [target.service] : [...new Set(spec.patterns.map(literalService).filter((x): x is string => x !== undefined))];
  // Services whose every resource the statement covers: their actions take part, except the known ones it does not cover.
  const wholes = services.filter((service) => coversEveryResource(spec, { service }));
  const only: string[] = [];
  const except: string[] = [];
  for (const [action, known] of Object.entries(ACTION_TYPES)) {
    const per = known.types.length === 0 ? [coversEveryResource(spec, { service: known.service })] : known.types.map((type) => coversEveryResource(spec, { service: known.service, type }));
    const covered = effect === 'Allow' ? per.every(Boolean) : per.some(Boolean);
    const inWhole = wholes.includes(action.slice(0, action.indexOf(':')));
    if (covered && !inWhole) only.push(action);
    if (!covered && inWhole) except.push(action);
  }
  for (const service of wholes) only.push(`${service}:*`);
  return only.length > 0 ? { only, except } : undefined;
}
