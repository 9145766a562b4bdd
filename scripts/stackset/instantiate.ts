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
