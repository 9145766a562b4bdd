/**
 * The class of cfn-lint's schema rules (E3012 types, E3030 enums, E3031 patterns, E3032 array
 * lengths, E3033 string lengths, E3034 number ranges, E3002/E3003 unknown and required
 * properties) without Python: each resource's Properties against its CloudFormation registry
 * schema, as cfn-lint v1.42.1 ships it (fixtures/cfn-schemas, MIT-0, see README there), with ajv.
 *
 * Like cfn-lint, every branch of every Fn::If is checked: a resource is validated once per
 * assignment of the conditions it uses (`Ref: AWS::NoValue` removing its property or element), so
 * `AlarmActions: [""]` in the branch a deployment never takes is still an error. A value given by
 * another intrinsic function (Ref, Fn::GetAtt, Fn::Sub…) is resolved by CloudFormation at deploy
 * time: no error is reported at it or at a oneOf/anyOf above it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TemplateShape } from './cfn-spec.js';

const SCHEMAS = fileURLToPath(new URL('./fixtures/cfn-schemas/', import.meta.url));

type Json = unknown;
const isRecord = (v: Json): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIntrinsic = (v: Json): boolean => isRecord(v) && Object.keys(v).length === 1 && /^(Ref|Fn::[A-Za-z0-9]+|Condition)$/.test(Object.keys(v)[0]!);

/**
 * The registry's patterns are Python regexes: `\Z` (end of string) is `$` here, and escapes Python
 * tolerates (`\_`) are refused in JavaScript's Unicode mode, which `\p{L}` needs: Unicode mode
 * first, plain mode for the patterns it refuses.
 */
function pythonPattern(pattern: string, flags: string): RegExp {
  const source = pattern.replace(/\\Z/g, '$');
  try {
    return new RegExp(source, flags);
  } catch {
    return new RegExp(source, flags.replace('u', ''));
  }
}
const regExp = Object.assign(pythonPattern, { code: 'pythonPattern' });

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, validateFormats: false, code: { regExp } });

let validators: Map<string, ValidateFunction> | undefined;

/** One compiled validator per vendored resource type (AWS::S3::Bucket ← aws-s3-bucket.json). */
function validatorsByType(): Map<string, ValidateFunction> {
  if (validators) return validators;
  validators = new Map();
  for (const file of readdirSync(SCHEMAS).filter((f) => f.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Record<string, unknown> & { typeName: string };
    const { $schema: _meta, $id: _id, ...body } = schema;
    validators.set(schema.typeName, ajv.compile(body));
  }
  return validators;
}

export const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];

/** The conditions an Fn::If names anywhere under `node`. */
function conditionsUsed(node: Json, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => conditionsUsed(n, into));
  else if (isRecord(node)) {
    const args = node['Fn::If'];
    if (Array.isArray(args) && typeof args[0] === 'string') into.add(args[0]);
    Object.values(node).forEach((n) => conditionsUsed(n, into));
  }
  return into;
}

const NO_VALUE = Symbol('NoValue');

/** `node` with each Fn::If replaced by the branch `assignment` takes, AWS::NoValue removed. */
function takeBranches(node: Json, assignment: ReadonlyMap<string, boolean>): Json {
  if (Array.isArray(node)) return node.map((n) => takeBranches(n, assignment)).filter((n) => n !== NO_VALUE);
  if (!isRecord(node)) return node;
  if (Object.keys(node).length === 1 && node.Ref === 'AWS::NoValue') return NO_VALUE;
  const args = node['Fn::If'];
  if (Object.keys(node).length === 1 && Array.isArray(args) && typeof args[0] === 'string') return takeBranches(args[assignment.get(args[0]) ? 1 : 2], assignment);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const taken = takeBranches(v, assignment);
    if (taken !== NO_VALUE) out[k] = taken;
  }
  return out;
}

/** JSON pointers (ajv's instancePath) of the values given by an intrinsic function. */
function intrinsicPaths(node: Json, path = '', into: string[] = []): string[] {
  if (isIntrinsic(node)) into.push(path);
  else if (Array.isArray(node)) node.forEach((n, i) => intrinsicPaths(n, `${path}/${i}`, into));
  else if (isRecord(node)) for (const [k, v] of Object.entries(node)) intrinsicPaths(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, into);
  return into;
}

function judged(error: ErrorObject, intrinsics: readonly string[]): boolean {
  const at = error.instancePath;
  const under = (p: string, root: string) => p === root || p.startsWith(`${root}/`);
  if (intrinsics.some((p) => under(at, p))) return false;
  // A oneOf/anyOf fails as a whole when a member's value is not literal: undecidable here.
  if (['oneOf', 'anyOf', 'if', 'not'].includes(error.keyword) && intrinsics.some((p) => under(p, at))) return false;
  return true;
}

const describeError = (e: ErrorObject): string => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'enum' ? ` (${JSON.stringify(e.params)})` : ''}`;

/** Every assignment of true/false to `names` (2^n; the templates use one or two conditions). */
function assignments(names: readonly string[]): Map<string, boolean>[] {
  if (names.length > 8) throw new Error(`too many conditions to try every branch: ${names.join(', ')}`);
  return Array.from({ length: 2 ** names.length }, (_, bits) => new Map(names.map((n, i) => [n, ((bits >> i) & 1) === 1])));
}

/**
 * Errors of every resource, in every combination of its conditions' branches, against its
 * registry schema; a type with no vendored schema is an error too (vendor it: see README).
 */
export function lintTemplate(template: TemplateShape): string[] {
  const errors = new Set<string>();
  const byType = validatorsByType();
  // cfn-lint passes an empty section; CloudFormation may refuse it (cfn-lint issue #3168).
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Outputs'] as const) {
    const value = (template as unknown as Record<string, unknown>)[section];
    if (isRecord(value) && Object.keys(value).length === 0) errors.add(`${section}: an empty section`);
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    const validate = byType.get(resource.Type);
    if (!validate) {
      errors.add(`${id}: no registry schema vendored for ${resource.Type}`);
      continue;
    }
    const attributes = resource as Record<string, unknown>;
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
      const value = attributes[policy];
      if (value !== undefined && !(typeof value === 'string' && DELETION_POLICIES.includes(value))) errors.add(`${id}.${policy}: ${JSON.stringify(value)} is not one of ${DELETION_POLICIES.join(', ')}`);
    }
    const properties = resource.Properties ?? {};
    const names = [...conditionsUsed(properties)].sort();
    for (const assignment of assignments(names)) {
      const variant = takeBranches(structuredClone(properties), assignment);
      const intrinsics = intrinsicPaths(variant);
      if (validate(variant)) continue;
      const branch = names.length === 0 ? '' : ` [${names.map((n) => `${n}=${String(assignment.get(n))}`).join(', ')}]`;
      for (const e of validate.errors ?? []) if (judged(e, intrinsics)) errors.add(`${id}.Properties${describeError(e)}${branch}`);
    }
  }
  return [...errors];
}
