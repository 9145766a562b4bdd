/**
 * `--format csv`: one row per result, RFC 4180 (a header row, CRLF line ends, fields with a comma,
 * quote or line break quoted, quotes doubled), for spreadsheets and ticketing imports.
 *
 * Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
 * formula (CSV injection): messages quote security group names and tags, which anyone who can
 * create a group controls. Such a cell gets a leading `'`, which spreadsheets show as text.
 */
import type { CheckMeta, Result } from '../../checks/contract.js';
import { complianceFor, type ComplianceRef } from '../compliance.js';
import type { ReportInput } from './report-input.js';
import { wholeText } from './json-chunks.js';

export const CSV_COLUMNS = [
  'account',
  'region',
  'cluster_id',
  'cluster_name',
  'check_id',
  'title',
  'severity',
  'status',
  'message',
  'resources',
  'compliance',
  // Appended (the columns before keep their places): when the data was collected (collectedAt of
  // the snapshot: for --demo/--snapshot its date, not the day the report was written).
  'observed_at',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet will not evaluate. */
export function neutralize(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** RFC 4180 quoting: only when the field needs it. */
export function csvField(value: string): string {
  const safe = neutralize(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The compliance cell: Security Hub controls first, then every requirement, `; `-separated. */
function complianceCell(refs: readonly ComplianceRef[]): string {
  const controls = [...new Set(refs.map((r) => r.source).filter((s) => s !== 'ours'))];
  const requirements = refs.filter((r) => r.framework !== 'aws-fsbp').map((r) => (r.source === 'ours' ? `${r.id} (ours)` : r.id));
  return [...controls, ...requirements].join('; ');
}

function row(r: Result, check: CheckMeta | undefined, observedAt: string): string[] {
  return [
    r.accountId,
    r.region,
    r.clusterId ?? '',
    r.clusterName ?? '',
    r.checkId,
    r.title,
    r.severity,
    r.status,
    r.message,
    r.resources.join('; '),
    complianceCell(check?.compliance ?? complianceFor(r.checkId)),
    observedAt,
  ];
}

/** The CSV text in chunks: the header, then one line per result, built as it is written. */
export function* csvChunks(input: ReportInput): Generator<string> {
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const collected = Date.parse(input.snapshot.collectedAt);
  const observedAt = Number.isNaN(collected) ? input.snapshot.collectedAt : new Date(collected).toISOString();
  const line = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\r\n`;
  yield line(CSV_COLUMNS);
  for (const r of input.results) yield line(row(r, checks.get(r.checkId), observedAt));
}

export function renderCsv(input: ReportInput): string {
  return wholeText(csvChunks(input));
}
