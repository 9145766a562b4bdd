/**
 * The machine formats as the CLI writes them (in chunks, lib/report/formats.ts) are the very text
 * of their builders' JSON.stringify(…, null, 2): streaming changed when the text is made, not what.
 */
import { describe, expect, it } from 'vitest';
import { buildFindings } from '../../lib/report/asff.js';
import { FORMATS, type FormatName } from '../../lib/report/formats.js';
import { buildJsonReport } from '../../lib/report/json.js';
import { wholeText } from '../../lib/report/json-chunks.js';
import { buildOcsf } from '../../lib/report/ocsf.js';
import { buildSarif } from '../../lib/report/sarif.js';
import { demoInput } from './demo-input.js';

const input = demoInput();
const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

async function written(format: FormatName): Promise<{ text: string; chunks: number }> {
  const rendered = (await FORMATS[format].load!())(input, { color: false, verbose: false });
  const chunks = typeof rendered === 'string' ? [rendered] : [...rendered];
  return { text: wholeText(chunks), chunks: chunks.length };
}

describe('streamed machine formats', () => {
  it.each([
    ['json', () => pretty(buildJsonReport({ results: input.results, snapshot: input.snapshot, toolVersion: input.toolVersion, checks: input.checks }))],
    ['asff', () => pretty(buildFindings(input.results, input.snapshot, input.startedAt))],
    ['sarif', () => pretty(buildSarif(input))],
    ['ocsf', () => pretty(buildOcsf(input))],
  ] as const)('%s: in many chunks, the same text as the whole document', async (format, whole) => {
    const out = await written(format);
    expect(out.chunks).toBeGreaterThan(10);
    expect(out.text).toBe(whole());
  });

  it('csv: a chunk per line, header first', async () => {
    const out = await written('csv');
    expect(out.chunks).toBe(input.results.length + 1);
    expect(out.text.split('\r\n').filter(Boolean)).toHaveLength(input.results.length + 1);
  });
});
