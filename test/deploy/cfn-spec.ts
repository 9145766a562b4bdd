/**
 * A CloudFormation template checked against the CloudFormation resource specification, as the
 * AWS CDK ships it (@aws-cdk/aws-service-spec: every resource type's properties, their types,
 * required ones, allowed values, attributes and tagging). What it checks: resource types, property
 * names (at every depth), required properties, value types and allowed values where the value is
 * literal, Fn::GetAtt attributes, and that Ref/GetAtt/DependsOn/Condition name something. Both
 * branches of an Fn::If are checked; values given by another intrinsic function are taken as valid:
 * CloudFormation resolves them at deploy time. The specification has no patterns or lengths: those
 * are ./cfn-schema-lint.ts's, from the registry schemas.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as z from 'zod';

interface SpecType {
  type: string;
  element?: SpecType;
  types?: SpecType[];
  reference?: { $ref: string };
  allowedValues?: (string | number)[];
}
const SpecType: z.ZodType<SpecType> = z.lazy(() =>
  z.object({
    type: z.string(),
    element: SpecType.optional(),
    types: z.array(SpecType).optional(),
    reference: z.object({ $ref: z.string() }).optional(),
    allowedValues: z.array(z.union([z.string(), z.number()])).optional(),
  }),
);
const Property = z.object({ type: SpecType, required: z.boolean().optional() });
const Properties = z.record(z.string(), Property);
const Db = z.object({
  schema: z.object({
    resource: z.object({
      entities: z.array(
        z.object({
          cloudFormationType: z.string(),
          properties: Properties,
          attributes: z.record(z.string(), z.unknown()),
          tagInformation: z.object({ tagPropertyName: z.string(), variant: z.string() }).optional(),
        }),
      ),
    }),
    typeDefinition: z.object({ entities: z.array(z.object({ $id: z.string(), name: z.string(), properties: Properties })) }),
  }),
});
type Db = z.infer<typeof Db>;
export type ResourceSpec = Db['schema']['resource']['entities'][number];

export interface CfnSpec {
  resource(type: string): ResourceSpec | undefined;
  typeDefinition(id: string): { name: string; properties: z.infer<typeof Properties> } | undefined;
}

let cached: CfnSpec | undefined;

/** The specification shipped in the devDependency (read once per test file: ~1 s). */
export function loadCfnSpec(): CfnSpec {
  if (cached) return cached;
  const main = createRequire(import.meta.url).resolve('@aws-cdk/aws-service-spec');
  const db = Db.parse(JSON.parse(gunzipSync(readFileSync(join(dirname(main), '..', 'db.json.gz'))).toString('utf8')));
  const resources = new Map(db.schema.resource.entities.map((e) => [e.cloudFormationType, e]));
  const types = new Map(db.schema.typeDefinition.entities.map((e) => [e.$id, e]));
  cached = { resource: (t) => resources.get(t), typeDefinition: (id) => types.get(id) };
  return cached;
}

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

type Node = unknown;
const isRecord = (v: Node): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIntrinsic = (v: Node): boolean => isRecord(v) && Object.keys(v).length === 1 && /^(Ref|Fn::[A-Za-z]+|Condition)$/.test(Object.keys(v)[0]!);

export interface TemplateShape {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown; Condition?: unknown }>;
  Outputs?: Record<string, unknown>;
}

export function validateTemplate(template: TemplateShape, spec: CfnSpec = loadCfnSpec()): string[] {
  const errors: string[] = [];
  const ids = new Set(Object.keys(template.Resources));
  const params = new Set(Object.keys(template.Parameters ?? {}));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));

  const checkValue = (value: Node, type: SpecType, path: string): void => {
    // Both branches of a condition are checked, as cfn-lint does: a deployment may take either.
    const branches = isRecord(value) && Array.isArray(value['Fn::If']) ? (value['Fn::If'] as Node[]).slice(1) : undefined;
    if (branches) {
      branches.forEach((branch, i) => {
        if (!(isRecord(branch) && branch.Ref === 'AWS::NoValue')) checkValue(branch, type, `${path}[${i === 0 ? 'if true' : 'if false'}]`);
      });
      return;
    }
    if (isIntrinsic(value)) return;
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string') errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
        else if (type.allowedValues && !type.allowedValues.map(String).includes(value)) errors.push(`${path}: "${value}" is not one of ${type.allowedValues.join(', ')}`);
        return;
      case 'integer':
      case 'number': {
        const ok = typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
        if (!ok || (type.type === 'integer' && !Number.isInteger(Number(value)))) errors.push(`${path}: expected ${type.type}, got ${JSON.stringify(value)}`);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') errors.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
        return;
      case 'json':
        return;
      case 'array':
        if (!Array.isArray(value)) errors.push(`${path}: expected a list`);
        else value.forEach((v, i) => checkValue(v, type.element!, `${path}[${i}]`));
        return;
      case 'map':
        if (!isRecord(value)) errors.push(`${path}: expected a map`);
        else for (const [k, v] of Object.entries(value)) checkValue(v, type.element!, `${path}.${k}`);
        return;
      case 'tag':
        if (!isRecord(value) || Object.keys(value).sort().join() !== 'Key,Value') errors.push(`${path}: expected { Key, Value }, got ${JSON.stringify(value)}`);
        else for (const k of ['Key', 'Value'] as const) checkValue(value[k], { type: 'string' }, `${path}.${k}`);
        return;
      case 'ref': {
        const def = spec.typeDefinition(type.reference!.$ref);
        if (!def) errors.push(`${path}: the specification has no type ${type.reference!.$ref}`);
        else if (!isRecord(value)) errors.push(`${path}: expected a ${def.name} object, got ${JSON.stringify(value)}`);
        else checkProperties(value, def.properties, path);
        return;
      }
      case 'union': {
        const before = errors.length;
        for (const member of type.types ?? []) {
          const mark = errors.length;
          checkValue(value, member, path);
          if (errors.length === mark) {
            errors.length = before;
            return;
          }
          errors.length = mark;
        }
        errors.push(`${path}: matches none of ${(type.types ?? []).map((t) => t.type).join(' | ')}`);
        return;
      }
      default:
        errors.push(`${path}: the specification's type ${type.type} is unknown to this check`);
    }
  };

  const checkProperties = (value: Record<string, unknown>, properties: z.infer<typeof Properties>, path: string): void => {
    for (const [name, v] of Object.entries(value)) {
      const p = properties[name];
      if (!p) errors.push(`${path}.${name}: no such property`);
      else checkValue(v, p.type, `${path}.${name}`);
    }
    for (const [name, p] of Object.entries(properties)) if (p.required && !(name in value)) errors.push(`${path}.${name}: required`);
  };

  const checkReferences = (node: Node, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => checkReferences(n, `${path}[${i}]`));
    if (!isRecord(node)) return;
    if (typeof node.Ref === 'string' && !ids.has(node.Ref) && !params.has(node.Ref) && !PSEUDO.has(node.Ref)) errors.push(`${path}: Ref to unknown ${node.Ref}`);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [id, attribute] = getAtt as [string, string];
      const target = template.Resources[id];
      if (!target) errors.push(`${path}: GetAtt of unknown ${id}`);
      else if (!(attribute in (spec.resource(target.Type)?.attributes ?? {}))) errors.push(`${path}: ${target.Type} has no attribute ${attribute}`);
    }
    const ifCondition = node['Fn::If'];
    if (Array.isArray(ifCondition) && !conditions.has(ifCondition[0] as string)) errors.push(`${path}: Fn::If of unknown condition ${String(ifCondition[0])}`);
    for (const [k, v] of Object.entries(node)) checkReferences(v, `${path}.${k}`);
  };

  for (const [id, resource] of Object.entries(template.Resources)) {
    const rs = spec.resource(resource.Type);
    if (!rs) {
      errors.push(`${id}: unknown resource type ${resource.Type}`);
      continue;
    }
    checkProperties(resource.Properties ?? {}, rs.properties, id);
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    for (const d of dependsOn) if (!ids.has(d as string)) errors.push(`${id}: DependsOn unknown ${String(d)}`);
    if (resource.Condition !== undefined && !conditions.has(resource.Condition as string)) errors.push(`${id}: unknown condition ${JSON.stringify(resource.Condition)}`);
  }
  checkReferences({ Conditions: template.Conditions, Resources: template.Resources, Outputs: template.Outputs }, 'template');
  return errors;
}
