/**
 * Flag parsing on top of node:util parseArgs. parseArgs runs non-strict so that every mistake
 * (unknown flag, missing value, flag given twice) gets our own one-line message with a hint,
 * instead of Node's multi-sentence errors.
 */
import { parseArgs } from 'node:util';
import { closest } from './suggest.js';

/** A mistake in how the command was called: exit code 2, one line on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Repeatable (`--region a --region b`); values accumulate in order. */
  multiple?: boolean;
  short?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParsedFlags {
  /** The single value of a string flag (undefined when absent). */
  string(name: string): string | undefined;
  /** Every value of a repeatable string flag, in order. */
  strings(name: string): string[];
  /** A boolean flag was given. */
  has(name: string): boolean;
  positionals: string[];
}

/** Whether `raw` (`--name`, `--name=value`, `-x`) names one of `specs`' flags. */
export function takesOption(specs: FlagSpecs, raw: string): boolean {
  if (raw.startsWith('--')) return Object.hasOwn(specs, raw.slice(2).split('=')[0]!);
  return raw.length === 2 && Object.values(specs).some((s) => s.short === raw[1]);
}

/**
 * Parse `argv` against `specs`; `command` names the command in messages (`scan`, `collect`…).
 * Throws UsageError on the first mistake.
 */
export function parseFlags(argv: readonly string[], specs: FlagSpecs, command: string): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  }
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });

  const strings = new Map<string, string[]>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  const help = `run \`emr-audit ${command} --help\``;

  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const spec = specs[token.name];
    if (!spec) {
      const names = Object.keys(specs).map((n) => `--${n}`);
      const guess = token.rawName.startsWith('--') ? closest(token.rawName, names) : undefined;
      throw new UsageError(`unknown option ${token.rawName} for ${command}${guess ? ` (did you mean ${guess}?)` : ''}; ${help}`);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value (got "${token.value}")`);
      booleans.add(token.name);
      continue;
    }
    // parseArgs takes the next argument as the value even when it is another flag (`--region --demo`).
    const value = token.value;
    if (value === undefined || value === '' || (!token.inlineValue && value.startsWith('-') && value !== '-')) {
      throw new UsageError(`${token.rawName} needs a value; ${help}`);
    }
    const bucket = strings.get(token.name) ?? [];
    if (!spec.multiple && bucket.length > 0) throw new UsageError(`${token.rawName} was given more than once`);
    bucket.push(value);
    strings.set(token.name, bucket);
  }

  return {
    string: (name) => strings.get(name)?.[0],
    strings: (name) => strings.get(name) ?? [],
    has: (name) => booleans.has(name),
    positionals,
  };
}

/** `--set key=value` pairs as a record; later pairs win. */
export function parseSetPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${pair}: expected key=value, e.g. --set ssmGraceMinutes=30`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
