/**
 * osls's CloudFormation template → a plain template for CloudFormation StackSets. Pure: the input
 * is what `osls package` produced with every param (and the stage) set to its sentinel
 * (./parameters.ts), so every resource serverless.yml declares or osls generates — the function,
 * its generated role, the rules, the DLQ, the alarms, anything added later — comes through
 * unchanged, except:
 *  - the Serverless deployment bucket and its policy go (a StackSet has no per-stack upload step);
 *  - the function code comes from `<CodeBucketPrefix>-<Region>` / `CodeKey`, one bucket per Region;
 *  - each sentinel becomes a `Ref` to its parameter (or `${Parameter}` inside a string, by Fn::Sub);
 *  - logical ids lose the stage osls put in some of them (they must not depend on a parameter).
 */
import type { CfnParameter, StackSetParameter } from './parameters.js';
import { CODE_BUCKET_PREFIX_PARAMETER, CODE_KEY_PARAMETER } from './parameters.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: JsonObject;
  DependsOn?: string | string[];
  Condition?: string;
  [attribute: string]: Json | undefined;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: JsonObject;
  Parameters?: Record<string, CfnParameter>;
  Conditions?: JsonObject;
  Resources: Record<string, CfnResource>;
  Outputs?: JsonObject;
}

const DEPLOYMENT_BUCKET = 'ServerlessDeploymentBucket';
const DEPLOYMENT_BUCKET_RESOURCES = [DEPLOYMENT_BUCKET, 'ServerlessDeploymentBucketPolicy'];

export interface TransformOptions {
  parameters: readonly StackSetParameter[];
  /** The stage's sentinel, as osls normalised it into logical ids (already alphanumeric). */
  stageSentinel: string;
  description: string;
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `EmrauditSTAGEauditrule2EventBridgeRule` → `Emrauditauditrule2EventBridgeRule`. */
export function stageFreeLogicalId(id: string, stageToken: string): string {
  return stageToken ? id.split(stageToken).join('') : id;
}

export function toStackSetTemplate(osls: CfnTemplate, options: TransformOptions): CfnTemplate {
  const source = structuredClone(osls);
  const resources = Object.fromEntries(Object.entries(source.Resources).filter(([id]) => !DEPLOYMENT_BUCKET_RESOURCES.includes(id)));
  const outputs = Object.fromEntries(Object.entries(source.Outputs ?? {}).filter(([, o]) => !refersTo(o, DEPLOYMENT_BUCKET)));

  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const code = resource.Properties?.Code;
    if (!isObject(code) || !refersTo(code.S3Bucket ?? null, DEPLOYMENT_BUCKET)) throw new Error(`${id}: code is not in the deployment bucket`);
    resource.Properties!.Code = {
      S3Bucket: { 'Fn::Sub': `\${${CODE_BUCKET_PREFIX_PARAMETER}}-\${AWS::Region}` },
      S3Key: { Ref: CODE_KEY_PARAMETER },
    };
  }

  const renamed = new Map<string, string>();
  for (const id of Object.keys(resources)) {
    const to = stageFreeLogicalId(id, options.stageSentinel);
    if (to !== id) renamed.set(id, to);
  }
  const renamedResources = Object.fromEntries(Object.entries(resources).map(([id, r]) => [renamed.get(id) ?? id, r])) as unknown as JsonObject;
  const body = renameReferences({ Conditions: source.Conditions ?? {}, Resources: renamedResources, Outputs: outputs }, renamed);
  const substitutions = options.parameters.flatMap((p) => (p.sentinel ? [{ sentinel: p.sentinel, name: p.name }] : []));
  const substituted = substitute(body, substitutions, false) as { Conditions: JsonObject; Resources: JsonObject; Outputs: JsonObject };

  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: options.description,
    Metadata: {
      'AWS::CloudFormation::Interface': {
        ParameterGroups: (['Deployment', 'Schedule and alarms', 'Audit settings'] as const).map((group) => ({
          Label: { default: group },
          Parameters: options.parameters.filter((p) => p.group === group).map((p) => p.name),
        })),
      },
    },
    Parameters: Object.fromEntries(options.parameters.map((p) => [p.name, p.definition])),
    ...(Object.keys(substituted.Conditions).length > 0 ? { Conditions: substituted.Conditions } : {}),
    Resources: substituted.Resources as unknown as Record<string, CfnResource>,
    ...(Object.keys(substituted.Outputs).length > 0 ? { Outputs: substituted.Outputs } : {}),
  };
  assertComplete(template, options);
  return template;
}

function refersTo(node: Json, id: string): boolean {
  if (Array.isArray(node)) return node.some((n) => refersTo(n, id));
  if (!isObject(node)) return false;
  if (node.Ref === id) return true;
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[0] === id) return true;
  return Object.values(node).some((n) => refersTo(n, id));
}

/** Ref, Fn::GetAtt, DependsOn and `${Id}` in Fn::Sub, to the renamed logical ids. */
function renameReferences<T extends Json>(node: T, renamed: ReadonlyMap<string, string>): T {
  if (renamed.size === 0) return node;
  const walk = (n: Json, key?: string): Json => {
    if (typeof n === 'string') {
      if (key === 'Ref' || key === 'DependsOn') return renamed.get(n) ?? n;
      if (key === 'Fn::Sub') return n.replace(/\$\{([A-Za-z0-9]+)([.}])/g, (m, id: string, end: string) => `\${${renamed.get(id) ?? id}${end}`);
      return n;
    }
    if (Array.isArray(n)) {
      if (key === 'Fn::GetAtt' && typeof n[0] === 'string') return [renamed.get(n[0]) ?? n[0], ...n.slice(1).map((x) => walk(x))];
      if (key === 'DependsOn') return n.map((x) => walk(x, 'DependsOn'));
      if (key === 'Fn::Sub' && typeof n[0] === 'string') return [walk(n[0], 'Fn::Sub'), ...n.slice(1).map((x) => walk(x))];
      return n.map((x) => walk(x));
    }
    if (isObject(n)) return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v, k)]));
    return n;
  };
  return walk(node) as T;
}

interface Substitution {
  sentinel: string;
  name: string;
}

/**
 * Sentinels → parameters. A string that is exactly a sentinel becomes `{ Ref }`; one that contains
 * sentinels becomes an Fn::Sub (its own `${` escaped as `${!`); inside an Fn::Sub template string a
 * sentinel becomes `${Name}`.
 */
function substitute(node: Json, subs: readonly Substitution[], inSub: boolean): Json {
  if (typeof node === 'string') {
    const hits = subs.filter((s) => node.includes(s.sentinel));
    if (hits.length === 0) return node;
    if (inSub) return replaceAll(node, hits);
    const whole = hits.find((s) => s.sentinel === node);
    if (whole) return { Ref: whole.name };
    return { 'Fn::Sub': replaceAll(node.replace(/\$\{/g, '${!'), hits) };
  }
  if (Array.isArray(node)) return node.map((n) => substitute(n, subs, false));
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => {
      if (subs.some((s) => k.includes(s.sentinel))) throw new Error(`a key holds a parameter's sentinel: ${k}`);
      if (k === 'Fn::Sub') {
        if (typeof v === 'string') return [k, substitute(v, subs, true)];
        if (Array.isArray(v) && typeof v[0] === 'string') return [k, [substitute(v[0], subs, true), ...v.slice(1).map((x) => substitute(x, subs, false))]];
      }
      return [k, substitute(v, subs, false)];
    }),
  );
}

function replaceAll(s: string, subs: readonly Substitution[]): string {
  return subs.reduce((acc, sub) => acc.split(sub.sentinel).join(`\${${sub.name}}`), s);
}

/** Nothing of the osls-only world may survive: a sentinel left over is a param the template misses. */
function assertComplete(template: CfnTemplate, options: TransformOptions): void {
  const text = JSON.stringify({ ...template, Parameters: undefined, Metadata: undefined });
  const leftover = [options.stageSentinel, ...options.parameters.flatMap((p) => (p.sentinel ? [p.sentinel] : []))].find((s) => text.toLowerCase().includes(s.toLowerCase()));
  if (leftover) throw new Error(`the template still holds the sentinel ${leftover}`);
  for (const id of DEPLOYMENT_BUCKET_RESOURCES) {
    if (refersTo(template as unknown as Json, id)) throw new Error(`the template still refers to ${id}`);
  }
  if (/"serverless\/[^"]*\.zip"/.test(text)) throw new Error('the template still holds a Serverless artefact key');
}
