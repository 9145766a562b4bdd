import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, neutralize, renderCsv } from '../../lib/report/csv.js';
import { makeSnapshot } from '../helpers/fixtures.js';
import { demoInput } from './demo-input.js';
import { parseCsv } from './csv-reader.js';
import { result } from './helpers.js';

describe('CSV output (RFC 4180)', () => {
  const input = demoInput();
  const text = renderCsv(input);
  const [header, ...rows] = parseCsv(text);

  it('has a header row and one row per result, every line ending in CRLF', () => {
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(input.results.length);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    expect(text.endsWith('\r\n')).toBe(true);
    // parseCsv rejects a line break outside quotes: every record ends in CRLF.
  });

  it('round-trips each result: account, region, cluster, check, title, severity, status, message, resources, compliance', () => {
    input.results.forEach((r, i) => {
      const row = Object.fromEntries(CSV_COLUMNS.map((c, j) => [c, rows[i]![j]!]));
      expect(row.account).toBe(r.accountId);
      expect(row.region).toBe(r.region);
      expect(row.cluster_id).toBe(r.clusterId ?? '');
      expect(row.cluster_name).toBe(r.clusterName ?? '');
      expect(row.check_id).toBe(r.checkId);
      expect(row.severity).toBe(r.severity);
      expect(row.status).toBe(r.status);
      expect(row.message).toBe(neutralize(r.message));
      expect(row.resources).toBe(neutralize(r.resources.join('; ')));
    });
    const emr1 = rows.find((r) => r[4] === 'exposure/primary-node-public-ip')!;
    expect(emr1[10]).toMatch(/^EMR\.1; PCI DSS v3\.2\.1\/1\.2\.1; /);
    const ours = rows.find((r) => r[4] === 'logging/no-log-uri')!;
    expect(ours[10]).toBe('NIST.800-53.r5 AU-2 (ours); NIST.800-53.r5 AU-11 (ours); NIST.800-53.r5 AU-12 (ours)');
  });

  it('quotes fields with a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    const tricky = result({ checkId: 'network/ssh-from-internet', status: 'FAIL', message: 'Group "web, prod"\nallows tcp 22' });
    const [, row] = parseCsv(renderCsv({ ...input, results: [tricky], snapshot: makeSnapshot([{ clusters: [] }]) }));
    expect(row![8]).toBe('Group "web, prod"\nallows tcp 22');
  });

  it('neutralizes cells a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(neutralize(`${start}HYPERLINK("http://x")`)).toBe(`'${start}HYPERLINK("http://x")`);
    }
    expect(neutralize('sg-123 allows 0.0.0.0/0')).toBe('sg-123 allows 0.0.0.0/0');
    const evil = result({ checkId: 'network/ssh-from-internet', status: 'FAIL', clusterName: '=cmd|"/c calc"!A1', message: '@SUM(1+1)', resources: ['+sg-1', '-x'] });
    const [, row] = parseCsv(renderCsv({ ...input, results: [evil] }));
    expect(row![3]).toBe(`'=cmd|"/c calc"!A1`);
    expect(row![8]).toBe(`'@SUM(1+1)`);
    expect(row![9]).toBe(`'+sg-1; -x`);
    expect(renderCsv({ ...input, results: [evil] })).toContain(`"'=cmd|""/c calc""!A1"`);
  });
});
