/**
 * Every format of one run tells the same story: the demo account rendered as JSON, SARIF, OCSF
 * and CSV (each parsed back from its text) has the same counts per status and FAILs per severity.
 */
import { describe, expect, it } from 'vitest';
import { SEVERITIES, STATUSES } from '../../checks/contract.js';
import { renderCsv, type CSV_COLUMNS } from '../../lib/report/csv.js';
import { renderJson, type JsonReport } from '../../lib/report/json.js';
import { renderOcsf, type OcsfEvent } from '../../lib/report/ocsf.js';
import { renderSarif, type SarifLog } from '../../lib/report/sarif.js';
import { parseCsv } from './csv-reader.js';
import { demoInput } from './demo-input.js';

const input = demoInput();
const json = JSON.parse(renderJson(input)) as JsonReport;
const sarif = JSON.parse(renderSarif(input)) as SarifLog;
const ocsf = JSON.parse(renderOcsf(input)) as OcsfEvent[];
const [header, ...csv] = parseCsv(renderCsv(input));
// SARIF also lists suppressed FAILs (with `suppressions`); the FAIL counts are of the others.
const unsuppressed = sarif.runs[0]!.results.filter((r) => r.suppressions === undefined);

const tally = <T,>(items: readonly T[], key: (x: T) => string, keys: readonly string[]): Record<string, number> => {
  const out = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};

describe('all formats agree (demo account)', () => {
  const col = (name: (typeof CSV_COLUMNS)[number]): number => header!.indexOf(name);

  it('counts the same results per status in JSON, OCSF and CSV', () => {
    const expected = json.summary.counts;
    expect(Object.values(expected).reduce((a, b) => a + b, 0)).toBe(input.results.length);
    expect(tally(json.results, (r) => r.status, STATUSES)).toEqual(expected);
    expect(tally(ocsf, (e) => e.status_code, STATUSES)).toEqual(expected);
    expect(tally(csv, (row) => row[col('status')]!, STATUSES)).toEqual(expected);
  });

  it('counts the same FAILs per severity in JSON, SARIF, OCSF and CSV', () => {
    const expected = json.summary.failBySeverity;
    expect(expected.CRITICAL + expected.HIGH).toBeGreaterThan(0);
    expect(tally(unsuppressed, (r) => String(r.properties.severity), SEVERITIES)).toEqual(expected);
    expect(tally(ocsf.filter((e) => e.status_code === 'FAIL'), (e) => e.severity.toUpperCase(), SEVERITIES)).toEqual(expected);
    // OCSF: the open (New) Compliance Findings of each severity are exactly the FAILs and ERRORs (at Informational).
    const open = ocsf.filter((e) => e.status_id === 1 && e.severity_id > 1);
    expect(tally(open, (e) => e.severity.toUpperCase(), SEVERITIES)).toEqual({ ...expected, INFORMATIONAL: 0 });
    expect(tally(csv.filter((row) => row[col('status')] === 'FAIL'), (row) => row[col('severity')]!, SEVERITIES)).toEqual(expected);
  });

  it('counts the same FAILs per check in JSON and SARIF', () => {
    expect(tally(unsuppressed, (r) => r.ruleId, Object.keys(json.summary.failByCheck))).toEqual(json.summary.failByCheck);
  });

  it('shows every ERROR and every suppressed FAIL in SARIF', () => {
    expect(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications).toHaveLength(json.summary.counts.ERROR);
    const suppressedFails = json.results.filter((r) => r.status === 'SUPPRESSED' && r.originalStatus === 'FAIL').length;
    expect(sarif.runs[0]!.results.filter((r) => r.suppressions !== undefined)).toHaveLength(suppressedFails);
  });

  it('carries the same compliance mapping for a check in JSON, OCSF and CSV', () => {
    const jsonRefs = json.results.find((r) => r.checkId === 'instance/imdsv2-not-required')!.compliance;
    const ocsfRefs = ocsf.find((e) => e.unmapped.check_id === 'instance/imdsv2-not-required')!.unmapped.compliance;
    expect(ocsfRefs).toEqual(jsonRefs);
    const cell = csv.find((row) => row[col('check_id')] === 'instance/imdsv2-not-required')![col('compliance')]!;
    for (const ref of jsonRefs) expect(cell).toContain(ref.id);
  });
});
