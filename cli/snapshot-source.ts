/**
 * Snapshots that do not come from AWS: a file saved by `emr-audit collect`, or the bundled demo
 * account. A file is outside data: it is validated with the snapshot schema, and any problem is
 * a one-line usage error naming the file and the first offending field.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseSnapshot, type Snapshot } from '../lib/snapshot.js';
import { UsageError } from './args.js';

export const DEMO_SNAPSHOT_PATH = fileURLToPath(new URL('../examples/demo-account.json', import.meta.url));

export async function readSnapshotFile(path: string, label = `--snapshot ${path}`): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${label}: ${describeFsError(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${label}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = parseSnapshot(json);
  if (!parsed.ok) throw new UsageError(`${label}: ${parsed.reason}`);
  return parsed.snapshot;
}

export function readDemoSnapshot(): Promise<Snapshot> {
  return readSnapshotFile(DEMO_SNAPSHOT_PATH, 'demo account');
}

/**
 * Keep only the requested regions of a saved snapshot. A region it does not hold is a usage error:
 * evaluating nothing would read as a clean audit.
 */
export function selectRegions(snapshot: Snapshot, regions: readonly string[], label: string): Snapshot {
  if (regions.length === 0) return snapshot;
  const held = snapshot.regions.map((r) => r.region);
  const missing = regions.filter((r) => !held.includes(r));
  if (missing.length > 0) {
    throw new UsageError(`--region ${missing[0]}: not in the ${label} (it holds ${held.join(', ') || 'no region'})`);
  }
  return { ...snapshot, regions: snapshot.regions.filter((r) => regions.includes(r.region)) };
}

/** Every requested cluster must be in the snapshot, for the same reason. */
export function checkClustersPresent(snapshot: Snapshot, clusterIds: readonly string[], label: string): void {
  const held = new Set(snapshot.regions.flatMap((r) => r.clusters.map((c) => c.id)));
  const missing = clusterIds.find((id) => !held.has(id));
  if (missing) throw new UsageError(`--cluster ${missing}: not in the ${label}`);
}

/** A snapshot without regions evaluates to nothing, which would read as a clean audit. */
export function checkSnapshotHasRegions(snapshot: Snapshot, label: string): Snapshot {
  if (snapshot.regions.length === 0) throw new UsageError(`the ${label} holds no region: nothing to evaluate`);
  return snapshot;
}

/**
 * Live: every requested cluster must be active in a selected region. A region that could not be
 * listed proves nothing (its clusters are unknown, and it is reported as ERROR), so the check
 * applies only when every region was listed.
 */
export function checkLiveClustersPresent(snapshot: Snapshot, clusterIds: readonly string[]): Snapshot {
  if (clusterIds.length === 0) return snapshot;
  if (snapshot.regions.some((r) => r.errors.some((e) => e.kind === 'region'))) return snapshot;
  const held = new Set(snapshot.regions.flatMap((r) => r.clusters.map((c) => c.id)));
  const missing = clusterIds.filter((id) => !held.has(id));
  if (missing.length === 0) return snapshot;
  const where = snapshot.regions.map((r) => r.region).join(', ');
  const found = clusterIds.filter((id) => held.has(id));
  throw new UsageError(
    `--cluster ${missing.join(', ')}: not an active cluster in ${where} (found: ${found.length > 0 ? found.join(', ') : 'none of the requested clusters'}; \`aws emr list-clusters --active\` lists them)`,
  );
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a snapshot file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (e as Error).message;
}
