/**
 * `--format html`: one self-contained report file. Everything is inline (CSS, a small script, the
 * SVG chart): it opens from disk, offline, and makes no request at all — the Content-Security-Policy
 * allows only the inline style and script of this very file, by hash. It reads without script (the
 * filters only hide what is already there) and prints (print CSS drops the controls).
 *
 * Every string from the snapshot or the results (cluster names, tags, messages) is escaped: a
 * cluster named `<script>` is text. CLI-only: the Lambda must not import this module.
 */
import { createHash } from 'node:crypto';
import { type CheckMeta, type Result, type Severity, type Status } from '../../checks/contract.js';
import type { Cluster } from '../snapshot.js';
import { describeCollectionError } from './error-groups.js';
import { buildSummary, severityRank, SEVERITIES_DESC, type ReportSummary } from './render-summary.js';
import type { ReportInput } from './report-input.js';
import { consoleUrl, roleConsoleUrl } from './console-links.js';
import { fixFirst, headline, rankClusters } from './fix-first.js';
import { groupBy } from '../group-by.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const STATUS_ORDER: readonly Status[] = ['FAIL', 'ERROR', 'SUPPRESSED', 'PASS', 'NOT_APPLICABLE'];
const STATUS_LABEL: Record<Status, string> = { FAIL: 'FAIL', ERROR: 'ERROR', SUPPRESSED: 'SUPPRESSED', PASS: 'PASS', NOT_APPLICABLE: 'N/A' };
const SEVERITY_COLOUR: Record<Severity, string> = { CRITICAL: '#8b0000', HIGH: '#d03020', MEDIUM: '#c77c00', LOW: '#2a7ab0', INFORMATIONAL: '#707070' };

const STYLE = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --bg: #ffffff; --panel: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, #summary, #fix-first, #cluster-index, #filters, #checks, footer { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
#fix-first ol { padding-left: 22px; } #fix-first li { margin: 4px 0; overflow-wrap: anywhere; }
#fix-first h2 { color: #8b0000; border-bottom-color: #8b0000; }
#cluster-index table { border-collapse: collapse; } #cluster-index th, #cluster-index td { text-align: left; padding: 3px 12px 3px 0; font-variant-numeric: tabular-nums; }
.attack { color: #8b0000; font-weight: 700; }
header { padding-top: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 6px; }
h3 small, .facts { color: var(--muted); font-weight: normal; }
.facts { margin: 0; }
.facts span + span::before { content: " · "; }
#summary { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; margin-top: 16px; }
.counts { border-collapse: collapse; }
.counts th, .counts td { text-align: left; padding: 3px 12px 3px 0; }
.counts td { font-variant-numeric: tabular-nums; font-weight: 600; }
.chart { flex: 1 1 320px; max-width: 520px; }
.chart text { font: 13px system-ui, sans-serif; fill: #1d1d1f; }
#filters { margin-top: 20px; padding: 10px 20px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
#filters fieldset { display: inline-block; border: 0; margin: 0 16px 4px 0; padding: 0; }
#filters legend { font-weight: 600; padding: 0; }
#filters label { margin-right: 10px; white-space: nowrap; }
#shown-count { color: var(--muted); margin-left: 8px; }
.result { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 4px; padding: 8px 12px; margin: 8px 0; break-inside: avoid; }
.result[data-status="FAIL"].sev-CRITICAL { border-left-color: ${SEVERITY_COLOUR.CRITICAL}; }
.result[data-status="FAIL"].sev-HIGH { border-left-color: ${SEVERITY_COLOUR.HIGH}; }
.result[data-status="FAIL"].sev-MEDIUM { border-left-color: ${SEVERITY_COLOUR.MEDIUM}; }
.result[data-status="FAIL"].sev-LOW { border-left-color: ${SEVERITY_COLOUR.LOW}; }
.result[data-status="FAIL"].sev-INFORMATIONAL { border-left-color: ${SEVERITY_COLOUR.INFORMATIONAL}; }
.result[data-status="ERROR"] { border-left-color: #8a2be2; }
.result[data-status="PASS"] { border-left-color: #2e8540; }
.result p { margin: 4px 0; overflow-wrap: anywhere; }
.badge { display: inline-block; min-width: 4.5em; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 700; text-align: center; color: #fff; background: #707070; }
.badge.st-FAIL { background: #b3261e; } .badge.st-ERROR { background: #8a2be2; } .badge.st-PASS { background: #2e8540; }
.badge.sev { background: none; color: var(--fg); border: 1px solid var(--line); }
.check-id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
.resources, .fix { color: var(--muted); font-size: 13px; }
.fix strong { color: var(--fg); }
.none { color: var(--muted); font-style: italic; }
.errors li { overflow-wrap: anywhere; }
#checks dl { margin: 0; }
#checks dt { font-weight: 600; margin-top: 14px; }
#checks dd { margin: 2px 0 0 0; }
.compliance { font-size: 13px; }
.compliance ul { margin: 2px 0; padding-left: 18px; }
footer { color: var(--muted); font-size: 13px; padding-top: 24px; padding-bottom: 24px; }
[hidden] { display: none !important; }
@media print {
  #filters { display: none !important; }
  body { font-size: 11pt; }
  header, main, #summary, #checks, footer { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .result { border-left-width: 4px; }
  .badge, .result { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 9pt; color: var(--muted); }
}
`;

/** The filters: hide what does not match; show "N of M results". Plain DOM, no network. */
const SCRIPT = `
(function () {
  var form = document.getElementById('filters');
  if (!form) return;
  form.hidden = false;
  var results = Array.prototype.slice.call(document.querySelectorAll('.result'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('.group'));
  var counter = document.getElementById('shown-count');
  function checked(name) {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name="' + name + '"]'), function (box) { out[box.value] = box.checked; });
    return out;
  }
  function apply() {
    var sev = checked('severity');
    var st = checked('status');
    var check = form.querySelector('select[name="check"]').value;
    var shown = 0;
    results.forEach(function (el) {
      var visible = sev[el.getAttribute('data-severity')] && st[el.getAttribute('data-status')] && (check === '' || el.getAttribute('data-check') === check);
      el.hidden = !visible;
      if (visible) shown += 1;
    });
    groups.forEach(function (group) {
      var any = group.querySelector('.result:not([hidden])') !== null;
      var note = group.querySelector('.filtered-out');
      if (note) note.hidden = any || group.querySelectorAll('.result').length === 0;
    });
    counter.textContent = shown + ' of ' + results.length + ' results shown';
  }
  form.addEventListener('change', apply);
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  apply();
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

// Hash-pinned inline code only: no other script, style, font, image or connection is allowed.
const CSP = [
  "default-src 'none'",
  `style-src ${cspHash(STYLE)}`,
  `script-src ${cspHash(SCRIPT)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** What the HTML page's header says besides the run's own facts. */
export interface HtmlView {
  /** Where the data came from (`demo account`, `snapshot audit.json`, `live AWS`). */
  source?: string;
  /** What the --severity/--status filters keep ("showing FAIL only"). */
  filterNote?: string;
}

export function renderHtml(input: ReportInput, view?: HtmlView): string {
  const summary = buildSummary(input.results, input.snapshot, input.clusterIds);
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const order = new Map(input.checks.map((c, i) => [c.id, i]));
  const title = `emr-audit report · account ${summary.accountId} · ${summary.regions.join(', ') || 'no regions'}`;

  const body = [
    headerHtml(input, summary, view),
    fixFirstHtml(input.results, input.snapshot.partition),
    summaryHtml(summary, input.results.length),
    clusterIndexHtml(input.results),
    filtersHtml(input.results, order),
    `<main>${input.snapshot.regions.map((region) => regionHtml(region.region, region.clusters, region.errors.map((e) => describeCollectionError(region.region, e)), input, checks, order)).join('\n')}</main>`,
    checksHtml(input.results, input.checks),
    `<footer>Generated by emr-audit ${escapeHtml(input.toolVersion)} at ${escapeHtml(input.startedAt.toISOString())}. Read-only audit; this file makes no network request.</footer>`,
  ].join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="emr-audit ${escapeHtml(input.toolVersion)}">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function headerHtml(input: ReportInput, summary: ReportSummary, view: HtmlView | undefined): string {
  const facts = [
    `account ${summary.accountId}`,
    summary.regions.join(', ') || 'no regions',
    `data collected ${summary.collectedAt}`,
    ...(view?.source ? [view.source] : []),
    ...(view?.filterNote ? [view.filterNote] : []),
  ];
  return `<header><h1>emr-audit report</h1><p class="facts">${facts.map((f) => `<span>${escapeHtml(f)}</span>`).join('')}</p></header>`;
}

function summaryHtml(summary: ReportSummary, total: number): string {
  const rows = STATUS_ORDER.map((s) => `<tr><th scope="row">${STATUS_LABEL[s]}</th><td data-count-status="${s}">${summary.counts[s]}</td></tr>`).join('');
  const counts = `<table class="counts" aria-label="Results per status"><tbody><tr><th scope="row">Clusters</th><td data-count="clusters">${summary.clustersAudited}</td></tr><tr><th scope="row">Results</th><td data-count="results">${total}</td></tr>${rows}</tbody></table>`;
  return `<section id="summary" aria-label="Summary">${counts}${severityChart(summary)}</section>`;
}

/** Horizontal bars: FAIL results per severity, most severe on top. */
function severityChart(summary: ReportSummary): string {
  const max = Math.max(1, ...SEVERITIES_DESC.map((s) => summary.failBySeverity[s]));
  const rowHeight = 28;
  const labelWidth = 120;
  const barRoom = 300;
  const height = SEVERITIES_DESC.length * rowHeight + 26;
  const bars = SEVERITIES_DESC.map((s, i) => {
    const n = summary.failBySeverity[s];
    const y = 22 + i * rowHeight;
    const w = n === 0 ? 0 : Math.max(3, Math.round((n / max) * barRoom));
    return (
      `<text x="0" y="${y + 15}">${s}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${w}" height="18" fill="${SEVERITY_COLOUR[s]}"></rect>` +
      `<text x="${labelWidth + w + 6}" y="${y + 15}" data-count-severity="${s}">${n}</text>`
    );
  }).join('');
  const label = `FAIL results by severity: ${SEVERITIES_DESC.map((s) => `${s} ${summary.failBySeverity[s]}`).join(', ')}`;
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${labelWidth + barRoom + 50} ${height}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(label)}</title><text x="0" y="14" font-weight="bold">FAIL by severity</text>${bars}</svg>`;
}

function filtersHtml(results: readonly Result[], order: Map<string, number>): string {
  const box = (name: string, value: string, label: string): string => `<label><input type="checkbox" name="${name}" value="${escapeHtml(value)}" checked> ${escapeHtml(label)}</label>`;
  const ids = [...new Set(results.map((r) => r.checkId))].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
  return (
    // Hidden until the script runs: without script there is nothing to filter with.
    `<form id="filters" hidden aria-label="Filters">` +
    `<fieldset><legend>Severity</legend>${SEVERITIES_DESC.map((s) => box('severity', s, s)).join('')}</fieldset>` +
    `<fieldset><legend>Status</legend>${[...STATUS_ORDER].map((s) => box('status', s, STATUS_LABEL[s])).join('')}</fieldset>` +
    `<fieldset><legend>Check</legend><select name="check" aria-label="Check"><option value="">all checks</option>${ids.map((id) => `<option value="${escapeHtml(id)}">${escapeHtml(id)}</option>`).join('')}</select></fieldset>` +
    `<button type="reset">Show all</button><span id="shown-count" aria-live="polite"></span>` +
    `</form>`
  );
}

function regionHtml(
  region: string,
  clusters: readonly Cluster[],
  errors: readonly string[],
  input: ReportInput,
  checks: Map<string, CheckMeta>,
  order: Map<string, number>,
): string {
  const inRegion = input.results.filter((r) => r.region === region);
  const parts = [`<section class="region" aria-label="${escapeHtml(region)}"><h2>${escapeHtml(region)}</h2>`];
  // Grouped in one pass: a filter per cluster is quadratic in a fleet of thousands.
  const byCluster = groupBy(inRegion, (r) => r.clusterId);
  const accountLevel = byCluster.get(null) ?? [];
  if (accountLevel.length > 0) parts.push(groupHtml('Account settings', `account-level results of ${region}`, accountLevel, checks, order, `account-${anchor(region)}`, input.snapshot.partition));

  const only = input.clusterIds && input.clusterIds.length > 0 ? new Set(input.clusterIds) : undefined;
  const inScope = clusters.filter((c) => !only || only.has(c.id)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  if (inScope.length === 0) parts.push('<p class="none">No active EMR clusters in this region.</p>');
  for (const cluster of inScope) {
    const facts = [cluster.id, cluster.releaseLabel, cluster.state].filter(Boolean).join(' · ');
    parts.push(groupHtml(cluster.name, facts, byCluster.get(cluster.id) ?? [], checks, order, `cluster-${anchor(`${region}-${cluster.id}`)}`, input.snapshot.partition));
  }
  if (errors.length > 0) {
    parts.push(`<h3>Collection errors</h3><ul class="errors">${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

function groupHtml(name: string, facts: string, results: readonly Result[], checks: Map<string, CheckMeta>, order: Map<string, number>, id: string, partition: string): string {
  const sorted = [...results].sort(
    (a, b) =>
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      (order.get(a.checkId) ?? 0) - (order.get(b.checkId) ?? 0) ||
      a.resourceId.localeCompare(b.resourceId),
  );
  const body = sorted.length === 0 ? '<p class="none">No checks ran.</p>' : sorted.map((r) => resultHtml(r, checks.get(r.checkId), partition)).join('\n');
  return `<section class="group" id="${escapeHtml(id)}"><h3>${escapeHtml(name)} <small>${escapeHtml(facts)}</small></h3>${body}<p class="none filtered-out" hidden>Nothing here matches the filters.</p></section>`;
}

function resultHtml(r: Result, check: CheckMeta | undefined, partition: string): string {
  const status = `<span class="badge st-${r.status}">${STATUS_LABEL[r.status]}</span>`;
  const severity = `<span class="badge sev">${r.severity}</span>`;
  const id = `<a class="check-id" href="#check-${escapeHtml(anchor(r.checkId))}">${escapeHtml(r.checkId)}</a>`;
  const lines = [`<p>${status} ${severity} ${id} — ${escapeHtml(r.title)}</p>`, `<p>${escapeHtml(r.message)}</p>`];
  if (r.status === 'SUPPRESSED') lines.push(`<p class="resources">Suppressed by ${escapeHtml(r.suppressedBy ?? 'a suppression')}${r.originalStatus ? ` (was ${r.originalStatus})` : ''}.</p>`);
  if (r.resources.length > 0 && r.status !== 'PASS' && r.status !== 'NOT_APPLICABLE') {
    lines.push(`<p class="resources">Resources: ${r.resources.map((x) => resourceLink(x, r, partition)).join(', ')}</p>`);
  }
  if (check && (r.status === 'FAIL' || r.status === 'SUPPRESSED')) {
    lines.push(`<p class="fix"><strong>How to fix:</strong> ${escapeHtml(check.remediation.text)} ${link(check.remediation.url, 'Documentation')}</p>`);
  }
  return `<article class="result sev-${r.severity}" data-status="${r.status}" data-severity="${r.severity}" data-check="${escapeHtml(r.checkId)}">${lines.join('')}</article>`;
}

/** A resource id, linked to its AWS console page when there is one (roles by their type in resourceDetails). */
function resourceLink(id: string, r: Result, partition: string): string {
  const isRole = r.resourceDetails.some((d) => d.id === id && d.type === 'AwsIamRole');
  const url = isRole ? roleConsoleUrl(id, partition) : consoleUrl(id, r.region, partition);
  return url ? link(url, id) : escapeHtml(id);
}

/**
 * "Fix first", before anything else: attack paths, then the other CRITICAL FAILs, one line each
 * with the cluster (linked to its section and to the console).
 */
function fixFirstHtml(results: readonly Result[], partition: string): string {
  const first = fixFirst(results);
  if (first.length === 0) return '<section id="fix-first" aria-label="Fix first"><h2>Fix first</h2><p class="none">No attack path and no CRITICAL FAIL.</p></section>';
  const items = first.map((r) => {
    const where =
      r.clusterId === null
        ? `account settings (${escapeHtml(r.region)})`
        : `<a href="#cluster-${escapeHtml(anchor(`${r.region}-${r.clusterId}`))}">${escapeHtml(r.clusterName ?? r.clusterId)}</a> (${resourceLink(r.clusterId, r, partition)}, ${escapeHtml(r.region)})`;
    const kind = r.checkId === 'exposure/attack-path' ? '<span class="attack">ATTACK PATH</span> ' : '';
    return `<li data-fix-first="${escapeHtml(r.checkId)}">${kind}${where} · <span class="check-id">${escapeHtml(r.checkId)}</span>: ${escapeHtml(headline(r.message))}</li>`;
  });
  return `<section id="fix-first" aria-label="Fix first"><h2>Fix first (${first.length})</h2><p class="facts">Attack paths (anyone on the internet runs code as the instance profile), then the other CRITICAL FAILs.</p><ol>${items.join('')}</ol></section>`;
}

/** Every cluster, most at risk first: attack paths, CRITICAL, HIGH, then ERROR and SUPPRESSED counts. */
function clusterIndexHtml(results: readonly Result[]): string {
  const ranked = rankClusters(results);
  if (ranked.length === 0) return '';
  const rows = ranked.map(
    (c) =>
      `<tr data-cluster="${escapeHtml(c.clusterId)}"><td><a href="#cluster-${escapeHtml(anchor(`${c.region}-${c.clusterId}`))}">${escapeHtml(c.clusterName)}</a></td><td>${escapeHtml(c.region)}</td>` +
      `<td${c.attackPaths > 0 ? ' class="attack"' : ''}>${c.attackPaths}</td><td>${c.critical}</td><td>${c.high}</td><td>${c.fail}</td><td>${c.error}</td><td>${c.suppressed}</td></tr>`,
  );
  return `<section id="cluster-index" aria-label="Clusters by risk"><h2>Clusters by risk</h2><table><thead><tr><th>Cluster</th><th>Region</th><th>Attack paths</th><th>CRITICAL</th><th>HIGH</th><th>FAIL</th><th>ERROR</th><th>SUPPRESSED</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Only http(s) links: a URL from metadata must not become `javascript:`. */
function link(url: string, text: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}" rel="noreferrer">${escapeHtml(text)}</a>` : escapeHtml(url);
}

function anchor(checkId: string): string {
  return checkId.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** The checks that have a result in this report: what each looks for, how to fix, the mapping. */
function checksHtml(results: readonly Result[], checks: readonly CheckMeta[]): string {
  const used = new Set(results.map((r) => r.checkId));
  const entries = checks
    .filter((c) => used.has(c.id))
    .map((c) => {
      const compliance = complianceHtml(c);
      return (
        `<dt id="check-${escapeHtml(anchor(c.id))}"><span class="check-id">${escapeHtml(c.id)}</span> · ${escapeHtml(c.severity)} · ${escapeHtml(c.title)}</dt>` +
        `<dd><p>${escapeHtml(c.description)}</p><p class="fix"><strong>How to fix:</strong> ${escapeHtml(c.remediation.text)} ${link(c.remediation.url, 'Documentation')}</p>${compliance}</dd>`
      );
    });
  if (entries.length === 0) return '';
  return `<section id="checks"><h2>Checks in this report</h2><dl>${entries.join('\n')}</dl></section>`;
}

/** The check's compliance mapping (lib/compliance.ts), rendered generically and escaped. */
function complianceHtml(check: CheckMeta): string {
  const value: unknown = (check as CheckMeta & { compliance?: unknown }).compliance;
  if (value === undefined || value === null) return '';
  return `<div class="compliance"><strong>Compliance mapping:</strong>${generic(value, 0)}</div>`;
}

function generic(value: unknown, depth: number): string {
  if (depth > 4) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return ` ${escapeHtml(String(value))}`;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string' || typeof v === 'number')) return ` ${value.map((v) => escapeHtml(String(v))).join(', ')}`;
    return `<ul>${value.map((v) => `<li>${generic(v, depth + 1)}</li>`).join('')}</ul>`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    return `<ul>${entries.map(([k, v]) => `<li>${escapeHtml(k)}:${generic(v, depth + 1)}</li>`).join('')}</ul>`;
  }
  return '';
}

