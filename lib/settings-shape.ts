/**
 * Machine-readable form of what a setting's parser accepts (lib/settings.ts attaches one to every
 * parser), and its translation into a regular expression. The deployment templates use it so a
 * bad value is refused when the stack is created (CloudFormation `AllowedPattern`), not when the
 * Lambda starts.
 *
 * The patterns use only the syntax JavaScript and Java regular expressions share (CloudFormation
 * evaluates `AllowedPattern` with Java's), and must match the whole value. They accept every value
 * the parser accepts, and reject every value the parser rejects whose fault a pattern can see; what
 * a pattern cannot see (a port range whose end is below its start, a decimal out of range, a
 * malformed IPv6 address, an internet-scale CIDR, a list over its bound, a suppression rule) is
 * still refused by the parser.
 *
 * The parsers (lib/settings.ts) take numbers as decimal digits only — no sign, exponent, hex,
 * blanks or `.0`, at most 15 digits, leading zeros allowed — and get the value untrimmed
 * (loadSettings passes it as set; only a blank value means "the default"). List items and
 * booleans are trimmed; the parts of a port range or `port:name` item are not.
 */

/** One item of a setting (the whole value, or one element of a comma-separated list). */
export type ItemShape =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'decimal'; min: number; max: number }
  | { kind: 'bool' }
  /** Anything without a comma (ids checked elsewhere, e.g. against the check registry). */
  | { kind: 'text' }
  /** `source` is a regular expression of the shared JavaScript/Java syntax, without anchors. */
  | { kind: 'pattern'; source: string; description: string }
  | { kind: 'cidr' }
  /** `443` or `8000-8010`. */
  | { kind: 'portRange' }
  /** `8080` or `8080:name`. */
  | { kind: 'portName' };

export type ValueShape =
  | ItemShape
  | { kind: 'list'; item: ItemShape }
  /** A JSON document (commas and all), checked by its parser only: its pattern accepts anything. */
  | { kind: 'json'; description: string };

/** The most digits the parsers read in a number (lib/settings.ts WHOLE and DECIMAL). */
export const MAX_DIGITS = 15;

export const BOOL_TRUE = ['true', '1', 'yes', 'on'] as const;
export const BOOL_FALSE = ['false', '0', 'no', 'off'] as const;

/**
 * Non-negative integers from `lo` to `hi` in canonical decimal (no leading zeros), as an
 * alternation of digit classes: the classic split into ranges of equal length, then digit by digit.
 */
export function intRangeSource(lo: number, hi: number): string {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 0 || lo > hi) throw new Error(`bad integer range ${lo}..${hi}`);
  const parts: string[] = [];
  for (let digits = String(lo).length; digits <= String(hi).length; digits++) {
    const a = Math.max(lo, digits === 1 ? 0 : 10 ** (digits - 1));
    const b = Math.min(hi, 10 ** digits - 1);
    if (a <= b) parts.push(...sameLength(String(a), String(b)));
  }
  return parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
}

/** Alternatives matching the digit strings from `a` to `b`, both of the same length. */
function sameLength(a: string, b: string): string[] {
  if (a === b) return [a];
  if (a.length === 1) return [digitClass(a, b)];
  const [ha, ra] = [a[0]!, a.slice(1)];
  const [hb, rb] = [b[0]!, b.slice(1)];
  if (ha === hb) return sameLength(ra, rb).map((p) => ha + p);
  const n = ra.length;
  const out: string[] = [];
  let from = Number(ha);
  if (ra !== '0'.repeat(n)) {
    out.push(...sameLength(ra, '9'.repeat(n)).map((p) => ha + p));
    from += 1;
  }
  let to = Number(hb);
  const upper: string[] = [];
  if (rb !== '9'.repeat(n)) {
    upper.push(...sameLength('0'.repeat(n), rb).map((p) => hb + p));
    to -= 1;
  }
  if (from <= to) out.push(`${digitClass(String(from), String(to))}[0-9]${n > 1 ? `{${n}}` : ''}`);
  return [...out, ...upper];
}

function digitClass(from: string, to: string): string {
  return from === to ? from : `[${from}-${to}]`;
}

/** Each letter as `[Xx]`: Java has `(?i)`, but JavaScript before ES2025 has no inline flag. */
function caseless(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c.toUpperCase()}${c}]` : c)).join('');
}

/** At most MAX_DIGITS digits follow (the number's digits are followed by a non-digit or the end). */
const DIGIT_BOUND = `(?![0-9]{${MAX_DIGITS + 1}})`;

/** A whole number as the parser reads it: decimal digits only, leading zeros allowed (`007`). */
function intSource(min: number, max: number): string {
  return `${DIGIT_BOUND}0*${intRangeSource(min, max)}`;
}

const PORT = intSource(0, 65535);

function itemSource(item: ItemShape): string {
  switch (item.kind) {
    case 'int':
      return intSource(item.min, item.max);
    case 'decimal':
      // Digits, optionally a point and digits (`0.5`, not `.5` or `1.`). The range is the parser's
      // to check: a pattern for decimal bounds would be unreadable.
      return `${DIGIT_BOUND}[0-9]+(?:\\.${DIGIT_BOUND}[0-9]+)?`;
    case 'bool':
      return `(?:${[...BOOL_TRUE, ...BOOL_FALSE].map(caseless).join('|')})`;
    case 'text':
      return '[^,]*';
    case 'pattern':
      return `(?:${item.source})`;
    case 'cidr':
      // An IPv4 or IPv6 address (ipaddr.js also reads hex/octal IPv4 and zone ids) and a prefix
      // length of at most 128; the address itself is validated by the parser.
      return `[0-9A-Za-z.:%]+/0*${intRangeSource(0, 128)}`;
    case 'portRange':
      // The parser does not trim the two ports: `80-90`, not `80 - 90`.
      return `${PORT}(?:-${PORT})?`;
    case 'portName':
      return `${PORT}(?::[^,]*)?`;
  }
}

/**
 * The regular expression (anchored, whole value) of every value of `shape`; empty and blank
 * values always match, as they mean "the built-in default". `items` replaces a list's text items
 * by a closed set (e.g. the known check ids).
 */
export function shapePattern(shape: ValueShape, options: { items?: readonly string[] } = {}): string {
  const blank = '^\\s*$';
  switch (shape.kind) {
    case 'json':
      return '^[\\s\\S]*$';
    case 'list': {
      const item = options.items ? `(?:${options.items.map(escapeRegex).join('|')})` : itemSource(shape.item);
      // Items are trimmed and empty ones dropped: any run of blanks and commas separates them.
      return `${blank}|^[\\s,]*(?:${item}(?:\\s*,[\\s,]*${item})*)?[\\s,]*$`;
    }
    case 'bool':
    case 'text':
    case 'pattern':
      // Trimmed by the parser (bool) or free text.
      return `${blank}|^\\s*${itemSource(shape)}\\s*$`;
    default:
      // Numbers and the rest are read as set, blanks included.
      return `${blank}|^${itemSource(shape)}$`;
  }
}

/** A pattern that matches every string adds nothing: a free-text list has none. */
export function shapeHasPattern(shape: ValueShape, options: { items?: readonly string[] } = {}): boolean {
  if (shape.kind === 'json') return false;
  return !(shape.kind === 'list' && shape.item.kind === 'text' && !options.items);
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => `\\${c}`);
}

function describeItem(item: ItemShape): string {
  switch (item.kind) {
    case 'int':
      return `a whole number from ${item.min} to ${item.max}`;
    case 'decimal':
      return `a number from ${item.min} to ${item.max}`;
    case 'bool':
      return 'true or false';
    case 'text':
      return 'text';
    case 'pattern':
      return item.description;
    case 'cidr':
      return 'a CIDR (e.g. 203.0.113.0/24 or 2001:db8::/32)';
    case 'portRange':
      return 'a port or range (e.g. 443 or 8000-8010)';
    case 'portName':
      return 'a port, optionally port:name (e.g. 8890:Zeppelin)';
  }
}

/** What a value must look like, in words (CloudFormation `ConstraintDescription`). */
export function describeShape(shape: ValueShape, options: { items?: readonly string[] } = {}): string {
  if (shape.kind === 'json') return `${shape.description}, or empty for the default`;
  if (shape.kind !== 'list') return `${describeItem(shape)}, or empty for the default`;
  const item = options.items ? `one of ${options.items.join(', ')}` : describeItem(shape.item);
  return `a comma-separated list, each ${item}; or empty for the default`;
}
