/**
 * Where a scan's report goes and in which formats: stdout (one format), `--output FILE` (one
 * format, named by --format or by the file's extension) or `--output-dir DIR` (one file per
 * format, named after the account, the regions and the run's time). Paths are checked before
 * anything is collected: a typo must not cost a ten-minute audit.
 */
import { constants, statSync } from 'node:fs';
import { access, mkdir, open, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { availableFormats, FORMATS, formatForFile, isFormatName, type FormatName } from '../lib/report/formats.js';
import type { ReportText } from '../lib/report/json-chunks.js';
import { UsageError, type ParsedFlags } from './args.js';
import type { TextSink } from './io.js';

export type OutputTarget = { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'dir'; path: string };

export interface OutputPlan {
  formats: FormatName[];
  target: OutputTarget;
}

/** `--format a,b` (also repeated), `--output`, `--output-dir`, validated together. */
export function outputPlan(flags: ParsedFlags): OutputPlan {
  const file = flags.string('output');
  const dir = flags.string('output-dir');
  if (file !== undefined && dir !== undefined) throw new UsageError('--output and --output-dir cannot be combined: --output writes one file, --output-dir one file per format');
  const requested = parseFormats(flags.strings('format'));

  if (dir !== undefined) return { formats: requested.length > 0 ? requested : ['json'], target: { kind: 'dir', path: dir } };
  if (requested.length > 1) {
    throw new UsageError(`--format ${requested.join(',')}: several formats need --output-dir DIR (one file each)`);
  }
  if (file !== undefined && file !== '-') {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--output ${file}: is a directory; to write one file per format use --output-dir ${file}`);
    const format = requested[0] ?? formatForFile(file);
    if (!format) {
      throw new UsageError(`--output ${file}: name the format with --format (${availableFormats().join(', ')}); the file's extension does not say it`);
    }
    return { formats: [format], target: { kind: 'file', path: file } };
  }
  // The table is the default on a terminal and when piped (`| less`): JSON only when asked for.
  return { formats: [requested[0] ?? 'table'], target: { kind: 'stdout' } };
}

function parseFormats(values: readonly string[]): FormatName[] {
  const out: FormatName[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    if (!isFormatName(name)) throw new UsageError(`--format ${raw.trim()}: expected ${availableFormats().join(', ')}`);
    if (!FORMATS[name].load) {
      throw new UsageError(`--format ${name}: not available in this version of emr-audit yet (available: ${availableFormats().join(', ')})`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * Fail now, before collecting, when the report could not be written: a directory given as
 * --output, a missing or read-only parent, a file given as --output-dir. A missing --output-dir is
 * created (its parent must be writable).
 */
export async function preparePaths(target: OutputTarget): Promise<void> {
  if (target.kind === 'stdout') return;
  const flag = target.kind === 'file' ? '--output' : '--output-dir';
  const path = resolve(target.path);
  const existing = await stat(path).catch(() => undefined);
  if (target.kind === 'file') {
    if (existing?.isDirectory()) throw new UsageError(`--output ${target.path}: is a directory; to write one file per format use --output-dir ${target.path}`);
    await writable(existing ? path : dirname(path), flag, target.path);
    return;
  }
  if (existing && !existing.isDirectory()) throw new UsageError(`--output-dir ${target.path}: is a file, not a directory`);
  if (!existing) {
    try {
      await mkdir(path, { recursive: true });
    } catch (e) {
      throw new UsageError(`--output-dir ${target.path}: cannot create it (${fsReason(e)})`);
    }
  }
  await writable(path, flag, target.path);
}

async function writable(path: string, flag: string, given: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isDirectory() && !info.isFile()) throw new UsageError(`${flag} ${given}: not a regular file or directory`);
    await access(path, constants.W_OK);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${flag} ${given}: cannot write there (${fsReason(e)})`);
  }
}

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'ENOTDIR') return 'a part of the path is a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  return (e as Error).message;
}

/** `20261202T120005Z`: sortable, and no `:` (not allowed in Windows file names). */
function stamp(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * `emr-audit-123456789012-eu-west-1-20261202T120005Z.json`. Up to three regions are named (joined
 * with `_`); more read `5-regions`, so `--region all` does not make a 300-character name. Seconds
 * in the time keep two runs of one minute apart.
 */
export function reportFileName(accountId: string, regions: readonly string[], time: Date, format: FormatName): string {
  const where = regions.length === 0 ? 'no-region' : regions.length <= 3 ? regions.join('_') : `${regions.length}-regions`;
  return `emr-audit-${accountId}-${where}-${stamp(time)}.${FORMATS[format].extension}`;
}

export interface WrittenReport {
  format: FormatName;
  path: string;
}

/** A report's chunks gathered into pieces of about 64 KiB: one write per result would be a system call each. */
export function* inPieces(text: ReportText, size = 1 << 16): Generator<string> {
  if (typeof text === 'string') {
    yield text;
    return;
  }
  let piece = '';
  for (const chunk of text) {
    piece += chunk;
    if (piece.length >= size) {
      yield piece;
      piece = '';
    }
  }
  if (piece.length > 0) yield piece;
}

/**
 * Writes a report to stdout as it is rendered. A pipe that reads slower than we write says so
 * (`write` returns false): waiting for `drain` keeps what is pending small instead of the whole
 * report in the stream's buffer.
 */
export async function writeToSink(sink: TextSink, text: ReportText): Promise<void> {
  for (const piece of inPieces(text)) {
    if (sink.write(piece) === false && sink.once) await new Promise<void>((resolve) => sink.once!('drain', resolve));
  }
}

/** Write the reports of a file or directory target, each rendered (`render`, called once) as it is written. */
export async function writeReports(target: Exclude<OutputTarget, { kind: 'stdout' }>, reports: Iterable<{ format: FormatName; render: () => ReportText; fileName: string }>): Promise<WrittenReport[]> {
  const written: WrittenReport[] = [];
  for (const r of reports) {
    const path = target.kind === 'file' ? target.path : join(target.path, r.fileName);
    try {
      const file = await open(path, 'w');
      try {
        for (const piece of inPieces(r.render())) await file.write(piece);
      } finally {
        await file.close();
      }
    } catch (e) {
      throw new UsageError(`${target.kind === 'file' ? '--output' : '--output-dir'} ${target.path}: could not write ${path} (${fsReason(e)})`);
    }
    written.push({ format: r.format, path });
  }
  return written;
}
