/**
 * EMR release labels (`emr-X.Y.Z`, DescribeCluster `ReleaseLabel`, ListReleaseLabels) parsed into
 * numbers, so "how far behind" is counted on versions, not compared as strings (`emr-6.9.0` is older
 * than `emr-6.10.0`).
 */

export interface ReleaseVersion {
  /** The label as given, trimmed (e.g. `emr-6.15.1`). */
  label: string;
  major: number;
  minor: number;
  patch: number;
}

const RELEASE_LABEL = /^emr-(\d{1,4})\.(\d{1,4})\.(\d{1,4})$/;

/** The version of an `emr-X.Y.Z` label; undefined for anything else (AMI versions, `-latest` aliases). */
export function parseReleaseLabel(label: string): ReleaseVersion | undefined {
  const trimmed = label.trim();
  const m = RELEASE_LABEL.exec(trimmed);
  if (!m) return undefined;
  return { label: trimmed, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** Negative when `a` is older than `b`, positive when newer, 0 when equal. */
export function compareReleases(a: ReleaseVersion, b: ReleaseVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The newest of the releases, or undefined for none. */
export function newestRelease(releases: readonly ReleaseVersion[]): ReleaseVersion | undefined {
  let newest: ReleaseVersion | undefined;
  for (const r of releases) if (!newest || compareReleases(r, newest) > 0) newest = r;
  return newest;
}

/** The labels that parse, in no particular order; labels of other forms are ignored. */
export function parseReleaseLabels(labels: readonly string[]): ReleaseVersion[] {
  const out: ReleaseVersion[] = [];
  for (const l of labels) {
    const v = parseReleaseLabel(l);
    if (v) out.push(v);
  }
  return out;
}

/**
 * How many minor versions of `current`'s major are newer than it among `available`: distinct
 * minors, so patch releases (6.15.1 after 6.15.0) and several patches of one minor count once.
 */
export function minorReleasesBehind(current: ReleaseVersion, available: readonly ReleaseVersion[]): number {
  const newer = new Set<number>();
  for (const r of available) if (r.major === current.major && r.minor > current.minor) newer.add(r.minor);
  return newer.size;
}
