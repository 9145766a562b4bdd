/**
 * A structural validator of ASFF findings against the Security Hub API model the SDK ships
 * (`@aws-sdk/client-securityhub`'s schema file): every key of a finding must be a member of its
 * shape, with a value of the member's type (string, number, boolean, list, map or structure). It
 * catches a misspelt field name (`DestinationIPv4`, `Detail`) that BatchImportFindings would reject.
 * Lengths and required fields are checked elsewhere (test/helpers/fake-security-hub.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Shape =
  | { kind: 'string' | 'number' | 'boolean' | 'timestamp' | 'document' }
  | { kind: 'list'; member: () => Shape }
  | { kind: 'map'; value: () => Shape }
  | { kind: 'struct'; name: string; members: Map<string, () => Shape> };

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('@aws-sdk/client-securityhub/package.json'));
const source = readFileSync(join(root, 'dist-es', 'schemas', 'schemas_0.js'), 'utf8');

const names = new Map<string, string>();
for (const m of source.matchAll(/^const (_\w+) = "([^"]*)";$/gm)) names.set(m[1]!, m[2]!);

const structs = new Map<string, Shape>();
const lists = new Map<string, string>();
for (const m of source.matchAll(/^(?:export )?var (\w+) = \[1, n0, _\w+,\s*\n\s*0, (.+?)\s*\n\];/gm)) lists.set(m[1]!, m[2]!.trim());
for (const m of source.matchAll(/^(?:export )?var (\w+) = (64 \| \d+|128 \| \d+);/gm)) lists.set(m[1]!, m[2]!);
for (const m of source.matchAll(/^(?:export )?var (\w+) = \[2, n0, _\w+,\s*\n\s*0, (.+?), (.+?)\s*\n\];/gm)) lists.set(m[1]!, `map:${m[3]!.trim()}`);

function primitive(code: string): Shape {
  switch (code) {
    case '0':
      return { kind: 'string' };
    case '1':
      return { kind: 'number' };
    case '2':
      return { kind: 'boolean' };
    case '4':
    case '5':
      return { kind: 'timestamp' };
    default:
      return { kind: 'document' };
  }
}

function typeOf(code: string): () => Shape {
  const c = code.trim();
  const ref = /^\(\) => (\w+\$?)$/.exec(c);
  if (ref) {
    const target = ref[1]!;
    if (target.endsWith('$')) return () => structOf(target.slice(0, -1));
    return () => named(target);
  }
  const bits = /^(64|128) \| (\d+)$/.exec(c);
  if (bits) {
    const inner = primitive(bits[2]!);
    return bits[1] === '64' ? () => ({ kind: 'list', member: () => inner }) : () => ({ kind: 'map', value: () => inner });
  }
  return () => primitive(c);
}

function named(target: string): Shape {
  const def = lists.get(target);
  if (def === undefined) throw new Error(`asff-schema: unknown shape ${target}`);
  if (def.startsWith('map:')) return { kind: 'map', value: typeOf(def.slice(4)) };
  const bits = /^(64|128) \| (\d+)$/.exec(def);
  if (bits) return typeOf(def)();
  return { kind: 'list', member: typeOf(def) };
}

const structDefs = new Map<string, { members: string[]; types: string[] }>();
for (const m of source.matchAll(/^export var (\w+)\$ = \[3, n0, _\w+,\s*\n\s*\d+,\s*\n\s*\[(.*?)\],\s*\n\s*\[(.*?)\](?:, \d+)?\s*\n\];/gm)) {
  const members = m[2]!.split(',').map((s) => s.trim()).filter(Boolean);
  const types = m[3]!.split(/,(?![^(]*\))/).map((s) => s.trim()).filter(Boolean);
  structDefs.set(m[1]!, { members, types });
}

function structOf(name: string): Shape {
  const cached = structs.get(name);
  if (cached) return cached;
  const def = structDefs.get(name);
  if (!def) throw new Error(`asff-schema: unknown structure ${name}`);
  const members = new Map<string, () => Shape>();
  def.members.forEach((m, i) => members.set(names.get(m) ?? m, typeOf(def.types[i] ?? '0')));
  const shape: Shape = { kind: 'struct', name, members };
  structs.set(name, shape);
  return shape;
}

/** Problems of `value` against `shape`, each with its path (`Resources[1].Details.AwsEc2Subnet.CidrBlock`). */
function check(value: unknown, shape: Shape, path: string, out: string[]): void {
  switch (shape.kind) {
    case 'string':
    case 'timestamp':
      if (typeof value !== 'string') out.push(`${path}: expected a string`);
      return;
    case 'number':
      if (typeof value !== 'number') out.push(`${path}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${path}: expected a boolean`);
      return;
    case 'document':
      return;
    case 'list':
      if (!Array.isArray(value)) {
        out.push(`${path}: expected a list`);
        return;
      }
      value.forEach((v, i) => check(v, shape.member(), `${path}[${i}]`, out));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.push(`${path}: expected a map`);
        return;
      }
      for (const [k, v] of Object.entries(value)) check(v, shape.value(), `${path}.${k}`, out);
      return;
    case 'struct':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.push(`${path}: expected a ${shape.name} structure`);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        const member = shape.members.get(k);
        if (!member) out.push(`${path}.${k}: not a member of ${shape.name}`);
        else if (v !== undefined) check(v, member(), `${path}.${k}`, out);
      }
  }
}

/** Every way the finding departs from the AwsSecurityFinding model; empty when it conforms. */
export function asffProblems(finding: unknown): string[] {
  const out: string[] = [];
  check(finding, structOf('AwsSecurityFinding'), 'finding', out);
  return out;
}
