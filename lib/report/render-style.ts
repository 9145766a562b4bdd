/**
 * Text styling for terminal renderers: ANSI colours when wanted, plain text otherwise, and word
 * wrapping that keeps long tokens (ARNs, URLs) whole so they stay copy-pastable.
 */
import type { Severity, Status } from '../../checks/contract.js';

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
  redBg: [41, 49],
} as const satisfies Record<string, readonly [number, number]>;

export type StyleName = keyof typeof CODES;

export interface Styler {
  readonly enabled: boolean;
  (styles: StyleName | readonly StyleName[], text: string): string;
}

export function makeStyler(enabled: boolean): Styler {
  const style = (styles: StyleName | readonly StyleName[], text: string): string => {
    if (!enabled || text === '') return text;
    const list: readonly StyleName[] = typeof styles === 'string' ? [styles] : styles;
    return list.reduce((acc, s) => `\u001b[${CODES[s][0]}m${acc}\u001b[${CODES[s][1]}m`, text);
  };
  return Object.assign(style, { enabled });
}

/**
 * Colour decision, in the order users expect: FORCE_COLOR (set and not 0/false) forces it on,
 * FORCE_COLOR=0 and a non-empty NO_COLOR (no-color.org) turn it off, otherwise colour only on a
 * terminal that is not `dumb`.
 */
export function wantsColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

export const SEVERITY_STYLE: Record<Severity, readonly StyleName[]> = {
  CRITICAL: ['bold', 'red'],
  HIGH: ['red'],
  MEDIUM: ['yellow'],
  LOW: ['cyan'],
  INFORMATIONAL: ['gray'],
};

export const STATUS_STYLE: Record<Status, readonly StyleName[]> = {
  FAIL: ['red'],
  ERROR: ['magenta'],
  PASS: ['green'],
  NOT_APPLICABLE: ['gray'],
  SUPPRESSED: ['gray'],
};

/** Visible length of a string that may hold ANSI codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Pad to a visible width (ANSI codes do not count). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

/**
 * Word-wrap plain `text` to `width` columns, every line prefixed by `indent`. Words longer than a
 * line are not broken: a cut ARN cannot be pasted.
 */
export function wrap(text: string, width: number, indent: string): string[] {
  const room = Math.max(20, width - indent.length);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= room) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines.map((l) => (l === '' ? '' : outdented(l, width, indent)));
}

/** A line that is one word too long for the indent starts further left, so it still fits if it can. */
function outdented(line: string, width: number, indent: string): string {
  if (indent.length + line.length <= width || /\s/.test(line)) return indent + line;
  return ' '.repeat(Math.max(0, width - line.length)) + line;
}

/**
 * Join `parts` with `separator`, starting a new line (prefixed by `continuation`) before a part
 * that would pass `width`: for lines made of `a · b · c` facts, which must not break inside a fact.
 * Parts and separator may hold ANSI codes; only visible characters count.
 */
export function joinFitting(parts: readonly string[], separator: string, width: number, continuation: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line === '') line = part;
    else if (visibleLength(line) + visibleLength(separator) + visibleLength(part) <= width) line += separator + part;
    else {
      lines.push(line);
      line = continuation + part;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A message on one line (AWS messages and causes may hold newlines and runs of spaces). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
