/**
 * `--severity` and `--status`: what a report SHOWS. They never change what is evaluated, what
 * --publish sends to Security Hub, or what --fail-on counts — the scan command applies them to
 * the report input only, after all of that is decided.
 */
import { SEVERITIES, STATUSES, type Result, type Severity, type Status } from '../checks/contract.js';
import { UsageError, type ParsedFlags } from './args.js';

export interface ShownFilter {
  severities?: ReadonlySet<Severity>;
  statuses?: ReadonlySet<Status>;
}

/** Comma lists, repeatable; case-insensitive; `INFO` is accepted for INFORMATIONAL. */
export function shownFilter(flags: ParsedFlags): ShownFilter {
  const severities = parseList(flags.strings('severity'), '--severity', SEVERITIES, { INFO: 'INFORMATIONAL' });
  const statuses = parseList(flags.strings('status'), '--status', STATUSES, { NA: 'NOT_APPLICABLE', 'N/A': 'NOT_APPLICABLE' });
  return { ...(severities ? { severities } : {}), ...(statuses ? { statuses } : {}) };
}

function parseList<T extends string>(values: readonly string[], flag: string, allowed: readonly T[], aliases: Record<string, T>): ReadonlySet<T> | undefined {
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean);
  if (items.length === 0) return undefined;
  const out = new Set<T>();
  for (const item of items) {
    const value = aliases[item] ?? allowed.find((a) => a === item);
    if (!value) throw new UsageError(`${flag} ${item}: expected one or more of ${allowed.join(', ')} (comma-separated)`);
    out.add(value);
  }
  return out;
}

export function isFiltered(filter: ShownFilter): boolean {
  return filter.severities !== undefined || filter.statuses !== undefined;
}

export function applyShown(results: readonly Result[], filter: ShownFilter): Result[] {
  return results.filter((r) => (!filter.severities || filter.severities.has(r.severity)) && (!filter.statuses || filter.statuses.has(r.status)));
}

/** For the report's header: `showing severity HIGH, CRITICAL · status FAIL`. */
export function describeShown(filter: ShownFilter): string | undefined {
  const parts: string[] = [];
  if (filter.severities) parts.push(`severity ${[...filter.severities].join(', ')}`);
  if (filter.statuses) parts.push(`status ${[...filter.statuses].join(', ')}`);
  return parts.length > 0 ? `showing only ${parts.join(' and ')}` : undefined;
}

/** Listing passes is asked for when the filter names PASS or NOT_APPLICABLE. */
export function showsPasses(filter: ShownFilter): boolean {
  return filter.statuses !== undefined && (filter.statuses.has('PASS') || filter.statuses.has('NOT_APPLICABLE'));
}
