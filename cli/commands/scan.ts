/**
 * `emr-audit scan`: collect (or load) a snapshot, evaluate it, print the report, and turn the
 * outcome into the exit code of the public contract.
 */
import { SEVERITIES, type Result, type Severity } from '../../checks/contract.js';
import { CHECKS } from '../../checks/index.js';
import { runAudit, type AuditDeps, type PublishSummary } from '../../lib/audit.js';
import { renderJson } from '../../lib/report/json.js';
import { wantsColor } from '../../lib/report/render-style.js';
import { everyRegionFailed, oneLine, severityRank } from '../../lib/report/render-summary.js';
import { renderTable } from '../../lib/report/table.js';
import type { AuditRequest } from '../../lib/request.js';
import type { Snapshot } from '../../lib/snapshot.js';
import { parseFlags, UsageError, type FlagSpecs } from '../args.js';
import { SCAN_HELP } from '../help.js';
import { AuditCouldNotRunError, clockOf, type CliIo } from '../io.js';
import { collectLive } from '../live.js';
import { checkClustersPresent, readDemoSnapshot, readSnapshotFile, selectRegions } from '../snapshot-source.js';
import { checkFlags, clusterFlags, liveRegions, regionFlags, selectedChecks, settingsFrom } from '../scope.js';

const FLAGS: FlagSpecs = {
  region: { type: 'string', multiple: true },
  cluster: { type: 'string', multiple: true },
  check: { type: 'string', multiple: true },
  format: { type: 'string' },
  snapshot: { type: 'string' },
  demo: { type: 'boolean' },
  publish: { type: 'boolean' },
  'fail-on': { type: 'string' },
  set: { type: 'string', multiple: true },
  state: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const FORMATS = ['table', 'json', 'asff'] as const;
type Format = (typeof FORMATS)[number];

export async function scanCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'scan');
  if (flags.has('help')) {
    io.stdout.write(SCAN_HELP);
    return 0;
  }
  if (flags.positionals.length > 0) throw new UsageError(`scan takes no arguments (got "${flags.positionals[0]}"); run \`emr-audit scan --help\``);

  const format = parseFormat(flags.string('format'), io.stdoutIsTTY);
  const failOn = parseFailOn(flags.string('fail-on'));
  const snapshotPath = flags.string('snapshot');
  const demo = flags.has('demo');
  const publish = flags.has('publish');
  if (demo && snapshotPath !== undefined) throw new UsageError('--demo and --snapshot cannot be combined: pick one source');
  if (flags.string('state') !== undefined && (demo || snapshotPath !== undefined)) throw new UsageError(`--state works on live AWS data only, not with ${demo ? '--demo' : '--snapshot'}`);
  if (publish && (demo || snapshotPath !== undefined)) {
    throw new UsageError(`--publish works on live AWS data only, not with ${demo ? '--demo' : '--snapshot'}`);
  }

  const settings = settingsFrom(flags, io);
  const checkIds = checkFlags(flags, settings);
  const clusterIds = clusterFlags(flags);

  let loadSnapshot: AuditDeps['loadSnapshot'];
  let regions: string[];
  let source: string;
  let publisher: AuditDeps['publish'];
  if (demo || snapshotPath !== undefined) {
    const label = demo ? 'demo account' : `snapshot ${snapshotPath}`;
    const saved = selectRegions(demo ? await readDemoSnapshot() : await readSnapshotFile(snapshotPath!), regionFlags(flags), label);
    checkClustersPresent(saved, clusterIds, label);
    regions = saved.regions.map((r) => r.region);
    loadSnapshot = () => Promise.resolve(saved);
    source = label;
  } else {
    regions = await liveRegions(flags, settings, io);
    const state = flags.string('state');
    const live = await collectLive({ io, settings, regions, clusterIds, checks: selectedChecks(checkIds, settings), ...(state ? { state } : {}) });
    loadSnapshot = live.loadSnapshot;
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

  io.stdout.write(await render(format, { ...outcome, clusterIds, source, verbose: flags.has('verbose') }, io));
  if (outcome.published && format !== 'table') reportPublished(outcome.published, io);

  return exitCode(outcome.snapshot, outcome.results, failOn, io);
}

function parseFormat(raw: string | undefined, stdoutIsTTY: boolean): Format {
  if (raw === undefined) return stdoutIsTTY ? 'table' : 'json';
  const format = FORMATS.find((f) => f === raw.toLowerCase());
  if (!format) throw new UsageError(`--format ${raw}: expected table, json or asff`);
  return format;
}

function parseFailOn(raw: string | undefined): Severity | undefined {
  if (raw === undefined) return undefined;
  const severity = SEVERITIES.find((s) => s === raw.toUpperCase());
  if (!severity) throw new UsageError(`--fail-on ${raw}: expected one of ${[...SEVERITIES].reverse().join(', ')}`);
  return severity;
}

interface RenderInput {
  snapshot: Snapshot;
  results: Result[];
  startedAt: Date;
  published?: PublishSummary;
  clusterIds: string[];
  source: string;
  verbose: boolean;
}

async function render(format: Format, input: RenderInput, io: CliIo): Promise<string> {
  const clusterIds = input.clusterIds.length > 0 ? input.clusterIds : undefined;
  if (format === 'json') {
    return renderJson({ results: input.results, snapshot: input.snapshot, ...(clusterIds ? { clusterIds } : {}), ...(input.published ? { published: input.published } : {}) });
  }
  if (format === 'asff') {
    const { buildFindings } = await import('../../lib/report/asff.js');
    return `${JSON.stringify(buildFindings(input.results, input.snapshot, input.startedAt), null, 2)}\n`;
  }
  return renderTable({
    results: input.results,
    snapshot: input.snapshot,
    ...(clusterIds ? { clusterIds } : {}),
    checks: CHECKS,
    verbose: input.verbose,
    color: wantsColor(io.env, io.stdoutIsTTY),
    ...(io.columns ? { width: io.columns } : {}),
    source: input.source,
    ...(input.published ? { published: input.published } : {}),
  });
}

function reportPublished(p: PublishSummary, io: CliIo): void {
  io.stderr.write(`Security Hub: ${p.imported} findings imported, ${p.archived} archived, ${p.failed} failed\n`);
  for (const e of p.errors) io.stderr.write(`  ${oneLine(e)}\n`);
}

function exitCode(snapshot: Snapshot, results: readonly Result[], failOn: Severity | undefined, io: CliIo): number {
  if (everyRegionFailed(snapshot)) {
    const why = snapshot.regions
      .map((r) => {
        const e = r.errors.find((x) => x.kind === 'region');
        return e ? `${r.region}: ${e.api} ${e.code}` : r.region;
      })
      .join('; ');
    throw new AuditCouldNotRunError(`the audit could not run: every region failed (${why})`);
  }
  if (failOn === undefined) return 0;
  const failing = results.filter((r) => r.status === 'FAIL' && severityRank(r.severity) >= severityRank(failOn));
  if (failing.length === 0) return 0;
  io.stderr.write(`emr-audit: ${failing.length} FAIL result${failing.length === 1 ? '' : 's'} at or above ${failOn} (--fail-on ${failOn})\n`);
  return 1;
}
