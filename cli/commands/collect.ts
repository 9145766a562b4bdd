/** `emr-audit collect --out FILE`: save the snapshot of live AWS for a later `scan --snapshot`. */
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { everyRegionFailed } from '../../lib/report/render-summary.js';
import { parseFlags, UsageError, type FlagSpecs } from '../args.js';
import { COLLECT_HELP } from '../help.js';
import { AuditCouldNotRunError, type CliIo } from '../io.js';
import { collectSnapshotLive } from '../live.js';
import { checkLiveClustersPresent } from '../snapshot-source.js';
import { checkFlags, clusterFlags, liveRegions, selectedChecks, settingsFrom } from '../scope.js';

export const FLAGS: FlagSpecs = {
  out: { type: 'string' },
  region: { type: 'string', multiple: true },
  cluster: { type: 'string', multiple: true },
  check: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export async function collectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'collect');
  if (flags.has('help')) {
    io.stdout.write(COLLECT_HELP);
    return 0;
  }
  if (flags.positionals.length > 0) throw new UsageError(`collect takes no arguments (got "${flags.positionals[0]}"); run \`emr-audit collect --help\``);
  const out = flags.string('out');
  if (out === undefined) throw new UsageError('collect needs --out FILE (or --out - for stdout)');
  // Fail before a long collection, not after it.
  if (out !== '-') await assertWritableFile(out);

  const settings = settingsFrom(flags, io);
  const checkIds = checkFlags(flags, settings);
  const clusterIds = clusterFlags(flags);
  const regions = await liveRegions(flags, settings, io);

  const state = flags.string('state');
  const snapshot = checkLiveClustersPresent(await collectSnapshotLive({ io, settings, regions, clusterIds, checks: selectedChecks(checkIds, settings), ...(state ? { state } : {}) }), clusterIds);
  const json = `${JSON.stringify(snapshot, null, 2)}\n`;
  if (out === '-') io.stdout.write(json);
  else {
    try {
      await writeFile(out, json, 'utf8');
    } catch (e) {
      throw new UsageError(`--out ${out}: ${(e as Error).message}`);
    }
    const clusters = snapshot.regions.reduce((n, r) => n + r.clusters.length, 0);
    const errors = snapshot.regions.reduce((n, r) => n + r.errors.length, 0);
    io.stderr.write(
      `Saved ${clusters} cluster${clusters === 1 ? '' : 's'} in ${snapshot.regions.length} region${snapshot.regions.length === 1 ? '' : 's'}` +
        `${errors > 0 ? ` (${errors} collection error${errors === 1 ? '' : 's'})` : ''} to ${out}. Evaluate it with: emr-audit scan --snapshot ${out}\n`,
    );
  }
  if (everyRegionFailed(snapshot)) throw new AuditCouldNotRunError('the audit could not run: every region failed (see the errors in the snapshot)');
  return 0;
}

/** The file may be created or replaced: not a directory, writable if it exists, in a writable directory. */
async function assertWritableFile(file: string): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`--out ${file}: is a directory; name the snapshot file, e.g. --out ${file.replace(/\/+$/, '')}/snapshot.json`);
  if (existing) {
    try {
      await access(file, constants.W_OK);
    } catch {
      throw new UsageError(`--out ${file}: the file exists and is not writable`);
    }
  }
  const dir = dirname(resolve(file));
  const parent = await stat(dir).catch(() => undefined);
  if (!parent?.isDirectory()) throw new UsageError(`--out ${file}: cannot write to ${dir}`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${file}: cannot write to ${dir}`);
  }
}
