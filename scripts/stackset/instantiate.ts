/**
 * What CloudFormation does with a template's parameters before it creates anything: check each
 * value against its parameter (validateParameterValues) and resolve the references to them
 * (instantiate). The tests use both to prove that the StackSet template, given the values of an
 * osls deployment, is that deployment's template; the example parameter file is checked with the
 * first.
 */
import type { CfnParameter } from './parameters.js';
import type { CfnTemplate, Json, JsonObject } from './transform.js';

export type ParameterValues = Record<string, string>;

/** One `[{ ParameterKey, ParameterValue }]` file (the AWS CLI's --parameters file://…). */
export function parameterFileValues(entries: readonly { ParameterKey: string; ParameterValue: string }[]): ParameterValues {
  return Object.fromEntries(entries.map((e) => [e.ParameterKey, e.ParameterValue]));
}

/** CloudFormation's checks of parameter values, as documented for String and Number parameters. */
export function validateParameterValues(parameters: Record<string, CfnParameter>, values: ParameterValues): string[] {
  const errors: string[] = [];
  for (const name of Object.keys(values)) if (!parameters[name]) errors.push(`${name}: not a parameter of the template`);
  for (const [name, p] of Object.entries(parameters)) {
    const value = values[name] ?? p.Default;
    if (value === undefined) {
      errors.push(`${name}: a value is required`);
      continue;
    }
    const why = p.ConstraintDescription ? ` (${p.ConstraintDescription})` : '';
    if (p.Type === 'Number') {
      // CloudFormation takes an integer or a float; anything else is refused before any bound.
      if (!/^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(value.trim())) {
        errors.push(`${name}: "${value}" is not a number${why}`);
        continue;
      }
      const n = Number(value);
      if (p.MinValue !== undefined && n < p.MinValue) errors.push(`${name}: ${value} is below ${p.MinValue}${why}`);
      if (p.MaxValue !== undefined && n > p.MaxValue) errors.push(`${name}: ${value} is above ${p.MaxValue}${why}`);
    }
    if (p.AllowedValues && !p.AllowedValues.includes(value)) errors.push(`${name}: "${value}" is not one of ${p.AllowedValues.join(', ')}`);
    // AllowedPattern must match the whole value (Java's Matcher.matches()).
    if (p.AllowedPattern !== undefined && !new RegExp(`^(?:${p.AllowedPattern})$`).test(value)) errors.push(`${name}: "${value}" does not match the pattern${why}`);
    if (p.MinLength !== undefined && value.length < p.MinLength) errors.push(`${name}: shorter than ${p.MinLength}`);
    if (p.MaxLength !== undefined && value.length > p.MaxLength) errors.push(`${name}: longer than ${p.MaxLength}`);
  }
  return errors;
}

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The template with every reference to a parameter replaced by its value (given or default): a
 * `Ref` by the value, `${Name}` inside Fn::Sub by the value — and an Fn::Sub left with no variable
 * by the plain string it now is. References to pseudo parameters and resources stay.
 */
export function instantiate(template: CfnTemplate, values: ParameterValues): CfnTemplate {
  const parameters = template.Parameters ?? {};
  const errors = validateParameterValues(parameters, values);
  if (errors.length > 0) throw new Error(`invalid parameters:\n${errors.join('\n')}`);
  const value = (name: string): string => values[name] ?? parameters[name]!.Default!;
  const sub = (s: string): string => s.replace(/\$\{([A-Za-z0-9]+)\}/g, (m, name: string) => (parameters[name] ? value(name) : m));
  const walk = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(walk);
    if (!isObject(n)) return n;
    const keys = Object.keys(n);
    if (keys.length === 1 && typeof n.Ref === 'string' && parameters[n.Ref]) return value(n.Ref);
    if (keys.length === 1 && typeof n['Fn::Sub'] === 'string') {
      const s = sub(n['Fn::Sub']);
      return /\$\{[^!]/.test(s) ? { 'Fn::Sub': s } : s.replace(/\$\{!/g, '${');
    }
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)]));
  };
  const { Parameters: _parameters, Metadata: _metadata, ...rest } = template;
  return walk(rest as unknown as Json) as unknown as CfnTemplate;
}

const NO_VALUE = '\u0000NoValue';

/**
 * What CloudFormation creates from a template whose conditions are decided: every condition that
 * evaluates from literals (Fn::Equals of two scalars, Fn::Not/And/Or, Condition) is applied — an
 * Fn::If takes its branch, `Ref: AWS::NoValue` drops its property or list element, a resource on
 * a false condition goes — and the decided conditions leave the template. Two templates that
 * deploy the same are equal after this, however each spells an off switch.
 */
export function resolveConditions(template: CfnTemplate): CfnTemplate {
  const defined = template.Conditions ?? {};
  const decided = new Map<string, boolean | undefined>();
  const evaluate = (n: Json): boolean | undefined => {
    if (!isObject(n)) return undefined;
    const [[fn, args] = []] = Object.entries(n);
    if (fn === 'Condition' && typeof args === 'string') return decide(args);
    if (!Array.isArray(args)) return undefined;
    if (fn === 'Fn::Equals') {
      const [a, b] = args;
      const scalar = (v: Json | undefined) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
      return scalar(a) && scalar(b) ? String(a) === String(b) : undefined;
    }
    const values = args.map(evaluate);
    if (fn === 'Fn::Not') return values[0] === undefined ? undefined : !values[0];
    if (fn === 'Fn::And') return values.includes(false) ? false : values.every((v) => v === true) ? true : undefined;
    if (fn === 'Fn::Or') return values.includes(true) ? true : values.every((v) => v === false) ? false : undefined;
    return undefined;
  };
  const decide = (name: string): boolean | undefined => {
    if (!decided.has(name)) {
      decided.set(name, undefined);
      decided.set(name, defined[name] === undefined ? undefined : evaluate(defined[name]));
    }
    return decided.get(name);
  };
  const walk = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(walk).filter((v) => v !== NO_VALUE);
    if (!isObject(n)) return n;
    const keys = Object.keys(n);
    if (keys.length === 1 && n.Ref === 'AWS::NoValue') return NO_VALUE;
    const ifArgs = n['Fn::If'];
    if (keys.length === 1 && Array.isArray(ifArgs) && typeof ifArgs[0] === 'string') {
      const value = decide(ifArgs[0]);
      if (value !== undefined) return walk(ifArgs[value ? 1 : 2]!);
    }
    return Object.fromEntries(
      Object.entries(n)
        .map(([k, v]) => [k, walk(v)] as const)
        .filter(([, v]) => v !== NO_VALUE),
    );
  };
  const resources = Object.entries(template.Resources).filter(([, r]) => r.Condition === undefined || decide(r.Condition) !== false);
  const { Conditions: _conditions, ...rest } = template;
  const body = walk({ ...rest, Resources: Object.fromEntries(resources) } as unknown as Json) as unknown as CfnTemplate;
  const undecided = Object.entries(defined).filter(([name]) => decide(name) === undefined);
  for (const r of Object.values(body.Resources)) if (r.Condition !== undefined && decide(r.Condition) === true) delete r.Condition;
  return undecided.length > 0 ? { ...body, Conditions: Object.fromEntries(undecided) } : body;
}
