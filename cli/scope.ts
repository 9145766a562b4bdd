/**
 * What a scan or collect run covers — settings, regions, clusters, checks — from flags and the
 * environment, validated up front so a mistake is a one-line usage error before any AWS call.
 */
import type { Check } from '../checks/contract.js';
import { CHECK_IDS, CHECKS } from '../checks/index.js';
import { partitionOf, regionProblem } from '../lib/regions.js';
import { loadSettings, SettingsError, type Settings } from '../lib/settings.js';
import { parseSetPairs, UsageError, type ParsedFlags } from './args.js';
import { dateOf } from '../lib/clock.js';
import { clockOf, type CliIo } from './io.js';
import { closest } from './suggest.js';

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const CLUSTER_ID_PATTERN = /^j-[A-Za-z0-9]+$/;

export function settingsFrom(flags: ParsedFlags, io: CliIo): Settings {
  const overrides = parseSetPairs(flags.strings('set'));
  try {
    return loadSettings(io.env, overrides, { knownCheckIds: CHECK_IDS, now: dateOf(clockOf(io)) });
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * `--region` values, checked and deduplicated (empty when none was given): each a region the SDK's
 * partition table lists, all in the first one's partition (its credentials serve every region).
 */
export function regionFlags(flags: ParsedFlags): string[] {
  const regions = [...new Set(flags.strings('region'))];
  for (const r of regions) {
    if (!REGION_PATTERN.test(r)) throw new UsageError(`--region ${r}: not an AWS region name (e.g. eu-west-1)`);
  }
  checkOnePartition(regions, (r) => `--region ${r}`);
  return regions;
}

/** Every region known to the SDK and in the partition of the first (whose credentials the run uses). */
function checkOnePartition(regions: readonly string[], named: (region: string) => string): void {
  const [first] = regions;
  if (first === undefined) return;
  const home = partitionOf(first);
  for (const r of regions) {
    const problem = regionProblem(r, home, `that of ${first}, the run's first region`);
    if (problem) throw new UsageError(`${named(r)}: ${problem}`);
  }
}

/** Regions of a live run: flags, else settings, else the environment, else the SDK's profile region. */
export async function liveRegions(flags: ParsedFlags, settings: Settings, io: CliIo, profile?: string): Promise<string[]> {
  const fromFlags = regionFlags(flags);
  if (fromFlags.length > 0) return fromFlags;
  const fallback = await defaultRegions(settings, io, profile);
  if (fallback) {
    checkOnePartition(fallback, (r) => (settings.regions.includes(r) ? `EMR_AUDIT_REGIONS ${r}` : `region ${r}`));
    return fallback;
  }
  throw new UsageError('no region to audit: pass --region (e.g. --region eu-west-1), or set AWS_REGION or EMR_AUDIT_REGIONS');
}

/** `--region all` (alone: it cannot be combined with named regions). */
export function wantsAllRegions(flags: ParsedFlags): boolean {
  const values = flags.strings('region');
  if (!values.some((r) => r.toLowerCase() === 'all')) return false;
  if (values.length > 1) throw new UsageError('--region all cannot be combined with other --region values');
  return true;
}

/** The regions a run without --region uses: settings, else the environment, else the profile's. */
export async function defaultRegions(settings: Settings, io: CliIo, profile?: string): Promise<string[] | undefined> {
  if (settings.regions.length > 0) return [...new Set(settings.regions)];
  const fromEnv = io.env.AWS_REGION?.trim() || io.env.AWS_DEFAULT_REGION?.trim();
  if (fromEnv) return [fromEnv];
  const configured = await (io.configuredRegion ?? (() => sdkConfiguredRegion(profile)))();
  return configured ? [configured] : undefined;
}

/** The region the SDK resolves from its shared config files, or undefined when it has none. */
async function sdkConfiguredRegion(profile?: string): Promise<string | undefined> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  const client = new STSClient(profile ? { profile } : {});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

export function clusterFlags(flags: ParsedFlags): string[] {
  const ids = [...new Set(flags.strings('cluster'))];
  for (const id of ids) {
    if (!CLUSTER_ID_PATTERN.test(id)) {
      throw new UsageError(`--cluster ${id}: expected a cluster id such as j-2AXXXXXXGAPLF (\`aws emr list-clusters --active\` lists them)`);
    }
  }
  return ids;
}

/**
 * `--check` values resolved to check ids (`area/*` expands to the area). Unknown ids, and checks
 * the settings disable, are usage errors: silently running fewer checks would hide findings.
 */
export function checkFlags(flags: ParsedFlags, settings: Settings): string[] {
  const ids: string[] = [];
  for (const raw of flags.strings('check')) {
    const value = raw.trim();
    const matched = value.endsWith('/*') ? CHECK_IDS.filter((id) => id.startsWith(value.slice(0, -1))) : CHECK_IDS.filter((id) => id === value);
    if (matched.length === 0) {
      const guess = value.endsWith('/*') ? undefined : closest(value, CHECK_IDS);
      throw new UsageError(`--check ${value}: unknown check${guess ? ` (did you mean ${guess}?)` : ''}; \`emr-audit checks\` lists them`);
    }
    for (const id of matched) if (!ids.includes(id)) ids.push(id);
  }
  const disabled = ids.find((id) => settings.disabledChecks.includes(id));
  if (disabled) throw new UsageError(`--check ${disabled}: this check is disabled by the disabledChecks setting (EMR_AUDIT_DISABLED_CHECKS)`);
  return ids;
}

/** The check modules a run evaluates: the selected ones, minus disabled ones. */
export function selectedChecks(checkIds: readonly string[], settings: Settings): Check[] {
  const disabled = new Set(settings.disabledChecks);
  return CHECKS.filter((c) => !disabled.has(c.id) && (checkIds.length === 0 || checkIds.includes(c.id)));
}
