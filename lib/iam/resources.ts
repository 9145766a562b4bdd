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
 * A statement covers every resource when one of its Resource patterns is unscoped, or — with
 * NotResource — when none of its NotResource patterns is (excluding some named buckets still
 * leaves every other one).
 */
import { globMatch } from './glob.js';
import type { PatternSpec } from './statements.js';

/** The resources an action applies to: its ARN service and, when known, its resource type. */
export interface ResourceTarget {
  /** ARN service (`s3`, `iam`); undefined = every service (the question about `*`). */
  service?: string;
  /** ARN resource type of the action (`key`, `role`); undefined = only a wildcard resource part counts. */
  type?: string;
}

/**
 * Resource types of the actions the checks ask about (Service Authorization Reference). Actions
 * not listed get none: then only a resource part that begins with `*` counts as every resource.
 */
const ACTION_TARGETS: Readonly<Record<string, ResourceTarget>> = {
  'kms:decrypt': { service: 'kms', type: 'key' },
  'secretsmanager:getsecretvalue': { service: 'secretsmanager', type: 'secret' },
  'dynamodb:getitem': { service: 'dynamodb', type: 'table' },
  'dynamodb:scan': { service: 'dynamodb', type: 'table' },
  'ssm:getparametersbypath': { service: 'ssm', type: 'parameter' },
  'iam:passrole': { service: 'iam', type: 'role' },
  'iam:attachrolepolicy': { service: 'iam', type: 'role' },
  'iam:putrolepolicy': { service: 'iam', type: 'role' },
  'iam:updateassumerolepolicy': { service: 'iam', type: 'role' },
  'iam:attachuserpolicy': { service: 'iam', type: 'user' },
  'iam:putuserpolicy': { service: 'iam', type: 'user' },
  'iam:createaccesskey': { service: 'iam', type: 'user' },
  'iam:createloginprofile': { service: 'iam', type: 'user' },
  'iam:updateloginprofile': { service: 'iam', type: 'user' },
  'iam:createpolicyversion': { service: 'iam', type: 'policy' },
  'iam:addusertogroup': { service: 'iam', type: 'group' },
  // sts:AssumeRole acts on IAM roles: its resources are `arn:aws:iam::…:role/…`.
  'sts:assumerole': { service: 'iam', type: 'role' },
  'lambda:createfunction': { service: 'lambda', type: 'function' },
  'cloudformation:createstack': { service: 'cloudformation', type: 'stack' },
};

/** The resource target of an action or action pattern (`*` → every service, `iam:*` → IAM). */
export function resourceTargetOf(action: string): ResourceTarget {
  const a = action.toLowerCase();
  const known = ACTION_TARGETS[a];
  if (known) return known;
  const colon = a.indexOf(':');
  if (colon < 0) return {};
  const service = a.slice(0, colon);
  return service.includes('*') || service.includes('?') ? {} : { service };
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
