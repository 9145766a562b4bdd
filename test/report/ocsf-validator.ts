/**
 * A small validator of OCSF events against the schema sources of one OCSF version (the files
 * vendored under test/fixtures/ocsf-1.6, unchanged from github:ocsf/ocsf-schema at tag 1.6.0).
 * It compiles a class the way the OCSF schema server does — the class's `extends` chain over the
 * dictionary, enums merged, profiles included — and checks an event for:
 *  - attributes unknown to the class or object (or belonging to a profile the event does not declare);
 *  - required attributes (of the class, its objects and the declared profiles) missing;
 *  - types: strings, integers, arrays, nested objects; a type's `max_len`, `regex` and `range`;
 *  - enums: an `_id` outside its enum, and its sibling caption (`severity` of `severity_id`) not
 *    the enum's caption (except Other, 99);
 *  - deprecated attributes used; objects' `at_least_one` / `just_one` constraints;
 *  - class_uid / category_uid / type_uid / type_name as the class and category define them;
 *  - observables: a `type_id` the schema defines, with its caption as `type`, and a value within
 *    the limits of the observable's type.
 * What it does not cover (not used by emr-audit): extensions, profiles other than those vendored.
 */
import { readFileSync } from 'node:fs';

interface AttrDef {
  type?: string;
  is_array?: boolean;
  requirement?: string;
  profile?: string | null;
  sibling?: string;
  enum?: Record<string, { caption: string }>;
  '@deprecated'?: unknown;
  caption?: string;
}

interface SchemaFile {
  name: string;
  caption: string;
  uid?: number;
  extends?: string;
  category?: string;
  attributes: Record<string, AttrDef> & { $include?: string[] };
  constraints?: { at_least_one?: string[]; just_one?: string[] };
  observable?: number;
}

interface TypeDef {
  caption: string;
  type?: string;
  max_len?: number;
  regex?: string;
  range?: [number, number];
  observable?: number;
}

interface Compiled {
  caption: string;
  attributes: Map<string, AttrDef>;
  constraints: { at_least_one?: string[]; just_one?: string[] };
}

const GENERATED_ENUMS = new Set(['class_uid', 'category_uid', 'type_uid', 'observables[].type_id']);

const OBJECT_FILES = ['_entity', '_resource', 'account', 'cloud', 'compliance', 'evidences', 'finding_info', 'metadata', 'observable', 'product', 'remediation', 'resource_details'];

export class OcsfSchema {
  private readonly dictionary: Record<string, AttrDef>;
  private readonly types: Record<string, TypeDef>;
  private readonly files = new Map<string, SchemaFile>();
  private readonly profiles = new Map<string, SchemaFile>();
  private readonly categories: Record<string, { uid: number; caption: string }>;
  private readonly compiled = new Map<string, Compiled>();
  readonly observableTypes = new Map<number, { caption: string; type?: string }>();

  constructor(private readonly root: URL) {
    const dict = this.read<{ attributes: Record<string, AttrDef>; types: { attributes: Record<string, TypeDef> } }>('dictionary.json');
    this.dictionary = dict.attributes;
    this.types = dict.types.attributes;
    this.categories = this.read<{ attributes: Record<string, { uid: number; caption: string }> }>('categories.json').attributes;
    for (const f of ['events/base_event', 'events/findings/finding', 'events/findings/compliance_finding']) {
      const file = this.read<SchemaFile>(`${f}.json`);
      this.files.set(file.name, file);
    }
    for (const o of OBJECT_FILES) {
      const file = this.read<SchemaFile>(`objects/${o}.json`);
      this.files.set(file.name, file);
    }
    const cloud = this.read<SchemaFile>('profiles/cloud.json');
    this.profiles.set('profiles/cloud.json', cloud);
    // The observable type ids: 0 and 99, then every type, attribute and object that declares one.
    this.observableTypes.set(0, { caption: 'Unknown' });
    this.observableTypes.set(99, { caption: 'Other' });
    for (const [name, t] of Object.entries(this.types)) if (t.observable !== undefined) this.observableTypes.set(t.observable, { caption: t.caption, type: name });
    for (const a of Object.values(this.dictionary) as Array<AttrDef & { observable?: number }>) {
      if (a.observable !== undefined) this.observableTypes.set(a.observable, { caption: a.caption ?? '', ...(a.type ? { type: a.type } : {}) });
    }
    for (const f of this.files.values()) if (f.observable !== undefined) this.observableTypes.set(f.observable, { caption: f.caption });
  }

  private read<T>(path: string): T {
    return JSON.parse(readFileSync(new URL(path, this.root), 'utf8')) as T;
  }

  /** A class or object with its inherited and included attributes, as the schema server compiles it. */
  compile(name: string): Compiled {
    const cached = this.compiled.get(name);
    if (cached) return cached;
    const file = this.files.get(name);
    if (!file) throw new Error(`OCSF ${name}: not in the vendored schema files`);
    const parent = file.extends && file.extends !== 'object' ? this.compile(file.extends) : undefined;
    const attributes = new Map<string, AttrDef>(parent ? [...parent.attributes].map(([k, v]) => [k, { ...v }]) : []);
    const merge = (key: string, def: AttrDef, profile?: string): void => {
      const base = attributes.get(key) ?? { ...this.dictionary[key] };
      const merged: AttrDef = { ...base, ...def };
      const enums = { ...(this.dictionary[key]?.enum ?? {}), ...(base.enum ?? {}), ...(def.enum ?? {}) };
      if (Object.keys(enums).length > 0) merged.enum = enums;
      if (profile !== undefined) merged.profile = profile;
      attributes.set(key, merged);
    };
    for (const include of file.attributes.$include ?? []) {
      const profile = this.profiles.get(include);
      // A profile not vendored: its attributes stay unknown (emr-audit declares none of them).
      if (!profile) continue;
      for (const [key, def] of Object.entries(profile.attributes as Record<string, unknown>)) if (key !== '$include') merge(key, def as AttrDef, profile.name);
    }
    for (const [key, def] of Object.entries(file.attributes as Record<string, unknown>)) if (key !== '$include') merge(key, def as AttrDef);
    const result: Compiled = { caption: file.caption, attributes, constraints: { ...(parent?.constraints ?? {}), ...(file.constraints ?? {}) } };
    this.compiled.set(name, result);
    return result;
  }

  /** The type chain's limits: `resource_uid_t` → `string_t`. */
  private primitive(type: string): { base: string; max_len?: number; regex?: string; range?: [number, number] } {
    let t = this.types[type];
    const out: { base: string; max_len?: number; regex?: string; range?: [number, number] } = { base: type };
    while (t) {
      out.max_len ??= t.max_len;
      out.regex ??= t.regex;
      out.range ??= t.range;
      if (!t.type) break;
      out.base = t.type;
      t = this.types[t.type];
    }
    return out;
  }

  /** Problems of `value` as an instance of the type `type` at `path` (empty when valid). */
  private checkValue(value: unknown, type: string, path: string, profiles: ReadonlySet<string>, errors: string[]): void {
    if (type === 'object') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) errors.push(`${path}: expected an object`);
      return;
    }
    if (this.files.has(type)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${path}: expected an object (${type})`);
        return;
      }
      this.checkObject(value as Record<string, unknown>, this.compile(type), path, profiles, errors);
      return;
    }
    if (!this.types[type]) {
      errors.push(`${path}: type ${type} is not in the vendored schema`);
      return;
    }
    const p = this.primitive(type);
    switch (p.base) {
      case 'string_t':
        if (typeof value !== 'string') errors.push(`${path}: expected a string (${type})`);
        else {
          if (p.max_len !== undefined && value.length > p.max_len) errors.push(`${path}: longer than ${p.max_len} (${type})`);
          if (p.regex !== undefined && !new RegExp(p.regex).test(value)) errors.push(`${path}: does not match ${type}`);
        }
        return;
      case 'integer_t':
      case 'long_t':
        if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(`${path}: expected an integer (${type})`);
        else if (p.range && (value < p.range[0] || value > p.range[1])) errors.push(`${path}: outside ${p.range.join('–')} (${type})`);
        return;
      case 'float_t':
        if (typeof value !== 'number') errors.push(`${path}: expected a number (${type})`);
        return;
      case 'boolean_t':
        if (typeof value !== 'boolean') errors.push(`${path}: expected a boolean`);
        return;
      case 'json_t':
        return;
      default:
        errors.push(`${path}: unhandled base type ${p.base}`);
    }
  }

  private checkObject(obj: Record<string, unknown>, def: Compiled, path: string, profiles: ReadonlySet<string>, errors: string[]): void {
    const applies = (a: AttrDef): boolean => !a.profile || profiles.has(a.profile);
    for (const [key, value] of Object.entries(obj)) {
      const at = path ? `${path}.${key}` : key;
      const attr = def.attributes.get(key);
      if (!attr || !applies(attr)) {
        errors.push(`${at}: not an attribute of ${def.caption}${attr?.profile ? ` without the ${attr.profile} profile` : ''}`);
        continue;
      }
      if (attr['@deprecated']) errors.push(`${at}: deprecated in OCSF 1.6`);
      if (!attr.type) {
        errors.push(`${at}: no type in the dictionary`);
        continue;
      }
      if (attr.is_array) {
        if (!Array.isArray(value)) errors.push(`${at}: expected an array`);
        else value.forEach((v, i) => this.checkValue(v, attr.type!, `${at}[${i}]`, profiles, errors));
      } else this.checkValue(value, attr.type, at, profiles, errors);
      // The schema server generates these enums (per class, per observable type): validate() checks them.
      const generated = GENERATED_ENUMS.has(at.replace(/\[\d+\]/g, '[]'));
      if (attr.enum && !generated && (typeof value === 'number' || typeof value === 'string')) {
        const entry = attr.enum[String(value)];
        if (!entry) errors.push(`${at}: ${String(value)} is not in its enum`);
        else if (attr.sibling && obj[attr.sibling] !== undefined && String(value) !== '99' && obj[attr.sibling] !== entry.caption) {
          errors.push(`${path ? `${path}.` : ''}${attr.sibling}: "${String(obj[attr.sibling])}" is not the caption of ${key} ${String(value)} ("${entry.caption}")`);
        }
      }
    }
    for (const [key, attr] of def.attributes) {
      if (attr.requirement === 'required' && applies(attr) && obj[key] === undefined) errors.push(`${path ? `${path}.` : ''}${key}: required by ${def.caption}`);
    }
    const present = (k: string): boolean => obj[k] !== undefined;
    if (def.constraints.at_least_one && !def.constraints.at_least_one.some(present)) errors.push(`${path || def.caption}: needs at least one of ${def.constraints.at_least_one.join(', ')}`);
    if (def.constraints.just_one && def.constraints.just_one.filter(present).length !== 1) errors.push(`${path || def.caption}: needs exactly one of ${def.constraints.just_one.join(', ')}`);
  }

  /** Every problem of `event` as an instance of the class `className` (empty: valid). */
  validate(event: Record<string, unknown>, className: string): string[] {
    const errors: string[] = [];
    const file = this.files.get(className)!;
    const def = this.compile(className);
    const metadata = event.metadata as { profiles?: unknown } | undefined;
    const profiles = new Set(Array.isArray(metadata?.profiles) ? (metadata.profiles as string[]) : []);
    this.checkObject(event, def, '', profiles, errors);
    // Classification: the class's and category's numbers, and the type derived from them.
    const category = this.categories[file.category ?? this.files.get(file.extends ?? '')?.category ?? ''];
    if (!category) errors.push(`class ${className}: no category`);
    else {
      const classUid = category.uid * 1000 + (file.uid ?? 0);
      if (event.category_uid !== category.uid) errors.push(`category_uid: expected ${category.uid}`);
      if (event.category_name !== undefined && event.category_name !== category.caption) errors.push(`category_name: expected ${category.caption}`);
      if (event.class_uid !== classUid) errors.push(`class_uid: expected ${classUid}`);
      if (event.class_name !== undefined && event.class_name !== file.caption) errors.push(`class_name: expected ${file.caption}`);
      const activity = def.attributes.get('activity_id')?.enum?.[String(event.activity_id)];
      if (event.type_uid !== classUid * 100 + Number(event.activity_id)) errors.push(`type_uid: expected ${classUid * 100 + Number(event.activity_id)}`);
      if (activity && event.type_name !== undefined && event.type_name !== `${file.caption}: ${activity.caption}`) errors.push(`type_name: expected "${file.caption}: ${activity.caption}"`);
    }
    const observables = Array.isArray(event.observables) ? (event.observables as Array<Record<string, unknown>>) : [];
    observables.forEach((o, i) => {
      const known = this.observableTypes.get(Number(o.type_id));
      if (!known) errors.push(`observables[${i}].type_id: ${String(o.type_id)} is not an observable type of OCSF 1.6`);
      else {
        if (o.type !== undefined && o.type !== known.caption) errors.push(`observables[${i}].type: expected "${known.caption}"`);
        if (known.type && this.types[known.type] && o.value !== undefined) this.checkValue(o.value, known.type, `observables[${i}].value`, profiles, errors);
      }
    });
    return errors;
  }
}

export const OCSF_1_6 = new URL('../fixtures/ocsf-1.6/', import.meta.url);
