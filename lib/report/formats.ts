/**
 * The report formats the CLI can write: name → renderer, file extension and media type. Every
 * renderer is a pure function of the one ReportInput of a run, so files of several formats written
 * by one run always agree. Renderers load on demand: `--format json` never loads the HTML code.
 *
 * CLI-only: the Lambda (functions/audit.ts) must not import this module.
 */
import type { HtmlView } from './html.js';
import type { ReportText } from './json-chunks.js';
import type { ReportInput } from './report-input.js';
import type { TableView } from './table.js';

/**
 * How the human-facing formats are laid out: what each of them takes (each format owns its options
 * type); machine formats ignore it.
 */
export type ViewOptions = TableView & HtmlView;

/**
 * A renderer; machine formats take only the input (a function of fewer parameters fits). Large
 * formats give their text in chunks, written as they come (json-chunks.ts).
 */
export type Renderer = (input: ReportInput, view: ViewOptions) => ReportText;

export const FORMAT_NAMES = ['table', 'json', 'asff', 'html', 'sarif', 'ocsf', 'csv'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface ReportFormat {
  /** File name extension (without the dot) for --output-dir. */
  extension: string;
  mediaType: string;
  /** Undefined: the format is planned but not in this build (a clear usage error, not a crash). */
  load?: () => Promise<Renderer>;
}

export const FORMATS: Record<FormatName, ReportFormat> = {
  table: { extension: 'txt', mediaType: 'text/plain', load: async () => (await import('./table.js')).renderTableReport },
  json: { extension: 'json', mediaType: 'application/json', load: async () => (await import('./json.js')).renderJsonReport },
  asff: {
    extension: 'asff.json',
    mediaType: 'application/json',
    load: async () => {
      const { findingChunks } = await import('./asff.js');
      return (input) => findingChunks(input.results, input.snapshot, input.startedAt);
    },
  },
  html: { extension: 'html', mediaType: 'text/html', load: async () => (await import('./html.js')).renderHtml },
  sarif: { extension: 'sarif', mediaType: 'application/sarif+json', load: async () => {
      const { sarifChunks } = await import('./sarif.js');
      return (input) => sarifChunks(input);
    },
  },
  ocsf: { extension: 'ocsf.json', mediaType: 'application/json', load: async () => (await import('./ocsf.js')).ocsfChunks },
  csv: { extension: 'csv', mediaType: 'text/csv', load: async () => (await import('./csv.js')).csvChunks },
};

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

/** The formats this build can write. */
export function availableFormats(): FormatName[] {
  return FORMAT_NAMES.filter((name) => FORMATS[name].load !== undefined);
}

/** The format a file name asks for by its extension (`audit.html` → html), longest extension first. */
export function formatForFile(path: string): FormatName | undefined {
  const lower = path.toLowerCase();
  const byLength = [...availableFormats()].sort((a, b) => FORMATS[b].extension.length - FORMATS[a].extension.length);
  return byLength.find((name) => lower.endsWith(`.${FORMATS[name].extension}`));
}
