/**
 * The human report (`--format table`): grouped by region, then account settings and clusters.
 * Problems (FAIL, ERROR) are listed with what is wrong; passes are counted, not listed, unless
 * `verbose`. Suppressed results get their own section, then what to do, then one summary line.
 */
import type { CheckMeta, Result, Severity } from '../../checks/contract.js';
import type { PublishSummary } from '../audit.js';
import type { Cluster, RegionSnapshot, Snapshot } from '../snapshot.js';
import type { ReportInput } from './report-input.js';
import { joinFitting, makeStyler, padEnd, SEVERITY_STYLE, STATUS_STYLE, wrap, type Styler } from './render-style.js';
import { groupedErrorLines } from './error-groups.js';
import { buildSummary, fallbackLines, severityRank, SEVERITIES_DESC, type ReportSummary } from './render-summary.js';
import { fixFirst, headline, rankClusters } from './fix-first.js';
import { groupBy } from '../group-by.js';

export interface TableReportInput {
  results: readonly Result[];
  snapshot: Snapshot;
  /** The run's cluster restriction, for the clusters count. */
  clusterIds?: readonly string[];
  /** Check metadata, for ordering and the "how to fix" section. */
  checks: readonly CheckMeta[];
  /** Also list PASS and NOT_APPLICABLE results. */
  verbose?: boolean;
  /** The one-screen view (`--summary`): header, Fix first, one line per cluster, the counts. */
  summary?: boolean;
  color: boolean;
  /** Terminal width; default 80 (a pipe or a file), used up to MAX_WIDTH. */
  width?: number;
  /** Where the data came from, for the header (e.g. `demo account`, `snapshot audit.json`). */
  source?: string;
  /** What the --severity/--status filters keep, for the header. */
  filterNote?: string;
  published?: PublishSummary;
}

/** Below this the detail column gets too narrow to read; beyond MAX_WIDTH lines get too long to read. */
const MIN_WIDTH = 60;
const MAX_WIDTH = 160;
const DEFAULT_WIDTH = 80;

/** How the table is laid out (the CLI's --verbose, --no-color, terminal width, filters). */
export interface TableView {
  color: boolean;
  /** Terminal width, for the table. */
  width?: number;
  /** Also list PASS and NOT_APPLICABLE results. */
  verbose: boolean;
  /** The one-screen view (counts, Fix first, one line per cluster). */
  summary?: boolean;
  /** Where the data came from (`demo account`, `snapshot audit.json`, `live AWS`). */
  source?: string;
  /** What the --severity/--status filters keep, to say so in the report ("showing FAIL only"). */
  filterNote?: string;
}

/** The table as a format of the registry (lib/report/formats.ts). */
export function renderTableReport(input: ReportInput, view: TableView): string {
  return renderTable({
    results: input.results,
    snapshot: input.snapshot,
    ...(input.clusterIds && input.clusterIds.length > 0 ? { clusterIds: input.clusterIds } : {}),
    checks: input.checks,
    verbose: view.verbose,
    ...(view.summary ? { summary: true } : {}),
    color: view.color,
    ...(view.width ? { width: view.width } : {}),
    ...(view.source ? { source: view.source } : {}),
    ...(view.filterNote ? { filterNote: view.filterNote } : {}),
    ...(input.published ? { published: input.published } : {}),
  });
}

const LABEL_WIDTH = 8;
const INDENT = '    ';
const DETAIL_INDENT = INDENT + ' '.repeat(LABEL_WIDTH + 2);

export function renderTable(input: TableReportInput): string {
  const style = makeStyler(input.color);
  const width = Math.min(Math.max(input.width ?? DEFAULT_WIDTH, MIN_WIDTH), MAX_WIDTH);
  const order = new Map(input.checks.map((c, i) => [c.id, i]));
  const summary = buildSummary(input.results, input.snapshot, input.clusterIds);
  const out: string[] = [];

  out.push(...header(input, summary, style, width), '');
  out.push(...renderFixFirst(input.results, { style, width, order }));

  if (input.summary) {
    append(out, renderClusterIndex(input.results, { style, width, order }));
    out.push(...summaryLines(summary, style, width));
    return `${out.join('\n')}\n`;
  }

  const active = input.results.filter((r) => r.status !== 'SUPPRESSED');
  const suppressed = input.results.filter((r) => r.status === 'SUPPRESSED');
  for (const region of input.snapshot.regions) {
    const inRegion = active.filter((r) => r.region === region.region);
    const errors = groupedErrorLines(region);
    const ctx = { style, width, order, verbose: input.verbose ?? false, clusterIds: input.clusterIds, suppressed: suppressed.filter((r) => r.region === region.region) };
    append(out, renderRegion(region, region.clusters, errors, inRegion, ctx));
  }

  if (suppressed.length > 0) append(out, renderSuppressed(suppressed, { style, width, order }));

  out.push(...renderNextSteps(input.results, input.checks, summary, { style, width, order }));

  if (input.published) out.push(publishedLine(input.published, style), '');
  out.push(...summaryLines(summary, style, width));
  return `${out.join('\n')}\n`;
}

/** `out.push(...lines)` without spreading: a region of thousands of clusters has more lines than the stack holds arguments. */
function append(out: string[], lines: readonly string[]): void {
  for (const line of lines) out.push(line);
}

/** Results by cluster id (null: the account-level ones), in their order: one pass, not one per cluster. */
const byCluster = (results: readonly Result[]): Map<string | null, Result[]> => groupBy(results, (r) => r.clusterId);

interface Ctx {
  style: Styler;
  width: number;
  order: Map<string, number>;
}

/** `emr-audit · account … · regions · data collected … · source`, broken between parts to fit. */
function header(input: TableReportInput, summary: ReportSummary, style: Styler, width: number): string[] {
  const collected = summary.collectedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  const parts = [`account ${summary.accountId}`, summary.regions.join(', ') || 'no regions', `data collected ${collected}`];
  if (input.source) parts.push(input.source);
  if (input.filterNote) parts.push(input.filterNote);
  return joinFitting([style('bold', 'emr-audit'), ...parts], style('dim', ' · '), width, '  ');
}

/** How many "Fix first" lines the table shows before "and N more" (the JSON lists them all). */
const FIX_FIRST_SHOWN = 10;

/**
 * "Fix first": the attack paths, then the other CRITICAL FAILs, one line each with the cluster —
 * what a security team fixes before reading the rest.
 */
function renderFixFirst(results: readonly Result[], ctx: Ctx): string[] {
  const { style, width } = ctx;
  const first = fixFirst(results);
  if (first.length === 0) return [`${style('bold', 'Fix first')}${style('dim', ' · no attack path and no CRITICAL FAIL')}`, ''];
  const out = [`${style(['bold', 'red'], `Fix first (${first.length})`)}${style('dim', ' · attack paths, then other CRITICAL FAILs')}`];
  for (const r of first.slice(0, FIX_FIRST_SHOWN)) {
    // The cluster first: what a reader looks for on a one-screen list (ids are in the JSON).
    const line = `${r.clusterId === null ? `account settings ${r.region}` : (r.clusterName ?? r.clusterId)} · ${r.checkId}: ${headline(r.message)}`;
    out.push(`  ${style(SEVERITY_STYLE[r.severity], '!')} ${fit(line, width - 4)}`);
  }
  if (first.length > FIX_FIRST_SHOWN) out.push(style('dim', `    and ${first.length - FIX_FIRST_SHOWN} more (--format json: summary.fixFirst)`));
  out.push('');
  return out;
}

/** One line per cluster, most at risk first (the --summary view). */
function renderClusterIndex(results: readonly Result[], ctx: Ctx): string[] {
  const { style, width } = ctx;
  const ranked = rankClusters(results);
  if (ranked.length === 0) return [];
  const out = [style('bold', `Clusters (${ranked.length})`) + style('dim', ' · most at risk first'), ''];
  for (const c of ranked) {
    const parts = [
      ...(c.attackPaths > 0 ? ['ATTACK PATH'] : []),
      `${c.fail} FAIL${c.critical + c.high > 0 ? ` (${[c.critical > 0 ? `${c.critical} CRITICAL` : '', c.high > 0 ? `${c.high} HIGH` : ''].filter(Boolean).join(', ')})` : ''}`,
      ...(c.error > 0 ? [`${c.error} ERROR`] : []),
      ...(c.suppressed > 0 ? [`${c.suppressed} SUPPRESSED`] : []),
    ];
    // Styled after fitting: escape codes must not count against the width.
    const line = fit(`  ${c.clusterName} (${c.clusterId}, ${c.region}): ${parts.join(' · ')}`, width);
    out.push(c.attackPaths > 0 || c.critical > 0 ? style(['bold', 'red'], line) : c.fail > 0 ? line : style('dim', line));
  }
  out.push('');
  return out;
}

/** Cuts a one-line entry to the width with "…" (a line of a one-screen list never wraps). */
function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}

function renderRegion(
  regionSnapshot: RegionSnapshot,
  clusters: readonly Cluster[],
  errors: readonly string[],
  results: readonly Result[],
  ctx: Ctx & { verbose: boolean; clusterIds: readonly string[] | undefined; suppressed: readonly Result[] },
): string[] {
  const { style, width } = ctx;
  const region = regionSnapshot.region;
  const out: string[] = [style('bold', `${region} ${'─'.repeat(Math.max(3, width - region.length - 1))}`)];
  const regionFailed = errors.length > 0 && results.length > 0 && results.every((r) => r.clusterId === null && r.status === 'ERROR');

  const own = byCluster(results);
  const suppressedOwn = byCluster(ctx.suppressed);
  const accountLevel = own.get(null) ?? [];
  if (accountLevel.length > 0) {
    out.push(`  ${style('bold', regionFailed ? 'Region (could not be audited)' : 'Account settings')}`);
    append(out, renderGroup(accountLevel, ctx, suppressedOwn.get(null)?.length ?? 0));
    out.push('');
  }

  const only = ctx.clusterIds && ctx.clusterIds.length > 0 ? new Set(ctx.clusterIds) : undefined;
  const inScope = clusters.filter((c) => !only || only.has(c.id));
  if (inScope.length === 0 && !regionFailed) out.push(`  ${style('dim', 'No active EMR clusters in this region.')}`, '');

  for (const cluster of [...inScope].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))) {
    const facts = [cluster.id, cluster.releaseLabel, cluster.state].filter(Boolean).join(' · ');
    out.push(`  ${style('bold', cluster.name)}  ${style('dim', facts)}`);
    append(out, renderGroup(own.get(cluster.id) ?? [], ctx, suppressedOwn.get(cluster.id)?.length ?? 0));
    out.push('');
  }

  const fallbacks = fallbackLines(regionSnapshot);
  if (fallbacks.length > 0) {
    out.push(`  ${style('bold', 'Fallbacks')} ${style('dim', '(slower EMR calls this run needed)')}`);
    for (const line of fallbacks) out.push(...wrap(line, width, INDENT));
    out.push('');
  }

  if (errors.length > 0 && !regionFailed) {
    const explained = results.some((r) => r.status === 'ERROR') ? ` ${style('dim', '(the ERROR results above come from these)')}` : '';
    out.push(`  ${style(['bold', 'magenta'], 'Collection errors')}${explained}`);
    for (const line of errors) out.push(...wrap(line, width, INDENT));
    out.push('');
  }
  return out;
}

/** The problems of one cluster (or the account settings), then its passes counted or listed. */
function renderGroup(results: readonly Result[], ctx: Ctx & { verbose: boolean }, suppressedCount: number): string[] {
  const { style } = ctx;
  const out: string[] = [];
  const fails = sortResults(results.filter((r) => r.status === 'FAIL'), ctx.order);
  const errors = sortResults(results.filter((r) => r.status === 'ERROR'), ctx.order);
  for (const r of fails) append(out, renderResult(r, ctx));

  // Several checks failing for one missing piece of data say the same thing: say it once.
  for (const [message, group] of groupBy(errors, (r) => r.message)) {
    const ids = group.map((r) => r.checkId);
    const label = style(STATUS_STYLE.ERROR, padEnd('ERROR', LABEL_WIDTH));
    // A whole region failing would name every check: the count says enough there.
    const what = ids.length === 1 ? ids[0]! : ids.length <= 6 ? `${ids.length} checks: ${ids.join(', ')}` : `${ids.length} checks`;
    out.push(...wrap(what, ctx.width, DETAIL_INDENT).map((line, i) => (i === 0 ? `${INDENT}${label}  ${line.trimStart()}` : line)));
    out.push(...wrap(message, ctx.width, DETAIL_INDENT));
  }

  const passed = results.filter((r) => r.status === 'PASS');
  const notApplicable = results.filter((r) => r.status === 'NOT_APPLICABLE');
  if (ctx.verbose) {
    for (const r of sortResults([...passed, ...notApplicable], ctx.order)) append(out, renderResult(r, ctx));
  }
  const counted = [
    ...(passed.length > 0 || notApplicable.length === 0 ? [`${passed.length} passed`] : []),
    ...(notApplicable.length > 0 ? [`${notApplicable.length} not applicable`] : []),
    // A cluster whose problems are all suppressed must not read as simply clean.
    ...(suppressedCount > 0 ? [`${suppressedCount} suppressed (listed below)`] : []),
  ].join(' · ');
  if (results.length === 0 && suppressedCount === 0) out.push(`${INDENT}${style('dim', 'no checks ran')}`);
  else if (fails.length === 0 && errors.length === 0) {
    const lines = wrap(`✓ ${suppressedCount > 0 ? 'no open problems' : 'no problems found'} · ${counted}`, ctx.width, INDENT);
    out.push(...lines.map((l, i) => (i === 0 ? `${INDENT}${style('green', '✓')}${style('dim', l.slice(INDENT.length + 1))}` : style('dim', l))));
  }
  else if (passed.length + notApplicable.length + suppressedCount > 0) out.push(...wrap(counted, ctx.width, INDENT).map((l) => style('dim', l)));
  return out;
}

function renderResult(r: Result, ctx: Ctx): string[] {
  const { style } = ctx;
  const label =
    r.status === 'FAIL' || r.status === 'SUPPRESSED'
      ? style(r.status === 'SUPPRESSED' ? ['dim'] : SEVERITY_STYLE[r.severity], padEnd(severityLabel(r.severity), LABEL_WIDTH))
      : style(STATUS_STYLE[r.status], padEnd(r.status === 'NOT_APPLICABLE' ? 'N/A' : r.status, LABEL_WIDTH));
  const suffix = r.status === 'SUPPRESSED' && r.originalStatus ? style('dim', ` (was ${r.originalStatus})`) : '';
  const out = [`${INDENT}${label}  ${style('bold', r.checkId)}${suffix}`];
  out.push(...wrap(r.message, ctx.width, DETAIL_INDENT));
  if (r.resources.length > 0 && r.status !== 'PASS' && r.status !== 'NOT_APPLICABLE') {
    out.push(...wrap(`resources: ${r.resources.join(', ')}`, ctx.width, DETAIL_INDENT).map((l) => style('dim', l)));
  }
  return out;
}

function renderSuppressed(results: readonly Result[], ctx: Ctx): string[] {
  const { style } = ctx;
  const out = [style('bold', `Suppressed (${results.length})`) + style('dim', ' · not reported as findings; listed so nothing is hidden'), ''];
  for (const group of groupBy(results, (r) => `${r.region}\u0000${r.clusterId ?? ''}`).values()) {
    const first = group[0]!;
    const where = first.clusterId ? `${first.clusterName ?? first.clusterId} (${first.clusterId})` : 'account settings';
    // A tag value lists check ids with bare commas: spaced here so the line can wrap between them.
    const reasons = [...new Set(group.map((r) => r.suppressedBy ?? 'suppressed'))].join('; ').replace(/,(?=\S)/g, ', ');
    const head = `  ${where}  `;
    const words = `${first.region} · by ${reasons}`.split(' ');
    let onFirst = 1;
    while (onFirst < words.length && head.length + words.slice(0, onFirst + 1).join(' ').length <= ctx.width) onFirst += 1;
    out.push(`  ${style('bold', where)}  ${style('dim', words.slice(0, onFirst).join(' '))}`);
    if (onFirst < words.length) for (const line of wrap(words.slice(onFirst).join(' '), ctx.width, INDENT)) out.push(style('dim', line));
    for (const r of sortResults(group, ctx.order)) append(out, renderResult(r, ctx));
    out.push('');
  }
  return out;
}

function renderNextSteps(results: readonly Result[], checks: readonly CheckMeta[], summary: ReportSummary, ctx: Ctx): string[] {
  const { style, width } = ctx;
  const out: string[] = [];
  const failing = checks
    .filter((c) => (summary.failByCheck[c.id] ?? 0) > 0)
    .map((c) => ({
      check: c,
      severity: worstSeverity(results.filter((r) => r.status === 'FAIL' && r.checkId === c.id)),
      clusters: new Set(results.filter((r) => r.status === 'FAIL' && r.checkId === c.id).map((r) => r.clusterId ?? `region ${r.region}`)).size,
    }))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (ctx.order.get(a.check.id) ?? 0) - (ctx.order.get(b.check.id) ?? 0));

  if (failing.length > 0) {
    const note = 'most severe first; `emr-audit checks --format json` has the full remediation';
    if ('How to fix · '.length + note.length <= width) out.push(style('bold', 'How to fix') + style('dim', ` · ${note}`), '');
    else out.push(style('bold', 'How to fix') + style('dim', ' · most severe first'), style('dim', '  `emr-audit checks --format json` has the full remediation'), '');
    for (const { check, severity, clusters } of failing) {
      const label = style(SEVERITY_STYLE[severity], padEnd(severityLabel(severity), LABEL_WIDTH));
      const where = check.scope === 'region' ? `${clusters} region${clusters === 1 ? '' : 's'}` : `${clusters} cluster${clusters === 1 ? '' : 's'}`;
      out.push(`${INDENT}${label}  ${style('bold', check.id)} ${style('dim', `· ${where}`)}`);
      out.push(...wrap(firstSentence(check.remediation.text), width, DETAIL_INDENT));
      // A URL is never broken, and every one starts in the detail column: one too long for the
      // width runs past it rather than starting at a different place for each length.
      out.push(style('dim', `${DETAIL_INDENT}${check.remediation.url}`));
    }
    out.push('');
  }
  if (summary.counts.ERROR > 0) {
    const n = summary.counts.ERROR;
    out.push(style(['bold', 'magenta'], `${n} result${n === 1 ? '' : 's'} could not be evaluated (ERROR)`));
    out.push(
      ...wrap(
        'emr-audit could not read the data those checks need, so they neither pass nor fail. Fix the cause named in each message (usually a missing permission: `emr-audit permissions` prints the read-only policy emr-audit needs) and run again.',
        width,
        '  ',
      ),
      '',
    );
  }
  if (summary.counts.FAIL === 0 && summary.counts.ERROR === 0 && results.length > 0) {
    out.push(style('green', '✓ No problems found.'), '');
  }
  return out;
}

function publishedLine(p: PublishSummary, style: Styler): string {
  const line = `Security Hub: ${p.imported} findings imported · ${p.archived} archived · ${p.failed} failed`;
  return [p.failed > 0 || p.errors.length > 0 ? style('yellow', line) : line, ...p.errors.map((e) => `  ${e}`)].join('\n');
}

/** `8 clusters in 2 regions · 14 FAIL (2 CRITICAL, 5 HIGH, …) · 3 ERROR · 40 PASS · 2 SUPPRESSED`. */
export function summaryLine(summary: ReportSummary, style: Styler = makeStyler(false)): string {
  return summaryParts(summary, style).join(style('dim', ' · '));
}

/** The summary line, broken between its parts to fit `width`. */
function summaryLines(summary: ReportSummary, style: Styler, width: number): string[] {
  return joinFitting(summaryParts(summary, style), style('dim', ' · '), width, '  ');
}

function summaryParts(summary: ReportSummary, style: Styler): string[] {
  const { counts } = summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const bySeverity = SEVERITIES_DESC.filter((s) => summary.failBySeverity[s] > 0)
    .map((s) => style(SEVERITY_STYLE[s], `${summary.failBySeverity[s]} ${s}`))
    .join(', ');
  const parts = [
    `${plural(summary.clustersAudited, 'cluster')} in ${plural(summary.regions.length, 'region')}`,
    style(counts.FAIL > 0 ? ['bold', 'red'] : ['green'], `${counts.FAIL} FAIL`) + (bySeverity ? ` (${bySeverity})` : ''),
    style(counts.ERROR > 0 ? ['bold', 'magenta'] : [], `${counts.ERROR} ERROR`),
    style('green', `${counts.PASS} PASS`),
    ...(counts.NOT_APPLICABLE > 0 ? [`${counts.NOT_APPLICABLE} NOT_APPLICABLE`] : []),
    ...(counts.SUPPRESSED > 0 ? [style('gray', `${counts.SUPPRESSED} SUPPRESSED`)] : []),
  ];
  return parts;
}

function sortResults(results: readonly Result[], order: Map<string, number>): Result[] {
  return [...results].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (order.get(a.checkId) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.checkId) ?? Number.MAX_SAFE_INTEGER) ||
      a.resourceId.localeCompare(b.resourceId),
  );
}

function worstSeverity(results: readonly Result[]): Severity {
  return results.reduce<Severity>((worst, r) => (severityRank(r.severity) > severityRank(worst) ? r.severity : worst), 'INFORMATIONAL');
}

function severityLabel(severity: Severity): string {
  return severity === 'INFORMATIONAL' ? 'INFO' : severity;
}

/**
 * The first sentence: it ends at . ! or ? outside parentheses, before whitespace or the end,
 * unless the word is an abbreviation ("e.g.", "i.e.", "etc.").
 */
function firstSentence(text: string): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '(') depth += 1;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (ch === '.' || ch === '!' || ch === '?')) {
      const head = text.slice(0, i + 1);
      const rest = text.slice(i + 1);
      if (rest === '') return head;
      if (/^\s/.test(rest) && !/(^|[\s(])(e\.g|i\.e|etc|vs|cf)\.$/i.test(head)) return head;
    }
  }
  return text;
}
