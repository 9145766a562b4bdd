/** Plain-text tables of the benchmark's figures. */
import { renderImports } from './imports.js';
import type { ArtefactResult } from './artefact.js';
import type { ChildResult, FleetRun } from './result.js';
import { API_BY_KEY } from './limits.js';
import { headroomText } from '../../lib/collect/headroom.js';

/** The table's short form of the run's EMR headroom: "on 15 %", "dropped" (was on), "off", "-" (not reported). */
function headroomCell(f: FleetRun): string {
  const h = f.emrHeadroom;
  if (!h) return '-';
  if (h.on) return `on ${Number((100 * (h.share ?? 0)).toFixed(1))} %`;
  return h.share !== undefined ? 'dropped' : 'off';
}

export const TARGETS = { callRatio: 1, timeRatio: 1.25, failedCalls: 0, collectionErrors: 0, peakRssMbAt1000: 200 } as const;

const num = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pad = (s: string, width: number, right = false): string => (right ? s.padStart(width) : s.padEnd(width));

function table(headers: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i] ?? 0, rightAligned[i] ?? false)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const rate = (api: string): string => {
  const s = API_BY_KEY.get(api);
  if (!s) return '';
  const own = s.burst === Infinity ? '' : `${s.burst}/${s.rate}`;
  return [own, s.sharedBucket ? `+${s.sharedBucket}` : ''].filter(Boolean).join(' ');
};

export interface RunTotals {
  calls: number;
  minimum: number;
  naive: number;
  throttled: number;
  errors: number;
}

export function totals(r: ChildResult): RunTotals {
  return r.apis.reduce<RunTotals>(
    (t, a) => ({
      calls: t.calls + a.ok,
      minimum: t.minimum + a.minimum,
      naive: t.naive + a.naive,
      throttled: t.throttled + a.throttled,
      errors: t.errors + Object.values(a.errors).reduce((x, y) => x + y, 0),
    }),
    { calls: 0, minimum: 0, naive: 0, throttled: 0, errors: 0 },
  );
}

/** The fleet-scale runs of one N (issue 12): calls vs the new minimum, wall vs bound, EMR share… */
export function renderFleet(r: ChildResult): string {
  if (!r.fleet || r.fleet.length === 0) return '';
  const out: string[] = [`### N = ${num(r.n)}: fleet-scale runs (cold: no state; warm: after churn${r.churn ? ` — ${r.churn.terminated} terminated, ${r.churn.added} new, ${r.churn.changedRule} with a changed SG rule, suppression tag added on ${r.churn.suppressionAdded}, removed from ${r.churn.suppressionRemoved}` : ''})`];
  out.push(
    table(
      ['run', 'model wall s', 'bound s', 'DescribeCluster bound s', 'EMR calls', 'EMR share', 'EMR headroom', 'fallbacks', 'invocations', '= full audit', 'peak RSS MB'],
      r.fleet.map((f) => [
        f.label,
        f.modelSeconds.toFixed(1),
        f.boundSeconds.toFixed(1),
        f.describeBoundSeconds.toFixed(0),
        num(f.emrCalls),
        `${(100 * f.emrShare).toFixed(1)} %`,
        headroomCell(f),
        `${f.nodeFallbacks} node / ${f.tagFallbacks} tag`,
        String(f.invocations),
        f.equalsFullAudit === undefined ? '-' : f.equalsFullAudit ? 'yes' : 'NO',
        f.peakRssMb.toFixed(0),
      ]),
      [false, true, true, true, true, true, false, false, true, false, true],
    ),
  );
  for (const f of r.fleet) out.push(`${f.label} EMR headroom: ${f.emrHeadroom ? headroomText(f.emrHeadroom) : 'not reported'}`);
  for (const f of r.fleet) {
    if (f.label.startsWith('event')) {
      out.push(`${f.label}: ${f.apis.reduce((n, a) => n + a.calls, 0)} calls (${f.apis.filter((a) => a.calls > 0).map((a) => `${a.api} ${a.calls}`).join(', ')}), ${f.modelSeconds.toFixed(1)} model s`);
      continue;
    }
    const off = f.apis.filter((a) => a.calls !== a.minimum);
    const shown = f.apis.filter((a) => a.calls > 0 || a.minimum > 0);
    out.push(
      `${f.label} calls/minimum: ${shown.map((a) => `${a.api} ${a.calls}/${a.minimum}`).join(', ')}${off.length ? `  (off the minimum: ${off.map((a) => a.api).join(', ')})` : '  (all at the minimum)'}`,
    );
    for (const m of f.mismatches ?? []) out.push(`  !! ${m}`);
  }
  out.push(
    '(peak RSS in this table is the timing process: product and the in-process simulated account together, over the runs so far)',
    memoryRunLine(r),
    '',
  );
  return out.join('\n');
}

export function renderRun(r: ChildResult): string {
  const out: string[] = [];
  const a = r.account;
  out.push(
    `## N = ${num(r.n)} active clusters  (seed ${r.seed}, time scale ×${r.timeScale})`,
    `account: ${num(a.active)} active + ${num(a.terminated)} terminated clusters, ${num(a.instancesListed)} live instances (${num(a.runningInstances)} RUNNING), ` +
      `${a.securityGroups} security groups in use, ${a.securityConfigurations} security configurations, ${a.instanceProfiles} instance profiles, ${a.roles} roles, ${a.managedPolicies} managed policies`,
    '',
  );
  if (r.failure) out.push(`!! collectSnapshot failed: ${r.failure}`, '');
  if (r.timedOut) out.push('!! the collection did not finish within the watchdog limit; figures below are partial', '');

  const rows = r.apis.map((x) => {
    const errors = Object.entries(x.errors).map(([code, n]) => `${n} ${code}`).join(', ');
    const ratio = x.minimum > 0 ? (x.ok / x.minimum).toFixed(2) : x.ok > 0 ? 'not needed' : '-';
    const window = x.firstAt !== undefined && x.lastAt !== undefined ? `${x.firstAt.toFixed(1)}–${x.lastAt.toFixed(1)}` : '';
    return [x.api, num(x.ok), num(x.throttled), errors || '0', num(x.minimum), ratio, num(x.naive), String(x.peakInFlight), rate(x.api), window];
  });
  const t = totals(r);
  rows.push(['total', num(t.calls), num(t.throttled), num(t.errors), num(t.minimum), t.minimum ? (t.calls / t.minimum).toFixed(2) : '-', num(t.naive), '', '', '']);
  out.push(
    table(
      ['API', 'calls', 'throttled', 'errors', 'minimum', 'ratio', 'naive', 'peak ∥', 'bucket burst/refill', 'active (model s)'],
      rows,
      [false, true, true, true, true, true, true, true, false, false],
    ),
    '',
  );

  const b = r.bound;
  const ratio = b.seconds > 0 ? r.wall.modelSeconds / b.seconds : 0;
  const inv = r.invocations;
  const failed = inv.failed.reduce((n, f) => n + f.count, 0);
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  out.push(
    `wall time      ${num(r.wall.modelSeconds, 1)} s model (${num(r.wall.realSeconds, 2)} s real at ×${r.timeScale}, of which ${num(r.wall.busySeconds, 2)} s CPU-busy, counted 1:1); ` +
      `lower bound ${num(b.seconds, 1)} s, set by ${b.binding.name} (head ${b.binding.head.toFixed(2)} + drain ${num(b.binding.drain, 1)} + tail ${b.binding.tail.toFixed(2)} s); ` +
      `ratio ${ratio.toFixed(2)} (target ≤ ${TARGETS.timeRatio}: ${verdict(ratio <= TARGETS.timeRatio)})`,
    `next bounds    ${b.terms.slice(1, 4).map((x) => `${x.name} ${num(x.total, 1)} s`).join(', ')}`,
    `calls          ${num(t.calls)} successful vs minimum ${num(t.minimum)}: ratio ${(t.minimum ? t.calls / t.minimum : 0).toFixed(2)} (target ${TARGETS.callRatio.toFixed(2)}: ${verdict(t.calls <= t.minimum)})`,
    `throttling     ${num(t.throttled)} throttled attempts, ${num(inv.throttlesRetried)} retried; up to ${inv.maxAttempts} attempts for one call`,
    `failed calls   ${failed}${failed ? ` (${inv.failed.map((f) => `${f.count} ${f.api} ${f.code}`).join(', ')})` : ''} (target 0: ${verdict(failed === 0)}); ` +
      `collection errors in the snapshot ${r.collectionErrors.total}${r.collectionErrors.total ? ` (${r.collectionErrors.byKindAndCode.slice(0, 4).map((e) => `${e.count} ${e.kind} ${e.api} ${e.code}`).join(', ')})` : ''} (target 0: ${verdict(r.collectionErrors.total === 0)})`,
    `memory         peak RSS ${num(r.rss.peakMb)} MB (collection ${num(r.rss.collectionPeakMb)} MB, then evaluation); at start ${num(r.rss.startMb)} MB, before collecting ${num(r.rss.baselineMb)} MB; ` +
      `live heap after collection ${num(r.rss.liveAfterCollectionMb)} MB, snapshot ${num(r.rss.snapshotJsonMb, 1)} MB as JSON`,
    `               the simulated account holds ~${num(r.rss.modelMb)} MB of that heap: ~${num(r.rss.collectionPeakMb - r.rss.modelMb)} MB collecting / ~${num(r.rss.peakMb - r.rss.modelMb)} MB overall without it (estimate)` +
      ' (the product alone is measured by the memory run below)',
    ...memoryPhaseLines(r),
    `evaluation     ${evaluationLine(r)}`,
    ...(r.imports ? [renderImports(r.imports)] : []),
    `naive auditor  ${num(t.naive)} calls; ours ${num(t.calls)} = ${t.naive ? ((100 * t.calls) / t.naive).toFixed(1) : '-'} % of it`,
    `snapshot       ${r.snapshot.described}/${r.snapshot.clusters} clusters described (model: ${a.active}), instances listed for ${r.snapshot.withInstances}, ` +
      `secrets found: ${r.snapshot.secretsFound.length ? r.snapshot.secretsFound.join(', ') : 'none'}, schema ${r.snapshot.valid ? 'valid' : `INVALID (${r.snapshot.invalidReason ?? ''})`}`,
    '',
  );
  return out.join('\n');
}

/** The product's own peak RSS, from the memory run (two processes). */
export function memoryRunLine(r: ChildResult): string {
  if (r.memoryRunFailure) return `product alone (memory run): FAILED — ${r.memoryRunFailure.split('\n')[0] ?? ''}`;
  const m = r.memoryRun;
  if (!m) return 'product alone (memory run): not run';
  const target = r.n >= 1000 ? `; target < ${TARGETS.peakRssMbAt1000} MB: ${verdict(m.peakRssMb < TARGETS.peakRssMbAt1000)}` : '';
  const phases = m.phases.map((p) => `${p.name} ${num(p.rssMb)} (heap ${num(p.heapUsedMb)})`).join(', ');
  return (
    `product alone (memory run: one cold scheduled audit — collection, evaluation, Security Hub plan — in its own process, the simulator in another): ` +
    `peak RSS ${num(m.peakRssMb)} MB measured${target}; ${num(m.clusters)} clusters, ${num(m.results)} results, ${num(m.plannedImports)} findings planned, ${m.collectionErrors} collection errors; ` +
    `RSS MB at ${phases}; ${num(m.realSeconds, 1)} s real at ×${m.timeScale}`
  );
}

/** Where the peak comes from: memory at each phase boundary, and the product's own peak. */
function memoryPhaseLines(r: ChildResult): string[] {
  const phases = r.rss.phases;
  if (!phases || phases.length === 0) return [];
  const product = r.rss.productPeakMb;
  const lines = phases.map(
    (p) => `               ${pad(p.name, 62)} RSS ${pad(num(p.rssMb), 4, true)} (max ${pad(num(p.maxRssMb), 4, true)}) heap ${pad(num(p.heapUsedMb), 4, true)} used / ${pad(num(p.heapTotalMb), 4, true)} MB, external ${num(p.externalMb)} MB`,
  );
  if (product !== undefined) {
    const without = product - r.rss.modelMb;
    lines.push(
      `               timing process peak at the end of the product's work (collection + one evaluation) ${num(product)} MB; minus the simulated account's live heap (${num(r.rss.modelMb)} MB): ${num(without)} MB (an estimate)`,
    );
  }
  lines.push(`               ${memoryRunLine(r)}`);
  return lines;
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

function evaluationLine(r: ChildResult): string {
  const e = r.evaluation;
  const statuses = Object.entries(e.byStatus).filter(([, n]) => n > 0).map(([s, n]) => `${num(n)} ${s}`).join(', ');
  const slow = e.slowestChecks.map((c) => `${c.id} ${c.msPerCluster.toFixed(1)} ms`).join(', ');
  const how = e.sampled
    ? `SAMPLED: ${num(e.sampled.clusters)} of ${num(r.snapshot.clusters)} clusters in slices within the time budget; one full run ≈ ${num(e.sampled.estimatedFullRunSeconds, 1)} s`
    : `${e.reps} full run${e.reps === 1 ? '' : 's'} of evaluateSnapshot, ${num(e.results)} results per run`;
  return `${num(e.clustersPerSecond, e.clustersPerSecond < 100 ? 1 : 0)} clusters/s (${how}: ${statuses}); slowest checks per cluster: ${slow}`;
}

/** What the columns and the bound mean (printed once, before the runs). */
export const LEGEND = [
  'calls = successful calls; throttled = attempts answered with the throttling error (retried by the SDK); minimum = fewest calls the',
  'account requires for the selected checks; naive = a naive auditor on the same account; peak ∥ = most calls in flight; bucket =',
  'simulated quota (burst/refill per s, + account-wide bucket); active = model seconds from the first request to the last answer.',
  'Time is model time (idle waits × K, CPU 1:1). Lower bound = max over APIs and shared buckets of: dependency latencies before the',
  "first call + (calls − burst) / refill (or the sequential page chain) + the last call's latency and the calls that must follow it.",
  'EMR share = EMR calls ÷ (25 + 5 × model wall s): the account-wide EMR bucket\'s tokens during the run. EMR headroom = whether',
  'the run took only a share of that bucket (lib/collect/quotas.ts EMR_HEADROOM_SHARE: warm scheduled runs) or the full quota',
  '(cold, continuation and event runs; "dropped": its EMR work would not have fit its time budget at that pace).',
  'Memory: calls and wall time come from the timing runs, where product and simulated account share one process and one model',
  'clock. The product\'s own peak RSS comes from a separate memory run per N: the simulated account in one process behind the HTTP',
  'endpoint (instant answers, no throttling), one cold scheduled audit (runAudit: collection, evaluation, Security Hub plan) in',
  'another with the Lambda\'s V8 heap, its peak RSS measured (process.resourceUsage().maxRSS). Two processes cannot share the',
  'time warp (each event loop idles at other moments), so only the product keeps model time there, for its own pacing.',
  '',
].join('\n');

export function renderArtefact(a: ArtefactResult): string {
  if (!a.built || a.bytes === undefined) return `## Lambda artefact\n${a.note ?? 'not built'}\n`;
  const kb = (b: number): string => `${num(b / 1024)} KB`;
  const lines = [
    '## Lambda artefact',
    `${a.path ?? ''}: ${kb(a.bytes)} (${kb(a.gzipBytes ?? 0)} gzipped), built by \`${a.buildCommand ?? ''}\` in ${num(a.buildSeconds ?? 0, 1)} s`,
  ];
  if (a.coldImportMs !== undefined) {
    lines.push(
      `cold import: median ${num(a.coldImportMs)} ms for import() in ${a.runs ?? 0} fresh processes (whole process ${num(a.coldProcessMs ?? 0)} ms; Node start-up alone ${num(a.nodeStartupMs ?? 0)} ms)`,
    );
  }
  if (a.note) lines.push(a.note);
  return `${lines.join('\n')}\n`;
}
