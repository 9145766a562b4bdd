/**
 * `emr-audit scan`: collect (or load) a snapshot, evaluate it, print the report, and turn the
 * outcome into the exit code of the public contract.
 */
import { SEVERITIES, type Result, type Severity } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { runAudit, type AuditDeps, type PublishSummary } from '../../lib/audit.js';
import { dateOf } from '../../lib/clock.js';
import { FORMATS, type FormatName, type Renderer, type ViewOptions } from '../../lib/report/formats.js';
import { expiredRuleLines } from '../../lib/suppression.js';
import { wantsColor } from '../../lib/report/render-style.js';
import { oneLine } from '../../lib/report/render-style.js';
import { everyRegionFailed, severityRank } from '../../lib/report/render-summary.js';
import type { ReportInput } from '../../lib/report/report-input.js';
import type { AuditRequest } from '../../lib/request.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { parseFlags, UsageError, type FlagSpecs } from '../args.js';
import { SCAN_HELP } from '../help.js';
import { AuditCouldNotRunError, clockOf, type CliIo } from '../io.js';
import { restrictToCompliance } from '../compliance.js';
import { collectLive, defaultClients } from '../live.js';
import { outputPlan, preparePaths, reportFileName, writeReports, writeToSink, type OutputPlan } from '../output.js';
import { checkProfile } from '../profile.js';
import { checkClustersPresent, checkLiveClustersPresent, checkSnapshotHasRegions, readDemoSnapshot, readSnapshotFile, selectRegions } from '../snapshot-source.js';
import { checkFlags, clusterFlags, defaultRegions, liveRegions, regionFlags, selectedChecks, settingsFrom, wantsAllRegions } from '../scope.js';
import { applyShown, describeShown, shownFilter, showsPasses, type ShownFilter } from '../shown.js';
import { packageVersion } from '../version.js';

export const FLAGS: FlagSpecs = {
  region: { type: 'string', multiple: true },
  cluster: { type: 'string', multiple: true },
  check: { type: 'string', multiple: true },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'output-dir': { type: 'string' },
  snapshot: { type: 'string' },
  demo: { type: 'boolean' },
  publish: { type: 'boolean' },
  'fail-on': { type: 'string' },
  severity: { type: 'string', multiple: true },
  status: { type: 'string', multiple: true },
  profile: { type: 'string' },
  compliance: { type: 'string' },
  'fail-on-error': { type: 'boolean' },
  set: { type: 'string', multiple: true },
  state: { type: 'string' },
  verbose: { type: 'boolean' },
  summary: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export async function scanCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'scan');
  if (flags.has('help')) {
    io.stdout.write(SCAN_HELP);
    return 0;
  }
  if (flags.positionals.length > 0) throw new UsageError(`scan takes no arguments (got "${flags.positionals[0]}"); run \`emr-audit scan --help\``);

  const plan = outputPlan(flags);
  const shown = shownFilter(flags);
  const failOn = parseFailOn(flags.string('fail-on'));
  const snapshotPath = flags.string('snapshot');
  const demo = flags.has('demo');
  const publish = flags.has('publish');
  const quiet = flags.has('quiet');
  const profileName = flags.string('profile');
  if (demo && snapshotPath !== undefined) throw new UsageError('--demo and --snapshot cannot be combined: pick one source');
  if (flags.string('state') !== undefined && (demo || snapshotPath !== undefined)) throw new UsageError(`--state works on live AWS data only, not with ${demo ? '--demo' : '--snapshot'}`);
  if (publish && (demo || snapshotPath !== undefined)) {
    throw new UsageError(`--publish works on live AWS data only, not with ${demo ? '--demo' : '--snapshot'}`);
  }
  if (profileName !== undefined && (demo || snapshotPath !== undefined)) {
    throw new UsageError(`--profile works on live AWS data only, not with ${demo ? '--demo' : '--snapshot'}`);
  }

  const settings = settingsFrom(flags, io);
  // Once per run: the rule no longer applies, and whoever relied on it should know.
  for (const line of expiredRuleLines(settings.suppressions, dateOf(clockOf(io)))) io.stderr.write(`emr-audit: warning: ${line}\n`);
  const checkIds = restrictToCompliance(checkFlags(flags, settings), flags.string('compliance'));
  const clusterIds = clusterFlags(flags);
  const allRegionsWanted = wantsAllRegions(flags);
  // Before any AWS call: a typo in a path or a profile must not cost a long collection.
  await preparePaths(plan.target);
  const profile = profileName === undefined ? undefined : await checkProfile(profileName, io.env);

  let loadSnapshot: AuditDeps['loadSnapshot'];
  let regions: string[];
  let source: string;
  let publisher: AuditDeps['publish'];
  if (demo || snapshotPath !== undefined) {
    const label = demo ? 'demo account' : `snapshot ${snapshotPath}`;
    const saved = selectRegions(checkSnapshotHasRegions(demo ? await readDemoSnapshot() : await readSnapshotFile(snapshotPath!), label), allRegionsWanted ? [] : regionFlags(flags), label);
    checkClustersPresent(saved, clusterIds, label);
    regions = saved.regions.map((r) => r.region);
    loadSnapshot = () => Promise.resolve(saved);
    source = label;
  } else {
    let liveIo = io;
    if (allRegionsWanted) {
      const home = (await defaultRegions(settings, io, profile))?.[0] ?? 'us-east-1';
      const clients = io.clients ?? (await defaultClients(settings, [home], profile));
      const { allRegions } = await import('../all-regions.js');
      regions = await allRegions(clients, home, io.stderr, quiet);
      liveIo = { ...io, clients };
    } else {
      regions = await liveRegions(flags, settings, io, profile);
    }
    const state = flags.string('state');
    const live = await collectLive({ io: liveIo, settings, regions, clusterIds, checks: selectedChecks(checkIds, settings), quiet, ...(profile ? { profile } : {}), ...(state ? { state } : {}) });
    // An id that is not active in any selected region is a usage error, as on a snapshot: before
    // anything is evaluated or published, so a typo cannot read as "no findings".
    loadSnapshot = async (req) => checkLiveClustersPresent(await live.loadSnapshot(req), clusterIds);
    if (publish) publisher = await live.publisher();
    source = 'live AWS';
  }

  const request: AuditRequest = {
    trigger: 'cli',
    regions,
    ...(clusterIds.length > 0 ? { clusterIds } : {}),
    ...(checkIds.length > 0 ? { checks: checkIds } : {}),
    dryRun: !publish,
    terminatedClusters: [],
  };
  const outcome = await runAudit(request, { settings, checks: CHECKS, clock: clockOf(io), loadSnapshot, ...(publisher ? { publish: publisher } : {}) });

  const input: ReportInput = {
    // Only what is shown is filtered: evaluation, publishing and the exit code use every result.
    results: applyShown(outcome.results, shown),
    snapshot: outcome.snapshot,
    checks: CHECKS,
    startedAt: outcome.startedAt,
    toolVersion: packageVersion(),
    ...(clusterIds.length > 0 ? { clusterIds } : {}),
    ...(outcome.published ? { published: outcome.published } : {}),
  };
  await emit(plan, input, viewFor(flags, shown, source, io), io, quiet);
  if (outcome.published && (plan.target.kind !== 'stdout' || plan.formats[0] !== 'table')) reportPublished(outcome.published, io, quiet);

  return exitCode(outcome.snapshot, outcome.results, { failOn, failOnError: flags.has('fail-on-error') }, io);
}

function viewFor(flags: ReturnType<typeof parseFlags>, shown: ShownFilter, source: string, io: CliIo): ViewOptions {
  const filterNote = describeShown(shown);
  return {
    color: !flags.has('no-color') && wantsColor(io.env, io.stdoutIsTTY),
    ...(io.columns ? { width: io.columns } : {}),
    verbose: flags.has('verbose') || showsPasses(shown),
    ...(flags.has('summary') ? { summary: true } : {}),
    source,
    ...(filterNote ? { filterNote } : {}),
  };
}

/** Render every requested format from the one input, then print or write them. */
async function emit(plan: OutputPlan, input: ReportInput, view: ViewOptions, io: CliIo, quiet: boolean): Promise<void> {
  if (plan.target.kind === 'stdout') {
    const render = await FORMATS[plan.formats[0]!].load!();
    await writeToSink(io.stdout, render(input, view));
    return;
  }
  // Files never get terminal colours; the table in a file keeps the default width.
  const fileView: ViewOptions = { ...view, color: false };
  delete fileView.width;
  const renderers = new Map<FormatName, Renderer>();
  for (const format of plan.formats) renderers.set(format, await FORMATS[format].load!());
  // One report at a time, each rendered as it is written: several large reports are never in memory together.
  const reports = plan.formats.map((format) => ({
    format,
    render: () => renderers.get(format)!(input, fileView),
    fileName: reportFileName(input.snapshot.accountId, input.snapshot.regions.map((r) => r.region), input.startedAt, format),
  }));
  const written = await writeReports(plan.target, reports);
  if (!quiet) for (const w of written) io.stderr.write(`emr-audit: wrote ${w.format} report to ${w.path}\n`);
}

function parseFailOn(raw: string | undefined): Severity | undefined {
  if (raw === undefined) return undefined;
  const severity = SEVERITIES.find((s) => s === raw.toUpperCase());
  if (!severity) throw new UsageError(`--fail-on ${raw}: expected one of ${[...SEVERITIES].reverse().join(', ')}`);
  return severity;
}

function reportPublished(p: PublishSummary, io: CliIo, quiet: boolean): void {
  if (quiet && p.failed === 0 && p.errors.length === 0) return;
  io.stderr.write(`Security Hub: ${p.imported} findings imported, ${p.archived} archived, ${p.failed} failed\n`);
  for (const e of p.errors) io.stderr.write(`  ${oneLine(e)}\n`);
}

function exitCode(snapshot: Snapshot, results: readonly Result[], gate: { failOn: Severity | undefined; failOnError: boolean }, io: CliIo): number {
  if (everyRegionFailed(snapshot)) {
    const why = snapshot.regions
      .map((r) => {
        const e = r.errors.find((x) => x.kind === 'region');
        return e ? `${r.region}: ${e.api} ${e.code}` : r.region;
      })
      .join('; ');
    throw new AuditCouldNotRunError(`the audit could not run: every region failed (${why})`);
  }
  const { failOn } = gate;
  let code = 0;
  if (failOn !== undefined) {
    const failing = results.filter((r) => r.status === 'FAIL' && severityRank(r.severity) >= severityRank(failOn));
    if (failing.length > 0) {
      io.stderr.write(`emr-audit: ${failing.length} FAIL result${failing.length === 1 ? '' : 's'} at or above ${failOn} (--fail-on ${failOn})\n`);
      code = 1;
    }
  }
  if (gate.failOnError) {
    // A CI gate must not pass on an audit that saw nothing: an ERROR is a check that was not evaluated.
    const errors = results.filter((r) => r.status === 'ERROR');
    if (errors.length > 0) {
      io.stderr.write(`emr-audit: ${errors.length} ERROR result${errors.length === 1 ? '' : 's'}: some checks could not be evaluated (--fail-on-error)\n`);
      code = 1;
    }
  }
  return code;
}
